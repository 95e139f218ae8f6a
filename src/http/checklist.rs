//! `/api/v1/decisions/{id}/checklist`: the mitigation checklist. Accepting a plan posts its
//! measures here; each item then gets its owner unit, lead person and due date. A new assessment's
//! residual level counts a measure only once its item has an owner unit and a due date.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::Authorized;
use super::decisions::{decision_in_scope, not_archived};
use super::extract::{IfMatch, JsonBody, decode_value, merge_patched, with_etag};
use super::ratings::models_for;
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::FieldErrors;
use crate::domain::checklist::{ChecklistItem, ItemFields, validate_items};
use crate::domain::decision::Decision;
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

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The factors a measure addresses, from the first of the decision kind's models that has it.
fn factors_of(state: &AppState, decision: &Decision, measure: &str) -> Vec<String> {
    let mut factors: Vec<String> = models_for(&state.models, decision.fields.kind)
        .into_iter()
        .find_map(|m| m.measure(measure))
        .map(|m| m.effects.iter().map(|e| e.factor.clone()).collect())
        .unwrap_or_default();
    factors.sort();
    factors.dedup();
    factors
}

fn known_measure<'a>(state: &'a AppState, decision: &Decision) -> impl Fn(&str) -> bool + 'a {
    let models = models_for(&state.models, decision.fields.kind);
    move |id: &str| models.iter().any(|m| m.measure(id).is_some())
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    let items = state.db.checklist(decision.id, today()).await?;
    Ok(HttpResponse::Ok().json(Checklist {
        decision_id: decision.id,
        overdue: items.iter().filter(|i| i.overdue).count(),
        unassigned: items.iter().filter(|i| !i.assigned).count(),
        items,
    }))
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    not_archived(
        &decision,
        "an archived decision's checklist cannot be changed",
    )?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let items = decode_value::<NewItems>(body.0)?.items;
    let checked: Result<(), FieldErrors> = validate_items(&items, known_measure(&state, &decision));
    checked?;
    let with_factors: Vec<(ItemFields, Vec<String>)> = items
        .into_iter()
        .map(|i| {
            let factors = factors_of(&state, &decision, &i.measure);
            (i, factors)
        })
        .collect();
    let created = state
        .db
        .insert_checklist_items(decision.id, &with_factors, &user.username, today())
        .await?;
    Ok(HttpResponse::Created().json(Checklist {
        decision_id: decision.id,
        overdue: created.iter().filter(|i| i.overdue).count(),
        unassigned: created.iter().filter(|i| !i.assigned).count(),
        items: created,
    }))
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    let item_id =
        Uuid::parse_str(&item).map_err(|_| ApiError::NotFound("no such checklist item".into()))?;
    let current = state
        .db
        .checklist_item(decision.id, item_id, today())
        .await?;
    IfMatch::required(&req)?.check(&current.etag())?;
    not_archived(
        &decision,
        "an archived decision's checklist cannot be changed",
    )?;
    let fields: ItemFields = merge_patched(&current.fields, body.0)?;
    if fields.measure != current.fields.measure {
        return Err(ApiError::invalid(
            "measure",
            "an item's measure cannot change; add an item for the other measure",
        ));
    }
    let errors = fields.validate("", known_measure(&state, &decision));
    FieldErrors::from_vec(errors)?;
    let updated = state
        .db
        .update_checklist_item(&current, &fields, &user.username, today())
        .await?;
    Ok(with_etag(
        HttpResponse::Ok().json(&updated),
        &updated.etag(),
    ))
}
