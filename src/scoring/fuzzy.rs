//! Fuzzy comprehensive evaluation (模糊综合评价): B = W·M, max-membership grade, grade score Σ k·bₖ.

use serde::{Deserialize, Serialize};

use super::error::MethodError;

/// Published weights are often rounded (0.333 …); sums within this of 1 are accepted as they are.
const WEIGHT_SUM_SLACK: f64 = 0.01;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FceResult {
    pub b: Vec<f64>,
    /// Σ k·bₖ with grades k = 1..m
    pub grade_score: f64,
    /// 1-based; a tie goes to the higher grade so a tie never hides risk.
    pub max_membership_grade: usize,
}

/// B = W·M with the weighted-average operator; weights (n) × membership (n × m).
pub fn fce(weights: &[f64], membership: &[Vec<f64>]) -> Result<FceResult, MethodError> {
    if weights.is_empty() || membership.is_empty() {
        return Err(MethodError::Empty);
    }
    if membership.len() != weights.len() {
        return Err(MethodError::LengthMismatch {
            what: "membership",
            len: membership.len(),
            expected: weights.len(),
        });
    }
    for (i, &w) in weights.iter().enumerate() {
        if !w.is_finite() || w < 0.0 {
            return Err(MethodError::BadWeight {
                index: i + 1,
                value: w,
            });
        }
    }
    let sum: f64 = weights.iter().sum();
    if (sum - 1.0).abs() > WEIGHT_SUM_SLACK {
        return Err(MethodError::WeightsSum { sum });
    }
    let m = membership[0].len();
    if m == 0 {
        return Err(MethodError::Empty);
    }
    for (r, row) in membership.iter().enumerate() {
        if row.len() != m {
            return Err(MethodError::Ragged {
                row: r + 1,
                len: row.len(),
                expected: m,
            });
        }
        for (c, &v) in row.iter().enumerate() {
            if v.is_nan() {
                return Err(MethodError::NotANumber {
                    row: r + 1,
                    col: c + 1,
                });
            }
            if !v.is_finite() {
                return Err(MethodError::NotFinite {
                    row: r + 1,
                    col: c + 1,
                });
            }
            if v < 0.0 {
                return Err(MethodError::Negative {
                    row: r + 1,
                    col: c + 1,
                    value: v,
                });
            }
        }
    }
    Ok(compose(weights, membership, m))
}

/// The composition itself, for inputs already known to be well formed.
pub(crate) fn compose(weights: &[f64], membership: &[Vec<f64>], m: usize) -> FceResult {
    let b: Vec<f64> = (0..m)
        .map(|k| {
            weights
                .iter()
                .zip(membership)
                .map(|(w, row)| w * row.get(k).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let grade_score = b
        .iter()
        .enumerate()
        .map(|(k, bk)| (k + 1) as f64 * bk)
        .sum();
    let mut max_membership_grade = 1;
    for (k, bk) in b.iter().enumerate() {
        if *bk >= b[max_membership_grade - 1] {
            max_membership_grade = k + 1;
        }
    }
    FceResult {
        b,
        grade_score,
        max_membership_grade,
    }
}

/// An expert's vote on the 5-grade comment set: √(p·q) rounded half up, computed exactly in integers.
pub fn vote(probability: u8, impact: u8) -> u8 {
    let four_pq = 4 * u32::from(probability) * u32::from(impact);
    // The largest k with (2k − 1)² ≤ 4pq is round-half-up of √(pq).
    (1u8..=5)
        .rev()
        .find(|k| (2 * u32::from(*k) - 1).pow(2) <= four_pq)
        .unwrap_or(1)
}

/// Share of votes per grade 1..5.
pub fn membership(votes: &[u8]) -> Vec<f64> {
    let mut m = vec![0.0; 5];
    if votes.is_empty() {
        return m;
    }
    for &v in votes {
        if let Some(slot) = m.get_mut(usize::from(v.clamp(1, 5) - 1)) {
            *slot += 1.0;
        }
    }
    let n = votes.len() as f64;
    m.iter_mut().for_each(|x| *x /= n);
    m
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn votes_round_the_geometric_mean_half_up() {
        assert_eq!(vote(1, 1), 1);
        assert_eq!(vote(5, 5), 5);
        assert_eq!(vote(1, 5), 2); // √5 = 2.236
        assert_eq!(vote(2, 3), 2); // √6 = 2.449
        assert_eq!(vote(2, 4), 3); // √8 = 2.828
        assert_eq!(vote(4, 5), 4); // √20 = 4.472
        assert_eq!(vote(3, 4), 3); // √12 = 3.464
    }

    #[test]
    fn fce_of_a_textbook_case() {
        // Two factors, weights 0.6/0.4, five grades.
        let r = fce(
            &[0.6, 0.4],
            &[vec![0.1, 0.2, 0.4, 0.2, 0.1], vec![0.0, 0.1, 0.2, 0.4, 0.3]],
        )
        .unwrap();
        let expect = [0.06, 0.16, 0.32, 0.28, 0.18];
        for (a, b) in r.b.iter().zip(expect) {
            assert!((a - b).abs() < 1e-12);
        }
        assert!((r.grade_score - (0.06 + 0.32 + 0.96 + 1.12 + 0.9)).abs() < 1e-12);
        assert_eq!(r.max_membership_grade, 3);
    }

    #[test]
    fn fce_rejects_bad_input() {
        assert!(matches!(
            fce(&[0.5, 0.5], &[vec![0.5, 0.5], vec![1.0]]),
            Err(MethodError::Ragged { row: 2, .. })
        ));
        assert!(matches!(
            fce(&[1.0], &[vec![-0.1, 1.1]]),
            Err(MethodError::Negative { .. })
        ));
        assert!(matches!(
            fce(&[1.0], &[vec![f64::NAN]]),
            Err(MethodError::NotANumber { .. })
        ));
        assert!(matches!(fce(&[], &[]), Err(MethodError::Empty)));
        assert!(matches!(
            fce(&[0.5], &[vec![1.0]]),
            Err(MethodError::WeightsSum { .. })
        ));
    }
}
