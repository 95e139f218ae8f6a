//! Text encodings of exported CSV files: UTF-8 (with or without BOM) and GBK/GB18030, detected or stated.

use std::io::Read;

use super::FileError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

impl TextEncoding {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Ok(Self::Gb18030),
            other => Err(format!(
                "unknown encoding '{other}': use utf-8 or gbk (gb18030)"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Gb18030 => "gb18030",
        }
    }
}

/// The file's text and the encoding it was read with. Detection prefers UTF-8: GBK bytes of Chinese text
/// are almost never valid UTF-8, while the reverse does not hold.
pub fn decode(
    bytes: &[u8],
    stated: Option<TextEncoding>,
) -> Result<(String, TextEncoding), FileError> {
    let without_bom = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match stated {
        Some(TextEncoding::Utf8) => match std::str::from_utf8(without_bom) {
            Ok(text) => Ok((text.to_owned(), TextEncoding::Utf8)),
            Err(e) => Err(FileError::Encoding(format!(
                "the file is not valid UTF-8 (first bad byte at offset {}); is it GBK? try encoding gbk",
                e.valid_up_to()
            ))),
        },
        Some(TextEncoding::Gb18030) => gb18030(bytes),
        None => match std::str::from_utf8(without_bom) {
            Ok(text) => Ok((text.to_owned(), TextEncoding::Utf8)),
            Err(_) => gb18030(bytes).map_err(|e| match e {
                FileError::Encoding(m) if m.contains("truncated") => FileError::Encoding(m),
                _ => FileError::Encoding(
                    "the file is neither UTF-8 nor GBK/GB18030 text; state its encoding".into(),
                ),
            }),
        },
    }
}

fn gb18030(bytes: &[u8]) -> Result<(String, TextEncoding), FileError> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if !had_errors {
        return Ok((text.into_owned(), TextEncoding::Gb18030));
    }
    // A file cut inside a two-byte character decodes cleanly without its last byte.
    let truncated = bytes.len() > 1
        && !encoding_rs::GB18030
            .decode_without_bom_handling(&bytes[..bytes.len() - 1])
            .1;
    Err(FileError::Encoding(if truncated {
        "the file ends in the middle of a GBK character: it looks truncated".into()
    } else {
        "the file is not valid GBK/GB18030 text; is it UTF-8? try encoding utf-8".into()
    }))
}

/// Bytes read from a petition export at a time while it is decoded.
const READ_BYTES: usize = 1 << 20;

fn not_utf8(offset: u64) -> FileError {
    FileError::Encoding(format!(
        "the file is not valid UTF-8 (first bad byte at offset {offset}); is it GBK? try encoding gbk"
    ))
}

fn read_failed(e: std::io::Error) -> FileError {
    FileError::Unreadable {
        format: "csv",
        reason: e.to_string(),
    }
}

/// Whether everything `reader` yields is UTF-8, read a megabyte at a time: the detection of [`decode`]
/// for a file too large to hold.
pub fn utf8_throughout(mut reader: impl Read) -> Result<bool, FileError> {
    let mut buffer = vec![0u8; READ_BYTES];
    let mut carry = 0;
    loop {
        let n = reader.read(&mut buffer[carry..]).map_err(read_failed)?;
        let filled = carry + n;
        match std::str::from_utf8(&buffer[..filled]) {
            Ok(_) if n == 0 => return Ok(true),
            Ok(_) => carry = 0,
            // A character cut by the end of the buffer: its first bytes start the next read.
            Err(e) if e.error_len().is_none() && n > 0 => {
                let valid = e.valid_up_to();
                buffer.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// A file's text a piece at a time, in the encoding stated or detected beforehand: what [`decode`] does for
/// a whole file, with memory bounded by one read.
pub struct TextStream<R> {
    reader: R,
    encoding: TextEncoding,
    /// The encoding was detected, not stated: a GBK error then says the file is neither.
    detected: bool,
    gb18030: encoding_rs::Decoder,
    buffer: Vec<u8>,
    /// Bytes of a UTF-8 character cut by the end of the last read.
    carry: usize,
    /// Bytes of the file consumed so far.
    consumed: u64,
    ended: bool,
}

impl<R: Read> TextStream<R> {
    pub fn new(reader: R, encoding: TextEncoding, detected: bool) -> Self {
        Self {
            reader,
            encoding,
            detected,
            gb18030: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            buffer: vec![0u8; READ_BYTES],
            carry: 0,
            consumed: 0,
            ended: false,
        }
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Bytes of the file read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Appends the next piece of text to `out`; `false` once the file has ended.
    pub fn read_into(&mut self, out: &mut String) -> Result<bool, FileError> {
        if self.ended {
            return Ok(false);
        }
        let n = self
            .reader
            .read(&mut self.buffer[self.carry..])
            .map_err(read_failed)?;
        let last = n == 0;
        let filled = self.carry + n;
        let first = self.consumed == 0;
        self.consumed += n as u64;
        match self.encoding {
            TextEncoding::Utf8 => {
                let start = if first && self.buffer[..filled].starts_with(b"\xef\xbb\xbf") {
                    3
                } else {
                    0
                };
                let bytes = &self.buffer[start..filled];
                let (valid, rest) = match std::str::from_utf8(bytes) {
                    Ok(text) => (text, 0),
                    Err(e) if e.error_len().is_none() && !last => {
                        let valid = e.valid_up_to();
                        // Checked by from_utf8 just above.
                        (
                            std::str::from_utf8(&bytes[..valid]).unwrap_or_default(),
                            bytes.len() - valid,
                        )
                    }
                    Err(e) => {
                        return Err(not_utf8(
                            self.consumed - n as u64 - self.carry as u64
                                + (start + e.valid_up_to()) as u64,
                        ));
                    }
                };
                out.push_str(valid);
                self.buffer.copy_within(filled - rest..filled, 0);
                self.carry = rest;
            }
            TextEncoding::Gb18030 => {
                let bytes = &self.buffer[..filled];
                out.reserve(
                    self.gb18030
                        .max_utf8_buffer_length_without_replacement(bytes.len())
                        .unwrap_or(bytes.len() * 3),
                );
                let (result, read) = self
                    .gb18030
                    .decode_to_string_without_replacement(bytes, out, last);
                if let encoding_rs::DecoderResult::Malformed(..) = result {
                    // A file cut inside a two-byte character fails only at its very end.
                    let truncated = last && read == filled;
                    return Err(FileError::Encoding(if truncated {
                        "the file ends in the middle of a GBK character: it looks truncated".into()
                    } else if self.detected {
                        "the file is neither UTF-8 nor GBK/GB18030 text; state its encoding".into()
                    } else {
                        "the file is not valid GBK/GB18030 text; is it UTF-8? try encoding utf-8"
                            .into()
                    }));
                }
                self.carry = 0;
            }
        }
        self.ended = last;
        Ok(!last)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn detects_gbk_and_utf8_and_names_a_truncated_file() {
        let (gbk, _, _) = encoding_rs::GBK.encode("信访编号,人数\n");
        assert_eq!(decode(&gbk, None).unwrap().1, TextEncoding::Gb18030);
        assert_eq!(
            decode("信访编号".as_bytes(), None).unwrap().1,
            TextEncoding::Utf8
        );
        let cut = &gbk[..3];
        let err = decode(cut, Some(TextEncoding::Gb18030)).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(decode(&gbk, Some(TextEncoding::Utf8)).is_err());
    }
}
