//! Follow-up after the committee decided (跟踪评估): once a decision goes ahead, each petition
//! import compares the months since the resolution in the decision's regions (and the categories
//! the resolution watches) with the months before it. A spike raises an alert and marks the resolution for review.

use std::collections::BTreeMap;

use chrono::Datelike;

use crate::domain::decision::Decision;
use crate::domain::petition::{RollupRow, add_months};
use crate::domain::resolution::{Alert, NewAlert, Outcome, Resolution};
use crate::petitions::indicators::reduce_regions;
use crate::petitions::vocabulary::PetitionAnalysis;
use crate::storage::resolutions::{FollowUp, Watch};

/// The follow-up rules, run by storage inside each import's transaction so an alert commits with the
/// petitions that raise it.
pub struct Rule {
    analysis: PetitionAnalysis,
}

impl Rule {
    /// The rule with the petition vocabulary's numbers (spike threshold, minimum baseline).
    pub fn new(analysis: PetitionAnalysis) -> Self {
        Self { analysis }
    }
}

impl FollowUp for Rule {
    /// Decisions going ahead are followed (postponing or rejecting puts nothing on the ground to follow), in
    /// their regions and the categories the resolution watches.
    fn watch(&self, resolution: &Resolution, decision: &Decision) -> Option<Watch> {
        if matches!(resolution.outcome, Outcome::Postpone | Outcome::Reject) {
            return None;
        }
        let prefixes = reduce_regions(
            decision
                .fields
                .regions
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
        );
        let watched = &resolution.watched_categories;
        Some(Watch {
            prefixes,
            categories: (!watched.is_empty()).then(|| watched.clone()),
        })
    }

    fn spikes(&self, resolution: &Resolution, rollups: &[RollupRow]) -> Vec<NewAlert> {
        let decided = resolution.created_at.year() * 100 + resolution.created_at.month() as i32;
        let mut series: BTreeMap<&str, BTreeMap<i32, i64>> = BTreeMap::new();
        for row in rollups {
            *series
                .entry(row.region_prefix.as_str())
                .or_default()
                .entry(row.month)
                .or_default() += row.counts.petitions;
        }
        series
            .iter()
            .flat_map(|(region, months)| spikes_after(&self.analysis, region, months, decided))
            .map(|spike| NewAlert {
                categories: resolution.watched_categories.clone(),
                ..spike
            })
            .collect()
    }

    fn review_reason(&self, alert: &Alert) -> String {
        format!(
            "petition spike in region {} in {}: {} petitions against a pre-decision mean of {:.1} (z {:.1})",
            alert.region, alert.month, alert.count, alert.baseline_mean, alert.z
        )
    }
}

/// Months from `decided` on whose count lies more than `analysis.spike_deviations` deviations above the
/// mean of the months before it (from the region's first month with petitions; empty months count as 0),
/// when there are at least `analysis.min_baseline_months` of those.
fn spikes_after(
    analysis: &PetitionAnalysis,
    region: &str,
    months: &BTreeMap<i32, i64>,
    decided: i32,
) -> Vec<NewAlert> {
    let Some((&first, _)) = months.iter().next() else {
        return Vec::new();
    };
    let mut before = Vec::new();
    let mut m = first;
    while m < decided {
        before.push(*months.get(&m).unwrap_or(&0) as f64);
        m = add_months(m, 1);
    }
    if before.len() < usize::from(analysis.min_baseline_months) {
        return Vec::new();
    }
    let n = before.len() as f64;
    let mean = before.iter().sum::<f64>() / n;
    let sd = (before.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    // Counts are counts: a flat history (sd 0) would make any rise "infinitely" unusual, so the
    // deviation is at least the Poisson one, √mean, and at least one petition.
    let scale = sd.max(mean.sqrt()).max(1.0);
    months
        .range(decided..)
        .filter_map(|(&month, &count)| {
            let z = (count as f64 - mean) / scale;
            (z > analysis.spike_deviations).then(|| NewAlert {
                region: region.to_owned(),
                month,
                count,
                baseline_mean: mean,
                baseline_sd: sd,
                z,
                categories: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::petitions::vocabulary;

    #[test]
    fn a_rise_after_the_decision_is_a_spike_and_history_before_is_not() {
        let analysis = &vocabulary().unwrap().analysis;
        let spikes_after =
            |region, months, decided| spikes_after(analysis, region, months, decided);
        let mut months = BTreeMap::new();
        for (k, m) in [202601, 202602, 202603, 202604, 202605].iter().enumerate() {
            months.insert(*m, 4 + (k as i64 % 2));
        }
        months.insert(202606, 30);
        months.insert(202607, 5);
        let spikes = spikes_after("330102001", &months, 202606);
        assert_eq!(spikes.len(), 1);
        assert_eq!(spikes[0].month, 202606);
        assert!((spikes[0].baseline_mean - 4.4).abs() < 1e-12);
        // Too little history before the decision: no baseline, no alert.
        assert!(spikes_after("330102001", &months, 202603).is_empty());
        // A flat zero history still flags a real rise.
        let flat = BTreeMap::from([(202601, 0), (202604, 0), (202605, 9)]);
        let from_zero = spikes_after("330102001", &flat, 202605);
        assert_eq!(from_zero.len(), 1);
        assert!(from_zero[0].z > analysis.spike_deviations);
    }

    #[test]
    fn the_vocabulary_sets_the_baseline_and_the_threshold() {
        let months = BTreeMap::from([
            (202601, 4),
            (202602, 5),
            (202603, 4),
            (202604, 5),
            (202605, 12),
        ]);
        let bundled = vocabulary().unwrap().analysis.clone();
        // mean 4.5, scale √4.5 ≈ 2.1: May lies 3.5 deviations above.
        assert_eq!(
            spikes_after(&bundled, "330102001", &months, 202605).len(),
            1
        );
        let longer_baseline = PetitionAnalysis {
            min_baseline_months: 6,
            ..bundled.clone()
        };
        assert!(spikes_after(&longer_baseline, "330102001", &months, 202605).is_empty());
        let higher_threshold = PetitionAnalysis {
            spike_deviations: 4.0,
            ..bundled
        };
        assert!(spikes_after(&higher_threshold, "330102001", &months, 202605).is_empty());
    }
}
