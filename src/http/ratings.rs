//! `/api/v1/decisions/{id}/ratings`: experts' probability and impact grades of a decision's factors.

use actix_web::{HttpResponse, get, put, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Authorized;
use super::extract::JsonBody;
use super::{AppState, path_id};
use crate::app::ratings;
use crate::auth::permission::{RateFactors, ReadDecisions};
use crate::domain::ratings::{ExpertSheet, FactorRating, RatingSheet};
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(put_ratings).service(list_ratings);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRatings {
    decision_id: Uuid,
    /// One sheet per expert, by name.
    experts: Vec<ExpertSheet>,
}

/// Replace one expert's ratings of a decision (an empty object withdraws the expert).
#[utoipa::path(
    tag = "ratings",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("expert" = String, Path, description = "The expert's name, 1–100 characters"),
    ),
    request_body(content = BTreeMap<String, FactorRating>,
        description = "factor id → {probability, impact, low?, high?, note?}; grades 1..5",
        example = json!({"compensation_standard": {"probability": 4, "impact": 4, "low": 3, "high": 5, "note": "周边项目补偿更高"}})),
    responses(
        (status = 200, description = "The expert's sheet as stored", body = ExpertSheet),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision, or no risk model for its kind", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown factor, grade outside 1..5, low above high, bad expert name; the field names it (e.g. compensation_standard.probability)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/decisions/{id}/ratings/{expert}")]
async fn put_ratings(
    user: Authorized<RateFactors>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: JsonBody<RatingSheet>,
) -> Result<HttpResponse, ApiError> {
    let (id, expert) = path.into_inner();
    let id = path_id(&id, "decision")?;
    let stored = ratings::rate(&state.ctx, &user, id, &expert, body.0).await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// Every expert's ratings of a decision.
#[utoipa::path(
    tag = "ratings",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The experts' sheets", body = DecisionRatings),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/ratings")]
async fn list_ratings(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    let experts = ratings::sheets(&state.ctx, &user, decision_id).await?;
    Ok(HttpResponse::Ok().json(DecisionRatings {
        decision_id,
        experts,
    }))
}
