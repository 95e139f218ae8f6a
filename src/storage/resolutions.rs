//! The committee's resolutions, their review flags, and the follow-up alerts that raise them.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::append_audit;
use super::scope::push_in_scope;
use super::{Db, StorageError, in_write_tx, with_pool};
use crate::domain::account::Scope;
use crate::domain::audit::AuditRecord;
use crate::domain::decision::Decision;
use crate::domain::gate::GateOutcome;
use crate::domain::petition::RollupRow;
use crate::domain::resolution::{Alert, NewAlert, Outcome, Resolution};

const COLUMNS: &str = "id, decision_id, outcome, conditions, assessment_id, assessment_hash, \
     gate_outcome, residual_level, override_reason, watched_categories, author, created_at, \
     needs_review, review_reasons";

#[derive(sqlx::FromRow)]
pub(crate) struct ResolutionRow {
    id: Uuid,
    decision_id: Uuid,
    outcome: String,
    conditions: String,
    assessment_id: Uuid,
    assessment_hash: String,
    gate_outcome: String,
    residual_level: String,
    override_reason: Option<String>,
    watched_categories: Json<Vec<String>>,
    author: String,
    created_at: DateTime<Utc>,
    needs_review: bool,
    review_reasons: Json<Vec<String>>,
}

impl TryFrom<ResolutionRow> for Resolution {
    type Error = StorageError;
    fn try_from(row: ResolutionRow) -> Result<Self, StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("resolution {}: {what}", row.id));
        let outcome = Outcome::parse(&row.outcome).ok_or_else(|| corrupt("unknown outcome"))?;
        let gate_outcome: GateOutcome =
            serde_json::from_value(serde_json::Value::String(row.gate_outcome.clone()))
                .map_err(|_| corrupt("unknown gate outcome"))?;
        Ok(Resolution {
            id: row.id,
            decision_id: row.decision_id,
            outcome,
            conditions: row.conditions,
            assessment_id: row.assessment_id,
            assessment_hash: row.assessment_hash,
            gate_outcome,
            residual_level: row.residual_level,
            override_reason: row.override_reason,
            watched_categories: row.watched_categories.0,
            author: row.author,
            created_at: row.created_at,
            needs_review: row.needs_review,
            review_reasons: row.review_reasons.0,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: Uuid,
    decision_id: Uuid,
    resolution_id: Uuid,
    region: String,
    month: i64,
    count: i64,
    baseline_mean: f64,
    baseline_sd: f64,
    z: f64,
    categories: Json<Vec<String>>,
    created_at: DateTime<Utc>,
}

impl From<AlertRow> for Alert {
    fn from(r: AlertRow) -> Self {
        Alert {
            id: r.id,
            decision_id: r.decision_id,
            resolution_id: r.resolution_id,
            region: r.region,
            month: format!("{:04}-{:02}", r.month / 100, r.month % 100),
            count: r.count,
            baseline_mean: r.baseline_mean,
            baseline_sd: r.baseline_sd,
            z: r.z,
            categories: r.categories.0,
            created_at: r.created_at,
        }
    }
}

/// The resolution in force of a decision: its newest.
pub(crate) fn current_resolution_sql() -> String {
    format!("SELECT {COLUMNS} FROM resolutions WHERE decision_id = $1 ORDER BY seq DESC LIMIT 1")
}

/// Inside the caller's transaction, marks the decision's resolution in force (if it has one) as needing review
/// for each of `$reasons` (`&[String]`) it does not give yet, audited. A derived write: it commits or rolls back
/// with the change that causes it.
macro_rules! flag_for_review {
    ($tx:expr, $decision_id:expr, $reasons:expr, $actor:expr, $at:expr) => {{
        let decision_id: uuid::Uuid = $decision_id;
        let reasons: &[String] = $reasons;
        if !reasons.is_empty() {
            let sql = $crate::storage::resolutions::current_resolution_sql();
            let row: Option<$crate::storage::resolutions::ResolutionRow> =
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(decision_id)
                    .fetch_optional(&mut *$tx)
                    .await?;
            if let Some(row) = row {
                let current = $crate::domain::resolution::Resolution::try_from(row)?;
                let mut all = current.review_reasons.clone();
                for reason in reasons {
                    if !all.contains(reason) {
                        all.push(reason.clone());
                    }
                }
                if all.len() > current.review_reasons.len() {
                    sqlx::query("UPDATE resolutions SET needs_review = $1, review_reasons = $2 WHERE id = $3")
                        .bind(true)
                        .bind(sqlx::types::Json(&all))
                        .bind(current.id)
                        .execute(&mut *$tx)
                        .await?;
                    let record = $crate::domain::audit::AuditRecord {
                        entity: "resolution",
                        entity_id: current.id,
                        decision_id: Some(decision_id),
                        action: "needs_review",
                        actor: $actor.to_owned(),
                        before: Some(serde_json::json!({
                            "needs_review": current.needs_review, "review_reasons": current.review_reasons,
                        })),
                        after: Some(serde_json::json!({"needs_review": true, "review_reasons": all})),
                    };
                    $crate::storage::audit::append_audit!($tx, &record, $at)?;
                }
            }
        }
    }};
}
pub(crate) use flag_for_review;

/// What follow-up asks of the transaction it runs in: which resolutions in force to check and where, the
/// spikes in the monthly counts read there, and why a spike reopens review. The rules are the use cases'
/// (`app::followup`); storage reads and writes inside the import's transaction.
pub trait FollowUp: Send + Sync {
    /// The division-code prefixes and categories (None: all) to read for a resolution in force, or None when
    /// the decision is not followed (it was postponed or rejected).
    fn watch(&self, resolution: &Resolution, decision: &Decision) -> Option<Watch>;
    /// The spikes these rollups (every month up to now, of the prefixes and categories watched) show.
    fn spikes(&self, resolution: &Resolution, rollups: &[RollupRow]) -> Vec<NewAlert>;
    /// Why an alert reopens the resolution's review.
    fn review_reason(&self, alert: &Alert) -> String;
}

/// Where follow-up looks for one resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub prefixes: Vec<String>,
    pub categories: Option<Vec<String>>,
}

/// Every decision's newest resolution (the one in force).
pub(crate) fn current_resolutions_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM resolutions r WHERE seq = \
         (SELECT MAX(seq) FROM resolutions o WHERE o.decision_id = r.decision_id)"
    )
}

/// Runs the follow-up check `$check` (a `&dyn FollowUp`) inside the caller's transaction, after the petitions
/// that may raise alerts were written in it: reads every resolution in force and, where it is followed, the
/// rollups it watches (`$rollup_sql`: the backend's pair of `petitions::read_rollups!`), records the spikes not
/// recorded yet and marks the resolution for review. Evaluates to the number of alerts raised.
macro_rules! follow_up_in {
    ($tx:expr, $check:expr, $rollup_sql:expr, $at:expr) => {{
        let check: &dyn $crate::storage::resolutions::FollowUp = $check;
        let mut raised = 0usize;
        let sql = $crate::storage::resolutions::current_resolutions_sql();
        let rows: Vec<$crate::storage::resolutions::ResolutionRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(&mut *$tx)
                .await?;
        let decision_sql = $crate::storage::decisions::decision_sql();
        for row in rows {
            let resolution = $crate::domain::resolution::Resolution::try_from(row)?;
            let found: Option<$crate::storage::decisions::DecisionRow> =
                sqlx::query_as(sqlx::AssertSqlSafe(decision_sql.as_str()))
                    .bind(resolution.decision_id)
                    .fetch_optional(&mut *$tx)
                    .await?;
            let Some(found) = found else { continue };
            let decision = found.into_decision()?.1;
            let Some(watch) = check.watch(&resolution, &decision) else {
                continue;
            };
            if watch.prefixes.is_empty() {
                continue;
            }
            let json = $crate::storage::petitions::read_rollups!(
                &mut *$tx,
                $rollup_sql,
                &watch.prefixes,
                watch.categories.as_deref(),
                999_912
            )?;
            let rollups = $crate::storage::petitions::parse_rollups(&json)?;
            let spikes = check.spikes(&resolution, &rollups);
            let mut created = Vec::new();
            for s in &spikes {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM alerts WHERE resolution_id = $1 AND region = $2 AND month = $3",
                )
                .bind(resolution.id)
                .bind(&s.region)
                .bind(i64::from(s.month))
                .fetch_one(&mut *$tx)
                .await?;
                if n > 0 {
                    continue;
                }
                let id = uuid::Uuid::new_v4();
                sqlx::query(
                    "INSERT INTO alerts (id, decision_id, resolution_id, region, month, count, \
                     baseline_mean, baseline_sd, z, categories, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(id)
                .bind(resolution.decision_id)
                .bind(resolution.id)
                .bind(&s.region)
                .bind(i64::from(s.month))
                .bind(s.count)
                .bind(s.baseline_mean)
                .bind(s.baseline_sd)
                .bind(s.z)
                .bind(sqlx::types::Json(&s.categories))
                .bind($at)
                .execute(&mut *$tx)
                .await?;
                created.push($crate::domain::resolution::Alert {
                    id,
                    decision_id: resolution.decision_id,
                    resolution_id: resolution.id,
                    region: s.region.clone(),
                    month: format!("{:04}-{:02}", s.month / 100, s.month % 100),
                    count: s.count,
                    baseline_mean: s.baseline_mean,
                    baseline_sd: s.baseline_sd,
                    z: s.z,
                    categories: s.categories.clone(),
                    created_at: $at,
                });
            }
            let reasons: Vec<String> = created.iter().map(|a| check.review_reason(a)).collect();
            $crate::storage::resolutions::flag_for_review!(
                $tx,
                resolution.decision_id,
                &reasons,
                "follow-up",
                $at
            );
            raised += created.len();
        }
        raised
    }};
}
pub(crate) use follow_up_in;

const ALERT_COLUMNS: &str = "a.id, a.decision_id, a.resolution_id, a.region, a.month, a.count, \
     a.baseline_mean, a.baseline_sd, a.z, a.categories, a.created_at";

impl Db {
    pub async fn insert_resolution(
        &self,
        resolution: &Resolution,
        decided: Option<&crate::domain::decision::Decision>,
    ) -> Result<(), StorageError> {
        let at = resolution.created_at;
        let after =
            serde_json::to_value(resolution).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let record = AuditRecord {
            entity: "resolution",
            entity_id: resolution.id,
            decision_id: Some(resolution.decision_id),
            action: if resolution.override_reason.is_some() {
                "resolve_override"
            } else {
                "resolve"
            },
            actor: resolution.author.clone(),
            before: None,
            after: Some(after),
        };
        const SQL: &str = "INSERT INTO resolutions (id, decision_id, outcome, conditions, \
             assessment_id, assessment_hash, gate_outcome, residual_level, override_reason, \
             watched_categories, author, created_at, needs_review, review_reasons) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
        const STATUS: &str = "UPDATE decisions SET status = $1, version = $2, updated_at = $3 WHERE id = $4 AND version = $5";
        let gate = serde_json::to_value(resolution.gate_outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        in_write_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(resolution.id)
                .bind(resolution.decision_id)
                .bind(resolution.outcome.as_str())
                .bind(&resolution.conditions)
                .bind(resolution.assessment_id)
                .bind(&resolution.assessment_hash)
                .bind(&gate)
                .bind(&resolution.residual_level)
                .bind(resolution.override_reason.as_deref())
                .bind(Json(&resolution.watched_categories))
                .bind(&resolution.author)
                .bind(at)
                .bind(false)
                .bind(Json(&resolution.review_reasons))
                .execute(&mut *tx)
                .await?;
            if let Some(next) = decided {
                let moved = sqlx::query(STATUS)
                    .bind(next.fields.status.as_str())
                    .bind(next.version)
                    .bind(at)
                    .bind(next.id)
                    .bind(next.version - 1)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved != 1 {
                    return Err(StorageError::Conflict(
                        "the decision changed while the resolution was recorded; try again".into(),
                    ));
                }
            }
            append_audit!(tx, &record, at)?;
        });
        Ok(())
    }

    /// The decision's resolutions, newest first.
    pub async fn resolutions(&self, decision_id: Uuid) -> Result<Vec<Resolution>, StorageError> {
        let sql =
            format!("SELECT {COLUMNS} FROM resolutions WHERE decision_id = $1 ORDER BY seq DESC");
        let rows: Vec<ResolutionRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).fetch_all(pool).await)?;
        rows.into_iter().map(Resolution::try_from).collect()
    }

    /// Alerts of decisions inside `scope` (optionally one decision), newest first.
    pub async fn alerts(
        &self,
        scope: &Scope,
        decision_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Alert>, StorageError> {
        let rows: Vec<AlertRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {ALERT_COLUMNS} FROM alerts a WHERE"));
            push_in_scope(&mut query, "a.decision_id", scope);
            if let Some(id) = decision_id {
                query.push(" AND a.decision_id = ").push_bind(id);
            }
            query.push(" ORDER BY a.seq DESC LIMIT ").push_bind(i64::from(limit));
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Alert::from).collect())
    }
}
