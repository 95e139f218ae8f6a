//! What-if analyses of a stored assessment, each computed from its own inputs and model snapshot
//! (never the live tables): sensitivity (exact flip points and weight intervals), a seeded Monte
//! Carlo simulation, and the least-cost mitigation plan with its cost-versus-R frontier.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Authorized;
use super::extract::{JsonBody, decode_value};
use super::{AppState, path_id};
use crate::app::analysis::{self, PlanRequest};
use crate::auth::permission::ReadDecisions;
use crate::error::{ApiError, Problem};
use crate::scoring::{Level, SimulationRequest};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_sensitivity)
        .service(run_simulation)
        .service(plan_mitigation);
}

/// Per factor, the grade change that flips the overall level up and down (or none within 1..5);
/// per weight, the interval within which the level holds while the other weights rescale; the
/// tornado. Exact, from the linear form of R.
#[utoipa::path(
    tag = "analysis",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "Flip points, weight intervals and tornado, for the initial and the residual level", body = Object),
        (status = 404, description = "No such assessment", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}/sensitivity")]
async fn get_sensitivity(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "assessment")?;
    let answer = analysis::sensitivity_of(&state.ctx, &user, id).await?;
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulationBody {
    /// 1 – 1,000,000 (default 10,000).
    #[serde(default = "default_draws")]
    #[schema(minimum = 1, maximum = 1000000)]
    draws: u32,
    /// The same seed gives the same result (default 1).
    #[serde(default = "default_seed")]
    seed: u64,
    /// Relative perturbation of the weights, 0 ≤ noise ≤ 0.95: each weight is multiplied by a factor
    /// drawn uniformly from [1 − noise, 1 + noise], then all are rescaled to sum to 1.
    #[serde(default)]
    weight_noise: Option<f64>,
}

fn default_draws() -> u32 {
    10_000
}

fn default_seed() -> u64 {
    1
}

/// Monte Carlo over the ratings' uncertainty: each expert-rated factor's grades drawn from a
/// triangular distribution over the experts' range (widened by stated low–high), optional weight
/// noise; P(low), P(medium), P(high), R quantiles and a histogram. Deterministic for a seed.
#[utoipa::path(
    tag = "analysis",
    params(("id" = Uuid, Path, description = "Assessment id")),
    request_body(content = SimulationBody, example = json!({"draws": 10000, "seed": 7, "weight_noise": 0.1})),
    responses(
        (status = 200, description = "Level probabilities and the distribution of R, initial and residual", body = Object),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assessment", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "draws outside 1..1,000,000 or weight_noise outside [0, 0.95]", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments/{id}/simulation")]
async fn run_simulation(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "assessment")?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let answer = analysis::simulation(&state.ctx, &user, id, || {
        let body: SimulationBody = decode_value(body.0)?;
        Ok(SimulationRequest {
            draws: body.draws,
            seed: body.seed,
            weight_noise: body.weight_noise,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The residual level to reach: low or medium.
    #[schema(value_type = String, example = "low")]
    target: Level,
    /// The most the measures may cost together (the catalogue's relative cost units).
    #[serde(default)]
    budget: Option<f64>,
}

/// The least-cost set of catalogue measures whose residual level is at most the target (exact
/// for catalogues of up to 64 measures), or what comes closest when it cannot be reached; and the
/// cost-versus-R frontier.
#[utoipa::path(
    tag = "analysis",
    params(("id" = Uuid, Path, description = "Assessment id")),
    request_body(content = PlanBody, example = json!({"target": "low", "budget": 10.0})),
    responses(
        (status = 200, description = "The plan and the frontier", body = Object),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assessment", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "target not low or medium, or a negative budget", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments/{id}/mitigation-plan")]
async fn plan_mitigation(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "assessment")?;
    let answer = analysis::plan(&state.ctx, &user, id, || {
        let body: PlanBody = decode_value(body.0)?;
        Ok(PlanRequest {
            target: body.target,
            budget: body.budget,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}
