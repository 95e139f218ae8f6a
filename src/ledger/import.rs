//! A ledger file checked row by row, and the import's report. Rows are read here (cells, the loop's
//! consistency, numbers given twice); what needs the database or the caller (region scope, decisions, handlers,
//! sealing residents) is checked by the use case, which adds its errors to the same rows.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::columns::Column;
use super::rows::{CellError, LedgerEntry, read_row};
use super::sheet::LedgerSheet;
use super::vocabulary::ConcernVocabulary;

/// One row of the file after the checks: its entry when valid, else every error found.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    pub entry: Option<LedgerEntry>,
    pub errors: Vec<CellError>,
}

impl CheckedRow {
    /// Adds an error found later; the row is then refused.
    pub fn refuse(&mut self, error: CellError) {
        self.entry = None;
        self.errors.push(error);
    }
}

/// Every row read as of `now`; a number a row above has already given is an error of the later row.
pub fn check_rows(
    sheet: &LedgerSheet,
    vocabulary: &ConcernVocabulary,
    now: DateTime<Utc>,
) -> Vec<CheckedRow> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    sheet
        .rows
        .iter()
        .map(|row| {
            let mut checked = match read_row(row, vocabulary, now) {
                Ok(entry) => CheckedRow {
                    row: row.row,
                    entry: Some(entry),
                    errors: Vec::new(),
                },
                Err(errors) => CheckedRow {
                    row: row.row,
                    entry: None,
                    errors,
                },
            };
            if let Some(number) = row.get(Column::Number) {
                match seen.get(number) {
                    Some(first) => checked.refuse(CellError::new(
                        Column::Number,
                        number,
                        format!(
                            "row {first} has this number too: a ledger number names one concern"
                        ),
                    )),
                    None => {
                        seen.insert(number, row.row);
                    }
                }
            }
            checked
        })
        .collect()
}

/// One problem with one cell: the row (the header is row 1), the column as the file names it and as the
/// ledger does, the value found and why it is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LedgerRowError {
    pub row: usize,
    /// The header as the file writes it (登记时间).
    pub column: String,
    /// The ledger field (received_at).
    pub field: String,
    pub value: String,
    pub message: String,
}

impl LedgerRowError {
    pub fn new(sheet: &LedgerSheet, row: usize, error: &CellError) -> Self {
        Self {
            row,
            column: sheet.header(error.column).to_owned(),
            field: error.column.as_str().to_owned(),
            value: error.value.clone(),
            message: error.message.clone(),
        }
    }
}

/// What an import did: rows read, concerns new to the ledger and already in it (by number), and the rows
/// refused with every error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LedgerImportReport {
    pub file_name: String,
    /// csv | xlsx
    pub format: String,
    /// A CSV file's encoding as detected (utf-8 or gb18030).
    pub encoding: Option<String>,
    /// Data rows read (blank rows aside).
    pub rows: usize,
    /// Concerns new to the ledger, stored now.
    pub imported: usize,
    /// Valid rows whose number the ledger already holds: left as they are.
    pub already_present: usize,
    /// Rows refused (imported without them when skipping invalid rows).
    pub rejected_rows: usize,
    pub errors: Vec<LedgerRowError>,
    /// Headers naming no ledger field: their cells were not read.
    pub ignored_columns: Vec<String>,
}
