//! Text encodings of exported CSV files: UTF-8 (with or without BOM) and GBK/GB18030, detected or stated.

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
