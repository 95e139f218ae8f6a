//! A decision's consultation records: versioned, audited, removed by marking.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::{append_audit, audited_write};
use super::{Db, StorageError, in_write_tx, lost_race, now, with_pool};
use crate::domain::audit::AuditRecord;
use crate::domain::consultation::{Consultation, ConsultationFields};

const COLUMNS: &str = "id, decision_id, fields, version, created_by, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    id: Uuid,
    decision_id: Uuid,
    fields: Json<ConsultationFields>,
    version: i64,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn consultation(
    id: Uuid,
    decision_id: Uuid,
    fields: ConsultationFields,
    created_by: String,
    (version, created_at, updated_at): (i64, DateTime<Utc>, DateTime<Utc>),
) -> Consultation {
    Consultation {
        id,
        decision_id,
        figures: fields.figures(),
        fields,
        version,
        created_by,
        created_at,
        updated_at,
    }
}

impl From<ConsultationRow> for Consultation {
    fn from(r: ConsultationRow) -> Self {
        consultation(
            r.id,
            r.decision_id,
            r.fields.0,
            r.created_by,
            (r.version, r.created_at, r.updated_at),
        )
    }
}

fn as_json(c: &Consultation) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(c).map_err(|e| StorageError::Corrupt(e.to_string()))
}

fn record(
    c: &Consultation,
    action: &'static str,
    actor: &str,
    before: Option<&Consultation>,
    after: Option<&Consultation>,
) -> Result<AuditRecord, StorageError> {
    Ok(AuditRecord {
        entity: "consultation",
        entity_id: c.id,
        decision_id: Some(c.decision_id),
        action,
        actor: actor.to_owned(),
        before: before.map(as_json).transpose()?,
        after: after.map(as_json).transpose()?,
    })
}

impl Db {
    /// A decision's consultations in the order they were recorded.
    pub async fn consultations(
        &self,
        decision_id: Uuid,
    ) -> Result<Vec<Consultation>, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM consultations WHERE decision_id = $1 AND deleted_at IS NULL ORDER BY seq"
        );
        let rows: Vec<ConsultationRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(Consultation::from).collect())
    }

    pub async fn consultation(
        &self,
        decision_id: Uuid,
        id: Uuid,
    ) -> Result<Consultation, StorageError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM consultations WHERE decision_id = $1 AND id = $2 AND deleted_at IS NULL"
        );
        let row: Option<ConsultationRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).bind(id).fetch_optional(pool).await)?;
        row.map(Consultation::from).ok_or_else(|| {
            StorageError::NotFound(format!("no consultation with id {id} in this decision"))
        })
    }

    pub async fn insert_consultation(
        &self,
        decision_id: Uuid,
        fields: &ConsultationFields,
        actor: &str,
    ) -> Result<Consultation, StorageError> {
        let at = now();
        let created = consultation(
            Uuid::new_v4(),
            decision_id,
            fields.clone(),
            actor.to_owned(),
            (1, at, at),
        );
        let audit = record(&created, "create", actor, None, Some(&created))?;
        const SQL: &str = "INSERT INTO consultations (id, decision_id, kind, fields, version, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $6)";
        in_write_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(created.id)
                .bind(decision_id)
                .bind(fields.kind())
                .bind(Json(fields))
                .bind(actor)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &audit, at)?;
        });
        Ok(created)
    }

    /// Replaces a record's fields, provided nobody changed it meanwhile (else 412).
    pub async fn update_consultation(
        &self,
        current: &Consultation,
        fields: &ConsultationFields,
        actor: &str,
    ) -> Result<Consultation, StorageError> {
        let at = now();
        let updated = consultation(
            current.id,
            current.decision_id,
            fields.clone(),
            current.created_by.clone(),
            (current.version + 1, current.created_at, at),
        );
        let audit = record(current, "update", actor, Some(current), Some(&updated))?;
        const SQL: &str = "UPDATE consultations SET kind = $1, fields = $2, version = $3, updated_at = $4 \
             WHERE id = $5 AND version = $6 AND deleted_at IS NULL";
        let changed = audited_write!(
            self,
            sqlx::query(SQL)
                .bind(fields.kind())
                .bind(Json(fields))
                .bind(updated.version)
                .bind(at)
                .bind(current.id)
                .bind(current.version),
            &audit,
            at
        );
        if changed {
            Ok(updated)
        } else {
            Err(lost_race(
                self.consultation(current.decision_id, current.id).await,
                |c| c.version,
            ))
        }
    }

    /// Marks a record removed (it stays in the audit log), provided nobody changed it meanwhile.
    pub async fn delete_consultation(
        &self,
        current: &Consultation,
        actor: &str,
    ) -> Result<(), StorageError> {
        let at = now();
        let audit = record(current, "delete", actor, Some(current), None)?;
        const SQL: &str = "UPDATE consultations SET deleted_at = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND deleted_at IS NULL";
        let changed = audited_write!(
            self,
            sqlx::query(SQL)
                .bind(at)
                .bind(current.id)
                .bind(current.version),
            &audit,
            at
        );
        if changed {
            Ok(())
        } else {
            Err(lost_race(
                self.consultation(current.decision_id, current.id).await,
                |c| c.version,
            ))
        }
    }
}
