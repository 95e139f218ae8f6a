//! The indicators of DESIGN §6 for a set of regions, categories and a window, from monthly rollups only — so
//! their cost follows the number of months, never the number of records.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::vocabulary::PetitionAnalysis;
use crate::domain::petition::{RollupCounts, RollupRow, add_months};
use crate::scoring::model::PetitionIndicator;

/// What to compute: regions (already reduced so none contains another), categories (None = all) and window.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub regions: Vec<String>,
    pub categories: Option<Vec<String>>,
    /// First and last month of the window, yyyymm, inclusive.
    pub from: i32,
    pub to: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCount {
    /// YYYY-MM
    pub month: String,
    pub petitions: i64,
    /// category → petitions
    pub by_category: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Trend {
    /// Months compared: the last `months` up to `to` against the `months` before them (the petition
    /// vocabulary's `analysis.trend_months`).
    pub months: u16,
    /// Petitions in the last `months` months.
    pub last: i64,
    /// Petitions in the `months` months before those.
    pub previous: i64,
    /// (last − previous) / max(previous, 1)
    pub change: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Shares {
    pub repeat: f64,
    pub escalated: f64,
    pub overdue: f64,
    pub dissatisfied: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PetitionStats {
    pub regions: Vec<String>,
    /// The categories counted; `all` when every category is.
    pub categories: Vec<String>,
    pub from: String,
    pub to: String,
    pub totals: RollupCounts,
    /// Residents of the regions, from the region table (absent when a region is not in it).
    pub population: Option<i64>,
    pub rate_per_1000: Option<f64>,
    /// The parent regions that serve as baseline (township → county, village → township).
    pub parent_regions: Vec<String>,
    pub parent_rate_per_1000: Option<f64>,
    pub ratio_to_parent: Option<f64>,
    pub trend: Trend,
    pub shares: Shares,
    pub monthly: Vec<MonthCount>,
    /// Months of the window whose count lies more than `spike_deviations` standard deviations above the
    /// regions' own monthly mean over their whole history up to `to`.
    pub spike_months: Vec<String>,
    /// The petition vocabulary's `analysis.spike_deviations`.
    pub spike_deviations: f64,
    /// The petition-data snapshot the figures were read at.
    pub snapshot: i64,
}

pub fn month_label(month: i32) -> String {
    format!("{:04}-{:02}", month / 100, month % 100)
}

/// Drops regions inside another listed region, so no record counts twice.
pub fn reduce_regions(mut codes: Vec<String>) -> Vec<String> {
    codes.sort();
    codes.dedup();
    let all = codes.clone();
    codes.retain(|c| !all.iter().any(|o| o != c && c.starts_with(o.as_str())));
    codes
}

/// The parent division of a township (its county) or village (its township); counties have none here.
pub fn parent_of(code: &str) -> Option<String> {
    match code.len() {
        12 => Some(code[..9].to_owned()),
        9 => Some(code[..6].to_owned()),
        _ => None,
    }
}

fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn rate(count: i64, population: Option<i64>) -> Option<f64> {
    population
        .filter(|p| *p > 0)
        .map(|p| count as f64 * 1000.0 / p as f64)
}

/// Computes every indicator. `rows` hold the regions' (and parents') rollups up to `to`; `population` and
/// `parent_population` come from the region table; `analysis` sets the trend window and the spike threshold.
pub fn compute(
    analysis: &PetitionAnalysis,
    query: &StatsQuery,
    rows: &[RollupRow],
    population: Option<i64>,
    parents: &[String],
    parent_population: Option<i64>,
    snapshot: i64,
) -> PetitionStats {
    let in_category = |r: &RollupRow| {
        query
            .categories
            .as_ref()
            .is_none_or(|c| c.contains(&r.category))
    };
    let mine: Vec<&RollupRow> = rows
        .iter()
        .filter(|r| query.regions.contains(&r.region_prefix) && in_category(r))
        .collect();
    let mut totals = RollupCounts::default();
    let mut by_month: BTreeMap<i32, (i64, BTreeMap<String, i64>)> = BTreeMap::new();
    let mut history: BTreeMap<i32, i64> = BTreeMap::new();
    for r in &mine {
        *history.entry(r.month).or_default() += r.counts.petitions;
        if (query.from..=query.to).contains(&r.month) {
            totals.add(&r.counts);
            let entry = by_month.entry(r.month).or_default();
            entry.0 += r.counts.petitions;
            *entry.1.entry(r.category.clone()).or_default() += r.counts.petitions;
        }
    }
    let mut monthly = Vec::new();
    let mut month = query.from;
    while month <= query.to {
        let (petitions, by_category) = by_month.remove(&month).unwrap_or_default();
        monthly.push(MonthCount {
            month: month_label(month),
            petitions,
            by_category,
        });
        month = add_months(month, 1);
    }
    let count_between = |a: i32, b: i32| -> i64 { history.range(a..=b).map(|(_, n)| n).sum() };
    let months = i32::from(analysis.trend_months);
    let last = count_between(add_months(query.to, 1 - months), query.to);
    let previous = count_between(
        add_months(query.to, 1 - 2 * months),
        add_months(query.to, -months),
    );
    let parent_count: i64 = rows
        .iter()
        .filter(|r| {
            parents.contains(&r.region_prefix)
                && in_category(r)
                && (query.from..=query.to).contains(&r.month)
        })
        .map(|r| r.counts.petitions)
        .sum();
    let rate_per_1000 = rate(totals.petitions, population);
    let parent_rate = if parents.is_empty() {
        None
    } else {
        rate(parent_count, parent_population)
    };
    PetitionStats {
        regions: query.regions.clone(),
        categories: query
            .categories
            .clone()
            .unwrap_or_else(|| vec!["all".into()]),
        from: month_label(query.from),
        to: month_label(query.to),
        population,
        rate_per_1000,
        parent_regions: parents.to_vec(),
        parent_rate_per_1000: parent_rate,
        ratio_to_parent: match (rate_per_1000, parent_rate) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        },
        trend: Trend {
            months: analysis.trend_months,
            last,
            previous,
            change: (last - previous) as f64 / previous.max(1) as f64,
        },
        shares: Shares {
            repeat: share(totals.repeated, totals.petitions),
            escalated: share(totals.escalated, totals.petitions),
            overdue: share(totals.overdue, totals.petitions),
            dissatisfied: share(totals.dissatisfied, totals.petitions),
        },
        spike_months: spikes(&history, query.from, query.to, analysis.spike_deviations),
        spike_deviations: analysis.spike_deviations,
        monthly,
        totals,
        snapshot,
    }
}

/// Months in [from, to] above mean + `deviations` sd of the monthly series from its first month to `to`
/// (empty months count).
fn spikes(history: &BTreeMap<i32, i64>, from: i32, to: i32, deviations: f64) -> Vec<String> {
    let Some((&first, _)) = history.iter().next() else {
        return Vec::new();
    };
    let mut series = Vec::new();
    let mut month = first.min(from);
    while month <= to {
        series.push((month, *history.get(&month).unwrap_or(&0) as f64));
        month = add_months(month, 1);
    }
    let n = series.len() as f64;
    let mean = series.iter().map(|(_, v)| v).sum::<f64>() / n;
    let sd = (series.iter().map(|(_, v)| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    if sd == 0.0 {
        return Vec::new();
    }
    series
        .iter()
        .filter(|(m, v)| (from..=to).contains(m) && (v - mean) / sd > deviations)
        .map(|(m, _)| month_label(*m))
        .collect()
}

impl PetitionStats {
    /// The value a model's petition factor reads; None when it cannot be computed (no population, say).
    pub fn indicator(&self, indicator: PetitionIndicator) -> Option<f64> {
        use PetitionIndicator::*;
        match indicator {
            Count => Some(self.totals.petitions as f64),
            RatePer1000 => self.rate_per_1000,
            RatioToParent => self.ratio_to_parent,
            Trend => Some(self.trend.change),
            CollectiveCount => Some(self.totals.collective as f64),
            CollectiveHeadcount => Some(self.totals.collective_headcount as f64),
            RepeatShare => Some(self.shares.repeat),
            EscalatedShare => Some(self.shares.escalated),
            OverdueShare => Some(self.shares.overdue),
            DissatisfiedShare => Some(self.shares.dissatisfied),
            SpikeMonths => Some(self.spike_months.len() as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::petitions::vocabulary::vocabulary;

    /// Twelve months of 2026 in one township: ten a month, 40 in November, 25 in December.
    fn year() -> Vec<RollupRow> {
        (1..=12)
            .map(|m| RollupRow {
                region_prefix: "330199001".into(),
                category: "environment".into(),
                month: 202600 + m,
                counts: RollupCounts {
                    petitions: match m {
                        11 => 40,
                        12 => 25,
                        _ => 10,
                    },
                    ..RollupCounts::default()
                },
            })
            .collect()
    }

    fn stats(analysis: &PetitionAnalysis) -> PetitionStats {
        let query = StatsQuery {
            regions: vec!["330199001".into()],
            categories: None,
            from: 202601,
            to: 202612,
        };
        compute(analysis, &query, &year(), None, &[], None, 1)
    }

    #[test]
    fn the_vocabulary_sets_the_trend_window_and_the_spike_threshold() {
        let bundled = vocabulary().unwrap().analysis.clone();
        let s = stats(&bundled);
        assert_eq!(
            (s.trend.months, s.trend.last, s.trend.previous),
            (6, 105, 60)
        );
        // mean 13.75, sd ≈ 8.9: November lies 2.9 sd above the mean, December 1.3.
        assert_eq!(s.spike_months, ["2026-11"]);
        assert_eq!(s.spike_deviations, 2.0);
        let local = PetitionAnalysis {
            spike_deviations: 1.0,
            trend_months: 3,
            ..bundled
        };
        let s = stats(&local);
        assert_eq!(
            (s.trend.months, s.trend.last, s.trend.previous),
            (3, 75, 30)
        );
        assert_eq!(s.spike_months, ["2026-11", "2026-12"]);
    }

    #[test]
    fn nested_regions_count_once() {
        let codes = vec![
            "330199001".into(),
            "330199001002".into(),
            "330199002".into(),
        ];
        assert_eq!(reduce_regions(codes), ["330199001", "330199002"]);
        assert_eq!(parent_of("330199001002").as_deref(), Some("330199001"));
        assert_eq!(parent_of("330199"), None);
    }
}
