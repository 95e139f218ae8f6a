//! `/api/v1/decisions/{id}/comparison`: scenarios of one decision side by side — R, levels (initial, if the
//! chosen measures are carried out, and as an assessment made now would record them), dimension scores,
//! per-factor deltas against the first, the cheapest plan that reaches the target level, and whether their
//! order by R survives weight perturbation.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::Authorized;
use super::{AppState, path_id};
use crate::app::comparison::{self, CompareRequest, Comparison};
use crate::auth::permission::ReadDecisions;
use crate::error::{ApiError, Problem};
use crate::scoring::Level;
use crate::scoring::simulation::MAX_WEIGHT_NOISE;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(compare);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComparisonQuery {
    /// Scenario ids, comma-separated, the reference first; by default all, the baseline first.
    scenarios: Option<String>,
    /// The level the cheapest plan must reach: low (default) or medium.
    target: Option<String>,
    /// Relative weight perturbation for the order check, 0 ≤ x ≤ 0.95 (default 0.1).
    weight_noise: Option<String>,
    /// A model id; by default the model for the decision's kind.
    model: Option<String>,
}

fn target_level(raw: Option<&str>) -> Result<Level, ApiError> {
    match raw.map(str::trim) {
        None | Some("low") => Ok(Level::Low),
        Some("medium") => Ok(Level::Medium),
        Some(other) => Err(ApiError::bad_request(
            "target",
            format!(
                "'{}' is not a target level: low or medium",
                other.chars().take(20).collect::<String>()
            ),
        )),
    }
}

fn weight_noise(raw: Option<&str>) -> Result<f64, ApiError> {
    let noise = match raw {
        None => crate::app::comparison::DEFAULT_WEIGHT_NOISE,
        Some(raw) => raw.trim().parse::<f64>().unwrap_or(f64::NAN),
    };
    if !(noise.is_finite() && (0.0..=MAX_WEIGHT_NOISE).contains(&noise)) {
        return Err(ApiError::bad_request(
            "weight_noise",
            format!("must be between 0 and {MAX_WEIGHT_NOISE}"),
        ));
    }
    Ok(noise)
}

/// The scenario ids listed, in order; an id that is not a UUID names no scenario (404).
fn scenario_ids(raw: Option<&str>) -> Result<Option<Vec<Uuid>>, ApiError> {
    let Some(list) = raw else {
        return Ok(None);
    };
    let mut ids: Vec<Uuid> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let id = path_id(item, "scenario")?;
        if ids.contains(&id) {
            return Err(ApiError::bad_request(
                "scenarios",
                format!("scenario {id} is listed twice"),
            ));
        }
        ids.push(id);
    }
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "scenarios",
            "list at least one scenario id",
        ));
    }
    Ok(Some(ids))
}

/// Compare scenarios of a decision.
#[utoipa::path(
    tag = "scenarios",
    params(("id" = Uuid, Path, description = "Decision id"), ComparisonQuery),
    responses(
        (status = 200, description = "The scenarios side by side", body = Comparison),
        (status = 400, description = "Bad parameter (names it)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision or scenario", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No risk model for the decision's kind", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown model, or a scenario's inputs the model cannot accept", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/comparison")]
async fn compare(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ComparisonQuery>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    let request = CompareRequest {
        target: target_level(query.target.as_deref())?,
        weight_noise: weight_noise(query.weight_noise.as_deref())?,
        scenarios: scenario_ids(query.scenarios.as_deref())?,
        model: query.model.clone(),
    };
    let answer = comparison::compare(&state.ctx, &user, decision_id, request).await?;
    Ok(HttpResponse::Ok().json(answer))
}
