//! Petition history: reading exported files (CSV in UTF-8 or GBK, Parquet, XLSX) with polars and calamine,
//! validating every row, rolling records up by region × category × month, and computing the indicators of
//! DESIGN §6 from the rollups. No SQL here: storage writes what this module prepares.

pub mod encoding;
pub mod generate;
pub mod import;
pub mod indicators;
pub mod jobs;
pub mod report;
pub mod rollup;
pub mod service;
pub mod table;
pub mod validate;
pub mod vocabulary;
pub mod workbook;

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
    #[error("{0}")]
    Mapping(String),
    #[error("the file has a header but no data rows")]
    NoRows,
}
