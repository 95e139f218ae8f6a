//! `/api/v1/decisions/{id}/ratings`: experts' probability and impact grades of a decision's factors.

use actix_web::{HttpResponse, get, put, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::Authorized;
use super::decisions::{decision_in_scope, not_archived};
use super::extract::JsonBody;
use crate::auth::permission::{RateFactors, ReadDecisions};
use crate::domain::decision::DecisionKind;
use crate::domain::ratings::{ExpertName, ExpertSheet, FactorRating, RatingSheet, validate_sheet};
use crate::error::{ApiError, Problem};
use crate::scoring::Model;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(put_ratings).service(list_ratings);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRatings {
    decision_id: Uuid,
    /// One sheet per expert, by name.
    experts: Vec<ExpertSheet>,
}

/// The models that may assess a decision of this kind.
pub(crate) fn models_for(models: &[Model], kind: DecisionKind) -> Vec<&Model> {
    models.iter().filter(|m| m.kind() == kind).collect()
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    let expert = ExpertName::parse(&expert).map_err(|m| ApiError::invalid("expert", m))?;
    // Experts write their own ratings only: the sheet's name is the signed-in user's.
    if expert.as_str() != user.username {
        return Err(ApiError::Forbidden(format!(
            "{} may only write their own ratings, not {}'s",
            user.username,
            expert.as_str()
        )));
    }
    not_archived(&decision, "an archived decision cannot be rated")?;
    let models = models_for(&state.models, decision.fields.kind);
    if models.is_empty() {
        return Err(ApiError::Conflict(format!(
            "no risk model is loaded for decisions of kind {}",
            decision.fields.kind.as_str()
        )));
    }
    let sheet = body.0;
    validate_sheet(&sheet, |factor| {
        models.iter().any(|m| m.factor_index(factor).is_some())
    })?;
    let stored = state
        .db
        .replace_ratings(decision.id, &expert, &sheet, &user.username)
        .await?;
    let reason = format!("{}'s ratings changed after the resolution", expert.as_str());
    state
        .db
        .flag_resolution_for_review(decision.id, &reason, &user.username)
        .await?;
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    let experts = state.db.ratings(decision.id).await?;
    Ok(HttpResponse::Ok().json(DecisionRatings {
        decision_id: decision.id,
        experts,
    }))
}
