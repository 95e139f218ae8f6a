//! The decision register's vocabulary: a proposed major decision (决策事项) and the rules its fields obey.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::Scope;
use super::attributes::{AttributeValue, validate_attributes};
use super::region::RegionCode;
use super::text::{check_line, check_text};
use super::{FieldError, FieldErrors};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    LandRequisition,
    HouseExpropriation,
    EnterpriseRestructuring,
    MajorProject,
    Other,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 5] = [
        Self::LandRequisition,
        Self::HouseExpropriation,
        Self::EnterpriseRestructuring,
        Self::MajorProject,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LandRequisition => "land_requisition",
            Self::HouseExpropriation => "house_expropriation",
            Self::EnterpriseRestructuring => "enterprise_restructuring",
            Self::MajorProject => "major_project",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }
}

/// The lifecycle of a decision, in the order of the 稳评 process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    Draft,
    Assessing,
    Assessed,
    Decided,
    Implementing,
    Closed,
}

impl DecisionStatus {
    /// In the lifecycle's order.
    pub const ALL: [DecisionStatus; 6] = [
        Self::Draft,
        Self::Assessing,
        Self::Assessed,
        Self::Decided,
        Self::Implementing,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Assessing => "assessing",
            Self::Assessed => "assessed",
            Self::Decided => "decided",
            Self::Implementing => "implementing",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }

    /// A decision moves one step forward at a time; until the committee has decided it may go back
    /// to draft or assessing to be reassessed. Decided and later never go back.
    pub fn may_become(self, next: Self) -> bool {
        use DecisionStatus::*;
        let forward = matches!(
            (self, next),
            (Draft, Assessing)
                | (Assessing, Assessed)
                | (Assessed, Decided)
                | (Decided, Implementing)
                | (Implementing, Closed)
        );
        let back_to_rework = self <= Assessed && matches!(next, Draft | Assessing);
        self == next || forward || back_to_rework
    }
}

/// Who is touched by the decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Affected {
    #[serde(default)]
    pub households: u32,
    #[serde(default)]
    pub people: u32,
    #[serde(default)]
    pub workers: u32,
}

/// Everything a planner may set on a decision; used both to create one and, after a JSON merge
/// patch has been applied to the current state, to change one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionFields {
    /// Title of the matter, 1–200 characters.
    pub title: String,
    pub kind: DecisionKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub responsible_unit: String,
    /// Affected administrative divisions: 6 (county), 9 (township) or 12 (village) digits.
    #[schema(value_type = Vec<String>, example = json!(["330199001"]))]
    pub regions: Vec<RegionCode>,
    #[serde(default)]
    pub affected: Affected,
    #[serde(default)]
    pub budget_yuan: Option<f64>,
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    /// Named facts of the decision: numbers or booleans (compensation_ratio, signing_rate, …).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, super::attributes::AttributeValueSchema>)]
    pub attributes: BTreeMap<String, AttributeValue>,
    #[serde(default = "draft")]
    pub status: DecisionStatus,
}

fn draft() -> DecisionStatus {
    DecisionStatus::Draft
}

/// Largest budget accepted: 10¹⁵ yuan is far beyond any single decision.
const MAX_BUDGET_YUAN: f64 = 1e15;
const MAX_REGIONS: usize = 200;

impl DecisionFields {
    /// Checks what the types alone cannot; every problem is reported with its field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = Vec::new();
        check_line(&mut errors, "title", &self.title, 1, 200);
        check_text(&mut errors, "description", &self.description, 20_000);
        check_line(
            &mut errors,
            "responsible_unit",
            &self.responsible_unit,
            0,
            200,
        );
        if self.regions.is_empty() {
            errors.push(FieldError::new(
                "regions",
                "at least one affected region is required",
            ));
        }
        if self.regions.len() > MAX_REGIONS {
            errors.push(FieldError::new(
                "regions",
                format!("at most {MAX_REGIONS} regions may be listed"),
            ));
        }
        for (i, code) in self.regions.iter().enumerate() {
            if self.regions[..i].contains(code) {
                errors.push(FieldError::new(
                    format!("regions[{i}]"),
                    format!("region {code} is listed twice"),
                ));
            }
        }
        if let Some(budget) = self.budget_yuan
            && (!budget.is_finite() || !(0.0..=MAX_BUDGET_YUAN).contains(&budget))
        {
            errors.push(FieldError::new(
                "budget_yuan",
                "must be a number between 0 and 1e15",
            ));
        }
        validate_attributes(&mut errors, &self.attributes);
        FieldErrors::from_vec(errors)
    }
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: DecisionFields,
    /// Incremented on every change; the ETag is derived from it.
    pub version: i64,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Decision {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionSort {
    Created,
    Title,
}

/// Where the previous page ended, for keyset pagination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionPosition {
    pub seq: i64,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct DecisionFilter {
    pub kind: Option<DecisionKind>,
    /// Any of these statuses; empty = every status.
    pub statuses: Vec<DecisionStatus>,
    /// Digits only (validated by the caller); matches any affected region starting with it.
    pub region_prefix: Option<String>,
    pub title_contains: Option<String>,
    pub include_archived: bool,
    /// Only decisions whose every region lies inside this scope.
    pub scope: Scope,
    pub sort: DecisionSort,
    pub descending: bool,
    pub after: Option<DecisionPosition>,
    pub limit: u32,
    /// The level after measures of the newest assessment.
    pub residual_level: Option<super::gate::Level>,
    /// Only decisions whose resolution in force needs review.
    pub needs_review: bool,
    /// Only decisions with checklist items past due and unfinished on `today`.
    pub overdue_on: Option<chrono::NaiveDate>,
    /// Only decisions whose resolution in force has follow-up alerts.
    pub alerted: bool,
    /// Only decisions resolved on or after this moment.
    pub resolved_since: Option<DateTime<Utc>>,
}

impl DecisionFilter {
    /// Every decision of the scope, in creation order, a page of `limit`.
    pub fn all(limit: u32) -> Self {
        Self {
            kind: None,
            statuses: Vec::new(),
            region_prefix: None,
            title_contains: None,
            include_archived: false,
            scope: Scope::everywhere(),
            sort: DecisionSort::Created,
            descending: false,
            after: None,
            limit,
            residual_level: None,
            needs_review: false,
            overdue_on: None,
            alerted: false,
            resolved_since: None,
        }
    }
}
