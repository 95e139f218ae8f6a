//! The guard in front of the XLSX reader: a workbook is a zip of XML parts, and before calamine parses any of
//! it the archive is checked by what its directory declares, by what each part really unpacks to, and by the
//! longest XML token in it, so a zip bomb or a padded part is refused without being held in memory.

use std::io::{Cursor, Read};

use super::{SPLIT_IT, too_large, unreadable};
use crate::petitions::FileError;

/// Bytes all parts of the workbook unpack to: twice the fullest sheet there is (1,048,575 records of the 12
/// export columns unpack to about 500 MB, its shared strings included), and a bound on the time spent
/// unpacking.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;
/// Unpacked per packed byte, for a part larger than [`RATIO_GRACE_BYTES`]: Apache POI's bound for Office
/// files. A sheet's XML packs about 8:1 and its shared strings 16:1; whitespace or repeated padding 1000:1.
pub const MAX_INFLATE_RATIO: u64 = 100;
/// Parts smaller than this are not held to the ratio: a small, repetitive part (styles) may pack tighter.
pub const RATIO_GRACE_BYTES: u64 = 16 << 20;
/// Longest XML token (a text, a tag, a comment) the parser holds at once: a cell holds at most 32,767
/// characters, 330 KB even with every one escaped (`&#x10FFFF;`), so a longer token is padding, not data.
pub const MAX_TOKEN_BYTES: usize = 1 << 20;

/// Refuses a workbook before calamine parses it: by the sizes its directory declares first (nothing is
/// unpacked for those), then by what each part really unpacks to (a header can lie, and the zip reader
/// believes it) and by the longest token in it, so the parser's buffers stay small.
pub fn check_archive(bytes: &[u8]) -> Result<(), FileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(unreadable)?;
        check_inflation(part.name(), part.size(), part.compressed_size())?;
        declared = declared.saturating_add(part.size());
    }
    if declared > MAX_UNPACKED_BYTES {
        return Err(too_large(format!(
            "the workbook unpacks to {declared} bytes, more than the {MAX_UNPACKED_BYTES} an import reads: \
             {SPLIT_IT}"
        )));
    }
    let mut buffer = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(unreadable)?;
        let (name, stated, packed) = (part.name().to_owned(), part.size(), part.compressed_size());
        check_part(&name, stated, packed, &mut part, &mut buffer)?;
    }
    Ok(())
}

/// A part unpacking to far more than it holds packed is padding, not data.
fn check_inflation(name: &str, unpacked: u64, packed: u64) -> Result<(), FileError> {
    if unpacked > RATIO_GRACE_BYTES && unpacked / packed.max(1) > MAX_INFLATE_RATIO {
        return Err(too_large(format!(
            "{name} unpacks to {unpacked} bytes from {packed}, more than {MAX_INFLATE_RATIO} times its \
             packed size, which is padding (a zip bomb), not a sheet"
        )));
    }
    Ok(())
}

/// Unpacks one part without keeping it, refusing it once it passes its declared size, the inflation ratio
/// or the longest token.
fn check_part(
    name: &str,
    stated: u64,
    packed: u64,
    part: &mut impl Read,
    buffer: &mut [u8],
) -> Result<(), FileError> {
    let mut read: u64 = 0;
    let mut tokens = TokenScan::default();
    loop {
        let n = part
            .read(buffer)
            .map_err(|e| unreadable(format!("{name}: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        read += n as u64;
        if read > stated {
            return Err(unreadable(format!(
                "{name} unpacks to more than the {stated} bytes its header declares"
            )));
        }
        check_inflation(name, read, packed)?;
        if tokens.feed(&buffer[..n]) {
            return Err(too_large(format!(
                "{name} has an XML token (a text, tag or comment) longer than {MAX_TOKEN_BYTES} bytes, \
                 while a cell holds at most 32,767 characters: padding, not a sheet"
            )));
        }
    }
}

/// Where a byte stream stands in XML's tokens, as the parser will cut them.
#[derive(Default, Clone, Copy)]
enum Token {
    #[default]
    Text,
    /// Just after `<`.
    Open,
    /// Inside a tag; the quote of the attribute value being read, if any.
    Tag(Option<u8>),
    /// A comment, CDATA section, declaration or processing instruction: ends at `-->`, `]]>` or `?>`.
    Special,
}

/// The length of the current XML token, fed a chunk at a time.
#[derive(Default)]
struct TokenScan {
    token: Token,
    len: usize,
    /// The two bytes before the current one, to see `-->`, `]]>` and `?>`.
    before: [u8; 2],
}

impl TokenScan {
    /// How many bytes from the start of `rest` cannot move the scan on, to be skipped a run at a time.
    fn inert(&self, rest: &[u8]) -> usize {
        let found = match self.token {
            Token::Text => rest.iter().position(|&b| b == b'<'),
            Token::Open => Some(0),
            Token::Tag(None) => rest.iter().position(|&b| matches!(b, b'>' | b'"' | b'\'')),
            Token::Tag(Some(quote)) => rest.iter().position(|&b| b == quote),
            Token::Special => rest.iter().position(|&b| b == b'>'),
        };
        found.unwrap_or(rest.len())
    }

    /// Feeds a chunk; true once a token is longer than [`MAX_TOKEN_BYTES`].
    fn feed(&mut self, chunk: &[u8]) -> bool {
        let mut i = 0;
        while i < chunk.len() {
            let skipped = self.inert(&chunk[i..]);
            self.len += skipped;
            self.before = match skipped {
                0 => self.before,
                1 => [self.before[1], chunk[i]],
                n => [chunk[i + n - 2], chunk[i + n - 1]],
            };
            i += skipped;
            if self.len > MAX_TOKEN_BYTES {
                return true;
            }
            let Some(&b) = chunk.get(i) else {
                return false;
            };
            self.len += 1;
            self.token = match self.token {
                Token::Text => {
                    self.len = 1;
                    Token::Open
                }
                Token::Open if b == b'!' || b == b'?' => Token::Special,
                Token::Open | Token::Tag(None) => match b {
                    b'>' => {
                        self.len = 0;
                        Token::Text
                    }
                    b'"' | b'\'' => Token::Tag(Some(b)),
                    _ => Token::Tag(None),
                },
                Token::Tag(Some(_)) => Token::Tag(None),
                Token::Special
                    if self.before == *b"--" || self.before == *b"]]" || self.before[1] == b'?' =>
                {
                    self.len = 0;
                    Token::Text
                }
                Token::Special => Token::Special,
            };
            self.before = [self.before[1], b];
            if self.len > MAX_TOKEN_BYTES {
                return true;
            }
            i += 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longest_token_passes(xml: &[u8], chunk: usize) -> bool {
        let mut scan = TokenScan::default();
        xml.chunks(chunk).any(|c| scan.feed(c))
    }

    #[test]
    fn tokens_are_measured_as_the_parser_cuts_them() {
        let long = MAX_TOKEN_BYTES + 1;
        let text = format!("<a>{}</a>", " ".repeat(long));
        let cdata = format!("<t><![CDATA[{}]]></t>", "<>".repeat(long / 2 + 1));
        let comment = format!("<!--{}-->", "<x>".repeat(long / 3 + 1));
        let attribute = format!("<c r=\"{}\"/>", "<>".repeat(long / 2 + 1));
        for xml in [&text, &cdata, &comment, &attribute] {
            assert!(longest_token_passes(xml.as_bytes(), 4096), "{}", &xml[..20]);
        }
        let many = "<c r=\"A1\" t=\"s\"><v>12</v></c>\n  ".repeat(100_000);
        let declared = format!("<?xml version=\"1.0\"?><!-- a > b --><x>{many}</x>");
        for chunk in [1, 7, 65_536] {
            assert!(!longest_token_passes(declared.as_bytes(), chunk), "{chunk}");
        }
    }
}
