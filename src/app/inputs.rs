//! The one way an assessment's inputs are built, used by the assessment, the scenario comparison and the
//! what-if alike: a scenario's attributes (the decision's with its overrides), its ratings (its own, or the
//! decision's), the petition indicators of the model, and which proposed measures the residual level counts.
//!
//! Two residuals follow from one basis, and both are shown where it matters: the residual *if the proposed
//! measures are carried out* (every measure, as planned), and the residual *an assessment made now would
//! record* (only the measures whose checklist item has an owner unit and a due date).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::consultations::derived_attributes;
use super::ledger_evidence::{LedgerInputs, ledger_inputs};
use super::petition_evidence::petition_indicators;
use super::{AppError, Context};
use crate::domain::attributes::AttributeValue;
use crate::domain::checklist::ChecklistItem;
use crate::domain::consultation::ConsultationEntry;
use crate::domain::decision::Decision;
use crate::domain::ratings::RatingSheet;
use crate::domain::scenario::Scenario;
use crate::domain::{FieldError, FieldErrors};
use crate::scoring::record::{
    AttributeSource, ChecklistEntry, PetitionEvidence, RecordedInputs, ScenarioRecord,
    UncountedMeasure,
};
use crate::scoring::{AssessmentInputs, ExpertRating, Model};

/// expert → factor id → rating
pub type Ratings = BTreeMap<String, BTreeMap<String, ExpertRating>>;

/// What every scenario of one decision shares, read once: the decision, the model, the stored ratings, the
/// checklist as it stands today and the petition indicators.
pub struct DecisionBasis<'m> {
    pub decision: Decision,
    pub model: &'m Model,
    pub today: NaiveDate,
    stored_ratings: Ratings,
    pub checklist: Vec<ChecklistItem>,
    indicators: BTreeMap<String, f64>,
    evidence: Option<PetitionEvidence>,
    /// Attributes computed from consultation records and the concern ledger, with where each came from; they
    /// win over the values typed on the decision, and a scenario's overrides win over them.
    derived: BTreeMap<String, (AttributeValue, AttributeSource)>,
    ledger: LedgerInputs,
    consultations: Vec<ConsultationEntry>,
}

/// One scenario's inputs: what an assessment made now records, and the measures proposed.
#[derive(Debug, Clone)]
pub struct ScenarioInputs {
    /// With the counted measures only; exactly what an assessment of the scenario made now would store.
    pub recorded: RecordedInputs,
    /// Every measure proposed for the scenario, counted or not.
    pub proposed: Vec<String>,
}

impl ScenarioInputs {
    /// The inputs an assessment made now would score: the residual counts assigned measures only.
    pub fn counted(&self) -> AssessmentInputs {
        self.recorded.engine_inputs()
    }

    /// The inputs with every proposed measure carried out.
    pub fn carried_out(&self) -> AssessmentInputs {
        AssessmentInputs {
            measures: self.proposed.clone(),
            ..self.recorded.engine_inputs()
        }
    }
}

/// One expert's sheet as the engine reads it.
fn engine_sheet(sheet: &RatingSheet) -> BTreeMap<String, ExpertRating> {
    sheet.iter().map(|(f, r)| (f.clone(), r.into())).collect()
}

impl<'m> DecisionBasis<'m> {
    /// Reads what the decision's scenarios are assessed from, as of the context's today.
    pub async fn gather(
        ctx: &Context,
        decision: Decision,
        model: &'m Model,
    ) -> Result<Self, AppError> {
        let today = ctx.clock().today();
        let stored_ratings = ctx
            .db
            .ratings(decision.id)
            .await?
            .into_iter()
            .map(|sheet| (sheet.expert, engine_sheet(&sheet.ratings)))
            .collect();
        let checklist = ctx.db.checklist(decision.id, today).await?;
        let (mut indicators, evidence) =
            petition_indicators(&ctx.db, model, &decision.fields.regions, today).await?;
        let consultations = ctx.db.consultations(decision.id).await?;
        let mut derived = derived_attributes(
            &consultations,
            model.spec().consultation.notice_in_working_days,
        );
        let ledger = ledger_inputs(ctx, model, decision.id).await?;
        indicators.extend(ledger.indicators.clone());
        derived.extend(
            ledger
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), (*v, AttributeSource::Ledger))),
        );
        Ok(Self {
            decision,
            model,
            today,
            stored_ratings,
            checklist,
            indicators,
            evidence,
            derived,
            ledger,
            consultations: consultations.iter().map(ConsultationEntry::from).collect(),
        })
    }

    /// The inputs of one scenario, with `measures` proposed instead of the scenario's own when given.
    /// Unknown and repeated measures are named by position under `field`.
    pub fn scenario(
        &self,
        scenario: &Scenario,
        measures: Option<Vec<String>>,
        field: &str,
    ) -> Result<ScenarioInputs, AppError> {
        let proposed = measures.unwrap_or_else(|| scenario.fields.measures.clone());
        check_measures(self.model, &proposed, field)?;
        let (counted, uncounted) = counted_measures(&proposed, &self.checklist);
        let ratings = match &scenario.fields.ratings {
            Some(own) => own
                .iter()
                .map(|(expert, sheet)| (expert.clone(), engine_sheet(sheet)))
                .collect(),
            None => self.stored_ratings.clone(),
        };
        let mut base = self.decision.fields.attributes.clone();
        base.extend(self.derived.iter().map(|(k, (v, _))| (k.clone(), *v)));
        let attributes = scenario.fields.attributes(&base);
        let attribute_sources = attributes
            .keys()
            .map(|name| {
                let source = if scenario.fields.overrides.contains_key(name) {
                    AttributeSource::Scenario
                } else if let Some((_, source)) = self.derived.get(name) {
                    source.clone()
                } else {
                    AttributeSource::Typed
                };
                (name.clone(), source)
            })
            .collect();
        let recorded = RecordedInputs {
            attribute_sources,
            ledger: self.ledger.evidence.clone(),
            consultations: self.consultations.clone(),
            attributes,
            decision: self.decision.clone(),
            ratings,
            indicators: self.indicators.clone(),
            measures: counted,
            petition_evidence: self
                .evidence
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(AppError::internal)?,
            scenario: Some(ScenarioRecord {
                id: scenario.id,
                name: scenario.fields.name.clone(),
                baseline: scenario.baseline,
                overrides: scenario.fields.overrides.clone(),
                own_ratings: scenario.fields.ratings.is_some(),
                proposed_measures: proposed.clone(),
                uncounted_measures: uncounted,
            }),
            checklist: self.checklist.iter().map(checklist_entry).collect(),
        };
        Ok(ScenarioInputs { recorded, proposed })
    }
}

/// Unknown and repeated measure ids, each named by its position.
fn check_measures(model: &Model, measures: &[String], field: &str) -> Result<(), FieldErrors> {
    let mut errors = Vec::new();
    for (k, id) in measures.iter().enumerate() {
        let shown: String = id.chars().take(60).collect();
        if model.measure(id).is_none() {
            errors.push(FieldError::new(
                format!("{field}[{k}]"),
                format!("'{shown}' is not a measure of model {}", model.id()),
            ));
        } else if measures[..k].contains(id) {
            errors.push(FieldError::new(
                format!("{field}[{k}]"),
                format!("'{shown}' is chosen more than once"),
            ));
        }
    }
    FieldErrors::from_vec(errors)
}

/// Splits the proposed measures into those the residual level counts — an item on the checklist with an
/// owner unit and a due date — and the others, each with the reason.
pub fn counted_measures(
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

fn checklist_entry(item: &ChecklistItem) -> ChecklistEntry {
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
