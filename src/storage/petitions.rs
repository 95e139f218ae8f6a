//! Petition records, their monthly rollups and the import log. An import is one transaction: the import row,
//! the records and the rollup changes commit together or not at all, so a killed import leaves nothing.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::audit::append_audit;
use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::account::Scope;
use crate::domain::audit::AuditRecord;
use crate::domain::petition::{
    Channel, HandlingStatus, PetitionRecord, RollupCounts, RollupRow, Satisfaction,
};

/// Rows per multi-row INSERT: 17 binds each stays under SQLite's 32 766 bound parameters.
const RECORDS_PER_STATEMENT: usize = 1_000;
const ROLLUPS_PER_STATEMENT: usize = 2_000;
const IDS_PER_LOOKUP: usize = 900;

const RECORD_COLUMNS: &str = "source_id, received_on, channel, region_code, category, subcategory, \
     headcount, collective, repeated, escalated, status, due_on, concluded_on, satisfaction, overdue, decision_id";

#[derive(sqlx::FromRow)]
struct PetitionRow {
    source_id: String,
    received_on: NaiveDate,
    channel: String,
    region_code: String,
    category: String,
    subcategory: Option<String>,
    headcount: i32,
    collective: bool,
    repeated: bool,
    escalated: bool,
    status: String,
    due_on: Option<NaiveDate>,
    concluded_on: Option<NaiveDate>,
    satisfaction: String,
    overdue: bool,
    decision_id: Option<Uuid>,
}

impl TryFrom<PetitionRow> for PetitionRecord {
    type Error = StorageError;
    fn try_from(r: PetitionRow) -> Result<Self, StorageError> {
        let bad = |what: &str, v: &str| {
            StorageError::Corrupt(format!("petition {}: {what} '{v}'", r.source_id))
        };
        Ok(Self {
            channel: Channel::parse(&r.channel).ok_or_else(|| bad("channel", &r.channel))?,
            status: HandlingStatus::parse(&r.status).ok_or_else(|| bad("status", &r.status))?,
            satisfaction: Satisfaction::parse(&r.satisfaction)
                .ok_or_else(|| bad("satisfaction", &r.satisfaction))?,
            source_id: r.source_id,
            received_on: r.received_on,
            region_code: r.region_code,
            category: r.category,
            subcategory: r.subcategory,
            headcount: r.headcount,
            collective: r.collective,
            repeated: r.repeated,
            escalated: r.escalated,
            due_on: r.due_on,
            concluded_on: r.concluded_on,
            overdue: r.overdue,
            decision_id: r.decision_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RollupDbRow {
    region_prefix: String,
    category: String,
    month: i32,
    petitions: i64,
    collective: i64,
    headcount: i64,
    collective_headcount: i64,
    repeated: i64,
    escalated: i64,
    overdue: i64,
    dissatisfied: i64,
}

/// How the records of an import compared with what was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The import's sequence number: the petition-data snapshot it committed.
    pub snapshot: i64,
}

/// An import attempt as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredImport {
    pub seq: i64,
    pub id: Uuid,
    pub status: String,
    pub report: String,
    pub rejects_csv: Option<String>,
}

/// Sums the rollup changes of a set of (stored, incoming) records; supplied by the petitions module and run
/// on a blocking thread, since polars must not block an async worker.
pub type RollupFn =
    fn(&[(Option<PetitionRecord>, PetitionRecord)]) -> Result<Vec<RollupRow>, String>;

pub struct ImportAttempt<'a> {
    pub id: Uuid,
    pub file_name: &'a str,
    pub actor: &'a str,
    pub rejects_csv: Option<&'a str>,
    /// The importer's regions: a stored record located outside them is not theirs to replace.
    pub scope: &'a Scope,
}

/// Source ids quoted in a refusal; the rest are counted.
const IDS_QUOTED: usize = 10;

/// SQLite's page cache while an import runs (64 MiB), and back to the default once it is written.
const IMPORT_CACHE: &str = "PRAGMA cache_size = -65536";
const SERVING_CACHE: &str = "PRAGMA cache_size = -2000";

const INSERT_IMPORT: &str = "INSERT INTO petition_imports (id, file_name, status, actor, created_at, report, rejects_csv) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq";

impl Db {
    /// Stores the records of an accepted file with their rollup changes, and the report `finish` writes once
    /// the counts are known — all in one transaction.
    pub async fn import_petitions(
        &self,
        attempt: &ImportAttempt<'_>,
        records: Vec<PetitionRecord>,
        rollup: RollupFn,
        finish: &(dyn Fn(ImportCounts) -> String + Sync),
    ) -> Result<ImportCounts, StorageError> {
        let at = now();
        let sqlite = matches!(self, Db::Sqlite(_));
        let counts = in_write_tx!(self, tx => {
            let seq: i64 = sqlx::query_scalar(INSERT_IMPORT)
                .bind(attempt.id)
                .bind(attempt.file_name)
                .bind("imported")
                .bind(attempt.actor)
                .bind(at)
                .bind("{}")
                .bind(attempt.rejects_csv)
                .fetch_one(&mut *tx)
                .await?;
            if sqlite {
                // A large import touches far more pages than SQLite's default 2 MB cache holds.
                sqlx::query(IMPORT_CACHE).execute(&mut *tx).await?;
            }
            let any_stored: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM petitions)")
                .fetch_one(&mut *tx)
                .await?;
            let mut stored: HashMap<String, PetitionRecord> = HashMap::new();
            if any_stored {
                for chunk in records.chunks(IDS_PER_LOOKUP) {
                    let mut query = sqlx::QueryBuilder::new(format!("SELECT {RECORD_COLUMNS} FROM petitions WHERE source_id IN ("));
                    let mut ids = query.separated(", ");
                    for r in chunk {
                        ids.push_bind(r.source_id.as_str());
                    }
                    query.push(")");
                    let rows: Vec<PetitionRow> = query.build_query_as().fetch_all(&mut *tx).await?;
                    for row in rows {
                        let record = PetitionRecord::try_from(row)?;
                        stored.insert(record.source_id.clone(), record);
                    }
                }
            }
            let mut counts = ImportCounts { snapshot: seq, ..Default::default() };
            let foreign: Vec<&str> = records
                .iter()
                .filter_map(|r| stored.get(&r.source_id))
                .filter(|old| !attempt.scope.covers_code(&old.region_code))
                .map(|old| old.source_id.as_str())
                .collect();
            if !foreign.is_empty() {
                return Err(StorageError::Conflict(format!(
                    "{} source id(s) of this file are stored for regions outside yours ({}), e.g. {}; \
                     nothing was imported",
                    foreign.len(),
                    attempt.scope.prefixes().join(", "),
                    foreign.iter().take(IDS_QUOTED).copied().collect::<Vec<_>>().join(", ")
                )));
            }
            let mut changes: Vec<(Option<PetitionRecord>, PetitionRecord)> = Vec::new();
            for record in records {
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
            // Written in key order, the primary-key index grows at its end instead of splitting pages
            // all over the tree: a large file stores about 1.5× faster.
            changes.sort_unstable_by(|a, b| a.1.source_id.cmp(&b.1.source_id));
            let phase = std::time::Instant::now();
            // The rollups are summed on another core while the records are written.
            let changes = std::sync::Arc::new(changes);
            let summing = tokio::task::spawn_blocking({
                let changes = changes.clone();
                move || rollup(&changes)
            });
            for chunk in changes.chunks(RECORDS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(format!("INSERT INTO petitions ({RECORD_COLUMNS}, import_seq) "));
                query.push_values(chunk, |mut b, (_, r)| {
                    b.push_bind(r.source_id.as_str())
                        .push_bind(r.received_on)
                        .push_bind(r.channel.as_str())
                        .push_bind(r.region_code.as_str())
                        .push_bind(r.category.as_str())
                        .push_bind(r.subcategory.as_deref())
                        .push_bind(r.headcount)
                        .push_bind(r.collective)
                        .push_bind(r.repeated)
                        .push_bind(r.escalated)
                        .push_bind(r.status.as_str())
                        .push_bind(r.due_on)
                        .push_bind(r.concluded_on)
                        .push_bind(r.satisfaction.as_str())
                        .push_bind(r.overdue)
                        .push_bind(r.decision_id)
                        .push_bind(seq);
                });
                query.push(
                    " ON CONFLICT (source_id) DO UPDATE SET received_on = excluded.received_on, \
                     channel = excluded.channel, region_code = excluded.region_code, category = excluded.category, \
                     subcategory = excluded.subcategory, headcount = excluded.headcount, \
                     collective = excluded.collective, repeated = excluded.repeated, escalated = excluded.escalated, \
                     status = excluded.status, due_on = excluded.due_on, concluded_on = excluded.concluded_on, \
                     satisfaction = excluded.satisfaction, overdue = excluded.overdue, \
                     decision_id = excluded.decision_id, import_seq = excluded.import_seq",
                );
                query.build().execute(&mut *tx).await?;
            }
            tracing::debug!(import = %attempt.id, took = ?phase.elapsed(), records = changes.len(), "records stored");
            let deltas = summing
                .await
                .map_err(|e| StorageError::Corrupt(format!("rollup worker failed: {e}")))?
                .map_err(StorageError::Corrupt)?;
            tracing::debug!(import = %attempt.id, took = ?phase.elapsed(), rollup_rows = deltas.len(), "rollups summed");
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
            if sqlite {
                sqlx::query(SERVING_CACHE).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE petition_imports SET report = $1 WHERE seq = $2")
                .bind(finish(counts))
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
            counts
        });
        Ok(counts)
    }

    /// Records a refused file: only its report, no data.
    pub async fn record_rejected_import(
        &self,
        attempt: &ImportAttempt<'_>,
        report: &str,
    ) -> Result<i64, StorageError> {
        let seq: i64 = with_pool!(self, pool => sqlx::query_scalar(INSERT_IMPORT)
            .bind(attempt.id)
            .bind(attempt.file_name)
            .bind("rejected")
            .bind(attempt.actor)
            .bind(now())
            .bind(report)
            .bind(attempt.rejects_csv)
            .fetch_one(pool)
            .await)?;
        Ok(seq)
    }

    pub async fn petition_import(&self, id: Uuid) -> Result<StoredImport, StorageError> {
        let row: Option<StoredImport> = with_pool!(self, pool =>
            sqlx::query_as("SELECT seq, id, status, report, rejects_csv FROM petition_imports WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await)?;
        row.ok_or_else(|| StorageError::NotFound(format!("no petition import with id {id}")))
    }

    /// The newest committed petition-data snapshot (0 before any import).
    pub async fn petition_snapshot(&self) -> Result<i64, StorageError> {
        let seq: Option<i64> = with_pool!(self, pool =>
            sqlx::query_scalar("SELECT MAX(seq) FROM petition_imports WHERE status = 'imported'")
                .fetch_one(pool)
                .await)?;
        Ok(seq.unwrap_or(0))
    }

    /// Rollup rows of these exact prefixes up to month `to` (yyyymm), for the categories given (all when None).
    pub async fn petition_rollups(
        &self,
        prefixes: &[String],
        categories: Option<&[String]>,
        to: i32,
    ) -> Result<Vec<RollupRow>, StorageError> {
        if prefixes.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<RollupDbRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT region_prefix, category, month, petitions, collective, headcount, collective_headcount, \
                 repeated, escalated, overdue, dissatisfied FROM petition_rollups WHERE region_prefix IN (",
            );
            let mut list = query.separated(", ");
            for p in prefixes {
                list.push_bind(p.as_str());
            }
            query.push(")");
            if let Some(categories) = categories {
                query.push(" AND category IN (");
                let mut list = query.separated(", ");
                for c in categories {
                    list.push_bind(c.as_str());
                }
                query.push(")");
            }
            query.push(" AND month <= ").push_bind(to);
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| RollupRow {
                region_prefix: r.region_prefix,
                category: r.category,
                month: r.month,
                counts: RollupCounts {
                    petitions: r.petitions,
                    collective: r.collective,
                    headcount: r.headcount,
                    collective_headcount: r.collective_headcount,
                    repeated: r.repeated,
                    escalated: r.escalated,
                    overdue: r.overdue,
                    dissatisfied: r.dissatisfied,
                },
            })
            .collect())
    }

    /// How many petition records are stored (for benchmarks and summaries).
    pub async fn petition_count(&self) -> Result<i64, StorageError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM petitions").fetch_one(pool).await)?,
        )
    }
}
