//! What a report is made from: a stored assessment only (its recorded inputs, its result and the
//! model snapshot it used) and other immutable records — the resolutions signed against it, the
//! newest assessment of each scenario made up to it — never live tables, so the same assessment
//! always gives the same report.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ReportError;
use crate::domain::resolution::{Outcome, Resolution};
use crate::scoring::model::{Level, Model};
use crate::scoring::record::{PetitionMonth, RecordedInputs};
use crate::scoring::sensitivity::{Sensitivity, sensitivity};
use crate::scoring::simulation::{Simulation, SimulationRequest, simulate};

use crate::domain::assessment::AssessmentHead;
use crate::scoring::record::AssessmentRecord;
use crate::scoring::{Assessment, GateOutcome};

/// The stored assessment's identity and authorship.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    pub assessment_id: Uuid,
    pub content_hash: String,
    pub created_at: DateTime<Utc>,
    pub author: String,
}

impl ReportMeta {
    pub fn of(head: &AssessmentHead) -> Self {
        Self {
            assessment_id: head.id,
            content_hash: head.content_hash.clone(),
            created_at: head.created_at,
            author: head.author.clone(),
        }
    }
}

/// Everything a report is made from: the assessment with its model, and the other immutable records it shows.
pub struct ReportSources {
    pub record: AssessmentRecord,
    pub model: Model,
    /// Signed against this assessment, oldest first.
    pub resolutions: Vec<Resolution>,
    /// The newest assessment of each scenario made up to this one (this one included), oldest first.
    pub scenario_records: Vec<AssessmentRecord>,
}

/// A resolution's fields that never change after signing (not its review flag, which does).
#[derive(Debug, Clone)]
pub struct SignedResolution {
    pub outcome: Outcome,
    pub conditions: String,
    pub gate_outcome: GateOutcome,
    pub override_reason: Option<String>,
    pub author: String,
    pub created_at: DateTime<Utc>,
}

impl From<Resolution> for SignedResolution {
    fn from(r: Resolution) -> Self {
        Self {
            outcome: r.outcome,
            conditions: r.conditions,
            gate_outcome: r.gate_outcome,
            override_reason: r.override_reason,
            author: r.author,
            created_at: r.created_at,
        }
    }
}

/// One scenario's newest assessment up to this report's.
#[derive(Debug, Clone)]
pub struct ScenarioPoint {
    /// The scenario's name as recorded in that assessment.
    pub name: Option<String>,
    pub baseline: bool,
    pub assessment_id: Uuid,
    pub r: f64,
    pub level: Level,
    pub residual_r: f64,
    pub residual_level: Level,
    /// The assessment this report is of.
    pub reported: bool,
}

pub struct ReportData {
    pub meta: ReportMeta,
    pub inputs: RecordedInputs,
    pub result: Assessment,
    pub model: Model,
    /// Flip points, weight intervals and the tornado bars.
    pub sensitivity: Sensitivity,
    /// The report's Monte Carlo, run on first use: a single chart such as the radar never needs it.
    simulation: OnceLock<Option<Simulation>>,
    pub resolutions: Vec<SignedResolution>,
    /// Oldest scenario assessment first; holds at least this report's own assessment.
    pub scenarios: Vec<ScenarioPoint>,
    /// Empty when the assessment read no petition data.
    pub petition_trend: Vec<PetitionMonth>,
}

/// Where one assessment of a scenario stands, for the scenario comparison.
fn scenario_point(
    assessment_id: Uuid,
    inputs: &RecordedInputs,
    result: &Assessment,
    reported: bool,
) -> ScenarioPoint {
    ScenarioPoint {
        name: inputs.scenario.as_ref().map(|s| s.name.clone()),
        baseline: inputs.scenario.as_ref().is_none_or(|s| s.baseline),
        assessment_id,
        r: result.initial.r,
        level: result.initial.level,
        residual_r: result.residual.outcome.r,
        residual_level: result.residual.outcome.level,
        reported,
    }
}

fn stored_error(what: &str, e: impl std::fmt::Display) -> ReportError {
    ReportError::Stored(format!("{what}: {e}"))
}

impl ReportData {
    /// The report's Monte Carlo: the draws and seed of the assessment's model snapshot, stated in the
    /// report's text so anyone can repeat it.
    pub fn simulation_request(&self) -> SimulationRequest {
        self.model.spec().analysis_numbers().report_simulation()
    }

    /// The Monte Carlo of the recorded inputs with [`Self::simulation_request`]; None when the inputs
    /// cannot be simulated (the appendix says so).
    pub fn simulation(&self) -> Option<&Simulation> {
        self.simulation
            .get_or_init(|| {
                simulate(
                    &self.model,
                    &self.inputs.engine_inputs(),
                    &self.simulation_request(),
                )
                .ok()
            })
            .as_ref()
    }

    /// Rebuilds the report's facts from the stored JSON texts and the model snapshot.
    pub fn from_stored(
        meta: ReportMeta,
        inputs: &str,
        result: &str,
        model_snapshot: &str,
    ) -> Result<Self, ReportError> {
        let inputs: RecordedInputs =
            serde_json::from_str(inputs).map_err(|e| stored_error("inputs", e))?;
        let result: Assessment =
            serde_json::from_str(result).map_err(|e| stored_error("result", e))?;
        let model = Model::from_snapshot_json(model_snapshot)
            .map_err(|e| stored_error("model snapshot", format!("{e:?}")))?;
        Self::new(meta, inputs, result, model)
    }

    /// The report's facts of one assessment: its inputs, its result and its model.
    pub fn new(
        meta: ReportMeta,
        inputs: RecordedInputs,
        result: Assessment,
        model: Model,
    ) -> Result<Self, ReportError> {
        let sensitivity = sensitivity(&model, &result);
        let petition_trend = inputs
            .petition_evidence
            .as_ref()
            .and_then(|e| e.get("monthly"))
            .map(|m| serde_json::from_value(m.clone()))
            .transpose()
            .map_err(|e| stored_error("petition trend", e))?
            .unwrap_or_default();
        let scenarios = vec![scenario_point(meta.assessment_id, &inputs, &result, true)];
        Ok(Self {
            meta,
            inputs,
            result,
            model,
            sensitivity,
            simulation: OnceLock::new(),
            resolutions: Vec::new(),
            scenarios,
            petition_trend,
        })
    }

    /// The report of a stored assessment with the other records it shows.
    pub fn from_sources(sources: ReportSources) -> Result<Self, ReportError> {
        let ReportSources {
            record,
            model,
            resolutions,
            scenario_records,
        } = sources;
        let mut data = Self::new(
            ReportMeta::of(&record.head),
            record.inputs,
            record.result,
            model,
        )?;
        data.resolutions = resolutions
            .into_iter()
            .map(SignedResolution::from)
            .collect();
        let scenarios: Vec<ScenarioPoint> = scenario_records
            .iter()
            .map(|other| {
                let reported = other.head.id == data.meta.assessment_id;
                scenario_point(other.head.id, &other.inputs, &other.result, reported)
            })
            .collect();
        if !scenarios.is_empty() {
            data.scenarios = scenarios;
        }
        Ok(data)
    }

    /// A factor's display name.
    pub fn factor_name(&self, id: &str, lang: super::Lang) -> String {
        self.result
            .factors
            .iter()
            .find(|f| f.id == id)
            .map(|f| lang.name(&f.name))
            .unwrap_or_else(|| id.to_owned())
    }

    /// The petition categories that occur in the trend, in a stable order.
    pub fn petition_categories(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&String> = self
            .petition_trend
            .iter()
            .flat_map(|m| m.by_category.keys())
            .collect();
        set.into_iter().cloned().collect()
    }

    /// A measure's display name, from the model's catalogue.
    pub fn measure_name(&self, id: &str, lang: super::Lang) -> String {
        self.model
            .spec()
            .measures
            .iter()
            .find(|m| m.id == id)
            .map(|m| lang.name(&m.name))
            .unwrap_or_else(|| id.to_owned())
    }

    /// The scenario's name, or the baseline's usual name when none was recorded.
    pub fn scenario_name(&self, point: &ScenarioPoint, lang: super::Lang) -> String {
        match &point.name {
            Some(name) => name.clone(),
            None => lang.pick("基准方案", "baseline").to_owned(),
        }
    }
}
