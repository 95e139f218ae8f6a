//! What-if analyses of a stored assessment, each computed from its own inputs and model (never the live
//! tables): exact sensitivity, a seeded Monte Carlo simulation, and the least-cost mitigation plan.

use uuid::Uuid;

use super::restore::restore_in_scope;
use super::{AppError, Context, authorize};
use crate::auth::permission::ReadDecisions;
use crate::domain::principal::Principal;
use crate::domain::{FieldError, FieldErrors};
use crate::scoring::simulation::{MAX_DRAWS, MAX_WEIGHT_NOISE};
use crate::scoring::{
    Level, MitigationPlan, Sensitivity, Simulation, SimulationRequest, mitigation_plan,
    sensitivity, simulate,
};

/// Runs CPU-bound work off the async workers.
async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::internal_msg("an analysis", e))
}

/// Per factor, the grade change that flips the overall level up and down; per weight, the interval within
/// which the level holds; the tornado. For the initial and the residual level.
pub async fn sensitivity_of(
    ctx: &Context,
    principal: &Principal,
    assessment_id: Uuid,
) -> Result<Sensitivity, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let restored = restore_in_scope(ctx, principal, assessment_id).await?;
    off_workers(move || sensitivity(&restored.model, &restored.record.result)).await
}

/// Monte Carlo over the ratings' uncertainty (and optional weight noise); `request` is decoded by the caller
/// after the scope check, so an out-of-scope caller learns nothing from its errors.
pub async fn simulation(
    ctx: &Context,
    principal: &Principal,
    assessment_id: Uuid,
    request: impl FnOnce() -> Result<SimulationRequest, AppError>,
) -> Result<Simulation, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let stored = super::restore::stored_in_scope(ctx, principal, assessment_id).await?;
    let request = request()?;
    let mut errors = Vec::new();
    if !(1..=MAX_DRAWS).contains(&request.draws) {
        errors.push(FieldError::new(
            "draws",
            format!("must be between 1 and {MAX_DRAWS}"),
        ));
    }
    if let Some(noise) = request.weight_noise
        && !(noise.is_finite() && (0.0..=MAX_WEIGHT_NOISE).contains(&noise))
    {
        errors.push(FieldError::new(
            "weight_noise",
            format!("must be between 0 and {MAX_WEIGHT_NOISE}"),
        ));
    }
    FieldErrors::from_vec(errors)?;
    let restored = super::restore::restore(ctx, stored).await?;
    let answer = off_workers(move || {
        simulate(
            &restored.model,
            &restored.record.inputs.engine_inputs(),
            &request,
        )
    })
    .await??;
    Ok(answer)
}

/// What a planner asks of the optimizer.
#[derive(Debug, Clone, Copy)]
pub struct PlanRequest {
    /// The residual level to reach: low or medium.
    pub target: Level,
    /// The most the measures may cost together.
    pub budget: Option<f64>,
}

/// The least-cost catalogue measures whose residual level is at most the target (or what comes closest), and
/// the cost-versus-R frontier; `request` is decoded by the caller after the scope check.
pub async fn plan(
    ctx: &Context,
    principal: &Principal,
    assessment_id: Uuid,
    request: impl FnOnce() -> Result<PlanRequest, AppError>,
) -> Result<MitigationPlan, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let stored = super::restore::stored_in_scope(ctx, principal, assessment_id).await?;
    let request = request()?;
    let mut errors = Vec::new();
    if request.target == Level::High {
        errors.push(FieldError::new(
            "target",
            "must be low or medium: every plan reaches high",
        ));
    }
    if let Some(budget) = request.budget
        && !(budget.is_finite() && budget >= 0.0)
    {
        errors.push(FieldError::new("budget", "must be a number ≥ 0"));
    }
    FieldErrors::from_vec(errors)?;
    let restored = super::restore::restore(ctx, stored).await?;
    let answer = off_workers(move || {
        mitigation_plan(
            &restored.model,
            &restored.record.inputs.engine_inputs(),
            request.target,
            request.budget,
        )
    })
    .await??;
    Ok(answer)
}
