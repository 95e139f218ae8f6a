//! Scenarios of one decision side by side: R and levels, dimension scores, per-factor deltas against the
//! first, the cheapest plan that reaches the target level, and whether their order by R survives weight
//! perturbation. Each scenario's inputs are built exactly as its assessment's would be (`inputs`), so the
//! residual an assessment made now would record is the one shown here.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::decisions::in_scope;
use super::inputs::{DecisionBasis, ScenarioInputs};
use super::{AppError, Context, authorize};
use crate::auth::permission::ReadDecisions;
use crate::domain::principal::Principal;
use crate::domain::scenario::Scenario;
use crate::scoring::record::UncountedMeasure;
use crate::scoring::{
    self, Assessment, DimensionScore, Level, MitigationPlan, Model, OrderStability,
    mitigation_plan, order_stability,
};

/// How much the weights are perturbed, relatively, when checking whether the scenarios' order holds, unless the
/// planner asks for another: a tenth, the spread of weights that panels' AHP judgments typically leave
/// (docs/design.md §5).
pub const DEFAULT_WEIGHT_NOISE: f64 = 0.1;

/// What a planner compares.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Scenario ids, the reference first; None: all, the baseline first.
    pub scenarios: Option<Vec<Uuid>>,
    /// The level the cheapest plan must reach.
    pub target: Level,
    /// Relative weight perturbation for the order check.
    pub weight_noise: f64,
    /// A model id; by default the model for the decision's kind.
    pub model: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactorDelta {
    pub factor: String,
    /// This scenario's risk degree rᵢ minus the reference scenario's.
    pub degree_delta: f64,
    /// This scenario's contribution cᵢ = wᵢ rᵢ minus the reference scenario's.
    pub contribution_delta: f64,
    pub probability_grade_delta: i8,
    pub impact_grade_delta: i8,
}

/// A residual: R and level with these measures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Residual {
    pub r: f64,
    /// low | medium | high
    #[schema(value_type = String)]
    pub level: Level,
    pub measures: Vec<String>,
}

/// The residual an assessment made now would record, and the proposed measures it would leave out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedResidual {
    #[serde(flatten)]
    pub residual: Residual,
    /// Proposed measures not counted yet, with the reason (no checklist item, or no owner unit or due date).
    #[schema(value_type = Vec<Object>)]
    pub uncounted_measures: Vec<UncountedMeasure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioOutcome {
    pub scenario_id: Uuid,
    pub name: String,
    pub baseline: bool,
    /// Initial R, without measures.
    pub r: f64,
    #[schema(value_type = String)]
    pub initial_level: Level,
    /// The residual if every measure chosen for the scenario is carried out.
    pub residual_if_carried_out: Residual,
    /// The residual an assessment of the scenario made now would record: only the measures whose checklist
    /// item has an owner unit and a due date count.
    pub residual_recorded_now: RecordedResidual,
    #[schema(value_type = Vec<Object>)]
    pub dimensions: Vec<DimensionScore>,
    /// Against the first scenario listed (all zero for it).
    pub factor_deltas: Vec<FactorDelta>,
    /// The least-cost measure set that reaches the target level from this scenario.
    #[schema(value_type = Object)]
    pub cheapest_plan: MitigationPlan,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub decision_id: Uuid,
    pub model_id: String,
    pub model_hash: String,
    #[schema(value_type = String)]
    pub target: Level,
    pub scenarios: Vec<ScenarioOutcome>,
    /// Whether the scenarios' order by initial R holds when the weights are perturbed.
    #[schema(value_type = Object)]
    pub order: OrderStability,
}

/// The scenarios named, in the order named (404 for one the decision does not have), or all of them.
fn pick(all: Vec<Scenario>, wanted: Option<Vec<Uuid>>) -> Result<Vec<Scenario>, AppError> {
    let Some(wanted) = wanted else {
        return Ok(all);
    };
    wanted
        .into_iter()
        .map(|sid| {
            all.iter().find(|s| s.id == sid).cloned().ok_or_else(|| {
                AppError::NotFound(format!("no scenario with id {sid} in this decision"))
            })
        })
        .collect()
}

/// Compares scenarios of a decision in the caller's scope.
pub async fn compare(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    request: CompareRequest,
) -> Result<Comparison, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let scenarios = pick(ctx.db.scenarios(decision.id).await?, request.scenarios)?;
    let model = ctx
        .models()
        .choose(request.model.as_deref(), &decision, "model")?;
    let basis = DecisionBasis::gather(ctx, decision, model).await?;
    let inputs = scenarios
        .iter()
        .map(|s| basis.scenario(s, None, "measures"))
        .collect::<Result<Vec<_>, _>>()?;
    let model = model.clone();
    let decision_id = basis.decision.id;
    let (target, noise) = (request.target, request.weight_noise);
    tokio::task::spawn_blocking(move || {
        side_by_side(&model, decision_id, &scenarios, &inputs, target, noise)
    })
    .await
    .map_err(|e| AppError::internal_msg("comparing scenarios", e))?
}

fn residual(assessment: &Assessment) -> Residual {
    Residual {
        r: assessment.residual.outcome.r,
        level: assessment.residual.outcome.level,
        measures: assessment.residual.measures.clone(),
    }
}

fn deltas(scenario: &Assessment, reference: &Assessment) -> Vec<FactorDelta> {
    scenario
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
        .collect()
}

fn side_by_side(
    model: &Model,
    decision_id: Uuid,
    scenarios: &[Scenario],
    inputs: &[ScenarioInputs],
    target: Level,
    noise: f64,
) -> Result<Comparison, AppError> {
    let mut carried_out = Vec::with_capacity(inputs.len());
    let mut counted = Vec::with_capacity(inputs.len());
    for i in inputs {
        carried_out.push(scoring::assess(model, &i.carried_out())?);
        counted.push(scoring::assess(model, &i.counted())?);
    }
    let mut outcomes = Vec::with_capacity(scenarios.len());
    for (k, (s, i)) in scenarios.iter().zip(inputs).enumerate() {
        let planned = &carried_out[k];
        let recorded = &counted[k];
        let uncounted = i
            .recorded
            .scenario
            .as_ref()
            .map(|s| s.uncounted_measures.clone())
            .unwrap_or_default();
        outcomes.push(ScenarioOutcome {
            scenario_id: s.id,
            name: s.fields.name.clone(),
            baseline: s.baseline,
            r: planned.initial.r,
            initial_level: planned.initial.level,
            residual_if_carried_out: residual(planned),
            residual_recorded_now: RecordedResidual {
                residual: residual(recorded),
                uncounted_measures: uncounted,
            },
            dimensions: planned.dimensions.clone(),
            factor_deltas: deltas(planned, &carried_out[0]),
            cheapest_plan: mitigation_plan(model, &i.carried_out(), target, None)?,
        });
    }
    let refs: Vec<&Assessment> = carried_out.iter().collect();
    Ok(Comparison {
        decision_id,
        model_id: model.id().to_owned(),
        model_hash: model.hash().to_owned(),
        target,
        scenarios: outcomes,
        // The share that must keep the order, the draws and the seed are the model's.
        order: order_stability(
            model,
            &refs,
            noise,
            model.spec().analysis_numbers().order_check(),
        ),
    })
}

/// A planner's "what if": a scenario changed in the browser — other attribute values, other measures — scored
/// as an assessment of it would be, and stored nowhere.
#[derive(Debug, Clone)]
pub struct WhatIfRequest {
    /// The scenario it starts from; None: the baseline.
    pub from: Option<Uuid>,
    /// Attribute values instead of the scenario's.
    pub overrides: std::collections::BTreeMap<String, crate::domain::attributes::AttributeValue>,
    /// The measures chosen instead of the scenario's.
    pub measures: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct WhatIf {
    /// Scored as if every chosen measure were carried out.
    pub assessment: Assessment,
    /// The residual an assessment made now would record (only measures with an owner unit and a due date).
    pub recorded_now: RecordedResidual,
    /// The grades at which the levels change, before and after measures.
    pub sensitivity: scoring::Sensitivity,
    pub model: Model,
}

/// Scores a changed scenario of a decision in the caller's scope without storing it.
pub async fn what_if(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    request: WhatIfRequest,
) -> Result<WhatIf, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let mut scenario =
        super::assessments::chosen_scenario(ctx, &decision, request.from, "from").await?;
    scenario.fields.overrides.extend(request.overrides);
    scenario.fields.measures = request.measures;
    super::scenarios::validate(ctx, &decision, &scenario.fields)?;
    let model = ctx.models().choose(None, &decision, "model")?.clone();
    let basis = DecisionBasis::gather(ctx, decision, &model).await?;
    let inputs = basis.scenario(&scenario, None, "measures")?;
    tokio::task::spawn_blocking(move || {
        let assessment = scoring::assess(&model, &inputs.carried_out())?;
        let recorded = scoring::assess(&model, &inputs.counted())?;
        let sensitivity = scoring::sensitivity(&model, &assessment);
        let uncounted = inputs
            .recorded
            .scenario
            .as_ref()
            .map(|s| s.uncounted_measures.clone())
            .unwrap_or_default();
        Ok(WhatIf {
            recorded_now: RecordedResidual {
                residual: residual(&recorded),
                uncounted_measures: uncounted,
            },
            assessment,
            sensitivity,
            model,
        })
    })
    .await
    .map_err(|e| AppError::internal_msg("scoring a what-if", e))?
}
