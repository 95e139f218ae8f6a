//! `/api/v1/decisions/{id}/checklist`: the mitigation checklist. Accepting a plan posts its
//! measures here; each item then gets its owner unit, lead person and due date. A new assessment's
//! residual level counts a measure only once its item has an owner unit and a due date.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Authorized;
use super::extract::{IfMatch, JsonBody, decode_value, merge_patched, with_etag};
use super::{AppState, path_id};
use crate::app::checklist;
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::checklist::{ChecklistItem, ItemFields};
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_checklist)
        .service(add_items)
        .service(patch_item);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Checklist {
    decision_id: Uuid,
    items: Vec<ChecklistItem>,
    /// Items past their due date and not done.
    overdue: usize,
    /// Items without an owner unit or a due date: their measures do not count yet.
    unassigned: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItems {
    /// One item per measure, e.g. the measures of an accepted mitigation plan.
    items: Vec<ItemFields>,
}

impl From<checklist::Checklist> for Checklist {
    fn from(list: checklist::Checklist) -> Self {
        Self {
            decision_id: list.decision_id,
            overdue: list.overdue(),
            unassigned: list.unassigned(),
            items: list.items,
        }
    }
}

/// A decision's checklist, with overdue items flagged.
#[utoipa::path(
    tag = "mitigation",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The checklist", body = Checklist),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/checklist")]
async fn list_checklist(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = checklist::list(&state.ctx, &user, path_id(&id, "decision")?).await?;
    Ok(HttpResponse::Ok().json(Checklist::from(list)))
}

/// Put measures on the checklist (all or none).
#[utoipa::path(
    tag = "mitigation",
    params(("id" = Uuid, Path, description = "Decision id")),
    request_body(content = NewItems, example = json!({"items": [{"measure": "unified_standard", "owner_unit": "县自然资源局", "lead_person": "李科长", "due_date": "2027-01-31"}]})),
    responses(
        (status = 201, description = "The new items", body = Checklist),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A measure is already on the checklist, or the decision is archived", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, e.g. items[1].measure", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions/{id}/checklist")]
async fn add_items(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let created = checklist::add(&state.ctx, &user, decision_id, || {
        Ok(decode_value::<NewItems>(body.0)?.items)
    })
    .await?;
    Ok(HttpResponse::Created().json(Checklist::from(created)))
}

/// Change an item (owner unit, lead person, due date, status, evidence note) with a JSON merge
/// patch; needs `If-Match` with the item's ETag. The measure itself cannot change.
#[utoipa::path(
    tag = "mitigation",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("item" = Uuid, Path, description = "Checklist item id"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    request_body(content = serde_json::Value, content_type = "application/merge-patch+json",
        example = json!({"status": "done", "evidence_note": "补偿标准已公示"})),
    responses(
        (status = 200, description = "Changed", body = ChecklistItem, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/decisions/{id}/checklist/{item}")]
async fn patch_item(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (id, item) = path.into_inner();
    let decision_id = path_id(&id, "decision")?;
    let item_id =
        Uuid::parse_str(&item).map_err(|_| ApiError::NotFound("no such checklist item".into()))?;
    let based_on = IfMatch::optional(&req)?;
    let patch = body.0;
    let updated = checklist::change(
        &state.ctx,
        &user,
        decision_id,
        item_id,
        based_on.as_ref(),
        |current| merge_patched::<ItemFields>(current, patch),
    )
    .await?;
    Ok(with_etag(
        HttpResponse::Ok().json(&updated),
        &updated.etag(),
    ))
}
