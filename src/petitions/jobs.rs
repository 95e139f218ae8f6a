//! Large uploads import in the background: the request stores the upload and its options as a job and
//! answers 202 with the job's id. Every instance runs a worker that claims one job at a time under a lease,
//! renews the lease while the import runs, and lets the import's own transaction finish the job. A job whose
//! holder died (its lease expired) is taken over by whichever instance looks next; one whose holders died too
//! often fails, so a file that kills the server cannot loop forever.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use utoipa::ToSchema;
use uuid::Uuid;

use super::encoding::TextEncoding;
use super::import::{ColumnMapping, ImportOptions, ImportReport};
use super::service::{ImportError, import_file_as};
use super::table::FileFormat;
use crate::domain::account::Scope;
use crate::storage::petition_jobs::{
    ClaimTerms, ClaimedImportJob, JobLease, LeaseRenewal, NewImportJob, StoredImportJob,
};
use crate::storage::petitions::StoredImport;
use crate::storage::resolutions::FollowUp;
use crate::storage::{Db, StorageError, now};

/// Renewals within a lease: a few may be missed (one waits out SQLite's busy timeout while an import holds
/// the write lock) before the lease runs out under a live holder.
const RENEWALS_PER_LEASE: u32 = 4;
/// How often an idle worker looks for jobs queued by other instances (its own wake it at once).
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Starts of one job, counting takeovers, before it is failed instead of started again.
pub const MAX_ATTEMPTS: i32 = 3;

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
    /// Why a job failed without a report (its servers kept stopping, the database failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How many times an instance started the background import: more than one when an instance running it
    /// stopped and another took it over.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// The instance running it (host:pid), while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
}

impl ImportStatus {
    /// A job just accepted.
    pub fn queued(id: Uuid, file_name: &str) -> Self {
        Self {
            id,
            status: "queued".into(),
            file_name: file_name.to_owned(),
            report: None,
            error: None,
            attempts: None,
            worker: None,
        }
    }

    /// A finished import: succeeded when the file was imported, failed when it was refused; with the job's
    /// attempts when it ran in the background.
    pub fn finished(stored: &StoredImport, job: Option<&StoredImportJob>) -> Result<Self, String> {
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
            attempts: job.map(|j| u32::try_from(j.attempts).unwrap_or_default()),
            worker: None,
        })
    }

    /// A job with no import stored yet: waiting, running, or failed without a report.
    pub fn pending(job: &StoredImportJob) -> Self {
        Self {
            id: job.id,
            status: job.status.clone(),
            file_name: job.file_name.clone(),
            report: None,
            error: job.error.clone(),
            attempts: Some(u32::try_from(job.attempts).unwrap_or_default()),
            worker: (job.status == "running")
                .then(|| job.lease_holder.clone())
                .flatten(),
        }
    }
}

/// What a background import needs to run on any instance.
pub struct QueuedImport {
    pub id: Uuid,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub options: ImportOptions,
    pub skip_invalid: bool,
    pub actor: String,
    pub today: NaiveDate,
}

/// The options of a job as stored with it (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobOptions {
    encoding: Option<String>,
    format: Option<String>,
    sheet: Option<String>,
    mapping: Option<BTreeMap<String, String>>,
    scope: Scope,
    skip_invalid: bool,
    today: NaiveDate,
}

impl JobOptions {
    fn of(job: &QueuedImport) -> Self {
        let options = &job.options;
        Self {
            encoding: options.encoding.map(|e| e.as_str().to_owned()),
            format: options.format.map(|f| f.as_str().to_owned()),
            sheet: options.sheet.clone(),
            mapping: options.mapping.as_ref().map(|m| m.columns.clone()),
            scope: options.scope.clone(),
            skip_invalid: job.skip_invalid,
            today: job.today,
        }
    }

    fn read(stored: serde_json::Value) -> Result<(ImportOptions, bool, NaiveDate), String> {
        let stored: Self = serde_json::from_value(stored).map_err(|e| e.to_string())?;
        let encoding = stored
            .encoding
            .as_deref()
            .map(TextEncoding::parse)
            .transpose()?;
        let format = match stored.format.as_deref() {
            None => None,
            Some("csv") => Some(FileFormat::Csv),
            Some("parquet") => Some(FileFormat::Parquet),
            Some("xlsx") => Some(FileFormat::Xlsx),
            Some(other) => return Err(format!("unknown format '{other}'")),
        };
        let options = ImportOptions {
            encoding,
            format,
            sheet: stored.sheet,
            mapping: stored.mapping.map(|columns| ColumnMapping { columns }),
            scope: stored.scope,
        };
        Ok((options, stored.skip_invalid, stored.today))
    }
}

/// Wakes this instance's worker when a job is queued here, and tells how many jobs it has finished.
#[derive(Clone, Default)]
pub struct ImportWaker {
    wake: Arc<Notify>,
    finished: Arc<AtomicU64>,
    running: Arc<AtomicBool>,
}

impl ImportWaker {
    /// Jobs this instance's worker has run to their end (imported, refused or failed) since start: when it
    /// moves, petition data may have changed here.
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::Acquire)
    }

    /// Whether this instance's worker is running a job now. Its status is committed with its records, so a
    /// client may see it finished a moment before [`ImportWaker::finished`] moves; until it has, what was
    /// remembered of petition data here is not to be trusted.
    pub fn running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }
}

/// This instance's worker: one background import at a time, from any instance's queue.
pub struct ImportWorker {
    waker: ImportWaker,
    stopping: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl ImportWorker {
    /// Starts the worker on the current runtime; `lease` is how long a job is held without a renewal, and
    /// `follow_up` the use cases' rule every import runs in its transaction.
    pub fn start(db: Db, lease: Duration, follow_up: Arc<dyn FollowUp>) -> Self {
        let waker = ImportWaker::default();
        let (stopping, stop) = watch::channel(false);
        let task = tokio::spawn(work(db, lease, follow_up, waker.clone(), stop));
        Self {
            waker,
            stopping,
            task,
        }
    }

    pub fn waker(&self) -> ImportWaker {
        self.waker.clone()
    }

    /// Stops the worker; a job it was running goes back to the queue for the next instance.
    pub async fn stop(self) {
        let _ = self.stopping.send(true);
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the background import worker failed");
        }
    }
}

/// Stores the job with its upload, queued, and wakes this instance's worker.
pub async fn enqueue(db: &Db, waker: &ImportWaker, job: QueuedImport) -> Result<(), String> {
    let options = serde_json::to_value(JobOptions::of(&job)).map_err(|e| e.to_string())?;
    db.insert_import_job(&NewImportJob {
        id: job.id,
        file_name: &job.file_name,
        actor: &job.actor,
        upload: &job.bytes,
        options: &options,
    })
    .await
    .map_err(|e| e.to_string())?;
    waker.wake.notify_one();
    Ok(())
}

/// Who holds a lease, for operators reading a job's status: the host and the process.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}

fn lease_end(from: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    from + chrono::Duration::from_std(lease).unwrap_or_else(|_| chrono::Duration::minutes(2))
}

fn exhausted_error() -> String {
    format!(
        "the import was started {MAX_ATTEMPTS} times and each time the server running it stopped before it \
         finished (the file may be what stops it): nothing of it was stored; check the file, then upload it again"
    )
}

async fn work(
    db: Db,
    lease: Duration,
    follow_up: Arc<dyn FollowUp>,
    waker: ImportWaker,
    mut stop: watch::Receiver<bool>,
) {
    let holder = instance_name();
    let exhausted = exhausted_error();
    loop {
        if *stop.borrow() {
            return;
        }
        match next_job(&db, &holder, lease, &exhausted).await {
            Ok(Some(job)) => {
                waker.running.store(true, Ordering::Release);
                run(&db, job, lease, follow_up.as_ref(), &mut stop).await;
                // After its transaction ended, so a reader that sees the count move sees what it committed.
                waker.finished.fetch_add(1, Ordering::AcqRel);
                waker.running.store(false, Ordering::Release);
                continue;
            }
            Ok(None) => {}
            // SQLite: another instance's import holds the write lock; the job waits for the next look.
            Err(e @ StorageError::Unavailable(_)) => {
                tracing::debug!(error = %e, "cannot claim a background import now")
            }
            Err(e) => tracing::warn!(error = %e, "cannot claim a background import"),
        }
        tokio::select! {
            () = waker.wake.notified() => {}
            () = tokio::time::sleep(POLL_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Claims the next job, after a read that finds whether there is one (an idle instance writes nothing).
async fn next_job(
    db: &Db,
    holder: &str,
    lease: Duration,
    exhausted: &str,
) -> Result<Option<ClaimedImportJob>, StorageError> {
    let at = now();
    if !db.claimable_import_job_exists(at).await? {
        return Ok(None);
    }
    db.claim_import_job(&ClaimTerms {
        holder,
        now: at,
        lease_until: lease_end(at, lease),
        max_attempts: MAX_ATTEMPTS,
        exhausted_error: exhausted,
    })
    .await
}

/// How a claimed job's run ended, for this instance.
enum Ended {
    Ran(Result<Box<ImportReport>, ImportError>),
    TakenOver,
    Stopping,
}

async fn run(
    db: &Db,
    job: ClaimedImportJob,
    lease: Duration,
    follow_up: &dyn FollowUp,
    stop: &mut watch::Receiver<bool>,
) {
    let id = job.lease.job;
    tracing::info!(import = %id, attempt = job.attempts, "background import started");
    let read = JobOptions::read(job.options)
        .map_err(|e| format!("the import's stored options cannot be read: {e}"));
    let (options, skip_invalid, today, bytes) = match (read, job.upload) {
        (Ok((options, skip_invalid, today)), Some(bytes)) => (options, skip_invalid, today, bytes),
        (Err(e), _) => return fail(db, job.lease, &e).await,
        (_, None) => return fail(db, job.lease, "the job's upload is missing").await,
    };
    let lost = Arc::new(Notify::new());
    let renewing = tokio::spawn(renew(db.clone(), job.lease, lease, lost.clone()));
    let import = import_file_as(
        db,
        id,
        &job.file_name,
        bytes,
        options,
        skip_invalid,
        &job.actor,
        today,
        Box::new(|_, _| {}),
        Some(job.lease),
        follow_up,
    );
    // Dropping the import rolls its transaction back: it could not have committed without the lease.
    let ended = tokio::select! {
        outcome = import => Ended::Ran(outcome.map(Box::new)),
        () = lost.notified() => Ended::TakenOver,
        _ = stop.changed() => Ended::Stopping,
    };
    renewing.abort();
    match ended {
        Ended::Ran(Ok(report)) => {
            tracing::info!(import = %id, accepted = report.accepted(), rows = report.rows, "background import done")
        }
        // The database out of reach (or SQLite's write lock held past its timeout by another instance's
        // import) is no fault of the file: the job waits in the queue for another try.
        Ended::Ran(Err(ImportError::Storage(e @ StorageError::Unavailable(_)))) => {
            tracing::warn!(import = %id, error = %e, "background import postponed: the database is unavailable");
            hand_back(db, job.lease).await;
            tokio::time::sleep(POLL_EVERY).await;
        }
        Ended::Ran(Err(e)) => fail(db, job.lease, &e.to_string()).await,
        Ended::TakenOver => {
            tracing::warn!(import = %id, "background import taken over by another instance; stopped here")
        }
        Ended::Stopping => hand_back(db, job.lease).await,
    }
}

/// Puts the job back in the queue, this attempt not counted; if that fails too, its lease expires.
async fn hand_back(db: &Db, lease: JobLease) {
    let id = lease.job;
    match db.release_import_job(lease).await {
        Ok(true) => tracing::info!(import = %id, "background import handed back to the queue"),
        Ok(false) => tracing::warn!(import = %id, "background import already taken over"),
        Err(e) => {
            tracing::warn!(import = %id, error = %e, "cannot hand the import back; its lease will expire")
        }
    }
}

/// Ends the job as failed, unless another instance has taken it over.
async fn fail(db: &Db, lease: JobLease, error: &str) {
    let id = lease.job;
    match db.fail_import_job(lease, error).await {
        Ok(true) => tracing::error!(import = %id, error, "background import failed"),
        Ok(false) => {
            tracing::warn!(import = %id, error, "background import taken over by another instance")
        }
        Err(e) => {
            tracing::error!(import = %id, error, store_error = %e, "background import failed, and so did recording it")
        }
    }
}

/// Renews the lease several times per lease period until the job ends or is taken over.
async fn renew(db: Db, lease: JobLease, period: Duration, lost: Arc<Notify>) {
    loop {
        tokio::time::sleep(period / RENEWALS_PER_LEASE).await;
        match db.renew_import_lease(lease, lease_end(now(), period)).await {
            Ok(LeaseRenewal::Renewed) => {}
            Ok(LeaseRenewal::Finished) => return,
            Ok(LeaseRenewal::Lost) => {
                lost.notify_one();
                return;
            }
            // Best effort: while the import holds SQLite's write lock this waits, then gives up.
            Err(e) => {
                tracing::debug!(import = %lease.job, error = %e, "lease not renewed this time")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn job(status: &str, holder: Option<&str>) -> StoredImportJob {
        let now = Utc::now();
        StoredImportJob {
            id: Uuid::nil(),
            file_name: "p.csv".into(),
            actor: "admin".into(),
            status: status.into(),
            created_at: now,
            updated_at: now,
            error: None,
            attempts: 2,
            lease_holder: holder.map(str::to_owned),
            upload_bytes: Some(10),
        }
    }

    #[test]
    fn a_pending_job_names_its_worker_only_while_it_runs() {
        let running = ImportStatus::pending(&job("running", Some("node-1:42")));
        assert_eq!(
            (running.status.as_str(), running.worker.as_deref()),
            ("running", Some("node-1:42"))
        );
        assert_eq!(running.attempts, Some(2));
        let failed = ImportStatus::pending(&job("failed", Some("node-1:42")));
        assert_eq!((failed.status.as_str(), failed.worker), ("failed", None));
    }

    #[test]
    fn the_options_of_a_job_read_back_as_they_were_stored() {
        let options = ImportOptions {
            encoding: Some(TextEncoding::Gb18030),
            format: Some(FileFormat::Xlsx),
            sheet: Some("2025".into()),
            mapping: Some(ColumnMapping {
                columns: BTreeMap::from([("source_id".into(), "编号".into())]),
            }),
            scope: Scope::parse(&["330299".into()]).unwrap(),
        };
        let queued = QueuedImport {
            id: Uuid::nil(),
            file_name: "p.xlsx".into(),
            bytes: Vec::new(),
            options: options.clone(),
            skip_invalid: true,
            actor: "admin".into(),
            today: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        };
        let stored = serde_json::to_value(JobOptions::of(&queued)).unwrap();
        let (read, skip_invalid, today) = JobOptions::read(stored).unwrap();
        assert_eq!(read.encoding, options.encoding);
        assert_eq!(read.format, options.format);
        assert_eq!(read.sheet, options.sheet);
        assert_eq!(read.mapping, options.mapping);
        assert_eq!(read.scope, options.scope);
        assert!(skip_invalid);
        assert_eq!(today, queued.today);

        let broken = serde_json::json!({"format": "doc", "scope": [], "skip_invalid": false, "today": "2026-12-05"});
        assert!(JobOptions::read(broken).unwrap_err().contains("doc"));
    }
}
