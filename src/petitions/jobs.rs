//! Large uploads import in the background: the request answers 202 with the import id, a thread of its own
//! runs the import (one at a time, as SQLite has one writer), and the import's status is read by its id.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::import::{ImportOptions, ImportReport};
use super::service::import_file_as;
use crate::storage::Db;
use crate::storage::petition_jobs::StoredImportJob;
use crate::storage::petitions::StoredImport;

/// Heartbeats within the window after which a silent job counts as dead: a few may be missed (one waits out
/// SQLite's busy timeout while an import holds the write lock) before a live job could look dead.
const HEARTBEATS_PER_WINDOW: u32 = 4;

/// Background imports wait for each other here.
static QUEUE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// An import's progress and, once it has run, its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportStatus {
    pub id: Uuid,
    /// queued | running | succeeded | failed
    pub status: String,
    pub file_name: String,
    /// What the import did, once it has run: counts, every row error, the link to the rejects. A refused
    /// file's report says why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Box<ImportReport>>,
    /// Why a job failed without a report (the server stopped, the database failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ImportStatus {
    /// A finished import: succeeded when the file was imported, failed when it was refused.
    pub fn finished(stored: &StoredImport) -> Result<Self, String> {
        let report: ImportReport = serde_json::from_str(&stored.report)
            .map_err(|e| format!("import {}: stored report unreadable: {e}", stored.id))?;
        Ok(Self {
            id: stored.id,
            status: if report.accepted() {
                "succeeded"
            } else {
                "failed"
            }
            .into(),
            file_name: report.file_name.clone(),
            report: Some(Box::new(report)),
            error: None,
        })
    }

    /// A job with no import stored yet; one not heard of for `stalled_after` (queued or running) is reported
    /// failed: its server stopped.
    pub fn pending(job: &StoredImportJob, now: DateTime<Utc>, stalled_after: Duration) -> Self {
        let silent = (now - job.updated_at).to_std().unwrap_or_default();
        let stalled = matches!(job.status.as_str(), "queued" | "running") && silent > stalled_after;
        let (status, error) = if stalled {
            (
                "failed".to_owned(),
                Some(format!(
                    "the import stopped before it finished (not heard of since {}; the server was probably \
                     restarted): nothing of it was stored; upload the file again",
                    job.updated_at.format("%Y-%m-%d %H:%M:%S UTC")
                )),
            )
        } else {
            (job.status.clone(), job.error.clone())
        };
        Self {
            id: job.id,
            status,
            file_name: job.file_name.clone(),
            report: None,
            error,
        }
    }
}

/// What a background import needs to run on its own.
pub struct QueuedImport {
    pub id: Uuid,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub options: ImportOptions,
    pub skip_invalid: bool,
    pub actor: String,
    pub today: NaiveDate,
}

/// Records the job as queued and starts its thread; the import runs once those before it are done. The job
/// shows it is alive several times within `stalled_after`.
pub async fn enqueue(db: &Db, job: QueuedImport, stalled_after: Duration) -> Result<(), String> {
    db.insert_import_job(job.id, &job.file_name, &job.actor)
        .await
        .map_err(|e| e.to_string())?;
    let db = db.clone();
    // A thread and runtime of its own: validation, rollups and building the inserts never hold up the
    // server's async workers.
    std::thread::Builder::new()
        .name("petition-import".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => {
                    runtime.block_on(run(db, job, stalled_after / HEARTBEATS_PER_WINDOW))
                }
                Err(e) => tracing::error!(error = %e, "no runtime for a background import"),
            }
        })
        .map(drop)
        .map_err(|e| format!("cannot start the import thread: {e}"))
}

async fn run(db: Db, job: QueuedImport, heartbeat_every: Duration) {
    let id = job.id;
    let heartbeat = {
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(heartbeat_every).await;
                // Best effort: while the import holds SQLite's write lock this waits, then gives up.
                let _ = db.touch_import_job(id).await;
            }
        })
    };
    let _turn = QUEUE.lock().await;
    let outcome = match db.set_import_job_status(id, "running", None).await {
        Ok(()) => import_file_as(
            &db,
            id,
            &job.file_name,
            job.bytes,
            job.options,
            job.skip_invalid,
            &job.actor,
            job.today,
            Box::new(|_, _| {}),
        )
        .await
        .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    heartbeat.abort();
    let (status, error) = match &outcome {
        Ok(report) if report.accepted() => ("succeeded", None),
        Ok(_) => ("failed", None),
        Err(e) => ("failed", Some(e.as_str())),
    };
    if let Err(e) = db.set_import_job_status(id, status, error).await {
        tracing::error!(import = %id, error = %e, "cannot record the end of a background import");
    }
    match outcome {
        Ok(report) => {
            tracing::info!(import = %id, status, rows = report.rows, "background import done")
        }
        Err(e) => tracing::error!(import = %id, error = %e, "background import failed"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn job(status: &str, minutes_ago: i64, now: DateTime<Utc>) -> StoredImportJob {
        StoredImportJob {
            id: Uuid::nil(),
            file_name: "p.csv".into(),
            actor: "admin".into(),
            status: status.into(),
            created_at: now - chrono::Duration::minutes(minutes_ago),
            updated_at: now - chrono::Duration::minutes(minutes_ago),
            error: None,
        }
    }

    #[test]
    fn a_job_not_heard_of_for_the_window_is_reported_failed() {
        let now = Utc::now();
        let window = Duration::from_secs(600);
        assert_eq!(
            ImportStatus::pending(&job("running", 1, now), now, window).status,
            "running"
        );
        assert_eq!(
            ImportStatus::pending(&job("queued", 9, now), now, window).status,
            "queued"
        );
        let stalled = ImportStatus::pending(&job("running", 11, now), now, window);
        assert_eq!(stalled.status, "failed");
        assert!(stalled.error.unwrap().contains("upload the file again"));
        // A job that ended keeps its own status however old it is.
        assert_eq!(
            ImportStatus::pending(&job("failed", 60, now), now, window).status,
            "failed"
        );
    }
}
