//! Scenarios (方案): alternatives of one decision — attribute overrides, optionally the experts'
//! ratings of this alternative, and the chosen mitigation measures.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::attributes::{AttributeValue, validate_attributes};
use super::ratings::{RatingSheet, validate_sheet};
use super::text::{check_line, check_text};
use super::{FieldError, FieldErrors};

const MAX_NAME_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 5_000;
const MAX_MEASURES: usize = 64;

/// What a planner writes about a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFields {
    /// e.g. "补偿按市场价 100%"
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Decision attributes that differ in this alternative, e.g. `{"compensation_ratio": 1.0}`.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, super::attributes::AttributeValueSchema>)]
    pub overrides: BTreeMap<String, AttributeValue>,
    /// expert → factor id → rating, when the experts rated this alternative on its own; absent =
    /// the decision's ratings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, super::ratings::FactorRating>>>)]
    pub ratings: Option<BTreeMap<String, RatingSheet>>,
    /// Chosen mitigation measures (ids from the model's catalogue).
    #[serde(default)]
    pub measures: Vec<String>,
}

/// A scenario as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scenario {
    pub id: Uuid,
    pub decision_id: Uuid,
    /// The decision as registered; every decision has one, and it cannot be deleted.
    pub baseline: bool,
    #[serde(flatten)]
    pub fields: ScenarioFields,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Scenario {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

impl ScenarioFields {
    pub fn baseline() -> Self {
        Self {
            name: "基准方案".into(),
            description: String::new(),
            overrides: BTreeMap::new(),
            ratings: None,
            measures: Vec::new(),
        }
    }

    /// Checks the fields; `known_factor` and `known_measure` answer for the decision's models.
    pub fn validate(
        &self,
        known_factor: impl Fn(&str) -> bool,
        known_measure: impl Fn(&str) -> bool,
    ) -> Result<(), FieldErrors> {
        let mut errors = Vec::new();
        check_line(&mut errors, "name", &self.name, 1, MAX_NAME_CHARS);
        check_text(
            &mut errors,
            "description",
            &self.description,
            MAX_DESCRIPTION_CHARS,
        );
        let mut attribute_errors = Vec::new();
        validate_attributes(&mut attribute_errors, &self.overrides);
        errors.extend(attribute_errors.into_iter().map(|e| FieldError {
            field: e.field.replacen("attributes", "overrides", 1),
            message: e.message,
        }));
        for (expert, sheet) in self.ratings.iter().flatten() {
            if let Err(sheet_errors) = validate_sheet(sheet, &known_factor) {
                errors.extend(sheet_errors.0.into_iter().map(|e| FieldError {
                    field: format!("ratings.{expert}.{}", e.field),
                    message: e.message,
                }));
            }
        }
        if self.measures.len() > MAX_MEASURES {
            errors.push(FieldError::new(
                "measures",
                format!("at most {MAX_MEASURES} measures"),
            ));
        }
        for (k, id) in self.measures.iter().enumerate() {
            let shown: String = id.chars().take(60).collect();
            if !known_measure(id) {
                errors.push(FieldError::new(
                    format!("measures[{k}]"),
                    format!(
                        "'{shown}' is not a measure of the risk model for this decision's kind"
                    ),
                ));
            } else if self.measures[..k].contains(id) {
                errors.push(FieldError::new(
                    format!("measures[{k}]"),
                    format!("'{shown}' is chosen more than once"),
                ));
            }
        }
        FieldErrors::from_vec(errors)
    }

    /// The decision's attributes with this scenario's overrides applied.
    pub fn attributes(
        &self,
        decision: &BTreeMap<String, AttributeValue>,
    ) -> BTreeMap<String, AttributeValue> {
        let mut merged = decision.clone();
        merged.extend(self.overrides.iter().map(|(k, v)| (k.clone(), *v)));
        merged
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn errors_name_the_field_and_overrides_win() {
        let fields: ScenarioFields = serde_json::from_value(serde_json::json!({
            "name": "",
            "overrides": {"signing_rate": 1.5},
            "ratings": {"王": {"nope": {"probability": 3, "impact": 3}}},
            "measures": ["a", "a", "zz"]
        }))
        .unwrap();
        let errors = fields.validate(|f| f == "known", |m| m == "a").unwrap_err();
        let named: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            named,
            [
                "name",
                "overrides.signing_rate",
                "ratings.王.nope",
                "measures[1]",
                "measures[2]"
            ]
        );
        let base = BTreeMap::from([
            (
                "compensation_ratio".to_string(),
                AttributeValue::Number(0.8),
            ),
            ("hearing_held".to_string(), AttributeValue::Flag(true)),
        ]);
        let ok = ScenarioFields {
            overrides: BTreeMap::from([(
                "compensation_ratio".to_string(),
                AttributeValue::Number(1.0),
            )]),
            ..ScenarioFields::baseline()
        };
        let merged = ok.attributes(&base);
        assert_eq!(merged["compensation_ratio"], AttributeValue::Number(1.0));
        assert_eq!(merged["hearing_held"], AttributeValue::Flag(true));
    }
}
