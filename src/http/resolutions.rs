//! `/api/v1/decisions/{id}/resolution`: the committee's outcome, signed against one assessment.
//! The decision gate may forbid an outcome; only a recorded override reason gets past it.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Authorized;
use super::extract::{JsonBody, decode_value};
use super::{AppState, path_id};
use crate::app::resolutions;
use crate::auth::permission::{ReadDecisions, Resolve};
use crate::domain::resolution::{Resolution, ResolutionRequest};
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(resolve).service(get_resolution);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionView {
    /// The resolution in force.
    current: Resolution,
    /// Earlier resolutions of the decision, newest first.
    earlier: Vec<Resolution>,
}

/// Record the committee's resolution. Refused with 409 when the gate forbids the outcome (e.g.
/// `implement` on a high residual level), unless `override_reason` says why; an override is kept
/// and shown prominently in reports.
#[utoipa::path(
    tag = "resolutions",
    params(("id" = Uuid, Path, description = "Decision id")),
    request_body(content = ResolutionRequest, example = json!({"outcome": "implement", "conditions": "按清单落实措施", "assessment_id": "00000000-0000-0000-0000-000000000000"})),
    responses(
        (status = 201, description = "Recorded", body = Resolution,
            headers(("Location" = String, description = "URL of the decision's resolution"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The gate forbids the outcome (the detail says why), or the decision is archived or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, e.g. an assessment of another decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions/{id}/resolution")]
async fn resolve(
    user: Authorized<Resolve>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let resolution =
        resolutions::resolve(&state.ctx, &user, decision_id, || decode_value(body.0)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/decisions/{decision_id}/resolution"),
        ))
        .json(resolution))
}

/// The resolution in force and the earlier ones.
#[utoipa::path(
    tag = "resolutions",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The resolutions", body = ResolutionView),
        (status = 404, description = "No such decision, or not resolved yet", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/resolution")]
async fn get_resolution(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (current, earlier) =
        resolutions::of_decision(&state.ctx, &user, path_id(&id, "decision")?).await?;
    Ok(HttpResponse::Ok().json(ResolutionView { current, earlier }))
}
