//! A CSV export read a piece at a time, so an import's memory does not grow with its file: the text is
//! decoded a megabyte at a time, cut into pieces of whole records, and each piece (under the file's header
//! line) is read by polars as a table of its own, numbered on from the rows before it.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::PathBuf;

use super::FileError;
use super::csv_records::first_bad_record;
use super::encoding::{TextEncoding, TextStream, decode, utf8_throughout};
use super::table::{RawTable, RowNumbers, read_csv};

/// Text per piece: about 50 000 petition records, a batch of the import.
const PIECE_BYTES: usize = 8 << 20;
/// A record longer than this is a quote never closed, not a record: reading stops before it takes memory.
const RECORD_BYTES: usize = 64 << 20;

/// Where an import's file is: uploaded (in memory, bounded by the upload limit) or on the server's disk
/// (the command line), read as it is imported.
#[derive(Debug, Clone)]
pub enum ImportSource {
    Bytes(Vec<u8>),
    File(PathBuf),
}

impl From<Vec<u8>> for ImportSource {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Bytes(bytes)
    }
}

fn unreadable(e: std::io::Error) -> FileError {
    FileError::Unreadable {
        format: "file",
        reason: e.to_string(),
    }
}

impl ImportSource {
    /// Its size in bytes.
    pub fn len(&self) -> Result<u64, FileError> {
        match self {
            Self::Bytes(bytes) => Ok(bytes.len() as u64),
            Self::File(path) => Ok(std::fs::metadata(path).map_err(unreadable)?.len()),
        }
    }

    pub fn is_empty(&self) -> Result<bool, FileError> {
        Ok(self.len()? == 0)
    }

    fn reader(&self) -> Result<Box<dyn Read + Send + '_>, FileError> {
        Ok(match self {
            Self::Bytes(bytes) => Box::new(Cursor::new(bytes.as_slice())),
            Self::File(path) => Box::new(File::open(path).map_err(unreadable)?),
        })
    }

    /// The whole file, for the formats read whole (Parquet, XLSX), which have limits of their own.
    pub fn whole(&self) -> Result<Cow<'_, [u8]>, FileError> {
        match self {
            Self::Bytes(bytes) => Ok(Cow::Borrowed(bytes)),
            Self::File(path) => Ok(Cow::Owned(std::fs::read(path).map_err(unreadable)?)),
        }
    }
}

/// Where a scan of CSV text stands within a field, as polars reads it (see `csv_records`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Start,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// A CSV file as a sequence of tables of whole records, each under the file's header.
pub struct CsvPieces<'a> {
    text: TextStream<Box<dyn Read + Send + 'a>>,
    /// Decoded text not yet handed out as a piece.
    pending: String,
    /// How far `pending` has been scanned, the state there, and the end of its last whole record.
    scanned: usize,
    state: Field,
    last_record_end: usize,
    /// The end of the first record (the header line) while the header is not yet taken.
    first_record_end: usize,
    header: Option<String>,
    next_row: usize,
    ended: bool,
    /// The header-only piece is handed out once, so a file without data rows still has its columns checked.
    handed_any: bool,
}

impl<'a> CsvPieces<'a> {
    /// Opens `source` in the stated encoding, or in the one [`decode`] would detect for the whole file.
    pub fn open(source: &'a ImportSource, stated: Option<TextEncoding>) -> Result<Self, FileError> {
        let (encoding, detected) = match (stated, source) {
            (Some(encoding), _) => (encoding, false),
            (None, ImportSource::Bytes(bytes)) => {
                let without_bom = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
                match std::str::from_utf8(without_bom) {
                    Ok(_) => (TextEncoding::Utf8, true),
                    // decode's verdict and its words for a file that is neither.
                    Err(_) => (decode(bytes, None)?.1, true),
                }
            }
            (None, ImportSource::File(_)) => {
                let reader = BufReader::new(source.reader()?);
                if utf8_throughout(reader)? {
                    (TextEncoding::Utf8, true)
                } else {
                    (TextEncoding::Gb18030, true)
                }
            }
        };
        Ok(Self {
            text: TextStream::new(source.reader()?, encoding, detected),
            pending: String::new(),
            scanned: 0,
            state: Field::Start,
            last_record_end: 0,
            first_record_end: 0,
            header: None,
            next_row: 2,
            ended: false,
            handed_any: false,
        })
    }

    pub fn encoding(&self) -> TextEncoding {
        self.text.encoding()
    }

    /// Bytes of the file read so far.
    pub fn consumed(&self) -> u64 {
        self.text.consumed()
    }

    /// Bytes of the file handed out in pieces so far: those read less the text still pending (exact for UTF-8;
    /// for GBK the pending text is longer than its bytes, which only makes this smaller).
    pub fn handed_bytes(&self) -> u64 {
        self.consumed().saturating_sub(self.pending.len() as u64)
    }

    /// Follows the fields of the text read since the last scan, noting where the last whole record ends.
    fn scan(&mut self) {
        let bytes = self.pending.as_bytes();
        for (i, &b) in bytes.iter().enumerate().skip(self.scanned) {
            self.state = match (self.state, b) {
                (Field::Start, b'"') => Field::Quoted,
                (Field::Quoted, b'"') => Field::QuoteInQuoted,
                (Field::QuoteInQuoted, b'"') => Field::Quoted,
                (Field::Quoted, _) => Field::Quoted,
                (_, b'\n') => {
                    self.last_record_end = i + 1;
                    if self.first_record_end == 0 {
                        self.first_record_end = i + 1;
                    }
                    Field::Start
                }
                (_, b',') => Field::Start,
                (state @ (Field::Start | Field::QuoteInQuoted), b'\r') => state,
                // Text after a closing quote: polars refuses the piece and `csv_records` names the row.
                (Field::Start | Field::Unquoted | Field::QuoteInQuoted, _) => Field::Unquoted,
            };
        }
        self.scanned = bytes.len();
    }

    /// Reads on until a piece's worth of whole records (or the header, or the end of the file) is pending.
    fn fill(&mut self) -> Result<(), FileError> {
        loop {
            let enough = match self.header {
                None => self.first_record_end > 0,
                Some(_) => self.last_record_end > 0 && self.pending.len() >= PIECE_BYTES,
            };
            if enough || self.ended {
                return Ok(());
            }
            if !self.text.read_into(&mut self.pending)? {
                self.ended = true;
            }
            self.scan();
            if self.last_record_end == 0 && self.pending.len() > RECORD_BYTES {
                return Err(self.runaway_record());
            }
        }
    }

    /// The error of a record that never ends: the row whose quote is never closed, as `csv_records` names it.
    fn runaway_record(&self) -> FileError {
        let header = self.header.as_deref().unwrap_or_default();
        let text = format!("{header}{}", self.pending);
        match first_bad_record(&text) {
            Some(e) => shifted(e, self.next_row),
            None => FileError::TooLarge(format!(
                "row {} is longer than {} MiB: is a quote never closed?",
                self.next_row,
                RECORD_BYTES >> 20
            )),
        }
    }

    /// Takes the text up to `end` out of the pending text.
    fn take(&mut self, end: usize) -> String {
        let rest = self.pending.split_off(end);
        let taken = std::mem::replace(&mut self.pending, rest);
        self.scanned -= end;
        self.last_record_end = self.last_record_end.saturating_sub(end);
        taken
    }

    fn next_piece(&mut self) -> Result<Option<RawTable>, FileError> {
        self.fill()?;
        if self.header.is_none() {
            let end = if self.first_record_end > 0 {
                self.first_record_end
            } else {
                self.pending.len()
            };
            let mut header = self.take(end);
            if !header.ends_with('\n') {
                header.push('\n');
            }
            self.header = Some(header);
            self.fill()?;
        }
        let end = if self.ended {
            self.pending.len()
        } else {
            self.last_record_end
        };
        if end == 0 && self.handed_any {
            return Ok(None);
        }
        let body = self.take(end);
        let header = self.header.as_deref().unwrap_or_default();
        let mut text = String::with_capacity(header.len() + body.len());
        text.push_str(header);
        text.push_str(&body);
        drop(body);
        let mut table = read_csv(&text).map_err(|e| shifted(e, self.next_row))?;
        table.rows = RowNumbers::From(self.next_row);
        self.next_row += table.frame.height();
        self.handed_any = true;
        Ok(Some(table))
    }
}

/// An error found in a piece, numbered as a row of the whole file: the piece's first record is row 2 of the
/// piece and row `first_row` of the file.
fn shifted(error: FileError, first_row: usize) -> FileError {
    let file_row = |row: usize| row + first_row - 2;
    match error {
        FileError::Ragged {
            row,
            expected,
            found,
        } => FileError::Ragged {
            row: file_row(row),
            expected,
            found,
        },
        FileError::Quoting {
            row,
            column,
            problem,
        } => FileError::Quoting {
            row: file_row(row),
            column,
            problem,
        },
        other => other,
    }
}

impl Iterator for CsvPieces<'_> {
    type Item = Result<RawTable, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_piece() {
            Ok(piece) => piece.map(Ok),
            Err(e) => {
                // One error ends the file: nothing after it is read.
                self.ended = true;
                self.pending.clear();
                self.handed_any = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pieces(text: &str) -> Vec<RawTable> {
        let source = ImportSource::Bytes(text.as_bytes().to_vec());
        CsvPieces::open(&source, None)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn records_cut_into_pieces_keep_their_rows_and_quoted_line_ends() {
        let mut text = String::from("编号,\"说明\"\n");
        let records = 700_000;
        for i in 0..records {
            text.push_str(&format!("X{i},\"a,\n\"\"b\"\"\"\n"));
        }
        let tables = pieces(&text);
        assert!(tables.len() > 1, "{} pieces", tables.len());
        let mut row = 2;
        for table in &tables {
            assert_eq!(table.rows, RowNumbers::From(row));
            assert_eq!(table.headers, ["编号", "说明"]);
            let ids = table.frame.column("编号").unwrap().str().unwrap();
            assert_eq!(ids.get(0), Some(format!("X{}", row - 2).as_str()));
            let notes = table.frame.column("说明").unwrap().str().unwrap();
            assert_eq!(notes.get(0), Some("a,\n\"b\""));
            row += table.frame.height();
        }
        assert_eq!(row - 2, records);
    }

    #[test]
    fn a_bad_record_deep_in_the_file_is_named_by_its_row_in_the_file() {
        let mut text = String::from("a,b\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i},x\n"));
        }
        text.push_str("1,2,3\n");
        let source = ImportSource::Bytes(text.into_bytes());
        let error = CsvPieces::open(&source, None)
            .unwrap()
            .find_map(Result::err)
            .unwrap();
        assert_eq!(
            error,
            FileError::Ragged {
                row: 200_002,
                expected: 2,
                found: 3
            }
        );
    }

    #[test]
    fn a_header_alone_is_one_empty_piece_and_gbk_is_read_in_pieces() {
        let tables = pieces("编号,人数");
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].frame.height(), 0);

        let mut text = String::from("编号,类别\n");
        for i in 0..120_000 {
            text.push_str(&format!("X{i},征地拆迁\n"));
        }
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.csv");
        std::fs::write(&path, &gbk).unwrap();
        let source = ImportSource::File(path);
        let mut read = CsvPieces::open(&source, None).unwrap();
        assert_eq!(read.encoding(), TextEncoding::Gb18030);
        let mut rows = 0;
        for table in read.by_ref() {
            let table = table.unwrap();
            let categories = table.frame.column("类别").unwrap().str().unwrap();
            assert_eq!(categories.get(0), Some("征地拆迁"));
            rows += table.frame.height();
        }
        assert_eq!(rows, 120_000);
    }
}
