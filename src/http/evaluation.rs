//! What a scenario of a decision is assessed from: its attributes (the decision's with the
//! scenario's overrides), its ratings (its own, or the decision's), and which proposed measures the
//! residual level may count.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::AppState;
use crate::domain::checklist::ChecklistItem;
use crate::domain::decision::Decision;
use crate::domain::ratings::RatingSheet;
use crate::domain::scenario::Scenario;
use crate::error::ApiError;
use crate::scoring::ExpertRating;
use crate::scoring::record::{ChecklistEntry, ScenarioRecord, UncountedMeasure};

/// expert → factor id → rating
pub(crate) type Ratings = BTreeMap<String, BTreeMap<String, ExpertRating>>;

/// One expert's sheet as the engine reads it.
fn engine_sheet(sheet: &RatingSheet) -> BTreeMap<String, ExpertRating> {
    sheet.iter().map(|(f, r)| (f.clone(), r.into())).collect()
}

/// The decision's stored expert sheets, as the engine reads them.
pub(crate) async fn stored_ratings(
    state: &AppState,
    decision_id: Uuid,
) -> Result<Ratings, ApiError> {
    Ok(state
        .db
        .ratings(decision_id)
        .await?
        .into_iter()
        .map(|sheet| (sheet.expert, engine_sheet(&sheet.ratings)))
        .collect())
}

/// The scenario's own ratings when it has them, else the decision's.
pub(crate) fn scenario_ratings(scenario: &Scenario, stored: &Ratings) -> Ratings {
    match &scenario.fields.ratings {
        Some(own) => own
            .iter()
            .map(|(expert, sheet)| (expert.clone(), engine_sheet(sheet)))
            .collect(),
        None => stored.clone(),
    }
}

/// The named scenario of the decision (a 422 on `field` when it has none such), or its baseline.
pub(crate) async fn chosen_scenario(
    state: &AppState,
    decision: &Decision,
    id: Option<Uuid>,
    field: &str,
) -> Result<Scenario, ApiError> {
    match id {
        Some(id) => state.db.scenario(decision.id, id).await.map_err(|_| {
            ApiError::invalid(field, format!("no scenario with id {id} in this decision"))
        }),
        None => state
            .db
            .scenarios(decision.id)
            .await?
            .into_iter()
            .find(|s| s.baseline)
            .ok_or_else(|| ApiError::Conflict("the decision has no baseline scenario".into())),
    }
}

/// Splits the proposed measures into those the residual level counts — an item on the checklist
/// with an owner unit and a due date — and the others, each with the reason.
pub(crate) fn counted_measures(
    proposed: &[String],
    checklist: &[ChecklistItem],
) -> (Vec<String>, Vec<UncountedMeasure>) {
    let mut counted = Vec::new();
    let mut uncounted = Vec::new();
    for measure in proposed {
        match checklist.iter().find(|i| &i.fields.measure == measure) {
            Some(item) if item.assigned => counted.push(measure.clone()),
            Some(_) => uncounted.push(UncountedMeasure {
                measure: measure.clone(),
                reason: "its checklist item has no owner unit or no due date yet".into(),
            }),
            None => uncounted.push(UncountedMeasure {
                measure: measure.clone(),
                reason: "it is not on the decision's checklist".into(),
            }),
        }
    }
    (counted, uncounted)
}

pub(crate) fn scenario_record(
    scenario: &Scenario,
    proposed: &[String],
    uncounted: Vec<UncountedMeasure>,
) -> ScenarioRecord {
    ScenarioRecord {
        id: scenario.id,
        name: scenario.fields.name.clone(),
        baseline: scenario.baseline,
        overrides: scenario.fields.overrides.clone(),
        own_ratings: scenario.fields.ratings.is_some(),
        proposed_measures: proposed.to_vec(),
        uncounted_measures: uncounted,
    }
}

pub(crate) fn checklist_entry(item: &ChecklistItem) -> ChecklistEntry {
    ChecklistEntry {
        measure: item.fields.measure.clone(),
        factors: item.factors.clone(),
        owner_unit: item.fields.owner_unit.clone(),
        lead_person: item.fields.lead_person.clone(),
        due_date: item.fields.due_date,
        status: item.fields.status.as_str().to_owned(),
        overdue: item.overdue,
        evidence_note: item.fields.evidence_note.clone(),
    }
}
