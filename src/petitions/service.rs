//! The import use case shared by the command line and the API: read and validate off the async workers,
//! then store in one transaction, and keep a report of every attempt, refused or not.

use chrono::NaiveDate;
use uuid::Uuid;

use super::import::{ImportOptions, ImportReport, parse_file};
use super::rollup::rollup_changes;
use super::table::FileFormat;
use super::vocabulary;
use crate::storage::petitions::{ImportAttempt, ImportCounts};
use crate::storage::{Db, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Internal(String),
}

pub type Progress = Box<dyn FnMut(usize, usize) + Send>;

/// Imports one file: the report says what happened; an `Err` means the attempt itself could not be made.
#[allow(clippy::too_many_arguments)]
pub async fn import_file(
    db: &Db,
    file_name: &str,
    bytes: Vec<u8>,
    options: ImportOptions,
    skip_invalid: bool,
    actor: &str,
    today: NaiveDate,
    progress: Progress,
) -> Result<ImportReport, ImportError> {
    let id = Uuid::new_v4();
    import_file_as(
        db,
        id,
        file_name,
        bytes,
        options,
        skip_invalid,
        actor,
        today,
        progress,
    )
    .await
}

/// [`import_file`] under an id given beforehand (a background import's, announced with its 202).
#[allow(clippy::too_many_arguments)]
pub async fn import_file_as(
    db: &Db,
    id: Uuid,
    file_name: &str,
    bytes: Vec<u8>,
    options: ImportOptions,
    skip_invalid: bool,
    actor: &str,
    today: NaiveDate,
    mut progress: Progress,
) -> Result<ImportReport, ImportError> {
    let vocabulary = vocabulary().map_err(ImportError::Internal)?;
    let name = file_name.to_owned();
    let scope = options.scope.clone();
    let format = options
        .format
        .unwrap_or_else(|| FileFormat::from_name(file_name));
    let started = std::time::Instant::now();
    let parsed = tokio::task::spawn_blocking(move || {
        parse_file(&name, &bytes, &options, vocabulary, today, &mut *progress)
    })
    .await
    .map_err(|e| ImportError::Internal(format!("the import worker failed: {e}")))?;
    tracing::debug!(import = %id, took = ?started.elapsed(), "read and validated");
    let rejects_url = format!("/api/v1/petitions/imports/{id}/rejects");
    let mut parsed = match parsed {
        Ok(p) => p,
        Err(error) => {
            let report = ImportReport::file_failed(id, file_name, format, &error, skip_invalid);
            let text =
                serde_json::to_string(&report).map_err(|e| ImportError::Internal(e.to_string()))?;
            let attempt = ImportAttempt {
                id,
                file_name,
                actor,
                rejects_csv: None,
                scope: &scope,
            };
            db.record_rejected_import(&attempt, &text).await?;
            return Ok(report);
        }
    };
    let mut report = ImportReport::from_parsed(id, file_name, &parsed, skip_invalid);
    if !parsed.rejects_csv.is_empty() {
        report.rejects_url = Some(rejects_url);
    }
    let attempt = ImportAttempt {
        id,
        file_name,
        actor,
        rejects_csv: (!parsed.rejects_csv.is_empty()).then_some(parsed.rejects_csv.as_str()),
        scope: &scope,
    };
    if !report.accepted() {
        let text =
            serde_json::to_string(&report).map_err(|e| ImportError::Internal(e.to_string()))?;
        db.record_rejected_import(&attempt, &text).await?;
        return Ok(report);
    }
    let base = report.clone();
    let finish = move |counts: ImportCounts| {
        serde_json::to_string(&with_counts(base.clone(), counts)).unwrap_or_default()
    };
    // The records move into storage; the report already holds what it needs of them.
    let records = std::mem::take(&mut parsed.records);
    let counts = db
        .import_petitions(&attempt, records, rollup_changes, &finish)
        .await?;
    // The import is committed; a failed follow-up check is logged, not the import's failure.
    match crate::followup::check_all(db).await {
        Ok(alerts) if !alerts.is_empty() => {
            tracing::warn!(
                alerts = alerts.len(),
                "petition spikes after decisions: alerts raised"
            )
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "follow-up check after the import failed"),
    }
    Ok(with_counts(report, counts))
}

fn with_counts(mut report: ImportReport, counts: ImportCounts) -> ImportReport {
    report.new = counts.new;
    report.updated = counts.updated;
    report.unchanged = counts.unchanged;
    report.snapshot = Some(counts.snapshot);
    report
}
