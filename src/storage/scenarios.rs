//! Scenarios of a decision. The baseline is written with the decision itself; the others are
//! added, changed (versioned) and deleted (kept, marked deleted, so assessments can still name them).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::{append_audit, audited_write};
use super::{Db, StorageError, in_write_tx, lost_race, now, with_pool};
use crate::domain::attributes::AttributeValue;
use crate::domain::audit::AuditRecord;
use crate::domain::ratings::RatingSheet;
use crate::domain::scenario::{Scenario, ScenarioFields};

const COLUMNS: &str = "id, decision_id, baseline, name, description, overrides, ratings, measures, \
     version, created_at, updated_at";

pub(crate) const INSERT_SCENARIO: &str = "INSERT INTO scenarios (id, decision_id, baseline, name, \
     description, overrides, ratings, measures, version, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)";

/// Inserts a scenario inside the caller's transaction.
macro_rules! insert_scenario {
    ($tx:expr, $scenario:expr) => {{
        let s: &$crate::domain::scenario::Scenario = $scenario;
        sqlx::query($crate::storage::scenarios::INSERT_SCENARIO)
            .bind(s.id)
            .bind(s.decision_id)
            .bind(s.baseline)
            .bind(&s.fields.name)
            .bind(&s.fields.description)
            .bind(sqlx::types::Json(&s.fields.overrides))
            .bind(s.fields.ratings.as_ref().map(sqlx::types::Json))
            .bind(sqlx::types::Json(&s.fields.measures))
            .bind(s.version)
            .bind(s.created_at)
            .execute(&mut *$tx)
            .await
    }};
}
pub(crate) use insert_scenario;

#[derive(sqlx::FromRow)]
struct ScenarioRow {
    id: Uuid,
    decision_id: Uuid,
    baseline: bool,
    name: String,
    description: String,
    overrides: Json<BTreeMap<String, AttributeValue>>,
    ratings: Option<Json<BTreeMap<String, RatingSheet>>>,
    measures: Json<Vec<String>>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ScenarioRow> for Scenario {
    fn from(row: ScenarioRow) -> Self {
        Scenario {
            id: row.id,
            decision_id: row.decision_id,
            baseline: row.baseline,
            fields: ScenarioFields {
                name: row.name,
                description: row.description,
                overrides: row.overrides.0,
                ratings: row.ratings.map(|r| r.0),
                measures: row.measures.0,
            },
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn scenario_json(s: &Scenario) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(s).map_err(|e| StorageError::Corrupt(e.to_string()))
}

impl Db {
    /// A decision's live scenarios, baseline first, then in creation order.
    pub async fn scenarios(&self, decision_id: Uuid) -> Result<Vec<Scenario>, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM scenarios WHERE decision_id = $1 AND deleted_at IS NULL \
             ORDER BY baseline DESC, seq"
        );
        let rows: Vec<ScenarioRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Scenario::from).collect())
    }

    /// One live scenario of the decision.
    pub async fn scenario(&self, decision_id: Uuid, id: Uuid) -> Result<Scenario, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM scenarios WHERE decision_id = $1 AND id = $2 AND deleted_at IS NULL"
        );
        let row: Option<ScenarioRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).bind(id).fetch_optional(pool).await)?;
        row.map(Scenario::from).ok_or_else(|| {
            StorageError::NotFound(format!("no scenario with id {id} in this decision"))
        })
    }

    pub async fn insert_scenario(
        &self,
        decision_id: Uuid,
        fields: &ScenarioFields,
        actor: &str,
    ) -> Result<Scenario, StorageError> {
        let at = now();
        let scenario = Scenario {
            id: Uuid::new_v4(),
            decision_id,
            baseline: false,
            fields: fields.clone(),
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let record = AuditRecord {
            entity: "scenario",
            entity_id: scenario.id,
            decision_id: Some(decision_id),
            action: "create",
            actor: actor.to_owned(),
            before: None,
            after: Some(scenario_json(&scenario)?),
        };
        in_write_tx!(self, tx => {
            insert_scenario!(tx, &scenario)?;
            append_audit!(tx, &record, at)?;
        });
        Ok(scenario)
    }

    /// Replaces the fields of `current`, provided nobody changed it meanwhile (else 412).
    pub async fn update_scenario(
        &self,
        current: &Scenario,
        fields: &ScenarioFields,
        actor: &str,
    ) -> Result<Scenario, StorageError> {
        let at = now();
        let updated = Scenario {
            fields: fields.clone(),
            version: current.version + 1,
            updated_at: at,
            ..current.clone()
        };
        let record = AuditRecord {
            entity: "scenario",
            entity_id: current.id,
            decision_id: Some(current.decision_id),
            action: "update",
            actor: actor.to_owned(),
            before: Some(scenario_json(current)?),
            after: Some(scenario_json(&updated)?),
        };
        const SQL: &str = "UPDATE scenarios SET name = $1, description = $2, overrides = $3, \
             ratings = $4, measures = $5, version = $6, updated_at = $7 \
             WHERE id = $8 AND version = $9 AND deleted_at IS NULL";
        let changed = audited_write!(
            self,
            sqlx::query(SQL)
                .bind(&fields.name)
                .bind(&fields.description)
                .bind(Json(&fields.overrides))
                .bind(fields.ratings.as_ref().map(Json))
                .bind(Json(&fields.measures))
                .bind(updated.version)
                .bind(at)
                .bind(current.id)
                .bind(current.version),
            &record,
            at
        );
        if changed {
            Ok(updated)
        } else {
            Err(self.stale_scenario(current).await)
        }
    }

    /// Marks a scenario deleted; the baseline is refused by the caller.
    pub async fn delete_scenario(
        &self,
        current: &Scenario,
        actor: &str,
    ) -> Result<(), StorageError> {
        let at = now();
        let record = AuditRecord {
            entity: "scenario",
            entity_id: current.id,
            decision_id: Some(current.decision_id),
            action: "delete",
            actor: actor.to_owned(),
            before: Some(scenario_json(current)?),
            after: None,
        };
        const SQL: &str = "UPDATE scenarios SET deleted_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND deleted_at IS NULL AND NOT baseline";
        let changed = audited_write!(
            self,
            sqlx::query(SQL)
                .bind(at)
                .bind(current.id)
                .bind(current.version),
            &record,
            at
        );
        if changed {
            Ok(())
        } else {
            Err(self.stale_scenario(current).await)
        }
    }

    async fn stale_scenario(&self, current: &Scenario) -> StorageError {
        lost_race(self.scenario(current.decision_id, current.id).await, |s| {
            s.version
        })
    }
}
