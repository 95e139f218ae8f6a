//! Writing an import: the import row, the records and the rollup changes commit together or not at all, so a
//! killed import leaves nothing. Records arrive in batches while the rest of the file is still being
//! validated, and each batch is written as it comes; the importer's verdict on the whole file arrives last
//! and either commits the transaction or drops it. A background import's job is finished in the same
//! transaction, and only while the job is still leased to this attempt: a job taken over by another instance
//! rolls back here instead of committing twice.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::sync::mpsc;
use uuid::Uuid;

use super::audit::append_audit;
use super::petition_copy::IMPORT_LOCK;
use super::petition_jobs::{FINISH_LEASED_JOB, JobLease, STILL_LEASED, lease_lost};
use super::petitions::{POSTGRES_ROLLUPS, PetitionRow, RECORD_COLUMNS, SQLITE_ROLLUPS};
use super::resolutions::{FollowUp, follow_up_in};
use super::{Db, StorageError, in_write_tx, now};
use crate::domain::account::Scope;
use crate::domain::audit::AuditRecord;
use crate::domain::petition::{PetitionRecord, RollupRow, merge_rollup_rows};

const ROLLUPS_PER_STATEMENT: usize = 2_000;
const IDS_PER_LOOKUP: usize = 900;
/// Batches whose rollup sums may be pending at once (summed on other cores while records are written).
const ROLLUPS_IN_FLIGHT: usize = 2;
/// Source ids quoted in a refusal; the rest are counted.
const IDS_QUOTED: usize = 10;

const INSERT_IMPORT: &str = "INSERT INTO petition_imports (id, file_name, status, actor, created_at, report, rejects_csv) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq";

/// How the records of an import compared with what was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The import's sequence number: the petition-data snapshot it committed.
    pub snapshot: i64,
    /// Follow-up alerts the import raised (in its own transaction).
    pub alerts_raised: usize,
}

/// A record as it was stored before this import (if it was) and as the import has it.
pub type Change = (Option<PetitionRecord>, PetitionRecord);

/// Sums the rollup changes of a batch of changes; supplied by the petitions module and run on a blocking
/// thread, since polars must not block an async worker.
pub type RollupFn = fn(&[Change]) -> Result<Vec<RollupRow>, String>;

/// Writes the report of a committed import once its counts are known.
pub type ReportFn = Box<dyn FnOnce(ImportCounts) -> String + Send>;

/// What the importer sends while it reads a file.
pub enum ImportMessage {
    /// Valid records, each source id at most once in the whole file.
    Records(Vec<PetitionRecord>),
    /// The file is read: commit with these rejects and this report, or (None) drop everything.
    End(Option<Accepted>),
}

pub struct Accepted {
    pub rejects_csv: Option<String>,
    pub report: ReportFn,
}

pub struct ImportAttempt<'a> {
    pub id: Uuid,
    pub file_name: &'a str,
    pub actor: &'a str,
    pub rejects_csv: Option<&'a str>,
    /// The importer's regions: a stored record located outside them is not theirs to replace.
    pub scope: &'a Scope,
    /// A background import's claim on its job (`id` is the job's): the import commits only while it holds.
    pub lease: Option<JobLease>,
}

/// Ends the attempt's job under its lease inside `$tx`, or returns the lease-lost error from the function.
macro_rules! finish_job {
    ($tx:ident, $attempt:expr, $status:expr, $at:expr) => {
        if let Some(lease) = $attempt.lease {
            let finished = sqlx::query(FINISH_LEASED_JOB)
                .bind($status)
                .bind(None::<&str>)
                .bind($at)
                .bind(lease.job)
                .bind(lease.token)
                .execute(&mut *$tx)
                .await?
                .rows_affected()
                == 1;
            if !finished {
                return Err(lease_lost(lease.job));
            }
        }
    };
}

/// Which aggregate reads rollups on each backend (`petitions::read_rollups!`).
trait RollupSql {
    fn rollup_sql(&self) -> (&'static str, &'static str);
}

impl RollupSql for sqlx::Transaction<'_, sqlx::Sqlite> {
    fn rollup_sql(&self) -> (&'static str, &'static str) {
        SQLITE_ROLLUPS
    }
}

impl RollupSql for sqlx::Transaction<'_, sqlx::Postgres> {
    fn rollup_sql(&self) -> (&'static str, &'static str) {
        POSTGRES_ROLLUPS
    }
}

/// How each backend finds stored records and writes a batch of records inside its transaction.
trait RecordWriter {
    /// Waits for any other import to commit (the rollups add what this one finds changed).
    async fn take_import_lock(&mut self) -> Result<(), StorageError>;
    async fn stored_records(&mut self, ids: &[&str]) -> Result<Vec<PetitionRow>, StorageError>;
    async fn upsert_records(&mut self, changes: &[Change], seq: i64) -> Result<(), StorageError>;
}

impl RecordWriter for sqlx::Transaction<'_, sqlx::Sqlite> {
    async fn take_import_lock(&mut self) -> Result<(), StorageError> {
        // BEGIN IMMEDIATE has taken SQLite's one write lock already.
        Ok(())
    }

    async fn stored_records(&mut self, ids: &[&str]) -> Result<Vec<PetitionRow>, StorageError> {
        let mut query = sqlx::QueryBuilder::new(format!(
            "SELECT {RECORD_COLUMNS} FROM petitions WHERE source_id IN ("
        ));
        let mut separated = query.separated(", ");
        for id in ids {
            separated.push_bind(*id);
        }
        query.push(")");
        Ok(query.build_query_as().fetch_all(&mut **self).await?)
    }

    async fn upsert_records(&mut self, changes: &[Change], seq: i64) -> Result<(), StorageError> {
        super::sqlite_bulk::write_changes(self, changes, seq).await
    }
}

impl RecordWriter for sqlx::Transaction<'_, sqlx::Postgres> {
    async fn take_import_lock(&mut self) -> Result<(), StorageError> {
        sqlx::query(IMPORT_LOCK).execute(&mut **self).await?;
        Ok(())
    }

    async fn stored_records(&mut self, ids: &[&str]) -> Result<Vec<PetitionRow>, StorageError> {
        super::petition_copy::stored_records(self, ids).await
    }

    async fn upsert_records(&mut self, changes: &[Change], seq: i64) -> Result<(), StorageError> {
        super::petition_copy::write_changes(self, changes, seq).await
    }
}

/// The rollup sums of one batch, once its worker is done.
async fn summed(
    part: tokio::task::JoinHandle<Result<Vec<RollupRow>, String>>,
) -> Result<Vec<RollupRow>, StorageError> {
    part.await
        .map_err(|e| StorageError::Corrupt(format!("rollup worker failed: {e}")))?
        .map_err(StorageError::Corrupt)
}

/// Sorts one batch against what is stored: new, updated or unchanged, counted in `counts`.
fn compare(
    batch: Vec<PetitionRecord>,
    mut stored: HashMap<String, PetitionRecord>,
    counts: &mut ImportCounts,
) -> Vec<Change> {
    let mut changes = Vec::with_capacity(batch.len());
    for record in batch {
        match stored.remove(&record.source_id) {
            None => {
                counts.new += 1;
                changes.push((None, record));
            }
            Some(old) if old == record => counts.unchanged += 1,
            Some(old) => {
                counts.updated += 1;
                changes.push((Some(old), record));
            }
        }
    }
    // Written in key order, the primary-key index grows at its end instead of splitting pages all over it.
    changes.sort_unstable_by(|a, b| a.1.source_id.cmp(&b.1.source_id));
    changes
}

/// Refuses stored records of this batch that lie outside the importer's regions.
fn check_foreign(
    stored: &HashMap<String, PetitionRecord>,
    scope: &Scope,
) -> Result<(), StorageError> {
    let mut foreign: Vec<&str> = stored
        .values()
        .filter(|old| !scope.covers_code(&old.region_code))
        .map(|old| old.source_id.as_str())
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort_unstable();
    Err(StorageError::Conflict(format!(
        "{} source id(s) of this file are stored for regions outside yours ({}), e.g. {}; nothing was imported",
        foreign.len(),
        scope.prefixes().join(", "),
        foreign
            .iter()
            .take(IDS_QUOTED)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

impl Db {
    /// Stores the batches of an import as they arrive, with their rollup changes, and commits when the
    /// importer's verdict accepts the file — all in one transaction. `Ok(None)`: the file was refused and
    /// nothing was stored.
    pub async fn import_petitions(
        &self,
        attempt: &ImportAttempt<'_>,
        mut messages: mpsc::Receiver<ImportMessage>,
        rollup: RollupFn,
        follow_up: &dyn FollowUp,
    ) -> Result<Option<ImportCounts>, StorageError> {
        let mut message = messages.recv().await;
        // A file refused before any valid record arrived never takes the write lock.
        if matches!(message, None | Some(ImportMessage::End(None))) {
            return Ok(None);
        }
        let at = now();
        let counts = in_write_tx!(self, tx => {
            tx.take_import_lock().await?;
            // A takeover that happened before this transaction ends the attempt before it writes anything.
            if let Some(lease) = attempt.lease {
                let held: bool = sqlx::query_scalar(STILL_LEASED)
                    .bind(lease.job)
                    .bind(lease.token)
                    .fetch_one(&mut *tx)
                    .await?;
                if !held {
                    return Err(lease_lost(lease.job));
                }
            }
            let seq: i64 = sqlx::query_scalar(INSERT_IMPORT)
                .bind(attempt.id)
                .bind(attempt.file_name)
                .bind("imported")
                .bind(attempt.actor)
                .bind(at)
                .bind("{}")
                .bind(None::<&str>)
                .fetch_one(&mut *tx)
                .await?;
            let any_stored: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM petitions)")
                .fetch_one(&mut *tx)
                .await?;
            let mut counts = ImportCounts { snapshot: seq, ..Default::default() };
            let mut summing = VecDeque::new();
            let mut deltas = Vec::new();
            let accepted = loop {
                let batch = match message {
                    Some(ImportMessage::Records(batch)) => batch,
                    Some(ImportMessage::End(Some(accepted))) => break accepted,
                    // Refused, or the importer is gone: the transaction is dropped, and rolled back with it.
                    Some(ImportMessage::End(None)) | None => return Ok(None),
                };
                let mut stored: HashMap<String, PetitionRecord> = HashMap::new();
                if any_stored {
                    for chunk in batch.chunks(IDS_PER_LOOKUP) {
                        let ids: Vec<&str> = chunk.iter().map(|r| r.source_id.as_str()).collect();
                        for row in tx.stored_records(&ids).await? {
                            let record = PetitionRecord::try_from(row)?;
                            stored.insert(record.source_id.clone(), record);
                        }
                    }
                }
                check_foreign(&stored, attempt.scope)?;
                let changes = Arc::new(compare(batch, stored, &mut counts));
                // The batch's rollups are summed on another core while its records are written.
                summing.push_back(tokio::task::spawn_blocking({
                    let changes = changes.clone();
                    move || rollup(&changes)
                }));
                tx.upsert_records(&changes, seq).await?;
                // Each batch's sums are folded into the running total as they finish: memory holds the total
                // and a batch or two, not the sums of every batch of a ten-million-row file.
                while summing.len() > ROLLUPS_IN_FLIGHT {
                    if let Some(part) = summing.pop_front() {
                        deltas = merge_rollup_rows(vec![deltas, summed(part).await?]);
                    }
                }
                message = messages.recv().await;
            };
            while let Some(part) = summing.pop_front() {
                deltas = merge_rollup_rows(vec![deltas, summed(part).await?]);
            }
            tracing::debug!(import = %attempt.id, records = counts.new + counts.updated, rollup_rows = deltas.len(), "records stored, rollups summed");
            // The same upsert text runs on both backends: ON CONFLICT … DO UPDATE with excluded.
            for chunk in deltas.chunks(ROLLUPS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO petition_rollups (region_prefix, category, month, petitions, collective, headcount, \
                     collective_headcount, repeated, escalated, overdue, dissatisfied) ",
                );
                query.push_values(chunk, |mut b, r| {
                    let c = &r.counts;
                    b.push_bind(r.region_prefix.as_str())
                        .push_bind(r.category.as_str())
                        .push_bind(r.month)
                        .push_bind(c.petitions)
                        .push_bind(c.collective)
                        .push_bind(c.headcount)
                        .push_bind(c.collective_headcount)
                        .push_bind(c.repeated)
                        .push_bind(c.escalated)
                        .push_bind(c.overdue)
                        .push_bind(c.dissatisfied);
                });
                query.push(
                    " ON CONFLICT (region_prefix, category, month) DO UPDATE SET \
                     petitions = petition_rollups.petitions + excluded.petitions, \
                     collective = petition_rollups.collective + excluded.collective, \
                     headcount = petition_rollups.headcount + excluded.headcount, \
                     collective_headcount = petition_rollups.collective_headcount + excluded.collective_headcount, \
                     repeated = petition_rollups.repeated + excluded.repeated, \
                     escalated = petition_rollups.escalated + excluded.escalated, \
                     overdue = petition_rollups.overdue + excluded.overdue, \
                     dissatisfied = petition_rollups.dissatisfied + excluded.dissatisfied",
                );
                query.build().execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE petition_imports SET report = $1, rejects_csv = $2 WHERE seq = $3")
                .bind((accepted.report)(counts))
                .bind(accepted.rejects_csv)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            let audit = AuditRecord {
                entity: "petition_import",
                entity_id: attempt.id,
                decision_id: None,
                action: "create",
                actor: attempt.actor.to_owned(),
                before: None,
                after: Some(serde_json::json!({
                    "file_name": attempt.file_name, "new": counts.new, "updated": counts.updated,
                    "unchanged": counts.unchanged, "snapshot": seq,
                })),
            };
            append_audit!(tx, &audit, at)?;
            // The alerts these petitions raise commit with them, or neither does.
            counts.alerts_raised = follow_up_in!(tx, follow_up, tx.rollup_sql(), at);
            finish_job!(tx, attempt, "succeeded", at);
            counts
        });
        tracing::debug!(import = %attempt.id, "committed");
        Ok(Some(counts))
    }

    /// Records a refused file: only its report, no data; a background import's job ends failed with it.
    pub async fn record_rejected_import(
        &self,
        attempt: &ImportAttempt<'_>,
        report: &str,
    ) -> Result<i64, StorageError> {
        let at = now();
        let seq = in_write_tx!(self, tx => {
            let seq: i64 = sqlx::query_scalar(INSERT_IMPORT)
                .bind(attempt.id)
                .bind(attempt.file_name)
                .bind("rejected")
                .bind(attempt.actor)
                .bind(at)
                .bind(report)
                .bind(attempt.rejects_csv)
                .fetch_one(&mut *tx)
                .await?;
            finish_job!(tx, attempt, "failed", at);
            seq
        });
        Ok(seq)
    }
}
