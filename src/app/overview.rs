//! Everything the decision page shows, gathered in one use case so the page makes one call: the decision, its
//! regions by name, its scenarios, each expert's rating progress, the newest assessment with its model, the
//! checklist, the resolutions and alerts, and the decision's history from the audit log.

use std::collections::HashMap;

use uuid::Uuid;

use super::checklist::{self, Checklist};
use super::decisions::in_scope;
use super::restore::{Restored, restore, restore_in_scope};
use super::{AppError, Context, authorize};
use crate::auth::permission::{ReadDecisions, ReadReports};
use crate::domain::assessment::AssessmentHead;
use crate::domain::audit::{AuditEntry, AuditFilter, AuditVisibility};
use crate::domain::decision::Decision;
use crate::domain::principal::Principal;
use crate::domain::resolution::{Alert, Resolution};
use crate::domain::scenario::Scenario;

/// How much of the decision's history the page shows.
const HISTORY: u32 = 200;
/// How many assessments the page lists.
const ASSESSMENTS: u32 = 20;
/// How many alerts the page lists.
const ALERTS: u32 = 50;

/// How far one expert has rated the decision's factors.
#[derive(Debug, Clone)]
pub struct RatingProgress {
    pub expert: String,
    pub rated: usize,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

pub struct DecisionOverview {
    pub decision: Decision,
    /// Division code → name, for the regions the region table knows.
    pub region_names: HashMap<String, String>,
    pub scenarios: Vec<Scenario>,
    /// The factors of the decision's default model, which the experts rate.
    pub factors: usize,
    pub ratings: Vec<RatingProgress>,
    /// The newest assessment with the model it was computed with.
    pub latest: Option<Restored>,
    /// The newest assessments, newest first.
    pub assessments: Vec<AssessmentHead>,
    pub checklist: Checklist,
    /// Newest first; the first is in force.
    pub resolutions: Vec<Resolution>,
    pub alerts: Vec<Alert>,
    /// Oldest first. Whoever may read the decision may read its own history (the audit page shows more).
    pub history: Vec<AuditEntry>,
}

/// The decision page's facts, if the decision is in the caller's scope.
pub async fn decision(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<DecisionOverview, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, id).await?;
    let codes: Vec<String> = decision
        .fields
        .regions
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    let region_names = ctx
        .db
        .regions(&codes)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let scenarios = ctx.db.scenarios(decision.id).await?;
    let factors = ctx
        .models()
        .default_for(decision.fields.kind)
        .map(|m| m.spec().factors.len())
        .unwrap_or(0);
    let ratings = ctx
        .db
        .ratings(decision.id)
        .await?
        .into_iter()
        .map(|sheet| RatingProgress {
            rated: sheet.ratings.len(),
            expert: sheet.expert,
            recorded_at: sheet.recorded_at,
        })
        .collect();
    let mut assessments = ctx
        .db
        .assessments_of(decision.id, None, ASSESSMENTS)
        .await?;
    assessments.truncate(ASSESSMENTS as usize);
    let heads = &assessments;
    let latest = match heads.first() {
        Some(head) => Some(restore(ctx, ctx.db.assessment(head.id).await?).await?),
        None => None,
    };
    let checklist = checklist::list(ctx, principal, decision.id).await?;
    let resolutions = ctx.db.resolutions(decision.id).await?;
    let alerts = ctx
        .db
        .alerts(&principal.scope, Some(decision.id), ALERTS)
        .await?;
    let mut history = ctx
        .db
        .audit_entries(&AuditFilter {
            visibility: AuditVisibility::DecisionsIn(principal.scope.clone()),
            entity: None,
            entity_id: None,
            decision_id: Some(decision.id),
            actor: None,
            from: None,
            to: None,
            after_seq: None,
            limit: HISTORY,
        })
        .await?;
    history.truncate(HISTORY as usize);
    Ok(DecisionOverview {
        decision,
        region_names,
        scenarios,
        factors,
        ratings,
        latest,
        assessments,
        checklist,
        resolutions,
        alerts,
        history,
    })
}

/// One stored assessment with the model it was computed with, if its decision is in scope.
pub async fn assessment(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<Restored, AppError> {
    authorize::<ReadDecisions>(principal)?;
    restore_in_scope(ctx, principal, id).await
}

/// What the committee brief (一页纸) prints beside the assessment: the checklist as it stands today and the
/// decision's regions by name.
pub struct Brief {
    pub restored: Restored,
    pub checklist: Checklist,
    /// (code, name) of each affected region; the name is empty when the region table lacks it.
    pub regions: Vec<(String, String)>,
    pub today: chrono::NaiveDate,
}

/// The brief of an assessment, for those who may read its reports.
pub async fn brief(ctx: &Context, principal: &Principal, id: Uuid) -> Result<Brief, AppError> {
    authorize::<ReadReports>(principal)?;
    let restored = restore_in_scope(ctx, principal, id).await?;
    let decision_id = restored.record.head.decision_id;
    let checklist = checklist::list(ctx, principal, decision_id).await?;
    let codes: Vec<String> = restored
        .record
        .inputs
        .decision
        .fields
        .regions
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    let names: HashMap<String, String> = ctx
        .db
        .regions(&codes)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let regions = codes
        .into_iter()
        .map(|c| {
            let name = names.get(&c).cloned().unwrap_or_default();
            (c, name)
        })
        .collect();
    Ok(Brief {
        restored,
        checklist,
        regions,
        today: ctx.clock().today(),
    })
}
