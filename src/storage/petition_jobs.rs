//! Background petition imports: a job row per large upload, holding the upload and its options so that any
//! instance on the database can run it. An instance claims a job with a lease and renews it while it runs;
//! a running job whose lease expired lost its holder and is claimed again. Only the holder of the current
//! lease can finish the job, and the import's own transaction does so (petition_import.rs), so a job commits
//! once however many instances tried it.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StorageError, in_write_tx, now, with_pool};

/// A background import as stored, without its upload.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredImportJob {
    pub id: Uuid,
    pub file_name: String,
    pub actor: String,
    /// queued | running | succeeded | failed
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub error: Option<String>,
    /// How many times an instance has started it.
    pub attempts: i32,
    /// The instance that holds (or last held) its lease.
    pub lease_holder: Option<String>,
    /// The size of the upload it keeps; none once the job has finished.
    pub upload_bytes: Option<i64>,
}

/// A new job: the upload and the options to import it with (JSON, the caller's shape).
pub struct NewImportJob<'a> {
    pub id: Uuid,
    pub file_name: &'a str,
    pub actor: &'a str,
    pub upload: &'a [u8],
    pub options: &'a serde_json::Value,
}

/// Proof of one claim of a job: only its holder may renew the lease or finish the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLease {
    pub job: Uuid,
    pub token: Uuid,
}

/// What a claim hands its holder.
#[derive(Debug)]
pub struct ClaimedImportJob {
    pub lease: JobLease,
    pub file_name: String,
    pub actor: String,
    /// `None` when the row lost its upload (it never should while the job is open).
    pub upload: Option<Vec<u8>>,
    pub options: serde_json::Value,
    /// Including this claim.
    pub attempts: i32,
}

/// The terms of a claim, all plain values: who claims, until when, and when to stop trying a job.
pub struct ClaimTerms<'a> {
    /// The claiming instance, for operators (host:pid).
    pub holder: &'a str,
    pub now: DateTime<Utc>,
    pub lease_until: DateTime<Utc>,
    /// A job whose holder died this many times is failed with `exhausted_error` instead of claimed.
    pub max_attempts: i32,
    pub exhausted_error: &'a str,
}

/// What renewing a lease found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseRenewal {
    Renewed,
    /// The job ended under this lease: nothing left to renew.
    Finished,
    /// Another claim took the job over: this holder must stop, its work cannot commit.
    Lost,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: Uuid,
    file_name: String,
    actor: String,
    upload: Option<Vec<u8>>,
    options: Option<Json<serde_json::Value>>,
    attempts: i32,
}

/// Ends a job under its lease: `$1` status, `$2` error, `$3` time, `$4` job, `$5` lease token. The upload is
/// dropped; the token stays, so a late renewal learns the job ended under its own lease.
pub(crate) const FINISH_LEASED_JOB: &str = "UPDATE petition_import_jobs SET status = $1, error = $2, \
     updated_at = $3, upload = NULL, lease_expires_at = NULL \
     WHERE id = $4 AND lease_token = $5 AND status = 'running'";

/// Whether `$1` job is still running under `$2` lease token.
pub(crate) const STILL_LEASED: &str = "SELECT EXISTS (SELECT 1 FROM petition_import_jobs \
     WHERE id = $1 AND lease_token = $2 AND status = 'running')";

/// The error of a job whose lease was taken over: the work of its former holder is dropped.
pub(crate) fn lease_lost(job: Uuid) -> StorageError {
    StorageError::Conflict(format!(
        "import {job} was taken over by another instance; this attempt was rolled back"
    ))
}

/// A job waiting for an instance: queued, or running under a lease that expired before `$1`.
macro_rules! claimable {
    () => {
        "(status = 'queued' OR (status = 'running' AND lease_expires_at < $1))"
    };
}

/// `$1` now, `$2` attempts allowed, `$3` the error: fails the jobs whose holders died too often.
macro_rules! fail_exhausted_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE petition_import_jobs SET status = 'failed', error = $3, updated_at = $1, upload = NULL, \
             lease_expires_at = NULL WHERE id IN (SELECT id FROM petition_import_jobs \
             WHERE status = 'running' AND lease_expires_at < $1 AND attempts >= $2",
            $lock,
            ")"
        )
    };
}

/// `$1` now, `$2` attempts allowed, `$3` the new token, `$4` the holder, `$5` the lease's end.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE petition_import_jobs SET status = 'running', lease_token = $3, lease_holder = $4, \
             lease_expires_at = $5, attempts = attempts + 1, updated_at = $1 \
             WHERE id = (SELECT id FROM petition_import_jobs WHERE ",
            claimable!(),
            " AND attempts < $2 ORDER BY created_at, id LIMIT 1",
            $lock,
            ") RETURNING id, file_name, actor, upload, options, attempts"
        )
    };
}

// The backends differ only in how a claimer passes over rows another claimer is taking: PostgreSQL skips
// them; SQLite has one writer at a time, which `BEGIN IMMEDIATE` waits for.
const FAIL_EXHAUSTED_POSTGRES: &str = fail_exhausted_sql!(" FOR UPDATE SKIP LOCKED");
const FAIL_EXHAUSTED_SQLITE: &str = fail_exhausted_sql!("");
const CLAIM_POSTGRES: &str = claim_sql!(" FOR UPDATE SKIP LOCKED");
const CLAIM_SQLITE: &str = claim_sql!("");

impl Db {
    pub async fn insert_import_job(&self, job: &NewImportJob<'_>) -> Result<(), StorageError> {
        let at = now();
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO petition_import_jobs \
             (id, file_name, actor, status, created_at, updated_at, upload, options) \
             VALUES ($1, $2, $3, 'queued', $4, $4, $5, $6)",
        )
        .bind(job.id)
        .bind(job.file_name)
        .bind(job.actor)
        .bind(at)
        .bind(job.upload)
        .bind(Json(job.options))
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Whether some job waits for an instance: queued, or running under an expired lease. A read, so an idle
    /// worker polling takes no write lock.
    pub async fn claimable_import_job_exists(
        &self,
        at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        const SQL: &str = concat!(
            "SELECT EXISTS (SELECT 1 FROM petition_import_jobs WHERE ",
            claimable!(),
            ")"
        );
        Ok(with_pool!(self, pool => sqlx::query_scalar(SQL)
            .bind(at)
            .fetch_one(pool)
            .await)?)
    }

    /// Claims the oldest job that waits for an instance, under a new lease until `terms.lease_until`; first
    /// fails the jobs whose holders died `terms.max_attempts` times. `None`: nothing to do.
    pub async fn claim_import_job(
        &self,
        terms: &ClaimTerms<'_>,
    ) -> Result<Option<ClaimedImportJob>, StorageError> {
        let token = Uuid::new_v4();
        let (fail_exhausted, claim) = match self {
            Db::Postgres(_) => (FAIL_EXHAUSTED_POSTGRES, CLAIM_POSTGRES),
            Db::Sqlite(_) => (FAIL_EXHAUSTED_SQLITE, CLAIM_SQLITE),
        };
        let row: Option<ClaimedRow> = in_write_tx!(self, tx => {
            sqlx::query(fail_exhausted)
                .bind(terms.now)
                .bind(terms.max_attempts)
                .bind(terms.exhausted_error)
                .execute(&mut *tx)
                .await?;
            sqlx::query_as(claim)
                .bind(terms.now)
                .bind(terms.max_attempts)
                .bind(token)
                .bind(terms.holder)
                .bind(terms.lease_until)
                .fetch_optional(&mut *tx)
                .await?
        });
        Ok(row.map(|r| ClaimedImportJob {
            lease: JobLease { job: r.id, token },
            file_name: r.file_name,
            actor: r.actor,
            upload: r.upload,
            options: r.options.map(|o| o.0).unwrap_or_default(),
            attempts: r.attempts,
        }))
    }

    /// Extends a lease its holder still has to `until`.
    pub async fn renew_import_lease(
        &self,
        lease: JobLease,
        until: DateTime<Utc>,
    ) -> Result<LeaseRenewal, StorageError> {
        let renewed = with_pool!(self, pool => sqlx::query(
            "UPDATE petition_import_jobs SET lease_expires_at = $1, updated_at = $2 \
             WHERE id = $3 AND lease_token = $4 AND status = 'running'",
        )
        .bind(until)
        .bind(now())
        .bind(lease.job)
        .bind(lease.token)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))?;
        if renewed {
            return Ok(LeaseRenewal::Renewed);
        }
        let token: Option<Option<Uuid>> = with_pool!(self, pool => sqlx::query_scalar(
            "SELECT lease_token FROM petition_import_jobs WHERE id = $1",
        )
        .bind(lease.job)
        .fetch_optional(pool)
        .await)?;
        Ok(if token.flatten() == Some(lease.token) {
            LeaseRenewal::Finished
        } else {
            LeaseRenewal::Lost
        })
    }

    /// Ends a job as failed with `error`, if `lease` still holds it; `false` when it was taken over.
    pub async fn fail_import_job(
        &self,
        lease: JobLease,
        error: &str,
    ) -> Result<bool, StorageError> {
        let failed = with_pool!(self, pool => sqlx::query(FINISH_LEASED_JOB)
            .bind("failed")
            .bind(error)
            .bind(now())
            .bind(lease.job)
            .bind(lease.token)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1))?;
        Ok(failed)
    }

    /// Hands a job back to the queue, as if never started (its holder is stopping); `false` when it was
    /// taken over meanwhile.
    pub async fn release_import_job(&self, lease: JobLease) -> Result<bool, StorageError> {
        let released = with_pool!(self, pool => sqlx::query(
            "UPDATE petition_import_jobs SET status = 'queued', lease_token = NULL, lease_holder = NULL, \
             lease_expires_at = NULL, attempts = attempts - 1, updated_at = $1 \
             WHERE id = $2 AND lease_token = $3 AND status = 'running'",
        )
        .bind(now())
        .bind(lease.job)
        .bind(lease.token)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1))?;
        Ok(released)
    }

    pub async fn import_job(&self, id: Uuid) -> Result<Option<StoredImportJob>, StorageError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT id, file_name, actor, status, created_at, updated_at, error, attempts, lease_holder, \
             CAST(LENGTH(upload) AS BIGINT) AS upload_bytes FROM petition_import_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }
}
