//! Any supported file as a table of text cells: polars reads CSV and Parquet, calamine reads XLSX. Every
//! column stays text here, so validation sees what the file says and can quote it in a row report.

use std::io::Cursor;

use calamine::{Data, DataType, Dimensions, Reader, Xlsx, open_workbook_from_rs};
use polars::prelude::{Column, DataFrame, DataType as PolarsType, PlSmallStr};
use polars_io::SerReader;
use polars_io::csv::read::CsvReadOptions;
use polars_io::parquet::read::ParquetReader;

use super::FileError;
use super::vocabulary::Vocabulary;

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
    /// Spreadsheet row number (the header row counts) of the first data row.
    pub first_row: usize,
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
        .map_err(|e| unreadable(FileFormat::Csv, e))?;
    let frame = all_text(frame, FileFormat::Csv)?;
    Ok(RawTable {
        headers: headers_of(&frame),
        frame,
        first_row: 2,
    })
}

pub fn read_parquet(bytes: &[u8]) -> Result<RawTable, FileError> {
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| unreadable(FileFormat::Parquet, e))?;
    let frame = all_text(frame, FileFormat::Parquet)?;
    Ok(RawTable {
        headers: headers_of(&frame),
        frame,
        first_row: 2,
    })
}

fn cell_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        // Integral numbers (codes, headcounts) must not come out as "330199001.0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(format!("{}", *f as i64)),
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(|d| d.to_string())
            .or_else(|| Some(cell.to_string())),
        other => Some(other.to_string()),
    }
}

/// Reads the named sheet (or the first). Title rows and merged group headers above the real header are
/// skipped: the header is the first of the top rows in which most cells name a known field.
pub fn read_xlsx(
    bytes: &[u8],
    sheet: Option<&str>,
    vocabulary: &Vocabulary,
) -> Result<RawTable, FileError> {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(FileFormat::Xlsx, e))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                FileError::Columns(format!("no sheet named '{s}'; the sheets are {names:?}"))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| FileError::Columns("the workbook has no sheets".into()))?,
    };
    let range = book
        .worksheet_range(&name)
        .map_err(|e| unreadable(FileFormat::Xlsx, e))?;
    let merged = match book.worksheet_merge_cells(&name) {
        Some(found) => found.map_err(|e| unreadable(FileFormat::Xlsx, e))?,
        None => Vec::new(),
    };
    // The range starts at the first non-empty cell; row numbers and merged regions count from A1.
    let (top, left) = range.start().unwrap_or((0, 0));
    let rows: Vec<Vec<Option<String>>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    let header_index = rows
        .iter()
        .take(10)
        .position(|r| {
            let known = r
                .iter()
                .flatten()
                .filter(|h| vocabulary.columns.canonical(h).is_some())
                .count();
            known >= 3
        })
        .unwrap_or(0);
    let Some(header_row) = rows.get(header_index) else {
        return Err(FileError::Columns("the sheet is empty".into()));
    };
    refuse_merged_header(&merged, top + header_index as u32, left, header_row)?;
    let headers: Vec<String> = header_row
        .iter()
        .enumerate()
        .map(|(i, h)| h.clone().unwrap_or_else(|| format!("column_{}", i + 1)))
        .collect();
    let data = &rows[header_index + 1..];
    let columns: Vec<Column> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let values: Vec<Option<&str>> = data
                .iter()
                .map(|r| r.get(i).and_then(|c| c.as_deref()))
                .collect();
            Column::new(PlSmallStr::from_str(h), values)
        })
        .collect();
    let frame = DataFrame::new(data.len(), columns).map_err(|e| unreadable(FileFormat::Xlsx, e))?;
    Ok(RawTable {
        frame,
        headers,
        first_row: top as usize + header_index + 2,
    })
}

/// `A1`-style name of a 0-based cell.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        letters.push(char::from(b'A' + ((c - 1) % 26) as u8));
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

/// A header with merged cells is a two-level header (a group over several fields, or a name spanning two
/// rows): which column holds which field is then a guess, so the sheet is refused with the cells named.
/// Merged title rows above the header are fine.
fn refuse_merged_header(
    merged: &[Dimensions],
    header: u32,
    left: u32,
    header_row: &[Option<String>],
) -> Result<(), FileError> {
    let touching: Vec<String> = merged
        .iter()
        .filter(|d| d.start.0 <= header && header <= d.end.0)
        .map(|d| {
            let text = header_row
                .get(d.start.1.saturating_sub(left) as usize)
                .cloned()
                .flatten()
                .unwrap_or_default();
            format!(
                "{}:{} '{text}'",
                cell_name(d.start.0, d.start.1),
                cell_name(d.end.0, d.end.1)
            )
        })
        .collect();
    if touching.is_empty() {
        return Ok(());
    }
    Err(FileError::Columns(format!(
        "the header row {} has merged cells ({}): save the sheet with a single header row and one column \
         per field (信访编号, 登记日期, …), without merged header cells",
        header + 1,
        touching.join(", ")
    )))
}
