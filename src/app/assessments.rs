//! Assessing a scenario of a decision: the immutable record of every input as it was, the model's identity and
//! snapshot, and the engine's result, bound by a content hash; and reading those records back.

use std::sync::Arc;

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::inputs::DecisionBasis;
use super::restore;
use super::{AppError, Context, ModelRegistry, authorize};
use crate::auth::permission::{Assess, ReadDecisions};
use crate::domain::assessment::AssessmentHead;
use crate::domain::decision::{Decision, DecisionKind, DecisionStatus};
use crate::domain::principal::Principal;
use crate::domain::scenario::Scenario;
use crate::scoring::record::{AssessmentRecord, seal};
use crate::scoring::{self, Assessment, AssessmentInputs};
use crate::storage::StorageError;
use crate::storage::assessments::NewAssessment;

/// What a planner asks to be assessed.
#[derive(Debug, Clone, Default)]
pub struct AssessRequest {
    /// The scenario; by default the decision's baseline.
    pub scenario_id: Option<Uuid>,
    /// Proposed measures instead of the scenario's own.
    pub measures: Option<Vec<String>>,
    /// A model id; by default the model for the decision's kind.
    pub model: Option<String>,
}

/// The named scenario of the decision (a 422 on `field` when it has none such), or its baseline.
pub(super) async fn chosen_scenario(
    ctx: &Context,
    decision: &Decision,
    id: Option<Uuid>,
    field: &str,
) -> Result<Scenario, AppError> {
    match id {
        Some(id) => match ctx.db.scenario(decision.id, id).await {
            Err(StorageError::NotFound(_)) => Err(AppError::invalid(
                field,
                format!("no scenario with id {id} in this decision"),
            )),
            other => Ok(other?),
        },
        None => ctx
            .db
            .scenarios(decision.id)
            .await?
            .into_iter()
            .find(|s| s.baseline)
            .ok_or_else(|| AppError::Conflict("the decision has no baseline scenario".into())),
    }
}

/// The decision after an assessment: `assessed` when the lifecycle leads there (from draft by way of
/// assessing), unchanged once the committee has decided.
fn assessed(decision: &Decision) -> Option<Decision> {
    use DecisionStatus::{Assessed, Assessing};
    let from = decision.fields.status;
    let reachable =
        from.may_become(Assessed) || (from.may_become(Assessing) && Assessing.may_become(Assessed));
    (from != Assessed && reachable).then(|| {
        let mut next = decision.clone();
        next.fields.status = Assessed;
        next.version += 1;
        next
    })
}

/// Assesses a scenario of a decision and stores the immutable record; the decision becomes `assessed`. The
/// residual level counts a proposed measure only when its checklist item has an owner unit and a due date.
pub async fn assess(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    request: AssessRequest,
) -> Result<AssessmentRecord, AppError> {
    authorize::<Assess>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    not_archived(&decision, "an archived decision cannot be assessed")?;
    let model = ctx
        .models()
        .choose(request.model.as_deref(), &decision, "model")?;
    let scenario = chosen_scenario(ctx, &decision, request.scenario_id, "scenario_id").await?;
    let basis = DecisionBasis::gather(ctx, decision, model).await?;
    let inputs = basis.scenario(&scenario, request.measures, "measures")?;
    let result = scoring::assess(model, &inputs.counted())?;
    let sealed = seal(&inputs.recorded, model.hash(), &result).map_err(AppError::internal)?;
    let snapshot = serde_json::to_string(model).map_err(AppError::internal)?;
    let decision = &basis.decision;
    let new = NewAssessment {
        id: Uuid::new_v4(),
        decision_id: decision.id,
        model_id: model.id(),
        model_version: &model.spec().version,
        model_hash: model.hash(),
        model_snapshot: &snapshot,
        inputs: &sealed.inputs,
        result: &sealed.result,
        content_hash: &sealed.content_hash,
        author: &principal.username,
        initial_r: result.initial.r,
        initial_level: result.initial.level.as_str(),
        residual_r: result.residual.outcome.r,
        residual_level: result.residual.outcome.level.as_str(),
        measures: &inputs.recorded.measures,
        scenario_id: Some(scenario.id),
    };
    let head = ctx
        .db
        .insert_assessment(&new, decision, assessed(decision).as_ref())
        .await?;
    ctx.decisions_changed();
    Ok(AssessmentRecord {
        head,
        inputs: inputs.recorded,
        result,
    })
}

/// Scores inputs offline — no decision stored, nothing written — with the pinned model or the kind's.
pub fn assess_offline(
    models: &ModelRegistry,
    kind: DecisionKind,
    pinned: Option<&str>,
    inputs: &AssessmentInputs,
) -> Result<Assessment, AppError> {
    let model = match pinned {
        Some(id) => models.by_id(id).ok_or_else(|| {
            AppError::invalid("model", format!("no model with id '{id}' is loaded"))
        })?,
        None => models.default_for(kind)?,
    };
    Ok(scoring::assess(model, inputs)?)
}

/// One page of a decision's assessments, newest first, before position `before` (the `seq` of the last one of
/// the previous page); and whether more follow.
pub async fn list(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    before: Option<i64>,
    limit: u32,
) -> Result<(Vec<AssessmentHead>, bool), AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let mut rows = ctx.db.assessments_of(decision.id, before, limit).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// One stored assessment with every input and output, if its decision is in scope.
pub async fn get(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<Arc<AssessmentRecord>, AppError> {
    authorize::<ReadDecisions>(principal)?;
    // The scope is checked against the decision's regions as read less than a second ago (another instance
    // may move the decision; this one forgets them when it does); the record never changes once stored.
    let record = ctx.records.get(&id);
    let known = record
        .as_ref()
        .and_then(|r| ctx.decision_regions.get(&r.head.decision_id));
    let regions = match known {
        Some(regions) => regions,
        None => {
            let reading = ctx.decision_regions.begin_read();
            let (decision_id, regions) = ctx.db.assessment_regions(id).await?;
            let regions = Arc::new(regions);
            ctx.decision_regions
                .remember(decision_id, reading, Arc::clone(&regions));
            regions
        }
    };
    if !principal.scope.covers(&regions) {
        return Err(AppError::NotFound(format!("no assessment with id {id}")));
    }
    if let Some(record) = record {
        return Ok(record);
    }
    let record = Arc::new(restore::record(ctx.db.assessment(id).await?).await?);
    ctx.records.insert(id, Arc::clone(&record));
    Ok(record)
}
