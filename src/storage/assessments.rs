//! Immutable assessments and the model snapshots they were computed with. Creating one also moves
//! the decision's status, in the same transaction, with both changes audited.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::append_audit;
use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::assessment::AssessmentHead;
use crate::domain::audit::AuditRecord;
use crate::domain::decision::Decision;
use crate::domain::region::RegionCode;

/// An assessment about to be stored; JSON texts are stored byte for byte.
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub id: Uuid,
    pub decision_id: Uuid,
    pub model_id: &'a str,
    pub model_version: &'a str,
    pub model_hash: &'a str,
    /// The serialised model, stored once per hash.
    pub model_snapshot: &'a str,
    pub inputs: &'a str,
    pub result: &'a str,
    pub content_hash: &'a str,
    pub author: &'a str,
    pub initial_r: f64,
    pub initial_level: &'a str,
    pub residual_r: f64,
    pub residual_level: &'a str,
    pub measures: &'a [String],
    pub scenario_id: Option<Uuid>,
}

/// The columns every view of an assessment shows, as read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeadRow {
    pub seq: i64,
    pub id: Uuid,
    pub decision_id: Uuid,
    pub model_id: String,
    pub model_version: String,
    pub model_hash: String,
    pub content_hash: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub initial_r: f64,
    pub initial_level: String,
    pub residual_r: f64,
    pub residual_level: String,
    pub measures: Json<Vec<String>>,
    pub scenario_id: Option<Uuid>,
}

impl From<HeadRow> for AssessmentHead {
    fn from(r: HeadRow) -> Self {
        Self {
            seq: r.seq,
            id: r.id,
            decision_id: r.decision_id,
            model_id: r.model_id,
            model_version: r.model_version,
            model_hash: r.model_hash,
            content_hash: r.content_hash,
            author: r.author,
            created_at: r.created_at,
            initial_r: r.initial_r,
            initial_level: r.initial_level,
            residual_r: r.residual_r,
            residual_level: r.residual_level,
            measures: r.measures.0,
            scenario_id: r.scenario_id,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct StoredRow {
    #[sqlx(flatten)]
    head: HeadRow,
    inputs: String,
    result: String,
}

/// A stored assessment: its head and the exact JSON texts of its inputs and result.
#[derive(Debug, Clone)]
pub struct StoredAssessment {
    pub head: AssessmentHead,
    pub inputs: String,
    pub result: String,
}

impl From<StoredRow> for StoredAssessment {
    fn from(r: StoredRow) -> Self {
        Self {
            head: r.head.into(),
            inputs: r.inputs,
            result: r.result,
        }
    }
}

const HEAD: &str = "a.seq, a.id, a.decision_id, a.model_id, s.version AS model_version, a.model_hash, \
     a.content_hash, a.author, a.created_at, a.initial_r, a.initial_level, a.residual_r, \
     a.residual_level, a.measures, a.scenario_id";
const FROM: &str = "FROM assessments a JOIN model_snapshots s ON s.hash = a.model_hash";

fn json_of<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

impl Db {
    /// Stores an assessment of `read`, the decision as it was read for it. When `moved` is given
    /// the decision becomes that (status and version); either way the decision must still be at
    /// the version that was read, or nothing is stored.
    pub async fn insert_assessment(
        &self,
        new: &NewAssessment<'_>,
        read: &Decision,
        moved: Option<&Decision>,
    ) -> Result<AssessmentHead, StorageError> {
        let at = now();
        let summary = serde_json::json!({
            "decision_id": new.decision_id,
            "model_id": new.model_id,
            "model_hash": new.model_hash,
            "content_hash": new.content_hash,
            "initial_level": new.initial_level,
            "residual_level": new.residual_level,
            "measures": new.measures,
        });
        let assessment_audit = AuditRecord {
            entity: "assessment",
            entity_id: new.id,
            decision_id: Some(read.id),
            action: "create",
            actor: new.author.to_owned(),
            before: None,
            after: Some(summary),
        };
        let decision_audit = match moved {
            Some(next) => Some(AuditRecord {
                entity: "decision",
                entity_id: read.id,
                decision_id: Some(read.id),
                action: "update",
                actor: new.author.to_owned(),
                before: Some(json_of(read)?),
                after: Some(json_of(&Decision {
                    updated_at: at,
                    ..next.clone()
                })?),
            }),
            None => None,
        };
        // Locks the decision row and proves it unchanged since it was read (and not archived).
        const GUARD: &str = "UPDATE decisions SET status = $1, version = $2, updated_at = $3 \
             WHERE id = $4 AND version = $5 AND archived_at IS NULL";
        const SNAPSHOT: &str = "INSERT INTO model_snapshots (hash, model_id, version, snapshot, stored_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING";
        const INSERT: &str = "INSERT INTO assessments (id, decision_id, model_id, model_hash, inputs, \
             result, content_hash, author, created_at, initial_r, initial_level, residual_r, \
             residual_level, measures, scenario_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
        let (status, version, updated_at) = match moved {
            Some(next) => (next.fields.status, next.version, at),
            None => (read.fields.status, read.version, read.updated_at),
        };
        let seq: i64 = in_write_tx!(self, tx => {
            let guarded = sqlx::query(GUARD)
                .bind(status.as_str())
                .bind(version)
                .bind(updated_at)
                .bind(read.id)
                .bind(read.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if guarded != 1 {
                return Err(StorageError::Conflict(
                    "the decision was changed or archived while it was being assessed; assess it again".into(),
                ));
            }
            sqlx::query(SNAPSHOT)
                .bind(new.model_hash)
                .bind(new.model_id)
                .bind(new.model_version)
                .bind(new.model_snapshot)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(INSERT)
                .bind(new.id)
                .bind(new.decision_id)
                .bind(new.model_id)
                .bind(new.model_hash)
                .bind(new.inputs)
                .bind(new.result)
                .bind(new.content_hash)
                .bind(new.author)
                .bind(at)
                .bind(new.initial_r)
                .bind(new.initial_level)
                .bind(new.residual_r)
                .bind(new.residual_level)
                .bind(Json(new.measures))
                .bind(new.scenario_id)
                .execute(&mut *tx)
                .await?;
            let seq: i64 = sqlx::query_scalar("SELECT seq FROM assessments WHERE id = $1")
                .bind(new.id)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(record) = &decision_audit {
                append_audit!(tx, record, at)?;
            }
            append_audit!(tx, &assessment_audit, at)?;
            seq
        });
        Ok(AssessmentHead {
            seq,
            id: new.id,
            decision_id: new.decision_id,
            model_id: new.model_id.to_owned(),
            model_version: new.model_version.to_owned(),
            model_hash: new.model_hash.to_owned(),
            content_hash: new.content_hash.to_owned(),
            author: new.author.to_owned(),
            created_at: at,
            initial_r: new.initial_r,
            initial_level: new.initial_level.to_owned(),
            residual_r: new.residual_r,
            residual_level: new.residual_level.to_owned(),
            measures: new.measures.to_vec(),
            scenario_id: new.scenario_id,
        })
    }

    pub async fn assessment(&self, id: Uuid) -> Result<StoredAssessment, StorageError> {
        let sql = format!("SELECT {HEAD}, a.inputs, a.result {FROM} WHERE a.id = $1");
        let row: Option<StoredRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await)?;
        row.map(StoredAssessment::from)
            .ok_or_else(|| StorageError::NotFound(format!("no assessment with id {id}")))
    }

    /// The decision an assessment belongs to and that decision's regions as they are now: what a scope check
    /// needs, without the record's texts.
    pub async fn assessment_regions(
        &self,
        id: Uuid,
    ) -> Result<(Uuid, Vec<RegionCode>), StorageError> {
        const SQL: &str = "SELECT a.decision_id, d.regions FROM assessments a \
             JOIN decisions d ON d.id = a.decision_id WHERE a.id = $1";
        let row: Option<(Uuid, Json<Vec<RegionCode>>)> = with_pool!(self, pool =>
            sqlx::query_as(SQL).bind(id).fetch_optional(pool).await)?;
        row.map(|(decision, regions)| (decision, regions.0))
            .ok_or_else(|| StorageError::NotFound(format!("no assessment with id {id}")))
    }

    /// The model snapshot an assessment was computed with.
    pub async fn model_snapshot(&self, hash: &str) -> Result<String, StorageError> {
        let row: Option<String> = with_pool!(self, pool =>
            sqlx::query_scalar("SELECT snapshot FROM model_snapshots WHERE hash = $1")
                .bind(hash)
                .fetch_optional(pool)
                .await)?;
        row.ok_or_else(|| StorageError::Corrupt(format!("model snapshot {hash} is missing")))
    }

    /// A decision's assessments, newest first, after the `before_seq` of the previous page; one
    /// more than `limit` is fetched to tell whether another page follows.
    pub async fn assessments_of(
        &self,
        decision_id: Uuid,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AssessmentHead>, StorageError> {
        let sql = format!(
            "SELECT {HEAD} {FROM} WHERE a.decision_id = $1 AND a.seq < $2 ORDER BY a.seq DESC LIMIT $3"
        );
        let rows: Vec<HeadRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(decision_id)
                .bind(before_seq.unwrap_or(i64::MAX))
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await)?;
        Ok(rows.into_iter().map(AssessmentHead::from).collect())
    }
}
