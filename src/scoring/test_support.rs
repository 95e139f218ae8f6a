//! Inputs for property tests: seeded expert panels over any model.

use std::collections::BTreeMap;

use crate::rng::Rng;

use super::inputs::{AssessmentInputs, ExpertRating};
use super::model::{DecisionKind, Model};

/// Three experts rate the factors from the seed; each leaves out about one factor in eight. No attributes or
/// indicators, so attribute and petition factors fall back to the experts (or to the assumed grades).
pub(crate) fn random_inputs(model: &Model, seed: u64) -> AssessmentInputs {
    let mut rng = Rng::new(seed);
    let mut ratings = BTreeMap::new();
    for e in ["expert_a", "expert_b", "expert_c"] {
        let mut mine = BTreeMap::new();
        for f in &model.spec().factors {
            if rng.chance(88) {
                mine.insert(f.id.clone(), rating(&mut rng));
            }
        }
        ratings.insert(e.to_string(), mine);
    }
    AssessmentInputs {
        ratings,
        ..AssessmentInputs::default()
    }
}

fn rating(rng: &mut Rng) -> ExpertRating {
    let grade = |rng: &mut Rng| 1 + rng.below(5) as u8;
    ExpertRating {
        probability: grade(rng),
        impact: grade(rng),
        low: None,
        high: None,
        note: None,
    }
}

/// The fields of an offline assessment file the tests read; the CLI's reader of that file lives above scoring.
#[derive(serde::Deserialize)]
struct Example {
    kind: DecisionKind,
    #[serde(flatten)]
    inputs: AssessmentInputs,
}

/// The land requisition example and its model.
pub(crate) fn land_example() -> (Model, AssessmentInputs) {
    let file: Example = serde_json::from_str(include_str!("../../examples/assess-land.json"))
        .unwrap_or_else(|e| panic!("example: {e}"));
    let models = super::bundled_models().unwrap_or_else(|e| panic!("models: {e:?}"));
    let model = models
        .into_iter()
        .find(|m| m.kind() == file.kind)
        .unwrap_or_else(|| panic!("no model for the example"));
    (model, file.inputs)
}
