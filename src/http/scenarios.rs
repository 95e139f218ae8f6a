//! `/api/v1/decisions/{id}/scenarios`: the alternatives of a decision. Every decision has a
//! baseline; others carry attribute overrides, their own ratings if the experts gave them, and
//! chosen measures.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Authorized;
use super::extract::{self, IfMatch, JsonBody, decode_value, merge_patched};
use super::{AppState, path_id};
use crate::app::scenarios;
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::scenario::{Scenario, ScenarioFields};
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_scenario)
        .service(list_scenarios)
        .service(get_scenario)
        .service(patch_scenario)
        .service(delete_scenario);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioList {
    decision_id: Uuid,
    /// The baseline first, then in creation order.
    items: Vec<Scenario>,
}

fn with_etag(response: HttpResponse, scenario: &Scenario) -> HttpResponse {
    extract::with_etag(response, &scenario.etag())
}

fn ids(id: &str, sid: &str) -> Result<(Uuid, Uuid), ApiError> {
    Ok((path_id(id, "decision")?, path_id(sid, "scenario")?))
}

/// Add an alternative scenario to a decision.
#[utoipa::path(
    tag = "scenarios",
    params(("id" = Uuid, Path, description = "Decision id")),
    request_body(content = ScenarioFields, example = json!({"name": "补偿按市场价 100%", "overrides": {"compensation_ratio": 1.0}, "measures": ["unified_standard"]})),
    responses(
        (status = 201, description = "Created", body = Scenario,
            headers(("Location" = String, description = "URL of the scenario"), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field (e.g. overrides.compensation_ratio, measures[1])", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions/{id}/scenarios")]
async fn create_scenario(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let scenario =
        scenarios::create(&state.ctx, &user, decision_id, || decode_value(body.0)).await?;
    let response = HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/decisions/{decision_id}/scenarios/{}", scenario.id),
        ))
        .json(&scenario);
    Ok(with_etag(response, &scenario))
}

/// A decision's scenarios, the baseline first.
#[utoipa::path(
    tag = "scenarios",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The scenarios", body = ScenarioList),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/scenarios")]
async fn list_scenarios(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    let items = scenarios::list(&state.ctx, &user, decision_id).await?;
    Ok(HttpResponse::Ok().json(ScenarioList { decision_id, items }))
}

/// One scenario.
#[utoipa::path(
    tag = "scenarios",
    params(("id" = Uuid, Path, description = "Decision id"), ("sid" = Uuid, Path, description = "Scenario id")),
    responses(
        (status = 200, description = "The scenario", body = Scenario, headers(("ETag" = String))),
        (status = 404, description = "No such decision or scenario", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/scenarios/{sid}")]
async fn get_scenario(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, sid) = ids(&path.0, &path.1)?;
    let scenario = scenarios::get(&state.ctx, &user, id, sid).await?;
    Ok(with_etag(HttpResponse::Ok().json(&scenario), &scenario))
}

/// Change a scenario with a JSON merge patch (RFC 7396); needs `If-Match` with the current ETag.
#[utoipa::path(
    tag = "scenarios",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("sid" = Uuid, Path, description = "Scenario id"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    request_body(content = serde_json::Value, description = "Fields to change; null removes an override or the scenario's own ratings",
        content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Scenario, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision or scenario", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/decisions/{id}/scenarios/{sid}")]
async fn patch_scenario(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (id, sid) = ids(&path.0, &path.1)?;
    let based_on = IfMatch::optional(&req)?;
    let patch = body.0;
    let updated = scenarios::change(&state.ctx, &user, id, sid, based_on.as_ref(), |current| {
        merge_patched::<ScenarioFields>(current, patch)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok().json(&updated), &updated))
}

/// Delete a scenario (not the baseline); needs `If-Match`. Assessments made of it keep their copy.
#[utoipa::path(
    tag = "scenarios",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("sid" = Uuid, Path, description = "Scenario id"),
        ("If-Match" = String, Header, description = "The ETag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such decision or scenario", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The baseline, or an archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/decisions/{id}/scenarios/{sid}")]
async fn delete_scenario(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, sid) = ids(&path.0, &path.1)?;
    let based_on = IfMatch::optional(&req)?;
    scenarios::delete(&state.ctx, &user, id, sid, based_on.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
