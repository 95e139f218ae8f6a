//! Entropy weight method (熵权法): min-max normalisation per indicator, benefit or cost direction.

use super::error::MethodError;

/// Weights of the indicators (columns) of an alternatives × indicators matrix.
/// `benefit[j]` is true when larger is better for indicator j, false for a cost indicator.
pub fn entropy_weights(matrix: &[Vec<f64>], benefit: &[bool]) -> Result<Vec<f64>, MethodError> {
    let m = matrix.len();
    let n = matrix.first().map_or(0, Vec::len);
    if m == 0 || n == 0 {
        return Err(MethodError::Empty);
    }
    if m < 2 {
        return Err(MethodError::TooFewAlternatives { min: 2, got: m });
    }
    for (r, row) in matrix.iter().enumerate() {
        if row.len() != n {
            return Err(MethodError::Ragged {
                row: r + 1,
                len: row.len(),
                expected: n,
            });
        }
        for (c, v) in row.iter().enumerate() {
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
        }
    }
    if benefit.len() != n {
        return Err(MethodError::LengthMismatch {
            what: "benefit flags",
            len: benefit.len(),
            expected: n,
        });
    }
    let ln_m = (m as f64).ln();
    let divergence: Vec<f64> = (0..n)
        .map(|j| {
            let column: Vec<f64> = matrix.iter().map(|row| row[j]).collect();
            let lo = column.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if hi == lo {
                // A constant indicator carries no information: entropy 1, divergence 0.
                return 0.0;
            }
            let normalised: Vec<f64> = column
                .iter()
                .map(|x| {
                    if benefit[j] {
                        (x - lo) / (hi - lo)
                    } else {
                        (hi - x) / (hi - lo)
                    }
                })
                .collect();
            let total: f64 = normalised.iter().sum();
            // 0·ln 0 = 0 by convention.
            let entropy = -normalised
                .iter()
                .map(|x| x / total)
                .filter(|p| *p > 0.0)
                .map(|p| p * p.ln())
                .sum::<f64>()
                / ln_m;
            1.0 - entropy
        })
        .collect();
    let sum: f64 = divergence.iter().sum();
    if sum <= 0.0 {
        return Err(MethodError::NoVariation);
    }
    Ok(divergence.iter().map(|d| d / sum).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn hand_computed_two_indicators() {
        // Column 1 (benefit) normalises to 0, 0.5, 1 → p = 0, 1/3, 2/3; column 2 (cost) to 1, 0, 0 → p = 1, 0, 0.
        let w = entropy_weights(
            &[vec![1.0, 5.0], vec![2.0, 9.0], vec![3.0, 9.0]],
            &[true, false],
        )
        .unwrap();
        let p1: f64 = 1.0 / 3.0;
        let p2: f64 = 2.0 / 3.0;
        let e1 = -(p1 * p1.ln() + p2 * p2.ln()) / 3f64.ln();
        let d1 = 1.0 - e1;
        let d2 = 1.0; // entropy 0
        assert!((w[0] - d1 / (d1 + d2)).abs() < 1e-12);
        assert!((w[1] - d2 / (d1 + d2)).abs() < 1e-12);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(entropy_weights(&[], &[]), Err(MethodError::Empty)));
        assert!(matches!(
            entropy_weights(&[vec![1.0, 2.0]], &[true, true]),
            Err(MethodError::TooFewAlternatives { .. })
        ));
        assert!(matches!(
            entropy_weights(&[vec![1.0, 2.0], vec![1.0]], &[true, true]),
            Err(MethodError::Ragged { .. })
        ));
        assert!(matches!(
            entropy_weights(&[vec![1.0], vec![f64::NAN]], &[true]),
            Err(MethodError::NotANumber { .. })
        ));
        assert!(matches!(
            entropy_weights(&[vec![1.0], vec![1.0]], &[true]),
            Err(MethodError::NoVariation)
        ));
    }
}
