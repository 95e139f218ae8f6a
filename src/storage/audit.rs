//! The append-only audit log: entries are inserted in the same transaction as the change they
//! record, and never updated (triggers in both schemas refuse it).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::{Db, StorageError, with_pool};
use crate::domain::audit::AuditEntry;

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (entity, entity_id, action, actor, at, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Appends an [`AuditRecord`](crate::domain::audit::AuditRecord) inside the caller's transaction.
macro_rules! append_audit {
    ($tx:expr, $record:expr, $at:expr) => {{
        let record: &$crate::domain::audit::AuditRecord = $record;
        sqlx::query($crate::storage::audit::INSERT_AUDIT)
            .bind(record.entity)
            .bind(record.entity_id)
            .bind(record.action)
            .bind(&record.actor)
            .bind($at)
            .bind(record.before.as_ref().map(sqlx::types::Json))
            .bind(record.after.as_ref().map(sqlx::types::Json))
            .execute(&mut *$tx)
            .await
    }};
}
pub(crate) use append_audit;

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    entity: String,
    entity_id: Uuid,
    action: String,
    actor: String,
    at: DateTime<Utc>,
    before: Option<Json<serde_json::Value>>,
    after: Option<Json<serde_json::Value>>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            seq: row.seq,
            entity: row.entity,
            entity_id: row.entity_id,
            action: row.action,
            actor: row.actor,
            at: row.at,
            before: row.before.map(|j| j.0),
            after: row.after.map(|j| j.0),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Only entries after this position (the cursor of the previous page).
    pub after_seq: Option<i64>,
    pub limit: u32,
}

impl Db {
    /// Entries in the order they were written; one more than `limit` is fetched to tell whether
    /// another page follows.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        const SQL: &str = "SELECT seq, entity, entity_id, action, actor, at, before, after \
             FROM audit_log \
             WHERE ($1 IS NULL OR entity = $1) AND ($2 IS NULL OR entity_id = $2) AND seq > $3 \
             ORDER BY seq LIMIT $4";
        let rows: Vec<AuditRow> = with_pool!(self, pool => sqlx::query_as(SQL)
            .bind(filter.entity.as_deref())
            .bind(filter.entity_id)
            .bind(filter.after_seq.unwrap_or(0))
            .bind(i64::from(filter.limit) + 1)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}
