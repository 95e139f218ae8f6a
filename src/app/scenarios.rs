//! The alternatives of a decision. Every decision has a baseline; others carry attribute overrides, their own
//! ratings if the experts gave them, and chosen measures.

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::{AppError, Context, Precondition, authorize};
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::decision::Decision;
use crate::domain::principal::Principal;
use crate::domain::scenario::{Scenario, ScenarioFields};

/// Checks the fields against the factors and measures of the decision kind's models.
pub(super) fn validate(
    ctx: &Context,
    decision: &Decision,
    fields: &ScenarioFields,
) -> Result<(), AppError> {
    let kind = decision.fields.kind;
    let models = ctx.models();
    Ok(fields.validate(
        |f| models.knows_factor(kind, f),
        |m| models.knows_measure(kind, m),
    )?)
}

fn writable(decision: &Decision) -> Result<(), AppError> {
    not_archived(
        decision,
        "an archived decision's scenarios cannot be changed",
    )
}

/// The decision (in scope) and one of its scenarios.
async fn scenario_in_scope(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
) -> Result<(Decision, Scenario), AppError> {
    let decision = in_scope(ctx, principal, decision_id).await?;
    let scenario = ctx.db.scenario(decision.id, id).await?;
    Ok((decision, scenario))
}

/// Adds an alternative scenario; `fields` are decoded by the caller only after the scope check, so an
/// out-of-scope caller learns nothing from their errors.
pub async fn create(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    fields: impl FnOnce() -> Result<ScenarioFields, AppError>,
) -> Result<Scenario, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    writable(&decision)?;
    let fields = fields()?;
    validate(ctx, &decision, &fields)?;
    Ok(ctx
        .db
        .insert_scenario(decision.id, &fields, &principal.username)
        .await?)
}

/// A decision's scenarios, the baseline first.
pub async fn list(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<Vec<Scenario>, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    Ok(ctx.db.scenarios(decision.id).await?)
}

pub async fn get(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
) -> Result<Scenario, AppError> {
    authorize::<ReadDecisions>(principal)?;
    Ok(scenario_in_scope(ctx, principal, decision_id, id).await?.1)
}

/// Changes a scenario: `edit` turns its current fields into the new ones; the change names its version.
pub async fn change(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
    based_on: Option<&Precondition>,
    edit: impl FnOnce(&ScenarioFields) -> Result<ScenarioFields, AppError>,
) -> Result<Scenario, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let (decision, current) = scenario_in_scope(ctx, principal, decision_id, id).await?;
    Precondition::required(based_on, &current.etag())?;
    writable(&decision)?;
    let fields = edit(&current.fields)?;
    validate(ctx, &decision, &fields)?;
    if fields == current.fields {
        return Ok(current);
    }
    Ok(ctx
        .db
        .update_scenario(&current, &fields, &principal.username)
        .await?)
}

/// Deletes a scenario (never the baseline). Assessments made of it keep their copy.
pub async fn delete(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
    based_on: Option<&Precondition>,
) -> Result<(), AppError> {
    authorize::<WriteDecisions>(principal)?;
    let (decision, current) = scenario_in_scope(ctx, principal, decision_id, id).await?;
    Precondition::required(based_on, &current.etag())?;
    writable(&decision)?;
    if current.baseline {
        return Err(AppError::Conflict(
            "the baseline scenario cannot be deleted".into(),
        ));
    }
    ctx.db
        .delete_scenario(&current, &principal.username)
        .await?;
    Ok(())
}
