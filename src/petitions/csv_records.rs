//! The record of a CSV file that polars could not read, found again to be named: polars' error names no row
//! and suggests its own options (`truncate_ragged_lines`, `infer_schema_length`), which mean nothing to the
//! person who exported the file.

use super::FileError;

/// Where the scan stands within a field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Start,
    Unquoted,
    Quoted,
    /// Just after a quote inside a quoted field: the closing one, or the first of a doubled pair.
    QuoteInQuoted,
}

/// The first record a CSV reader cannot take, read as RFC 4180 and polars read it: fields split at commas
/// outside double quotes, records at line ends outside them, a quote inside an unquoted field taken as
/// text. Rows are numbered as the import numbers them: the header is row 1, and a blank line is a row.
pub fn first_bad_record(text: &str) -> Option<FileError> {
    let mut header: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut row = 1;
    let mut fields = 1;
    let mut state = Field::Start;
    let column = |header: &[String], index: usize| {
        header
            .get(index - 1)
            .cloned()
            .unwrap_or_else(|| format!("{index}"))
    };
    for c in text.trim_start_matches('\u{feff}').chars() {
        let in_header = row == 1;
        state = match (state, c) {
            (Field::Start, '"') => Field::Quoted,
            (Field::Quoted, '"') => Field::QuoteInQuoted,
            (Field::QuoteInQuoted, '"') => Field::Quoted,
            (Field::Quoted, _) => Field::Quoted,
            (Field::Start | Field::Unquoted | Field::QuoteInQuoted, '\r') => state,
            (Field::Start | Field::Unquoted | Field::QuoteInQuoted, ',' | '\n') => {
                if in_header {
                    header.push(unquoted(&std::mem::take(&mut cell)));
                }
                if c == ',' {
                    fields += 1;
                } else {
                    if !in_header && fields > header.len() {
                        return Some(FileError::Ragged {
                            row,
                            expected: header.len(),
                            found: fields,
                        });
                    }
                    row += 1;
                    fields = 1;
                }
                Field::Start
            }
            (Field::QuoteInQuoted, _) => {
                return Some(FileError::Quoting {
                    row,
                    column: column(&header, fields),
                    problem: "text after a field's closing quote (a quote inside a quoted field is written \
                              twice: \"\")",
                });
            }
            (Field::Start | Field::Unquoted, _) => Field::Unquoted,
        };
        if in_header && state != Field::Start {
            cell.push(c);
        }
    }
    match state {
        Field::Quoted => Some(FileError::Quoting {
            row,
            column: column(&header, fields),
            problem: "a quoted field is never closed",
        }),
        _ if row > 1 && fields > header.len() => Some(FileError::Ragged {
            row,
            expected: header.len(),
            found: fields,
        }),
        _ => None,
    }
}

/// A header cell as its text: outer quotes dropped, doubled quotes single.
fn unquoted(raw: &str) -> String {
    let raw = raw.trim_matches(['\r', ' ']);
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> Option<String> {
        first_bad_record(text).map(|e| e.to_string())
    }

    #[test]
    fn the_record_a_reader_cannot_take_is_named() {
        let header = "\u{feff}编号,\"日期\",人数\r\n";
        let cases = [
            ("a,b,c\nd,e,f\n", None),
            ("a,\"b,\"\"x\"\"\",c\n\"d\ne\",f,g\n", None),
            ("a,b\"x,c\n", None),
            (
                "a,b,c\n\n\nd,e,f,g\n",
                Some("row 5 has 4 fields where the header has 3"),
            ),
            (
                "a,b,c\r\nd,e,f,g\r\n",
                Some("row 3 has 4 fields where the header has 3"),
            ),
            (
                "a,b,c\nd,e,f,g",
                Some("row 3 has 4 fields where the header has 3"),
            ),
            (
                "a,\"b\" ,c\n",
                Some("row 2, column 日期: text after a field's closing quote"),
            ),
            (
                "a,b,c\nd,\"e\"x,f\n",
                Some("row 3, column 日期: text after"),
            ),
            (
                "a,b,c\nd,e,\"f\n",
                Some("row 3, column 人数: a quoted field is never closed"),
            ),
        ];
        for (rows, expected) in cases {
            let text = format!("{header}{rows}");
            match (problem(&text), expected) {
                (None, None) => {}
                (Some(found), Some(expected)) => assert!(found.starts_with(expected), "{found}"),
                (found, expected) => panic!("{rows:?}: {found:?}, expected {expected:?}"),
            }
        }
    }
}
