//! Expert ratings (专家打分): one expert's probability and impact grades of a decision's risk factors.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::text::check_text;
use super::{FieldError, FieldErrors};

const MAX_EXPERT_CHARS: usize = 100;
const MAX_NOTE_CHARS: usize = 2_000;

/// The name an expert rates under: 1–100 characters, no control characters, no outer spaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpertName(String);

impl ExpertName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if raw.trim().is_empty() {
            return Err("must not be empty".into());
        }
        if chars > MAX_EXPERT_CHARS {
            return Err(format!("must be at most {MAX_EXPERT_CHARS} characters"));
        }
        if raw.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        // "王 " and "王" would otherwise be two experts.
        if raw.trim() != raw {
            return Err("must not start or end with spaces".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One expert's judgment of one factor: grades 1..5, with an optional low–high range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorRating {
    /// Probability grade, 1 (very unlikely) to 5 (almost certain).
    #[schema(minimum = 1, maximum = 5)]
    pub probability: u8,
    /// Impact grade, 1 (slight) to 5 (severe).
    #[schema(minimum = 1, maximum = 5)]
    pub impact: u8,
    /// Lowest plausible grade, 1..5, at most `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 5)]
    pub low: Option<u8>,
    /// Highest plausible grade, 1..5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 5)]
    pub high: Option<u8>,
    /// The expert's reasoning, up to 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// factor id → rating.
pub type RatingSheet = BTreeMap<String, FactorRating>;

/// One expert's sheet as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ExpertSheet {
    pub expert: String,
    /// factor id → rating
    #[schema(value_type = BTreeMap<String, FactorRating>, inline)]
    pub ratings: RatingSheet,
    /// Who recorded the sheet (the acting user).
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// Checks a sheet against the factors the decision's risk model knows; errors name
/// `factor_id` or `factor_id.field`.
pub fn validate_sheet(
    sheet: &RatingSheet,
    known_factor: impl Fn(&str) -> bool,
) -> Result<(), FieldErrors> {
    let mut errors = Vec::new();
    for (factor, rating) in sheet {
        if !known_factor(factor) {
            errors.push(FieldError::new(
                factor.clone(),
                "not a factor of the risk model for this decision's kind",
            ));
            continue;
        }
        let grades = [
            ("probability", Some(rating.probability)),
            ("impact", Some(rating.impact)),
            ("low", rating.low),
            ("high", rating.high),
        ];
        for (field, grade) in grades {
            if let Some(g) = grade.filter(|g| !(1..=5).contains(g)) {
                errors.push(FieldError::new(
                    format!("{factor}.{field}"),
                    format!("grade {g} is outside 1..5"),
                ));
            }
        }
        if let (Some(low), Some(high)) = (rating.low, rating.high)
            && low > high
        {
            errors.push(FieldError::new(
                format!("{factor}.low"),
                format!("low grade {low} is above high grade {high}"),
            ));
        }
        if let Some(note) = &rating.note {
            check_text(&mut errors, &format!("{factor}.note"), note, MAX_NOTE_CHARS);
        }
    }
    FieldErrors::from_vec(errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn expert_names_are_one_clean_line() {
        assert!(ExpertName::parse("王专家").is_ok());
        assert!(ExpertName::parse("").is_err());
        assert!(ExpertName::parse(" 王").is_err());
        assert!(ExpertName::parse("a\u{0}b").is_err());
        assert!(ExpertName::parse(&"长".repeat(101)).is_err());
        assert!(ExpertName::parse(&"长".repeat(100)).is_ok());
    }

    #[test]
    fn sheet_errors_name_factor_and_field() {
        let sheet: RatingSheet = serde_json::from_value(serde_json::json!({
            "a": {"probability": 0, "impact": 6},
            "b": {"probability": 2, "impact": 2, "low": 4, "high": 3},
            "zzz": {"probability": 2, "impact": 2},
        }))
        .unwrap();
        let errors = validate_sheet(&sheet, |f| f != "zzz").unwrap_err().0;
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a.probability", "a.impact", "b.low", "zzz"]);
    }
}
