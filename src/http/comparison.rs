//! `/api/v1/decisions/{id}/comparison`: scenarios of one decision side by side — R, levels,
//! dimension scores, per-factor deltas against the first, the cheapest plan that reaches the target
//! level, and whether their order by R survives weight perturbation.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::assessments::{choose_model, input_problem, internal};
use super::auth::Authorized;
use super::decisions::decision_in_scope;
use super::evaluation::{scenario_ratings, stored_ratings};
use super::petition_stats::petition_indicators;
use super::scenarios::scenario_id;
use crate::auth::permission::ReadDecisions;
use crate::domain::scenario::Scenario;
use crate::error::{ApiError, Problem};
use crate::scoring::simulation::MAX_WEIGHT_NOISE;
use crate::scoring::{self, AssessmentInputs, DimensionScore, Level};
use crate::scoring::{MitigationPlan, OrderStability, mitigation_plan, order_stability};

/// Draws of the weight perturbation that tests the scenarios' order.
const ORDER_DRAWS: u32 = 2_000;
const ORDER_SEED: u64 = 1;

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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactorDelta {
    factor: String,
    /// This scenario's risk degree rᵢ minus the reference scenario's.
    degree_delta: f64,
    /// This scenario's contribution cᵢ = wᵢ rᵢ minus the reference scenario's.
    contribution_delta: f64,
    probability_grade_delta: i8,
    impact_grade_delta: i8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScenarioOutcome {
    scenario_id: Uuid,
    name: String,
    baseline: bool,
    /// Initial R, without measures.
    r: f64,
    initial_level: String,
    /// With the scenario's chosen measures (as proposed; the checklist is not consulted here).
    residual_r: f64,
    residual_level: String,
    measures: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    dimensions: Vec<DimensionScore>,
    /// Against the first scenario listed (all zero for it).
    factor_deltas: Vec<FactorDelta>,
    /// The least-cost measure set that reaches the target level from this scenario.
    #[schema(value_type = Object)]
    cheapest_plan: MitigationPlan,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    decision_id: Uuid,
    model_id: String,
    model_hash: String,
    target: String,
    scenarios: Vec<ScenarioOutcome>,
    /// Whether the scenarios' order by initial R holds when the weights are perturbed.
    #[schema(value_type = Object)]
    order: OrderStability,
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

/// Compare scenarios of a decision.
#[utoipa::path(
    tag = "scenarios",
    params(("id" = Uuid, Path, description = "Decision id"), ComparisonQuery),
    responses(
        (status = 200, description = "The scenarios side by side", body = Comparison),
        (status = 400, description = "Bad parameter (names it)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision or scenario", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No risk model for the decision's kind", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A scenario's inputs the model cannot accept", body = Problem, content_type = "application/problem+json"),
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    let target = target_level(query.target.as_deref())?;
    let noise = match query.weight_noise.as_deref() {
        None => 0.1,
        Some(raw) => raw.trim().parse::<f64>().unwrap_or(f64::NAN),
    };
    if !(noise.is_finite() && (0.0..=MAX_WEIGHT_NOISE).contains(&noise)) {
        return Err(ApiError::bad_request(
            "weight_noise",
            format!("must be between 0 and {MAX_WEIGHT_NOISE}"),
        ));
    }
    let all = state.db.scenarios(decision.id).await?;
    let chosen: Vec<Scenario> = match query.scenarios.as_deref() {
        None => all,
        Some(list) => {
            let mut picked = Vec::new();
            for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let sid = scenario_id(raw)?;
                let found = all.iter().find(|s| s.id == sid).ok_or_else(|| {
                    ApiError::NotFound(format!("no scenario with id {sid} in this decision"))
                })?;
                if picked.iter().any(|s: &Scenario| s.id == sid) {
                    return Err(ApiError::bad_request(
                        "scenarios",
                        format!("scenario {sid} is listed twice"),
                    ));
                }
                picked.push(found.clone());
            }
            if picked.is_empty() {
                return Err(ApiError::bad_request(
                    "scenarios",
                    "list at least one scenario id",
                ));
            }
            picked
        }
    };
    let model = choose_model(&state.models, None, &decision)?.clone();
    let stored = stored_ratings(&state, decision.id).await?;
    let today = chrono::Local::now().date_naive();
    let (indicators, _) =
        petition_indicators(&state.db, &model, &decision.fields.regions, today).await?;
    let inputs: Vec<AssessmentInputs> = chosen
        .iter()
        .map(|s| AssessmentInputs {
            attributes: s.fields.attributes(&decision.fields.attributes),
            ratings: scenario_ratings(s, &stored),
            indicators: indicators.clone(),
            measures: s.fields.measures.clone(),
        })
        .collect();
    let decision_id = decision.id;
    let answer = web::block(move || -> Result<Comparison, ApiError> {
        let mut results = Vec::with_capacity(inputs.len());
        for i in &inputs {
            results.push(scoring::assess(&model, i).map_err(input_problem)?);
        }
        let mut scenarios = Vec::with_capacity(results.len());
        for ((s, i), a) in chosen.iter().zip(&inputs).zip(&results) {
            let reference = &results[0];
            let factor_deltas = a
                .factors
                .iter()
                .zip(&reference.factors)
                .map(|(f, r)| FactorDelta {
                    factor: f.id.clone(),
                    degree_delta: f.initial.degree - r.initial.degree,
                    contribution_delta: f.initial.contribution - r.initial.contribution,
                    probability_grade_delta: f.initial.probability.matrix_grade as i8
                        - r.initial.probability.matrix_grade as i8,
                    impact_grade_delta: f.initial.impact.matrix_grade as i8
                        - r.initial.impact.matrix_grade as i8,
                })
                .collect();
            let plan = mitigation_plan(&model, i, target, None).map_err(input_problem)?;
            scenarios.push(ScenarioOutcome {
                scenario_id: s.id,
                name: s.fields.name.clone(),
                baseline: s.baseline,
                r: a.initial.r,
                initial_level: a.initial.level.as_str().into(),
                residual_r: a.residual.outcome.r,
                residual_level: a.residual.outcome.level.as_str().into(),
                measures: a.residual.measures.clone(),
                dimensions: a.dimensions.clone(),
                factor_deltas,
                cheapest_plan: plan,
            });
        }
        let refs: Vec<&scoring::Assessment> = results.iter().collect();
        let order = order_stability(&model, &refs, noise, ORDER_DRAWS, ORDER_SEED);
        Ok(Comparison {
            decision_id,
            model_id: model.id().to_owned(),
            model_hash: model.hash().to_owned(),
            target: target.as_str().into(),
            scenarios,
            order,
        })
    })
    .await
    .map_err(internal)??;
    Ok(HttpResponse::Ok().json(answer))
}
