//! `/api/v1/audit`: reading the append-only audit log.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Authorized;
use super::{AppState, cursor};
use crate::app::audit;
use crate::auth::permission::ReadAudit;
use crate::domain::audit::{AuditEntry, AuditFilter, AuditVisibility};
use crate::domain::text::clean_line;
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Kind of entity, e.g. `decision`.
    entity: Option<String>,
    /// Id of the entity.
    id: Option<String>,
    /// Username of whoever acted.
    actor: Option<String>,
    /// Entries at or after this time (RFC 3339).
    from: Option<String>,
    /// Entries before this time (RFC 3339).
    to: Option<String>,
    /// Page size, 1–500 (default 100).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct AuditPosition {
    seq: i64,
}

/// Audit entries, oldest first: who changed what, when, and the state before and after.
/// Reviewers see the entries of decisions in their region scope; administrators also see
/// account events (logins, failed logins, tokens, permission denials).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of entries", body = AuditPage),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
async fn list_audit(
    user: Authorized<ReadAudit>,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let entity = match query.entity.as_deref() {
        None => None,
        Some(e)
            if !e.is_empty()
                && e.len() <= 40
                && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            Some(e.to_owned())
        }
        Some(_) => {
            return Err(ApiError::bad_request(
                "entity",
                "must be an entity name such as decision",
            ));
        }
    };
    let entity_id = query
        .id
        .as_deref()
        .map(|raw| Uuid::parse_str(raw).map_err(|_| ApiError::bad_request("id", "must be a UUID")))
        .transpose()?;
    let after_seq = query
        .cursor
        .as_deref()
        .map(cursor::decode::<AuditPosition>)
        .transpose()?
        .map(|p| p.seq);
    let limit = cursor::limit(query.limit.as_deref(), 100, 500)?;
    let actor = query
        .actor
        .as_deref()
        .map(|a| {
            clean_line(a, 100)
                .map(str::to_owned)
                .map_err(|m| ApiError::bad_request("actor", m))
        })
        .transpose()?;
    let time = |field: &'static str, raw: Option<&str>| {
        raw.map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::bad_request(
                        field,
                        "must be an RFC 3339 time such as 2026-11-30T08:00:00Z",
                    )
                })
        })
        .transpose()
    };
    let filter = AuditFilter {
        // The use case decides what the caller may see.
        visibility: AuditVisibility::DecisionsIn(user.scope.clone()),
        entity,
        entity_id,
        decision_id: None,
        actor,
        from: time("from", query.from.as_deref())?,
        to: time("to", query.to.as_deref())?,
        after_seq,
        limit,
    };
    let mut items = audit::entries(&state.ctx, &user, filter).await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => Some(cursor::encode(&AuditPosition { seq: last.seq })),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}
