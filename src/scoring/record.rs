//! The stored form of an assessment: the inputs as they were, the model hash and the result, bound
//! by a content hash; replaying recomputes the result from a stored model snapshot and lists what differs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::assessment::Assessment;
use super::canonical::{canonical_json, sha256_hex};
use super::engine::assess;
use super::inputs::{AssessmentInputs, AttributeValue, ExpertRating};
use super::model::Model;
use crate::domain::assessment::AssessmentHead;
use crate::domain::decision::Decision;
use crate::domain::ratings::FactorRating;

/// Differences beyond this many are counted but not listed.
const MAX_DIFFERENCES: usize = 100;

/// Everything an assessment was computed from, as it was at that moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedInputs {
    /// The decision as it was read, before the assessment moved its status.
    pub decision: Decision,
    pub attributes: BTreeMap<String, AttributeValue>,
    /// expert → factor id → rating
    pub ratings: BTreeMap<String, BTreeMap<String, ExpertRating>>,
    /// factor id → petition indicator value
    pub indicators: BTreeMap<String, f64>,
    pub measures: Vec<String>,
    /// The petition-data snapshot the indicators were read at, and each factor's regions and window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub petition_evidence: Option<Value>,
    /// The scenario assessed, as it was, and the proposed measures the residual did not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioRecord>,
    /// The decision's mitigation checklist as it stood (owners, deadlines, progress), for the report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistEntry>,
    /// Where each attribute's value came from: typed in, a scenario's override, a consultation record or the
    /// concern ledger.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attribute_sources: BTreeMap<String, AttributeSource>,
    /// The concern ledger as it was read: a replay uses this, not the ledger as it is later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerEvidence>,
    /// The decision's consultation records as they were, for the report's chapter 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consultations: Vec<crate::domain::consultation::ConsultationEntry>,
}

/// Where an attribute's value came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum AttributeSource {
    /// Typed in on the decision.
    Typed,
    /// A scenario's override.
    Scenario,
    /// Computed from a consultation record.
    Consultation {
        consultation_id: uuid::Uuid,
        /// public_notice | questionnaire | hearing …
        kind: String,
        /// The day the record speaks for.
        day: chrono::NaiveDate,
    },
    /// Counted in the concern ledger when the assessment was made.
    Ledger,
}

/// What an assessment records of the concern ledger (民情台账): the concerns registered for the decision as
/// they stood, their measures, and each ledger factor's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEvidence {
    pub read_at: chrono::DateTime<chrono::Utc>,
    pub measures: crate::domain::ledger::LedgerMeasures,
    /// factor id → {indicator, topics, value}
    pub factors: BTreeMap<String, Value>,
    pub concerns: Vec<crate::domain::ledger::ConcernLine>,
}

/// A stored assessment read back: its head, the inputs as they were and the engine's result.
#[derive(Debug, Clone)]
pub struct AssessmentRecord {
    pub head: AssessmentHead,
    pub inputs: RecordedInputs,
    pub result: Assessment,
}

/// One checklist item as it stood when the assessment was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistEntry {
    pub measure: String,
    pub factors: Vec<String>,
    pub owner_unit: Option<String>,
    pub lead_person: Option<String>,
    pub due_date: Option<chrono::NaiveDate>,
    /// planned | in_progress | done | verified
    pub status: String,
    pub overdue: bool,
    pub evidence_note: String,
}

/// One month of petitions in the decision's regions, by category, as read when the assessment was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetitionMonth {
    /// YYYY-MM
    pub month: String,
    pub petitions: i64,
    /// category → petitions
    pub by_category: BTreeMap<String, i64>,
}

/// What an assessment records of the petition data it read: the snapshot and each factor's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetitionEvidence {
    /// Petition-data snapshot (import sequence number) the indicators were computed at.
    pub snapshot: i64,
    /// factor id → {indicator, regions, categories, from, to, value}
    pub factors: BTreeMap<String, Value>,
    /// The decision's regions, every category, month by month over the model's longest petition window:
    /// the report's trend chart. Absent in records made before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monthly: Vec<PetitionMonth>,
}

/// The scenario an assessment was made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRecord {
    pub id: uuid::Uuid,
    pub name: String,
    pub baseline: bool,
    pub overrides: BTreeMap<String, AttributeValue>,
    /// The scenario carried its own expert ratings (else the decision's were used).
    pub own_ratings: bool,
    /// The measures proposed for the residual level.
    pub proposed_measures: Vec<String>,
    /// Proposed measures left out of the residual level, with the reason.
    pub uncounted_measures: Vec<UncountedMeasure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncountedMeasure {
    pub measure: String,
    pub reason: String,
}

impl RecordedInputs {
    pub fn engine_inputs(&self) -> AssessmentInputs {
        AssessmentInputs {
            attributes: self.attributes.clone(),
            ratings: self.ratings.clone(),
            indicators: self.indicators.clone(),
            measures: self.measures.clone(),
        }
    }
}

impl From<&FactorRating> for ExpertRating {
    fn from(r: &FactorRating) -> Self {
        ExpertRating {
            probability: r.probability,
            impact: r.impact,
            low: r.low,
            high: r.high,
            note: r.note.clone(),
        }
    }
}

/// The texts that are stored and the hash that binds them.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedRecord {
    /// Canonical JSON of the inputs.
    pub inputs: String,
    /// Canonical JSON of the result.
    pub result: String,
    pub content_hash: String,
}

/// SHA-256 (hex) of the canonical JSON of {inputs, model_hash, result}.
pub fn content_hash(inputs: &Value, model_hash: &str, result: &Value) -> String {
    let content = json!({"inputs": inputs, "model_hash": model_hash, "result": result});
    sha256_hex(canonical_json(&content).as_bytes())
}

pub fn seal(
    inputs: &RecordedInputs,
    model_hash: &str,
    result: &Assessment,
) -> Result<SealedRecord, serde_json::Error> {
    let inputs = serde_json::to_value(inputs)?;
    let result = serde_json::to_value(result)?;
    Ok(SealedRecord {
        content_hash: content_hash(&inputs, model_hash, &result),
        inputs: canonical_json(&inputs),
        result: canonical_json(&result),
    })
}

/// One number or value that came out differently, by its JSON path in the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub path: String,
    pub stored: Value,
    pub recomputed: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayReport {
    /// The recomputed result equals the stored one exactly, bit for bit.
    pub matches: bool,
    pub content_hash: String,
    /// Hash of the stored inputs, the model hash and the recomputed result.
    pub recomputed_hash: Option<String>,
    /// The stored texts still hash to the stored content hash.
    pub stored_content_verified: bool,
    pub differences: Vec<Difference>,
    /// How many differences there were in all (only the first 100 are listed).
    pub difference_count: usize,
    /// Why nothing could be recomputed, when that is the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Recomputes a stored assessment from its stored inputs and model snapshot only.
pub fn replay(model_snapshot: &str, inputs: &str, result: &str, stored_hash: &str) -> ReplayReport {
    let parsed = (
        serde_json::from_str::<Value>(inputs),
        serde_json::from_str::<Value>(result),
    );
    let (Ok(inputs_value), Ok(result_value)) = parsed else {
        return failed(
            stored_hash,
            false,
            "the stored inputs or result are not valid JSON".into(),
        );
    };
    let model_hash = match serde_json::from_str::<Value>(model_snapshot) {
        Ok(v) => v["hash"].as_str().unwrap_or_default().to_owned(),
        Err(e) => {
            return failed(
                stored_hash,
                false,
                format!("the stored model snapshot is not valid JSON: {e}"),
            );
        }
    };
    let verified = content_hash(&inputs_value, &model_hash, &result_value) == stored_hash;
    let model = match Model::from_snapshot_json(model_snapshot) {
        Ok(m) => m,
        Err(e) => {
            return failed(
                stored_hash,
                verified,
                format!("the stored model snapshot cannot be restored: {e}"),
            );
        }
    };
    let recorded: RecordedInputs = match serde_json::from_value(inputs_value.clone()) {
        Ok(r) => r,
        Err(e) => {
            return failed(
                stored_hash,
                verified,
                format!("the stored inputs cannot be read: {e}"),
            );
        }
    };
    let recomputed = match assess(&model, &recorded.engine_inputs())
        .map_err(|e| e.to_string())
        .and_then(|a| serde_json::to_value(a).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            return failed(
                stored_hash,
                verified,
                format!("the engine refuses the stored inputs: {e}"),
            );
        }
    };
    let recomputed_hash = content_hash(&inputs_value, model.hash(), &recomputed);
    let mut differences = Vec::new();
    let mut count = 0;
    diff("", &result_value, &recomputed, &mut differences, &mut count);
    ReplayReport {
        matches: count == 0 && verified && recomputed_hash == stored_hash,
        content_hash: stored_hash.to_owned(),
        recomputed_hash: Some(recomputed_hash),
        stored_content_verified: verified,
        differences,
        difference_count: count,
        error: None,
    }
}

fn failed(stored_hash: &str, verified: bool, error: String) -> ReplayReport {
    ReplayReport {
        matches: false,
        content_hash: stored_hash.to_owned(),
        recomputed_hash: None,
        stored_content_verified: verified,
        differences: Vec::new(),
        difference_count: 0,
        error: Some(error),
    }
}

/// Walks both values side by side; numbers compare exactly, as their JSON texts.
fn diff(
    path: &str,
    stored: &Value,
    recomputed: &Value,
    out: &mut Vec<Difference>,
    count: &mut usize,
) {
    match (stored, recomputed) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff(&child, x, y, out, count),
                    (x, y) => {
                        let null = Value::Null;
                        record_difference(
                            child,
                            x.unwrap_or(&null),
                            y.unwrap_or(&null),
                            out,
                            count,
                        );
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (k, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{k}]"), x, y, out, count);
            }
        }
        (a, b) if a == b => {}
        (a, b) => record_difference(path.to_owned(), a, b, out, count),
    }
}

fn record_difference(
    path: String,
    stored: &Value,
    recomputed: &Value,
    out: &mut Vec<Difference>,
    count: &mut usize,
) {
    *count += 1;
    if out.len() < MAX_DIFFERENCES {
        out.push(Difference {
            path,
            stored: stored.clone(),
            recomputed: recomputed.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn differences_name_the_path_of_each_changed_number() {
        let a = json!({"r": 0.5, "factors": [{"degree": 0.2}, {"degree": 0.3}], "x": 1});
        let b = json!({"r": 0.5, "factors": [{"degree": 0.2}, {"degree": 0.31}], "y": 1});
        let mut out = Vec::new();
        let mut count = 0;
        diff("", &a, &b, &mut out, &mut count);
        let paths: Vec<&str> = out.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["factors[1].degree", "x", "y"]);
        assert_eq!(count, 3);
    }

    #[test]
    fn the_hash_covers_inputs_model_and_result() {
        let inputs = json!({"measures": []});
        let result = json!({"r": 0.25});
        let h = content_hash(&inputs, "abc", &result);
        assert_ne!(h, content_hash(&inputs, "abd", &result));
        assert_ne!(h, content_hash(&inputs, "abc", &json!({"r": 0.250000001})));
        assert_ne!(h, content_hash(&json!({"measures": ["m"]}), "abc", &result));
        assert_eq!(h.len(), 64);
    }
}
