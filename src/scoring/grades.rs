//! Aggregating several grades of one factor into one estimate, and the rounding rule for the matrix.

use serde::{Deserialize, Serialize};

use super::model::{Aggregation, GradeScale};

/// Two distances closer than this count as a tie (grade values are decimal fractions).
const TIE_TOLERANCE: f64 = 1e-9;

/// One axis (probability or impact) of a factor after aggregation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeEstimate {
    /// Aggregated grade value P(p) or I(q): mean (or median) of the grade values.
    pub value: f64,
    /// Mean (or median) of the grades themselves, for display.
    pub grade: f64,
    /// Grade whose scale value is nearest to `value`, ties to the higher grade; reads the factor matrix.
    pub matrix_grade: u8,
    pub min: u8,
    pub max: u8,
}

/// Aggregates grades (already validated 1..5); None for no grades.
pub fn aggregate(grades: &[u8], scale: &GradeScale, how: Aggregation) -> Option<GradeEstimate> {
    let min = *grades.iter().min()?;
    let max = *grades.iter().max()?;
    let values: Vec<f64> = grades.iter().map(|&g| scale.value(g)).collect();
    let numbers: Vec<f64> = grades.iter().map(|&g| f64::from(g)).collect();
    let (value, grade) = match how {
        Aggregation::Mean => (mean(&values), mean(&numbers)),
        Aggregation::Median => (median(values), median(numbers)),
    };
    Some(GradeEstimate {
        value,
        grade,
        matrix_grade: nearest_grade(value, scale),
        min,
        max,
    })
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Median; an even count takes the mean of the two middle values.
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The grade whose value is nearest; a tie goes to the higher grade so rounding never hides risk.
pub fn nearest_grade(value: f64, scale: &GradeScale) -> u8 {
    let mut best = 1u8;
    let mut best_distance = f64::INFINITY;
    for (k, v) in scale.values.iter().enumerate() {
        let d = (v - value).abs();
        if d <= best_distance + TIE_TOLERANCE {
            best = u8::try_from(k + 1).unwrap_or(5);
            best_distance = best_distance.min(d);
        }
    }
    best
}

/// Lowers a grade by measure steps, never below 1.
pub fn lowered(grade: u8, steps: u8) -> u8 {
    grade.saturating_sub(steps).max(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn scale() -> GradeScale {
        GradeScale {
            values: vec![0.2, 0.4, 0.6, 0.8, 1.0],
            provenance: String::new(),
        }
    }

    #[test]
    fn mean_of_values_and_tie_rounds_up() {
        let e = aggregate(&[2, 3], &scale(), Aggregation::Mean).unwrap();
        assert!((e.value - 0.5).abs() < 1e-12);
        assert_eq!(e.matrix_grade, 3);
        assert_eq!((e.min, e.max), (2, 3));
    }

    #[test]
    fn median_of_values() {
        let e = aggregate(&[1, 5, 4], &scale(), Aggregation::Median).unwrap();
        assert!((e.value - 0.8).abs() < 1e-12);
        assert_eq!(e.matrix_grade, 4);
    }

    #[test]
    fn nearest_grade_prefers_the_closer_one() {
        assert_eq!(nearest_grade(0.46, &scale()), 2);
        assert_eq!(nearest_grade(0.54, &scale()), 3);
        assert_eq!(lowered(2, 3), 1);
    }
}
