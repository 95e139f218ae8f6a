//! The audit log's vocabulary: who changed what, when, from what to what.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::Scope;

/// An entry about to be appended.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub entity: &'static str,
    pub entity_id: Uuid,
    /// The decision the entry concerns, if any; region scopes filter the log by it.
    pub decision_id: Option<Uuid>,
    pub action: &'static str,
    pub actor: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An entry as stored; entries are never changed or removed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the log; strictly increasing.
    pub seq: i64,
    pub entity: String,
    pub entity_id: Uuid,
    pub decision_id: Option<Uuid>,
    pub action: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Which entries a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVisibility {
    /// Every entry: administrators with no region scope.
    All,
    /// Account entries, and decision entries inside the scope: scoped administrators.
    AccountsAndDecisionsIn(Scope),
    /// Only entries about decisions inside the scope: reviewers.
    DecisionsIn(Scope),
}

#[derive(Debug, Clone)]
pub struct AuditFilter {
    pub visibility: AuditVisibility,
    pub entity: Option<String>,
    pub entity_id: Option<Uuid>,
    /// Only entries about this decision or what belongs to it (ratings, assessments, checklist …).
    pub decision_id: Option<Uuid>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only entries after this position (the cursor of the previous page).
    pub after_seq: Option<i64>,
    pub limit: u32,
}
