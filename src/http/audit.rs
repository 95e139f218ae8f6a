//! `/api/v1/audit`: reading the append-only audit log.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::cursor;
use crate::domain::audit::AuditEntry;
use crate::error::{ApiError, Problem};
use crate::storage::audit::AuditFilter;

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
    let filter = AuditFilter {
        entity,
        entity_id,
        after_seq,
        limit,
    };
    let mut items = state.db.audit_entries(&filter).await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => Some(cursor::encode(&AuditPosition { seq: last.seq })),
        _ => None,
    };
    Ok(HttpResponse::Ok().json(AuditPage { items, next_cursor }))
}
