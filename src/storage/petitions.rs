//! Petition records, their monthly rollups and the import log as read back; imports write them in
//! [`super::petition_import`].

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{Db, StorageError, with_pool};
use crate::domain::petition::{
    Channel, HandlingStatus, PetitionRecord, RollupCounts, RollupRow, Satisfaction,
};

pub(super) const RECORD_COLUMNS: &str = "source_id, received_on, channel, region_code, category, subcategory, \
     headcount, collective, repeated, escalated, status, due_on, concluded_on, satisfaction, overdue, decision_id";

/// One county's records of one year ($1 ≤ received_on < $2, region code like $3): the statistic whose plan
/// must touch only that year's partitions (tests/integration/petition_partitions.rs).
pub const COUNTY_YEAR_RECORDS: &str = "SELECT source_id, received_on, channel, region_code, category, subcategory, \
     headcount, collective, repeated, escalated, status, due_on, concluded_on, satisfaction, overdue, decision_id \
     FROM petitions WHERE received_on >= $1 AND received_on < $2 AND region_code LIKE $3 \
     ORDER BY received_on, source_id";

#[derive(sqlx::FromRow)]
pub(super) struct PetitionRow {
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

/// A rollup row as its JSON array: prefix, category, month and the eight sums in column order.
type RollupJson = (String, String, i32, i64, i64, i64, i64, i64, i64, i64, i64);

/// An import attempt as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredImport {
    pub seq: i64,
    pub id: Uuid,
    pub status: String,
    pub report: String,
    pub rejects_csv: Option<String>,
}

/// How each backend aggregates rollup rows into one JSON array: sqlx hands each row of a result from the
/// connection's thread to the task with a copy of every value, about 3 µs a row, which for the thousand-odd
/// rollup rows of an assessment was most of its time; one row holding them all costs one copy.
pub(crate) const SQLITE_ROLLUPS: (&str, &str) = ("SELECT json_group_array(json_array(", "))");
pub(crate) const POSTGRES_ROLLUPS: (&str, &str) = (
    "SELECT COALESCE(json_agg(json_build_array(",
    "))::text, '[]')",
);

/// Reads the rollup rows of `$prefixes` (non-empty) in `$categories` up to month `$to` as one JSON text, on
/// `$exec` (a pool, or a transaction's connection), with the backend's `$sql` pair above.
macro_rules! read_rollups {
    ($exec:expr, $sql:expr, $prefixes:expr, $categories:expr, $to:expr) => {{
        let (aggregate, close): (&str, &str) = $sql;
        let prefixes: &[String] = $prefixes;
        let categories: Option<&[String]> = $categories;
        let mut query = sqlx::QueryBuilder::new(aggregate);
        query.push(
            "region_prefix, category, month, petitions, collective, headcount, collective_headcount, \
             repeated, escalated, overdue, dissatisfied",
        );
        query.push(close);
        query.push(" FROM petition_rollups WHERE region_prefix IN (");
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
        query.push(" AND month <= ").push_bind($to);
        query.build_query_scalar::<String>().fetch_one($exec).await
    }};
}
pub(crate) use read_rollups;

/// The rows of [`read_rollups!`]'s JSON text.
pub(crate) fn parse_rollups(json: &str) -> Result<Vec<RollupRow>, StorageError> {
    let rows: Vec<RollupJson> = serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("petition rollups: {e}")))?;
    Ok(rows
        .into_iter()
        .map(
            |(
                region_prefix,
                category,
                month,
                petitions,
                collective,
                headcount,
                collective_headcount,
                repeated,
                escalated,
                overdue,
                dissatisfied,
            )| RollupRow {
                region_prefix,
                category,
                month,
                counts: RollupCounts {
                    petitions,
                    collective,
                    headcount,
                    collective_headcount,
                    repeated,
                    escalated,
                    overdue,
                    dissatisfied,
                },
            },
        )
        .collect())
}

impl Db {
    pub async fn petition_import(&self, id: Uuid) -> Result<StoredImport, StorageError> {
        let row: Option<StoredImport> = with_pool!(self, pool =>
            sqlx::query_as("SELECT seq, id, status, report, rejects_csv FROM petition_imports WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await)?;
        row.ok_or_else(|| StorageError::NotFound(format!("no petition import with id {id}")))
    }

    /// The newest imports (accepted or refused), newest first.
    pub async fn recent_petition_imports(
        &self,
        limit: i64,
    ) -> Result<Vec<StoredImport>, StorageError> {
        Ok(with_pool!(self, pool =>
            sqlx::query_as("SELECT seq, id, status, report, rejects_csv FROM petition_imports ORDER BY seq DESC LIMIT $1")
                .bind(limit)
                .fetch_all(pool)
                .await)?)
    }

    /// The newest committed petition-data snapshot (0 before any import).
    pub async fn petition_snapshot(&self) -> Result<i64, StorageError> {
        let seq: Option<i64> = with_pool!(self, pool =>
            sqlx::query_scalar("SELECT MAX(seq) FROM petition_imports WHERE status = 'imported'")
                .fetch_one(pool)
                .await)?;
        Ok(seq.unwrap_or(0))
    }

    /// What petition statistics are computed from, as one value: the newest committed import, and the region
    /// table's last change and size (populations give the rates). Figures computed at one version hold until it
    /// moves; one small read instead of the rollups and populations.
    pub async fn petition_data_version(
        &self,
    ) -> Result<(i64, Option<DateTime<Utc>>, i64), StorageError> {
        const SQL: &str = "SELECT (SELECT MAX(seq) FROM petition_imports WHERE status = 'imported'), \
             (SELECT MAX(updated_at) FROM regions), (SELECT COUNT(*) FROM regions)";
        let (seq, regions_changed, regions): (Option<i64>, Option<DateTime<Utc>>, i64) =
            with_pool!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await)?;
        Ok((seq.unwrap_or(0), regions_changed, regions))
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
        let json: String = match self {
            Db::Sqlite(pool) => read_rollups!(pool, SQLITE_ROLLUPS, prefixes, categories, to)?,
            Db::Postgres(pool) => read_rollups!(pool, POSTGRES_ROLLUPS, prefixes, categories, to)?,
        };
        parse_rollups(&json)
    }

    /// The (year, county) pairs that hold petition records, from the rollups' county rows.
    pub async fn petition_county_years(&self) -> Result<Vec<(i32, String)>, StorageError> {
        const SQL: &str = "SELECT DISTINCT month / 100 AS year, region_prefix FROM petition_rollups \
             WHERE length(region_prefix) = 6 AND petitions > 0 ORDER BY year, region_prefix";
        let rows: Vec<(i32, String)> =
            with_pool!(self, pool => sqlx::query_as(SQL).fetch_all(pool).await)?;
        Ok(rows)
    }

    /// Hands the petition records of one county and one year to `each`, `batch` at a time in order of
    /// receipt, streamed from the database so memory holds one batch. On PostgreSQL the query reads only that
    /// year's monthly partitions.
    pub async fn each_petition_of(
        &self,
        county: &str,
        year: i32,
        batch: usize,
        each: &mut (dyn FnMut(Vec<PetitionRecord>) -> Result<(), String> + Send),
    ) -> Result<usize, StorageError> {
        use futures_util::TryStreamExt;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| StorageError::NotFound(format!("no year {year}")))?;
        let next = NaiveDate::from_ymd_opt(year + 1, 1, 1)
            .ok_or_else(|| StorageError::NotFound(format!("no year {}", year + 1)))?;
        let pattern = format!("{county}%");
        let mut pending = Vec::with_capacity(batch);
        let mut handed = 0;
        let mut hand = |pending: &mut Vec<PetitionRecord>| -> Result<(), StorageError> {
            handed += pending.len();
            each(std::mem::take(pending)).map_err(StorageError::Halted)
        };
        with_pool!(self, pool => {
            let mut rows = sqlx::query_as::<_, PetitionRow>(COUNTY_YEAR_RECORDS)
                .bind(first)
                .bind(next)
                .bind(&pattern)
                .fetch(pool);
            while let Some(row) = rows.try_next().await? {
                pending.push(PetitionRecord::try_from(row)?);
                if pending.len() == batch {
                    hand(&mut pending)?;
                }
            }
            Ok::<(), StorageError>(())
        })?;
        if !pending.is_empty() {
            hand(&mut pending)?;
        }
        Ok(handed)
    }

    /// How many petition records are stored (for benchmarks and summaries).
    pub async fn petition_count(&self) -> Result<i64, StorageError> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM petitions").fetch_one(pool).await)?,
        )
    }
}
