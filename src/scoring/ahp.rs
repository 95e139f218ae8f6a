//! AHP (层次分析法): principal eigenvector weights, consistency ratio, group aggregation.

use serde::{Deserialize, Serialize};

use super::error::MethodError;

/// Power iteration stops when no weight moves by more than this.
const CONVERGENCE: f64 = 1e-12;
/// A positive matrix converges long before this; the cap only guards against a pathological input.
const MAX_ITERATIONS: usize = 100_000;
/// Entered judgments such as 0.333 for 1/3 are accepted as reciprocal within this relative tolerance.
pub const RECIPROCAL_TOLERANCE: f64 = 0.01;
/// Saaty's RI table covers n = 1..=15.
pub const MAX_ORDER: usize = 15;

/// The random-index table a model names; Saaty's is the one DESIGN §4 prescribes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RiTable {
    #[default]
    #[serde(rename = "saaty")]
    Saaty,
}

impl RiTable {
    /// RI for a matrix of order n (1-based), None beyond the table.
    pub fn ri(self, n: usize) -> Option<f64> {
        const SAATY: [f64; 15] = [
            0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
        ];
        match self {
            RiTable::Saaty => n.checked_sub(1).and_then(|i| SAATY.get(i).copied()),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RiTable::Saaty => "saaty",
        }
    }
}

/// The judgment that deviates most from the weights: maximises |ln(a_ij · w_j / w_i)|; indices are 0-based.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InconsistentPair {
    pub i: usize,
    pub j: usize,
    pub judgment: f64,
    /// w_i / w_j, the judgment the weights would imply.
    pub implied: f64,
    /// |ln(a_ij · w_j / w_i)|
    pub deviation: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpResult {
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    pub ci: f64,
    pub cr: f64,
    pub ri_table: RiTable,
    pub ri: f64,
    pub consistent: bool,
    pub most_inconsistent_pair: Option<InconsistentPair>,
}

/// Checks shape and entries: square, 1..=15, positive finite, unit diagonal, reciprocal.
// The reciprocal check reads (i, j) against (j, i), which is clearer by index.
#[allow(clippy::needless_range_loop)]
pub fn check_matrix(matrix: &[Vec<f64>]) -> Result<(), MethodError> {
    let n = matrix.len();
    if n == 0 {
        return Err(MethodError::Empty);
    }
    if n > MAX_ORDER {
        return Err(MethodError::TooLarge { n, max: MAX_ORDER });
    }
    for (r, row) in matrix.iter().enumerate() {
        if row.len() != n {
            return Err(MethodError::Ragged {
                row: r + 1,
                len: row.len(),
                expected: n,
            });
        }
        for (c, &v) in row.iter().enumerate() {
            if v.is_nan() {
                return Err(MethodError::NotANumber {
                    row: r + 1,
                    col: c + 1,
                });
            }
            if v <= 0.0 || !v.is_finite() {
                return Err(MethodError::NotPositive {
                    row: r + 1,
                    col: c + 1,
                    value: v,
                });
            }
        }
    }
    for i in 0..n {
        if (matrix[i][i] - 1.0).abs() > RECIPROCAL_TOLERANCE {
            return Err(MethodError::Diagonal {
                i: i + 1,
                value: matrix[i][i],
            });
        }
        for j in (i + 1)..n {
            let product = matrix[i][j] * matrix[j][i];
            if (product - 1.0).abs() > RECIPROCAL_TOLERANCE {
                return Err(MethodError::NotReciprocal {
                    i: i + 1,
                    j: j + 1,
                    a_ij: matrix[i][j],
                    a_ji: matrix[j][i],
                    product,
                });
            }
        }
    }
    Ok(())
}

/// Weights, λmax, CI and CR of one pairwise-comparison matrix with Saaty's RI table; consistent when
/// CR < `consistency_limit` (a model's `[ahp]`).
pub fn ahp(matrix: &[Vec<f64>], consistency_limit: f64) -> Result<AhpResult, MethodError> {
    ahp_with_table(matrix, RiTable::Saaty, consistency_limit)
}

pub fn ahp_with_table(
    matrix: &[Vec<f64>],
    table: RiTable,
    consistency_limit: f64,
) -> Result<AhpResult, MethodError> {
    check_matrix(matrix)?;
    let n = matrix.len();
    let weights = principal_eigenvector(matrix)?;
    let aw = multiply(matrix, &weights);
    let lambda_max = aw.iter().zip(&weights).map(|(a, w)| a / w).sum::<f64>() / n as f64;
    let ri = table
        .ri(n)
        .ok_or(MethodError::TooLarge { n, max: MAX_ORDER })?;
    // n ≤ 2 is consistent by construction; rounding must not make it otherwise.
    let (ci, cr) = if n <= 2 {
        (0.0, 0.0)
    } else {
        let ci = (lambda_max - n as f64) / (n as f64 - 1.0);
        (ci, ci / ri)
    };
    Ok(AhpResult {
        most_inconsistent_pair: most_inconsistent_pair(matrix, &weights),
        weights,
        lambda_max,
        ci,
        cr,
        ri_table: table,
        ri,
        consistent: n <= 2 || cr < consistency_limit,
    })
}

/// Several experts' matrices → element-wise geometric mean → [`ahp`].
pub fn ahp_group(
    matrices: &[Vec<Vec<f64>>],
    consistency_limit: f64,
) -> Result<AhpResult, MethodError> {
    let first = matrices.first().ok_or(MethodError::Empty)?;
    for (e, m) in matrices.iter().enumerate() {
        check_matrix(m).map_err(|source| MethodError::InExpertMatrix {
            expert: e + 1,
            source: Box::new(source),
        })?;
        if m.len() != first.len() {
            return Err(MethodError::GroupSizeMismatch {
                expert: e + 1,
                n: m.len(),
                expected: first.len(),
            });
        }
    }
    let n = first.len();
    let k = matrices.len() as f64;
    let mean: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (matrices.iter().map(|m| m[i][j].ln()).sum::<f64>() / k).exp())
                .collect()
        })
        .collect();
    ahp(&mean, consistency_limit)
}

fn multiply(matrix: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    matrix
        .iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

fn principal_eigenvector(matrix: &[Vec<f64>]) -> Result<Vec<f64>, MethodError> {
    let n = matrix.len();
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..MAX_ITERATIONS {
        let mut next = multiply(matrix, &w);
        let sum: f64 = next.iter().sum();
        next.iter_mut().for_each(|x| *x /= sum);
        let delta = next
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        w = next;
        if delta < CONVERGENCE {
            return Ok(w);
        }
    }
    Err(MethodError::NoConvergence {
        iterations: MAX_ITERATIONS,
    })
}

fn most_inconsistent_pair(matrix: &[Vec<f64>], w: &[f64]) -> Option<InconsistentPair> {
    let n = matrix.len();
    let mut best: Option<InconsistentPair> = None;
    for i in 0..n {
        for j in (i + 1)..n {
            let deviation = (matrix[i][j] * w[j] / w[i]).ln().abs();
            if best.as_ref().is_none_or(|b| deviation > b.deviation) {
                best = Some(InconsistentPair {
                    i,
                    j,
                    judgment: matrix[i][j],
                    implied: w[i] / w[j],
                    deviation,
                });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Saaty's limit, as the bundled models declare it.
    const SAATY: f64 = 0.10;

    #[test]
    fn two_by_two_is_always_consistent() {
        let r = ahp(&[vec![1.0, 9.0], vec![1.0 / 9.0, 1.0]], SAATY).unwrap();
        assert!(r.consistent);
        assert_eq!(r.cr, 0.0);
        assert!((r.weights[0] - 0.9).abs() < 1e-12);
    }

    #[test]
    fn rejects_zero_and_ragged_and_large() {
        assert!(matches!(
            ahp(&[vec![1.0, 0.0], vec![1.0, 1.0]], SAATY),
            Err(MethodError::NotPositive { .. })
        ));
        assert!(matches!(
            ahp(&[vec![1.0, 2.0], vec![0.5]], SAATY),
            Err(MethodError::Ragged { row: 2, .. })
        ));
        assert!(matches!(
            ahp(&[vec![f64::NAN]], SAATY),
            Err(MethodError::NotANumber { .. })
        ));
        let big = vec![vec![1.0; 16]; 16];
        assert!(matches!(
            ahp(&big, SAATY),
            Err(MethodError::TooLarge { n: 16, .. })
        ));
        assert!(matches!(ahp(&[], SAATY), Err(MethodError::Empty)));
        assert!(matches!(
            ahp(&[vec![1.0, 2.0], vec![2.0, 1.0]], SAATY),
            Err(MethodError::NotReciprocal { .. })
        ));
    }

    #[test]
    fn group_of_identical_matrices_is_that_matrix() {
        let m = vec![vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]];
        let g = ahp_group(&[m.clone(), m.clone()], SAATY).unwrap();
        assert!((g.weights[0] - 0.75).abs() < 1e-12);
    }

    #[test]
    fn the_limit_decides_consistency() {
        // CR ≈ 0.063: acceptable under Saaty's 0.10, not under a stricter 0.04.
        let m = vec![
            vec![1.0, 3.0, 4.0],
            vec![1.0 / 3.0, 1.0, 3.0],
            vec![0.25, 1.0 / 3.0, 1.0],
        ];
        let saaty = ahp(&m, SAATY).unwrap();
        assert!(saaty.cr > 0.04 && saaty.cr < SAATY, "CR {}", saaty.cr);
        assert!(saaty.consistent);
        assert!(!ahp(&m, 0.04).unwrap().consistent);
    }
}
