//! The committee's resolution (决策记录), signed against one assessment. The decision gate may forbid an
//! outcome; only a recorded override reason gets past it. And the follow-up alerts raised after it.

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::restore;
use super::{AppError, Context, authorize};
use crate::auth::permission::{ReadDecisions, Resolve};
use crate::domain::FieldErrors;
use crate::domain::decision::{Decision, DecisionStatus};
use crate::domain::principal::Principal;
use crate::domain::resolution::{Alert, Resolution, ResolutionRequest};
use crate::domain::text::{check_line, check_text};
use crate::scoring::Model;
use crate::scoring::model::EvidenceRule;
use crate::storage::StorageError;

/// The decision after a resolution: `decided`, when its lifecycle allows it.
fn decided(decision: &Decision) -> Option<Decision> {
    let from = decision.fields.status;
    (from != DecisionStatus::Decided && from.may_become(DecisionStatus::Decided)).then(|| {
        let mut next = decision.clone();
        next.fields.status = DecisionStatus::Decided;
        next.version += 1;
        next
    })
}

/// The petition categories the model's petition factors read (empty = all), which follow-up watches.
fn watched_categories(model: &Model) -> Vec<String> {
    let mut categories = Vec::new();
    for factor in &model.spec().factors {
        if let EvidenceRule::Petition(rule) = &factor.evidence {
            if rule.categories.iter().any(|c| c == "all") {
                return Vec::new();
            }
            categories.extend(rule.categories.iter().cloned());
        }
    }
    categories.sort();
    categories.dedup();
    categories
}

/// Records the committee's resolution; `request` is decoded by the caller after the scope check. Refused with
/// 409 when the gate forbids the outcome, unless an override reason says why; an override is kept and shown in
/// every report.
pub async fn resolve(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    request: impl FnOnce() -> Result<ResolutionRequest, AppError>,
) -> Result<Resolution, AppError> {
    authorize::<Resolve>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    not_archived(&decision, "an archived decision cannot be resolved")?;
    let request = request()?;
    let mut errors = Vec::new();
    check_text(&mut errors, "conditions", &request.conditions, 5_000);
    if let Some(reason) = &request.override_reason {
        check_line(&mut errors, "override_reason", reason, 1, 2_000);
    }
    FieldErrors::from_vec(errors)?;
    let stored = match ctx.db.assessment(request.assessment_id).await {
        Ok(s) if s.head.decision_id == decision.id => s,
        Ok(_) | Err(StorageError::NotFound(_)) => {
            return Err(AppError::invalid(
                "assessment_id",
                format!(
                    "no assessment with id {} of this decision",
                    request.assessment_id
                ),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let restored = restore::restore(ctx, stored).await?;
    let head = &restored.record.head;
    let gate = restored.record.result.gate.outcome;
    let allowed = request.outcome.allowed_by(gate);
    match (allowed, &request.override_reason) {
        (false, None) => {
            let (_, words) = gate.words();
            return Err(AppError::Conflict(format!(
                "the decision gate forbids `{}` on assessment {} (residual level {}): the gate recommends \
                 \"{words}\". Choose another outcome, or give `override_reason`, which is recorded and shown in \
                 every report",
                request.outcome.as_str(),
                head.id,
                head.residual_level
            )));
        }
        (true, Some(_)) => {
            return Err(AppError::invalid(
                "override_reason",
                "the gate allows this outcome, so there is nothing to override; leave it out",
            ));
        }
        _ => {}
    }
    let resolution = Resolution {
        id: Uuid::new_v4(),
        decision_id: decision.id,
        outcome: request.outcome,
        conditions: request.conditions,
        assessment_id: head.id,
        assessment_hash: head.content_hash.clone(),
        gate_outcome: gate,
        residual_level: head.residual_level.clone(),
        override_reason: request.override_reason,
        watched_categories: watched_categories(&restored.model),
        author: principal.username.clone(),
        created_at: ctx.clock().now(),
        needs_review: false,
        review_reasons: Vec::new(),
    };
    ctx.db
        .insert_resolution(&resolution, decided(&decision).as_ref())
        .await?;
    ctx.decisions_changed();
    Ok(resolution)
}

/// The resolution in force and the earlier ones, newest first; 404 when the decision has none yet.
pub async fn of_decision(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<(Resolution, Vec<Resolution>), AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let mut all = ctx.db.resolutions(decision.id).await?.into_iter();
    let current = all.next().ok_or_else(|| {
        AppError::NotFound(format!("decision {} has no resolution yet", decision.id))
    })?;
    Ok((current, all.collect()))
}

/// Follow-up alerts of the decisions in the caller's scope (or of one decision), newest first.
pub async fn alerts(
    ctx: &Context,
    principal: &Principal,
    decision_id: Option<Uuid>,
    limit: u32,
) -> Result<Vec<Alert>, AppError> {
    authorize::<ReadDecisions>(principal)?;
    if let Some(id) = decision_id {
        in_scope(ctx, principal, id).await?;
    }
    Ok(ctx
        .reader()
        .alerts(&principal.scope, decision_id, limit)
        .await?)
}
