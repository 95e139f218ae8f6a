//! Petition history: reading exported files (CSV in UTF-8 or GBK, Parquet, XLSX) with polars and calamine,
//! validating every row, rolling records up by region × category × month, and computing the indicators of
//! DESIGN §6 from the rollups. No SQL here: storage writes what this module prepares.

pub mod csv_records;
pub mod csv_stream;
pub mod encoding;
pub mod generate;
pub mod import;
pub mod indicators;
pub mod jobs;
pub mod parquet_export;
pub mod report;
pub mod rollup;
pub mod seen;
pub mod service;
pub mod table;
pub mod validate;
pub mod vocabulary;
pub mod workbook;
pub mod xlsx;

pub use import::{ImportOptions, ParsedFile, RowError, parse_file};
pub use vocabulary::{Vocabulary, vocabulary};

/// Why a whole file cannot be read (as opposed to a bad row, which is a [`RowError`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    Encoding(String),
    #[error("the file cannot be read as {format}: {reason}")]
    Unreadable {
        format: &'static str,
        reason: String,
    },
    #[error("{0}")]
    Columns(String),
    /// A record with more fields than the header names: the row is named, not polars' reading of it.
    #[error(
        "row {row} has {found} fields where the header has {expected} columns: a cell with an unquoted comma, \
         or a field too many"
    )]
    Ragged {
        row: usize,
        expected: usize,
        found: usize,
    },
    /// A field whose quotes a CSV reader cannot follow.
    #[error("row {row}, column {column}: {problem}")]
    Quoting {
        row: usize,
        column: String,
        problem: &'static str,
    },
    /// Past one of the limits that keep a small file from taking the server's memory.
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Mapping(String),
    #[error("the file has a header but no data rows")]
    NoRows,
}
