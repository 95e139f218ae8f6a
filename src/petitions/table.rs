//! Any supported file as a table of text cells: polars reads CSV and Parquet, calamine reads XLSX
//! (`xlsx.rs`). Every column stays text here, so validation sees what the file says and can quote it in a
//! row report.

use std::io::Cursor;

use polars::prelude::{Column, DataFrame, DataType as PolarsType};
use polars_io::SerReader;
use polars_io::csv::read::CsvReadOptions;
use polars_io::parquet::read::ParquetReader;
use polars_parquet::parquet::metadata::FileMetadata;
use polars_parquet::parquet::page::CompressedPage;
use polars_parquet::parquet::read::get_page_iterator;

use super::FileError;
use super::csv_records::first_bad_record;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
    Xlsx,
}

impl FileFormat {
    /// From the file name's extension; CSV when unknown.
    pub fn from_name(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".parquet") {
            Self::Parquet
        } else if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
            Self::Xlsx
        } else {
            Self::Csv
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
            Self::Xlsx => "xlsx",
        }
    }
}

/// A file's cells as text columns named by its headers.
pub struct RawTable {
    pub frame: DataFrame,
    pub headers: Vec<String>,
    pub rows: RowNumbers,
}

/// Spreadsheet row numbers (the header row is row 1) of a table's data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowNumbers {
    /// Consecutive from this one: every record of a CSV or Parquet file is a row.
    From(usize),
    /// One for each row: an XLSX sheet's blank rows are not kept.
    Listed(Vec<u32>),
}

impl RowNumbers {
    /// The row number of the table's `index`-th row.
    pub fn of(&self, index: usize) -> usize {
        match self {
            Self::From(first) => first + index,
            Self::Listed(rows) => rows.get(index).map_or(0, |&r| r as usize),
        }
    }
}

fn unreadable(format: FileFormat, reason: impl ToString) -> FileError {
    FileError::Unreadable {
        format: format.as_str(),
        reason: reason.to_string(),
    }
}

/// Every column as text; a column polars typed (Parquet) is cast.
fn all_text(frame: DataFrame, format: FileFormat) -> Result<DataFrame, FileError> {
    let height = frame.height();
    let columns = frame
        .into_columns()
        .into_iter()
        .map(|c| c.cast(&PolarsType::String))
        .collect::<Result<Vec<Column>, _>>()
        .map_err(|e| unreadable(format, e))?;
    DataFrame::new(height, columns).map_err(|e| unreadable(format, e))
}

fn headers_of(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .into_iter()
        .map(|n| n.to_string())
        .collect()
}

pub fn read_csv(text: &str) -> Result<RawTable, FileError> {
    if text.trim().is_empty() {
        return Err(FileError::Columns("the file is empty".into()));
    }
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        // No type inference: every cell stays the text the file holds.
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .map_parse_options(|o| o.with_missing_is_null(true))
        .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
        .finish()
        // polars names no row and suggests its own options: the record it stopped at is found again here.
        .map_err(|e| first_bad_record(text).unwrap_or_else(|| unreadable(FileFormat::Csv, e)))?;
    let frame = all_text(frame, FileFormat::Csv)?;
    Ok(RawTable {
        headers: headers_of(&frame),
        frame,
        rows: RowNumbers::From(2),
    })
}

/// Rows × columns a Parquet file may declare: a few kilobytes of footer and run-length encoded nulls can
/// declare a billion rows, which polars would build before anything is checked. 64 × 2^20 cells hold 4 M
/// records of 16 columns, more than a 64 MiB upload carries; their table takes about 1 GiB.
pub const MAX_PARQUET_CELLS: usize = 64 << 20;

/// Whether every data page states no more values than its column chunk (and an import) holds. polars sizes its
/// buffers by a page's count, and a damaged one (a negative count reads as nearly 2^64) aborts the process on
/// allocation, which no `catch_unwind` catches. Run after the chunks' ranges are checked.
fn page_counts_plausible(bytes: &[u8], metadata: &FileMetadata) -> bool {
    let file = polars_buffer::Buffer::from(bytes.to_vec());
    metadata.row_groups.iter().all(|group| {
        group.parquet_columns().iter().all(|chunk| {
            let most = usize::try_from(chunk.num_values())
                .unwrap_or(0)
                .min(MAX_PARQUET_CELLS);
            let Ok(pages) =
                get_page_iterator(chunk, Cursor::new(file.clone()), Vec::new(), bytes.len())
            else {
                return false;
            };
            pages.into_iter().all(|page| match page {
                Ok(CompressedPage::Data(page)) => page.num_values() <= most,
                Ok(CompressedPage::Dict(_)) => true,
                Err(_) => false,
            })
        })
    })
}

/// Whether `size` bytes from `offset` (as a Parquet footer states them, signed) lie within a file of `len` bytes.
fn chunk_within(offset: i64, size: i64, len: usize) -> bool {
    offset >= 0
        && size >= 0
        && offset
            .checked_add(size)
            .is_some_and(|end| u64::try_from(end).is_ok_and(|end| end <= len as u64))
}

/// Reads a Parquet file. polars' decoder trusts a file's footer and page headers (it unwraps an encoding it does
/// not know, say) and panics on a damaged one; a damaged upload is a refused file, not a failed import thread.
pub fn read_parquet(bytes: &[u8]) -> Result<RawTable, FileError> {
    std::panic::catch_unwind(|| read_parquet_trusting_polars(bytes)).unwrap_or_else(|_| {
        Err(unreadable(
            FileFormat::Parquet,
            "its pages cannot be decoded: the file is damaged",
        ))
    })
}

fn read_parquet_trusting_polars(bytes: &[u8]) -> Result<RawTable, FileError> {
    let failed = |e| unreadable(FileFormat::Parquet, e);
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let rows = reader.num_rows().map_err(failed)?;
    let columns = reader.schema().map_err(failed)?.len();
    if rows.saturating_mul(columns) > MAX_PARQUET_CELLS {
        return Err(FileError::TooLarge(format!(
            "the file declares {rows} rows × {columns} columns, more than the {MAX_PARQUET_CELLS} cells an \
             import reads: split it"
        )));
    }
    // polars slices each column chunk where the footer says it lies and panics on a range outside the file (a
    // damaged footer's negative or oversized offset or length), so every chunk is checked first.
    let metadata = reader.get_metadata().map_err(failed)?;
    let outside = metadata
        .row_groups
        .iter()
        .flat_map(|group| group.parquet_columns())
        .any(|chunk| {
            let offset = chunk
                .dictionary_page_offset()
                .unwrap_or(chunk.data_page_offset());
            !chunk_within(offset, chunk.compressed_size(), bytes.len())
        });
    if outside {
        return Err(unreadable(
            FileFormat::Parquet,
            "its footer places a column chunk outside the file: the file is damaged or truncated",
        ));
    }
    if !page_counts_plausible(bytes, metadata) {
        return Err(unreadable(
            FileFormat::Parquet,
            "a page of it states more values than its column holds: the file is damaged",
        ));
    }
    let frame = reader.finish().map_err(failed)?;
    let frame = all_text(frame, FileFormat::Parquet)?;
    Ok(RawTable {
        headers: headers_of(&frame),
        frame,
        rows: RowNumbers::From(2),
    })
}
