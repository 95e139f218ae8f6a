//! A petition (信访件) as wenping keeps it — no names, no personal data — and what one record adds to the
//! monthly rollups of every region prefix it lies in.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Channels of DESIGN §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Letter,
    Visit,
    Phone,
    Online,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandlingStatus {
    Accepted,
    Handling,
    Concluded,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    Unknown,
}

macro_rules! names {
    ($ty:ident { $($variant:ident = $name:literal),* }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),* }
            }
            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }
        }
    };
}
names!(Channel { Letter = "letter", Visit = "visit", Phone = "phone", Online = "online", Other = "other" });
names!(HandlingStatus { Accepted = "accepted", Handling = "handling", Concluded = "concluded", Closed = "closed" });
names!(Satisfaction {
    Satisfied = "satisfied",
    BasicallySatisfied = "basically_satisfied",
    Dissatisfied = "dissatisfied",
    Unknown = "unknown"
});

impl HandlingStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Concluded | Self::Closed)
    }
}

/// One validated petition record; the source id is its key across imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PetitionRecord {
    pub source_id: String,
    pub received_on: NaiveDate,
    pub channel: Channel,
    /// A 6-, 9- or 12-digit division code.
    pub region_code: String,
    /// A canonical category of the vocabulary.
    pub category: String,
    /// The category as the source named it, when that differs from the canonical name.
    pub subcategory: Option<String>,
    pub headcount: i32,
    pub collective: bool,
    pub repeated: bool,
    pub escalated: bool,
    pub status: HandlingStatus,
    pub due_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub satisfaction: Satisfaction,
    /// Finished after the due date, or still open past it on the day of import.
    pub overdue: bool,
    pub decision_id: Option<Uuid>,
}

/// A month as yyyymm, the rollup's time key.
pub fn month_key(date: NaiveDate) -> i32 {
    date.year() * 100 + date.month() as i32
}

/// The month `delta` months after (or before) `month`.
pub fn add_months(month: i32, delta: i32) -> i32 {
    let index = (month / 100) * 12 + (month % 100 - 1) + delta;
    index.div_euclid(12) * 100 + index.rem_euclid(12) + 1
}

/// Parses `YYYY-MM` into a month key.
pub fn parse_month(raw: &str) -> Option<i32> {
    let (y, m) = raw.trim().split_once('-')?;
    let (y, m): (i32, i32) = (y.parse().ok()?, m.parse().ok()?);
    ((1900..=9999).contains(&y) && (1..=12).contains(&m)).then_some(y * 100 + m)
}

/// The prefixes a record is counted under: county, township and village, as deep as its code goes.
pub fn rollup_prefixes(code: &str) -> impl Iterator<Item = &str> {
    [6, 9, 12]
        .into_iter()
        .filter(move |&n| code.len() >= n)
        .map(move |n| &code[..n])
}

/// The sums one month of one region prefix × category holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RollupCounts {
    pub petitions: i64,
    pub collective: i64,
    pub headcount: i64,
    pub collective_headcount: i64,
    pub repeated: i64,
    pub escalated: i64,
    pub overdue: i64,
    pub dissatisfied: i64,
}

impl RollupCounts {
    /// What one record adds (`sign` = 1) or removes (`sign` = -1).
    pub fn of(record: &PetitionRecord, sign: i64) -> Self {
        let flag = |b: bool| if b { sign } else { 0 };
        let headcount = i64::from(record.headcount) * sign;
        Self {
            petitions: sign,
            collective: flag(record.collective),
            headcount,
            collective_headcount: if record.collective { headcount } else { 0 },
            repeated: flag(record.repeated),
            escalated: flag(record.escalated),
            overdue: flag(record.overdue),
            dissatisfied: flag(record.satisfaction == Satisfaction::Dissatisfied),
        }
    }

    pub fn add(&mut self, other: &Self) {
        self.petitions += other.petitions;
        self.collective += other.collective;
        self.headcount += other.headcount;
        self.collective_headcount += other.collective_headcount;
        self.repeated += other.repeated;
        self.escalated += other.escalated;
        self.overdue += other.overdue;
        self.dissatisfied += other.dissatisfied;
    }
}

/// One rollup row: a region prefix × category × month and its sums (or, during import, the change to them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRow {
    pub region_prefix: String,
    pub category: String,
    pub month: i32,
    pub counts: RollupCounts,
}

/// Rollup changes summed in parts (an import's batches) merged into one change per key, in key order; keys
/// whose changes cancel out are left out.
pub fn merge_rollup_rows(parts: Vec<Vec<RollupRow>>) -> Vec<RollupRow> {
    let mut merged: BTreeMap<(String, String, i32), RollupCounts> = BTreeMap::new();
    for row in parts.into_iter().flatten() {
        merged
            .entry((row.region_prefix, row.category, row.month))
            .or_default()
            .add(&row.counts);
    }
    merged
        .into_iter()
        .filter(|(_, counts)| *counts != RollupCounts::default())
        .map(|((region_prefix, category, month), counts)| RollupRow {
            region_prefix,
            category,
            month,
            counts,
        })
        .collect()
}

/// A region of the region table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub population: i64,
    pub households: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_years() {
        assert_eq!(add_months(202401, -1), 202312);
        assert_eq!(add_months(202412, 1), 202501);
        assert_eq!(add_months(202406, -18), 202212);
        assert_eq!(parse_month("2024-03"), Some(202403));
        assert_eq!(parse_month("2024-13"), None);
    }

    #[test]
    fn merged_parts_sum_per_key_and_drop_what_cancels_out() {
        let row = |prefix: &str, month, petitions| RollupRow {
            region_prefix: prefix.into(),
            category: "c".into(),
            month,
            counts: RollupCounts {
                petitions,
                ..Default::default()
            },
        };
        let merged = merge_rollup_rows(vec![
            vec![row("330299", 202401, 2), row("330299001", 202401, -1)],
            vec![row("330299", 202401, 3), row("330299001", 202401, 1)],
            vec![row("330299", 202312, 1)],
        ]);
        assert_eq!(merged, [row("330299", 202312, 1), row("330299", 202401, 5)]);
    }

    #[test]
    fn a_village_record_counts_in_its_township_and_county() {
        let p: Vec<&str> = rollup_prefixes("330199001002").collect();
        assert_eq!(p, ["330199", "330199001", "330199001002"]);
        assert_eq!(rollup_prefixes("330199").count(), 1);
    }
}
