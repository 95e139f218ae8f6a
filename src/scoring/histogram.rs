//! The histogram of drawn R values: bins of a round width over the range actually drawn, shared by the initial
//! and the residual distribution so the two line up, with the model's level thresholds as extra edges so that
//! no bin straddles two levels. Fixed bins over [0, 1] put a whole narrow distribution — and both sides of a
//! threshold — into one or two bars.

use serde::{Deserialize, Serialize};

/// At most this many bins of the round width (the thresholds may split two of them).
const MAX_BINS: i64 = 20;
/// Round bin widths as 1/d, finest first: 0.001, 0.002, 0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1.
const DENOMINATORS: [i64; 9] = [1000, 500, 400, 200, 100, 50, 40, 20, 10];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// Inclusive lower edge.
    pub from: f64,
    /// Exclusive upper edge (the last bin also holds R equal to it).
    pub to: f64,
    pub count: u32,
}

/// Common edges for the draws of several distributions: the finest round width that covers the range drawn in
/// at most [`MAX_BINS`] bins, and the `thresholds` that fall inside it.
pub fn edges(draws: &[&[f64]], thresholds: &[f64]) -> Vec<f64> {
    let finite = || {
        draws
            .iter()
            .flat_map(|d| d.iter())
            .copied()
            .filter(|r| r.is_finite())
    };
    let lo = finite().fold(f64::INFINITY, f64::min);
    let hi = finite().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 0.0) };
    let span = |d: i64| {
        (
            (lo * d as f64).floor() as i64,
            (hi * d as f64).floor() as i64 + 1,
        )
    };
    let d = DENOMINATORS
        .into_iter()
        .find(|&d| {
            let (first, last) = span(d);
            last - first <= MAX_BINS
        })
        .unwrap_or(10);
    let (first, last) = span(d);
    // k / d rather than k · (1/d): the edge is then the double nearest the decimal, e.g. 0.35, not 0.35000000000000003.
    let mut edges: Vec<f64> = (first..=last).map(|k| k as f64 / d as f64).collect();
    let (low_edge, high_edge) = (edges[0], edges[edges.len() - 1]);
    edges.extend(
        thresholds
            .iter()
            .copied()
            .filter(|t| *t > low_edge && *t < high_edge),
    );
    edges.sort_by(f64::total_cmp);
    edges.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    edges
}

/// An edge as charts and tables print it: two decimals, or as many as the round widths need (0.3525).
pub fn edge_label(edge: f64) -> String {
    let text = format!("{edge:.4}");
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals < 2 {
        format!("{edge:.2}")
    } else {
        trimmed.to_owned()
    }
}

/// Counts `rs` into the bins between consecutive `edges`.
pub fn count(rs: &[f64], edges: &[f64]) -> Vec<HistogramBin> {
    let mut bins: Vec<HistogramBin> = edges
        .windows(2)
        .map(|w| HistogramBin {
            from: w[0],
            to: w[1],
            count: 0,
        })
        .collect();
    if bins.is_empty() {
        return bins;
    }
    let last = bins.len() - 1;
    for r in rs.iter().filter(|r| r.is_finite()) {
        let k = edges
            .partition_point(|e| e <= r)
            .saturating_sub(1)
            .min(last);
        bins[k].count += 1;
    }
    bins
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_narrow_distribution_gets_fine_bins_split_at_the_thresholds() {
        let initial: Vec<f64> = (0..1000)
            .map(|i| 0.40 + 0.02 * f64::from(i) / 1000.0)
            .collect();
        let residual: Vec<f64> = (0..1000)
            .map(|i| 0.345 + 0.03 * f64::from(i) / 1000.0)
            .collect();
        let edges = edges(&[&initial, &residual], &[0.36, 0.64]);
        let bins = count(&residual, &edges);
        assert!(bins.len() <= 22, "{edges:?}");
        assert!(bins[0].to - bins[0].from <= 0.005 + 1e-12, "{edges:?}");
        assert!(edges.contains(&0.36), "{edges:?}");
        assert!(
            !edges.contains(&0.64),
            "0.64 is outside the range drawn: {edges:?}"
        );
        for b in &bins {
            assert!(
                !(b.from < 0.36 && 0.36 < b.to),
                "{b:?} straddles the threshold"
            );
        }
        let below: u32 = bins.iter().filter(|b| b.to <= 0.36).map(|b| b.count).sum();
        let expected = residual.iter().filter(|r| **r < 0.36).count() as u32;
        assert_eq!(below, expected);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u32>(), 1000);
        assert_eq!(
            count(&initial, &edges).iter().map(|b| b.count).sum::<u32>(),
            1000
        );
    }

    #[test]
    fn edges_print_with_the_decimals_they_need() {
        assert_eq!(edge_label(0.35), "0.35");
        assert_eq!(edge_label(0.4), "0.40");
        assert_eq!(edge_label(0.3525), "0.3525");
        assert_eq!(edge_label(0.345), "0.345");
    }

    #[test]
    fn one_value_gets_one_bin_and_the_full_range_stays_within_twenty() {
        let edges_one = edges(&[&[0.5; 10]], &[0.36, 0.64]);
        let bins = count(&[0.5; 10], &edges_one);
        assert_eq!(bins.len(), 1);
        assert_eq!(bins[0].count, 10);
        assert!(bins[0].from <= 0.5 && 0.5 < bins[0].to);
        let wide = edges(&[&[0.0, 1.0]], &[]);
        assert!(
            wide.len() - 1 <= 20 && wide[0] == 0.0 && *wide.last().unwrap() >= 1.0,
            "{wide:?}"
        );
        let bins = count(&[0.0, 1.0], &wide);
        assert_eq!(bins.iter().map(|b| b.count).sum::<u32>(), 2);
    }
}
