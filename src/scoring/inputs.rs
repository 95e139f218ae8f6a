//! What an assessment is computed from: attributes, expert ratings, indicator values, chosen measures.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::error::{InputError, InputErrors};
use super::model::Model;

pub use crate::domain::attributes::AttributeValue;

/// One expert's judgment of one factor; grades 1..5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertRating {
    pub probability: u8,
    pub impact: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInputs {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
    /// expert id → factor id → rating
    #[serde(default)]
    pub ratings: BTreeMap<String, BTreeMap<String, ExpertRating>>,
    /// factor id → petition indicator value
    #[serde(default)]
    pub indicators: BTreeMap<String, f64>,
    #[serde(default)]
    pub measures: Vec<String>,
}

impl AssessmentInputs {
    /// Every input the model cannot accept, each naming the offending id.
    pub fn check(&self, model: &Model) -> Result<(), InputErrors> {
        let mut errors = Vec::new();
        for (name, v) in &self.attributes {
            if !v.as_f64().is_finite() {
                errors.push(InputError::NotFinite {
                    name: format!("attribute `{name}`"),
                });
            }
        }
        for (expert, ratings) in &self.ratings {
            if expert.trim().is_empty() {
                errors.push(InputError::EmptyExpert);
            }
            for (factor, r) in ratings {
                if model.factor_index(factor).is_none() {
                    errors.push(InputError::UnknownRatedFactor {
                        expert: expert.clone(),
                        factor: factor.clone(),
                    });
                }
                let fields = [
                    ("probability", Some(r.probability)),
                    ("impact", Some(r.impact)),
                    ("low", r.low),
                    ("high", r.high),
                ];
                for (field, value) in fields {
                    if let Some(v) = value.filter(|v| !(1..=5).contains(v)) {
                        errors.push(InputError::GradeOutOfRange {
                            expert: expert.clone(),
                            factor: factor.clone(),
                            field: field.into(),
                            value: v,
                        });
                    }
                }
                if let (Some(low), Some(high)) = (r.low, r.high)
                    && low > high
                {
                    errors.push(InputError::RangeInverted {
                        expert: expert.clone(),
                        factor: factor.clone(),
                        low,
                        high,
                    });
                }
            }
        }
        for (factor, v) in &self.indicators {
            if model.factor_index(factor).is_none() {
                errors.push(InputError::UnknownIndicatorFactor {
                    factor: factor.clone(),
                });
            }
            if !v.is_finite() {
                errors.push(InputError::NotFinite {
                    name: format!("indicator of `{factor}`"),
                });
            }
        }
        let mut seen = BTreeSet::new();
        for m in &self.measures {
            if model.measure(m).is_none() {
                errors.push(InputError::UnknownMeasure { measure: m.clone() });
            } else if !seen.insert(m.as_str()) {
                errors.push(InputError::DuplicateMeasure { measure: m.clone() });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors))
        }
    }
}
