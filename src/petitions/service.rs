//! The import use case shared by the command line and the API: read and validate off the async workers while
//! storage writes the batches already validated, all in one transaction that the verdict on the whole file
//! commits or drops; and keep a report of every attempt, refused or not.

use chrono::NaiveDate;
use uuid::Uuid;

use std::ops::ControlFlow;

use tokio::sync::mpsc;

use super::FileError;
use super::csv_stream::ImportSource;
use super::import::{ImportOptions, ImportReport, ParsedFile, parse_file};
use super::rollup::rollup_changes;
use super::table::FileFormat;
use super::vocabulary;
use crate::storage::petition_import::{Accepted, ImportAttempt, ImportCounts, ImportMessage};
use crate::storage::petition_jobs::JobLease;
use crate::storage::resolutions::FollowUp;
use crate::storage::{Db, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Internal(String),
}

/// Validated batches waiting for storage: enough to keep the writer busy, few enough to bound memory.
const BATCHES_IN_FLIGHT: usize = 2;

pub type Progress = Box<dyn FnMut(usize, usize) + Send>;

/// Imports one file: the report says what happened; an `Err` means the attempt itself could not be made.
#[allow(clippy::too_many_arguments)]
pub async fn import_file(
    db: &Db,
    file_name: &str,
    source: impl Into<ImportSource>,
    options: ImportOptions,
    skip_invalid: bool,
    actor: &str,
    today: NaiveDate,
    progress: Progress,
    follow_up: &dyn FollowUp,
) -> Result<ImportReport, ImportError> {
    let id = Uuid::new_v4();
    import_file_as(
        db,
        id,
        file_name,
        source,
        options,
        skip_invalid,
        actor,
        today,
        progress,
        None,
        follow_up,
    )
    .await
}

/// [`import_file`] under an id given beforehand (a background import's, announced with its 202). With a
/// `lease`, the import also finishes that job, and commits only while the lease holds. `follow_up` (the use
/// cases' rule) checks the decisions going ahead inside the import's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn import_file_as(
    db: &Db,
    id: Uuid,
    file_name: &str,
    source: impl Into<ImportSource>,
    options: ImportOptions,
    skip_invalid: bool,
    actor: &str,
    today: NaiveDate,
    mut progress: Progress,
    lease: Option<JobLease>,
    follow_up: &dyn FollowUp,
) -> Result<ImportReport, ImportError> {
    let vocabulary = vocabulary().map_err(ImportError::Internal)?;
    let name = file_name.to_owned();
    let scope = options.scope.clone();
    let format = options
        .format
        .unwrap_or_else(|| FileFormat::from_name(file_name));
    let started = std::time::Instant::now();
    let source = source.into();
    tracing::debug!(import = %id, bytes = source.len().unwrap_or_default(), "import started");
    let (sender, messages) = mpsc::channel(BATCHES_IN_FLIGHT);
    let batches = sender.clone();
    let reading = async {
        let parsed = tokio::task::spawn_blocking(move || {
            let mut sink = |batch| match batches.blocking_send(ImportMessage::Records(batch)) {
                Ok(()) => ControlFlow::Continue(()),
                Err(_) => ControlFlow::Break(()),
            };
            parse_file(
                &name,
                &source,
                &options,
                vocabulary,
                today,
                skip_invalid,
                &mut *progress,
                &mut sink,
            )
        })
        .await;
        tracing::debug!(import = %id, took = ?started.elapsed(), "read and validated");
        let outcome = match parsed {
            Ok(parsed) => Ok(report_of(id, file_name, format, skip_invalid, parsed)),
            Err(e) => Err(ImportError::Internal(format!(
                "the import worker failed: {e}"
            ))),
        };
        // The verdict on the whole file: storage commits what it has written, or drops it. A send that fails
        // means storage has already given up, and says why.
        let verdict = outcome.as_ref().ok().and_then(|(report, rejects)| {
            report
                .accepted()
                .then(|| accepted(report.clone(), rejects.clone()))
        });
        let _ = sender.send(ImportMessage::End(verdict)).await;
        outcome
    };
    let attempt = ImportAttempt {
        id,
        file_name,
        actor,
        rejects_csv: None,
        scope: &scope,
        lease,
    };
    let storing = db.import_petitions(&attempt, messages, rollup_changes, follow_up);
    let (stored, outcome) = tokio::join!(storing, reading);
    // Storage failing (a conflict, the database gone) ends the reading early, so its error comes first.
    let stored = stored?;
    let (report, rejects) = outcome?;
    let counts = match stored {
        Some(counts) => counts,
        None if report.accepted() => {
            return Err(ImportError::Internal(
                "storage ended an accepted import without committing it".into(),
            ));
        }
        None => {
            let text =
                serde_json::to_string(&report).map_err(|e| ImportError::Internal(e.to_string()))?;
            let attempt = ImportAttempt {
                rejects_csv: rejects.as_deref(),
                ..attempt
            };
            db.record_rejected_import(&attempt, &text).await?;
            return Ok(report);
        }
    };
    if counts.alerts_raised > 0 {
        tracing::warn!(
            import = %id,
            alerts = counts.alerts_raised,
            "petition spikes after decisions: alerts raised"
        );
    }
    Ok(with_counts(report, counts))
}

/// The report of a file read to the end, and its rejected rows as CSV when there are any.
fn report_of(
    id: Uuid,
    file_name: &str,
    format: FileFormat,
    skip_invalid: bool,
    parsed: Result<ParsedFile, FileError>,
) -> (ImportReport, Option<String>) {
    match parsed {
        Ok(parsed) => {
            let mut report = ImportReport::from_parsed(id, file_name, &parsed, skip_invalid);
            let rejects = (!parsed.rejects_csv.is_empty()).then_some(parsed.rejects_csv);
            if rejects.is_some() {
                report.rejects_url = Some(format!("/api/v1/petitions/imports/{id}/rejects"));
            }
            (report, rejects)
        }
        Err(error) => (
            ImportReport::file_failed(id, file_name, format, &error, skip_invalid),
            None,
        ),
    }
}

/// What storage needs to commit an accepted file: its rejects, and how to write the report once counted.
fn accepted(report: ImportReport, rejects_csv: Option<String>) -> Accepted {
    Accepted {
        rejects_csv,
        report: Box::new(move |counts| {
            serde_json::to_string(&with_counts(report, counts)).unwrap_or_default()
        }),
    }
}

fn with_counts(mut report: ImportReport, counts: ImportCounts) -> ImportReport {
    report.new = counts.new;
    report.updated = counts.updated;
    report.unchanged = counts.unchanged;
    report.snapshot = Some(counts.snapshot);
    report
}
