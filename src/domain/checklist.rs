//! The mitigation checklist (防范化解措施清单): each chosen measure with the unit and person
//! answerable for it, a due date and its progress.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::{check_line, check_text};
use super::{FieldError, FieldErrors};

const MAX_LINE_CHARS: usize = 200;
const MAX_NOTE_CHARS: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Planned,
    InProgress,
    Done,
    Verified,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Verified => "verified",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }

    fn finished(self) -> bool {
        matches!(self, Self::Done | Self::Verified)
    }
}

/// The fields a planner sets on an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemFields {
    /// A measure id from the risk model's catalogue.
    pub measure: String,
    /// The responsible unit (责任单位).
    #[serde(default)]
    pub owner_unit: Option<String>,
    /// The lead person (责任人).
    #[serde(default)]
    pub lead_person: Option<String>,
    /// The deadline (完成时限).
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default = "planned")]
    pub status: ItemStatus,
    /// What shows the measure was carried out.
    #[serde(default)]
    pub evidence_note: String,
}

fn planned() -> ItemStatus {
    ItemStatus::Planned
}

/// A checklist item as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChecklistItem {
    pub id: Uuid,
    pub decision_id: Uuid,
    #[serde(flatten)]
    pub fields: ItemFields,
    /// The factors the measure addresses, from the model's catalogue.
    pub factors: Vec<String>,
    /// Due date passed and not done.
    pub overdue: bool,
    /// An owner unit and a due date are set: the residual level of a new assessment counts the measure.
    pub assigned: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ChecklistItem {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

impl ItemFields {
    /// Checks the fields; errors are prefixed with `prefix` (e.g. `items[2].`).
    pub fn validate(&self, prefix: &str, known_measure: impl Fn(&str) -> bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !known_measure(&self.measure) {
            errors.push(FieldError::new(
                format!("{prefix}measure"),
                format!(
                    "'{}' is not a measure of the risk model for this decision's kind",
                    self.measure.chars().take(60).collect::<String>()
                ),
            ));
        }
        for (name, value) in [
            ("owner_unit", &self.owner_unit),
            ("lead_person", &self.lead_person),
        ] {
            if let Some(v) = value {
                check_line(
                    &mut errors,
                    &format!("{prefix}{name}"),
                    v,
                    1,
                    MAX_LINE_CHARS,
                );
            }
        }
        check_text(
            &mut errors,
            &format!("{prefix}evidence_note"),
            &self.evidence_note,
            MAX_NOTE_CHARS,
        );
        if matches!(self.status, ItemStatus::Done | ItemStatus::Verified)
            && (self.owner_unit.is_none() || self.due_date.is_none())
        {
            errors.push(FieldError::new(
                format!("{prefix}status"),
                "an item is done or verified only once it has an owner unit and a due date",
            ));
        }
        if self.status == ItemStatus::Verified && self.evidence_note.trim().is_empty() {
            errors.push(FieldError::new(
                format!("{prefix}evidence_note"),
                "a verified item needs an evidence note",
            ));
        }
        errors
    }

    pub fn assigned(&self) -> bool {
        self.owner_unit.is_some() && self.due_date.is_some()
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        !self.status.finished() && self.due_date.is_some_and(|d| d < today)
    }
}

/// Errors of a batch, all of them.
pub fn validate_items(
    items: &[ItemFields],
    known_measure: impl Fn(&str) -> bool,
) -> Result<(), FieldErrors> {
    let mut errors = Vec::new();
    if items.is_empty() {
        errors.push(FieldError::new("items", "give at least one item"));
    }
    for (k, item) in items.iter().enumerate() {
        errors.extend(item.validate(&format!("items[{k}]."), &known_measure));
        if items[..k].iter().any(|o| o.measure == item.measure) {
            errors.push(FieldError::new(
                format!("items[{k}].measure"),
                "the measure is listed more than once",
            ));
        }
    }
    FieldErrors::from_vec(errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(status: ItemStatus, due: Option<&str>) -> ItemFields {
        ItemFields {
            measure: "m".into(),
            owner_unit: Some("县自然资源局".into()),
            lead_person: None,
            due_date: due.map(|d| d.parse().unwrap()),
            status,
            evidence_note: String::new(),
        }
    }

    #[test]
    fn overdue_only_when_unfinished_past_due() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        assert!(item(ItemStatus::Planned, Some("2026-11-30")).overdue(today));
        assert!(!item(ItemStatus::Planned, Some("2026-12-01")).overdue(today));
        assert!(!item(ItemStatus::Done, Some("2026-11-30")).overdue(today));
        assert!(!item(ItemStatus::Planned, None).overdue(today));
        assert!(!item(ItemStatus::Planned, None).assigned());
        assert!(item(ItemStatus::Planned, Some("2026-11-30")).assigned());
    }

    #[test]
    fn batch_errors_name_the_item() {
        let mut bad = item(ItemStatus::Verified, None);
        bad.measure = "x".into();
        let errors =
            validate_items(&[item(ItemStatus::Planned, None), bad], |m| m == "m").unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "items[1].measure",
                "items[1].status",
                "items[1].evidence_note"
            ]
        );
    }
}
