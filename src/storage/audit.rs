//! The append-only audit log: entries are inserted in the same transaction as the change they
//! record, and never updated (triggers in both schemas refuse it).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::scope::push_in_scope;
use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::audit::{AuditEntry, AuditFilter, AuditRecord, AuditVisibility};

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log \
     (entity, entity_id, decision_id, action, actor, at, before, after) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Appends an [`AuditRecord`](crate::domain::audit::AuditRecord) inside the caller's transaction.
macro_rules! append_audit {
    ($tx:expr, $record:expr, $at:expr) => {{
        let record: &$crate::domain::audit::AuditRecord = $record;
        sqlx::query($crate::storage::audit::INSERT_AUDIT)
            .bind(record.entity)
            .bind(record.entity_id)
            .bind(record.decision_id)
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

/// Runs a write guarded by the version it was based on (`… WHERE id = … AND version = …`) in a write
/// transaction and appends `$record` when it changed the one row; evaluates to whether it did.
macro_rules! audited_write {
    ($db:expr, $query:expr, $record:expr, $at:expr) => {
        $crate::storage::in_write_tx!($db, tx => {
            let changed = $query.execute(&mut *tx).await?.rows_affected() == 1;
            if changed {
                $crate::storage::audit::append_audit!(tx, $record, $at)?;
            }
            changed
        })
    };
}
pub(crate) use audited_write;

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    entity: String,
    entity_id: Uuid,
    decision_id: Option<Uuid>,
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
            decision_id: row.decision_id,
            action: row.action,
            actor: row.actor,
            at: row.at,
            before: row.before.map(|j| j.0),
            after: row.after.map(|j| j.0),
        }
    }
}

impl Db {
    /// Entries in the order they were written; one more than `limit` is fetched to tell whether
    /// another page follows.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        let rows: Vec<AuditRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT seq, entity, entity_id, decision_id, action, actor, at, before, after \
                 FROM audit_log a WHERE a.seq > ",
            );
            query.push_bind(filter.after_seq.unwrap_or(0));
            match &filter.visibility {
                AuditVisibility::All => {}
                AuditVisibility::AccountsAndDecisionsIn(scope) => {
                    query.push(" AND (a.decision_id IS NULL OR");
                    push_in_scope(&mut query, "a.decision_id", scope);
                    query.push(")");
                }
                AuditVisibility::DecisionsIn(scope) => {
                    query.push(" AND a.decision_id IS NOT NULL AND");
                    push_in_scope(&mut query, "a.decision_id", scope);
                }
            }
            if let Some(entity) = &filter.entity {
                query.push(" AND a.entity = ").push_bind(entity.clone());
            }
            if let Some(id) = filter.entity_id {
                query.push(" AND a.entity_id = ").push_bind(id);
            }
            if let Some(id) = filter.decision_id {
                query.push(" AND a.decision_id = ").push_bind(id);
            }
            if let Some(actor) = &filter.actor {
                query.push(" AND a.actor = ").push_bind(actor.clone());
            }
            if let Some(from) = filter.from {
                query.push(" AND a.at >= ").push_bind(from);
            }
            if let Some(to) = filter.to {
                query.push(" AND a.at < ").push_bind(to);
            }
            query.push(" ORDER BY a.seq LIMIT ").push_bind(i64::from(filter.limit) + 1);
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    /// Appends one entry on its own, for events that change nothing else (logins, denials).
    pub async fn append_audit(&self, record: &AuditRecord) -> Result<(), StorageError> {
        let at = now();
        in_write_tx!(self, tx => {
            append_audit!(tx, record, at)?;
        });
        Ok(())
    }
}
