//! The mitigation checklist of a decision: one item per measure, versioned, audited.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::{append_audit, audited_write};
use super::{Db, StorageError, in_write_tx, lost_race, now, with_pool};
use crate::domain::audit::AuditRecord;
use crate::domain::checklist::{ChecklistItem, ItemFields, ItemStatus};

const COLUMNS: &str = "id, decision_id, measure_id, factors, owner_unit, lead_person, due_date, \
     status, evidence_note, version, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: Uuid,
    decision_id: Uuid,
    measure_id: String,
    factors: Json<Vec<String>>,
    owner_unit: Option<String>,
    lead_person: Option<String>,
    due_date: Option<NaiveDate>,
    status: String,
    evidence_note: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ItemRow {
    fn into_item(self, today: NaiveDate) -> Result<ChecklistItem, StorageError> {
        let status = ItemStatus::parse(&self.status).ok_or_else(|| {
            StorageError::Corrupt(format!("checklist item {}: unknown status", self.id))
        })?;
        Ok(item(
            self.id,
            self.decision_id,
            ItemFields {
                measure: self.measure_id,
                owner_unit: self.owner_unit,
                lead_person: self.lead_person,
                due_date: self.due_date,
                status,
                evidence_note: self.evidence_note,
            },
            self.factors.0,
            (self.version, self.created_at, self.updated_at),
            today,
        ))
    }
}

fn item(
    id: Uuid,
    decision_id: Uuid,
    fields: ItemFields,
    factors: Vec<String>,
    (version, created_at, updated_at): (i64, DateTime<Utc>, DateTime<Utc>),
    today: NaiveDate,
) -> ChecklistItem {
    ChecklistItem {
        id,
        decision_id,
        overdue: fields.overdue(today),
        assigned: fields.assigned(),
        fields,
        factors,
        version,
        created_at,
        updated_at,
    }
}

fn item_json(item: &ChecklistItem) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(item).map_err(|e| StorageError::Corrupt(e.to_string()))
}

impl Db {
    /// A decision's checklist in creation order; `today` decides which items are overdue.
    pub async fn checklist(
        &self,
        decision_id: Uuid,
        today: NaiveDate,
    ) -> Result<Vec<ChecklistItem>, StorageError> {
        let sql =
            format!("SELECT {COLUMNS} FROM checklist_items WHERE decision_id = $1 ORDER BY seq");
        let rows: Vec<ItemRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).fetch_all(pool).await)?;
        rows.into_iter().map(|r| r.into_item(today)).collect()
    }

    pub async fn checklist_item(
        &self,
        decision_id: Uuid,
        id: Uuid,
        today: NaiveDate,
    ) -> Result<ChecklistItem, StorageError> {
        let sql =
            format!("SELECT {COLUMNS} FROM checklist_items WHERE decision_id = $1 AND id = $2");
        let row: Option<ItemRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).bind(id).fetch_optional(pool).await)?;
        row.ok_or_else(|| {
            StorageError::NotFound(format!("no checklist item with id {id} in this decision"))
        })?
        .into_item(today)
    }

    /// Adds items (measure, factors) in one transaction; a measure already on the list is a 409
    /// and nothing is written.
    pub async fn insert_checklist_items(
        &self,
        decision_id: Uuid,
        items: &[(ItemFields, Vec<String>)],
        actor: &str,
        today: NaiveDate,
    ) -> Result<Vec<ChecklistItem>, StorageError> {
        let at = now();
        let created: Vec<ChecklistItem> = items
            .iter()
            .map(|(fields, factors)| {
                item(
                    Uuid::new_v4(),
                    decision_id,
                    fields.clone(),
                    factors.clone(),
                    (1, at, at),
                    today,
                )
            })
            .collect();
        const EXISTS: &str =
            "SELECT COUNT(*) FROM checklist_items WHERE decision_id = $1 AND measure_id = $2";
        const SQL: &str = "INSERT INTO checklist_items (id, decision_id, measure_id, factors, \
             owner_unit, lead_person, due_date, status, evidence_note, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)";
        in_write_tx!(self, tx => {
            for (k, it) in created.iter().enumerate() {
                let n: i64 = sqlx::query_scalar(EXISTS)
                    .bind(decision_id)
                    .bind(&it.fields.measure)
                    .fetch_one(&mut *tx)
                    .await?;
                if n > 0 {
                    return Err(StorageError::Conflict(format!(
                        "items[{k}].measure: '{}' is already on the checklist; change that item instead",
                        it.fields.measure
                    )));
                }
                sqlx::query(SQL)
                    .bind(it.id)
                    .bind(decision_id)
                    .bind(&it.fields.measure)
                    .bind(Json(&it.factors))
                    .bind(it.fields.owner_unit.as_deref())
                    .bind(it.fields.lead_person.as_deref())
                    .bind(it.fields.due_date)
                    .bind(it.fields.status.as_str())
                    .bind(&it.fields.evidence_note)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                let record = AuditRecord {
                    entity: "checklist_item",
                    entity_id: it.id,
                    decision_id: Some(decision_id),
                    action: "create",
                    actor: actor.to_owned(),
                    before: None,
                    after: Some(item_json(it)?),
                };
                append_audit!(tx, &record, at)?;
            }
        });
        Ok(created)
    }

    /// Replaces an item's fields, provided nobody changed it meanwhile (else 412).
    pub async fn update_checklist_item(
        &self,
        current: &ChecklistItem,
        fields: &ItemFields,
        actor: &str,
        today: NaiveDate,
    ) -> Result<ChecklistItem, StorageError> {
        let at = now();
        let updated = item(
            current.id,
            current.decision_id,
            fields.clone(),
            current.factors.clone(),
            (current.version + 1, current.created_at, at),
            today,
        );
        let record = AuditRecord {
            entity: "checklist_item",
            entity_id: current.id,
            decision_id: Some(current.decision_id),
            action: "update",
            actor: actor.to_owned(),
            before: Some(item_json(current)?),
            after: Some(item_json(&updated)?),
        };
        const SQL: &str = "UPDATE checklist_items SET owner_unit = $1, lead_person = $2, \
             due_date = $3, status = $4, evidence_note = $5, version = $6, updated_at = $7 \
             WHERE id = $8 AND version = $9";
        let changed = audited_write!(
            self,
            sqlx::query(SQL)
                .bind(fields.owner_unit.as_deref())
                .bind(fields.lead_person.as_deref())
                .bind(fields.due_date)
                .bind(fields.status.as_str())
                .bind(&fields.evidence_note)
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
            let reread = self
                .checklist_item(current.decision_id, current.id, today)
                .await;
            Err(lost_race(reread, |i| i.version))
        }
    }
}
