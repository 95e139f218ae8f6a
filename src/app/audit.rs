//! Reading the append-only audit log, and recording what the transports see but storage does not: a refused
//! permission.

use super::{AppError, Context, authorize};
use crate::auth::permission::ReadAudit;
use crate::domain::audit::{AuditEntry, AuditFilter, AuditRecord, AuditVisibility};
use crate::domain::principal::Principal;

/// Entries oldest first, as far as the caller may see them: reviewers the entries of decisions in scope;
/// administrators also account events (sign-ins, tokens, denials); one more than `filter.limit` is returned
/// when another page follows.
pub async fn entries(
    ctx: &Context,
    principal: &Principal,
    mut filter: AuditFilter,
) -> Result<Vec<AuditEntry>, AppError> {
    authorize::<ReadAudit>(principal)?;
    filter.visibility = match (principal.is_admin(), principal.scope.is_everywhere()) {
        (true, true) => AuditVisibility::All,
        (true, false) => AuditVisibility::AccountsAndDecisionsIn(principal.scope.clone()),
        (false, _) => AuditVisibility::DecisionsIn(principal.scope.clone()),
    };
    Ok(ctx.reader().audit_entries(&filter).await?)
}

/// Records that the caller was refused `what` (`reason` says why). The denial stands even if it cannot be
/// logged; the failure goes to the service log.
pub async fn record_denial(
    ctx: &Context,
    principal: &Principal,
    reason: &str,
    what: serde_json::Value,
) {
    let mut after = serde_json::json!({ "reason": reason });
    if let (Some(map), serde_json::Value::Object(extra)) = (after.as_object_mut(), what) {
        map.extend(extra);
    }
    let record = AuditRecord {
        entity: "user",
        entity_id: principal.user_id,
        decision_id: None,
        action: "permission_denied",
        actor: principal.username.clone(),
        before: None,
        after: Some(after),
    };
    if let Err(error) = ctx.db.append_audit(&record).await {
        tracing::warn!(%error, "could not audit a permission denial");
    }
}
