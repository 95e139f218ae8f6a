//! What an import did, as the API, the command line and a background job's status report it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::FileError;
use super::import::{ParsedFile, RowError};
use super::table::FileFormat;

/// What an import did, as the API and the command line report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub id: Uuid,
    pub file_name: String,
    /// imported | rejected
    pub status: String,
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub skip_invalid: bool,
    /// Data rows read (blank rows aside).
    pub rows: usize,
    pub valid: usize,
    pub rejected: usize,
    /// Records stored for the first time, changed, and found exactly as stored.
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Why the file as a whole could not be read, when that is the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_error: Option<String>,
    /// Every row error: row, column, value, reason.
    pub errors: Vec<RowError>,
    /// Where the rejected rows can be fetched as CSV, when some were skipped or refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejects_url: Option<String>,
    /// Petition-data snapshot this import committed (the import's sequence number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<i64>,
}

impl ImportReport {
    pub fn from_parsed(id: Uuid, file_name: &str, parsed: &ParsedFile, skip_invalid: bool) -> Self {
        let accepted = skip_invalid || parsed.errors.is_empty();
        Self {
            id,
            file_name: file_name.to_owned(),
            status: if accepted { "imported" } else { "rejected" }.into(),
            format: parsed.format.as_str().into(),
            encoding: parsed.encoding.map(|e| e.as_str().to_owned()),
            skip_invalid,
            rows: parsed.rows,
            valid: parsed.valid,
            rejected: parsed.rejected_rows,
            new: 0,
            updated: 0,
            unchanged: 0,
            file_error: None,
            errors: parsed.errors.clone(),
            rejects_url: None,
            snapshot: None,
        }
    }

    pub fn file_failed(
        id: Uuid,
        file_name: &str,
        format: FileFormat,
        error: &FileError,
        skip_invalid: bool,
    ) -> Self {
        Self {
            id,
            file_name: file_name.to_owned(),
            status: "rejected".into(),
            format: format.as_str().into(),
            encoding: None,
            skip_invalid,
            rows: 0,
            valid: 0,
            rejected: 0,
            new: 0,
            updated: 0,
            unchanged: 0,
            file_error: Some(error.to_string()),
            errors: Vec::new(),
            rejects_url: None,
            snapshot: None,
        }
    }

    pub fn accepted(&self) -> bool {
        self.status == "imported"
    }
}
