//! The tornado of R: each factor's probability grade one step lower and one step higher, all
//! else equal. R is linear in each contribution, so each bar is exact: R − cᵢ + wᵢ·P(p±1)·I(q).

use serde::{Deserialize, Serialize};

use super::assessment::Assessment;
use super::model::Model;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    pub factor: String,
    /// R with the factor's probability one grade lower (floor at grade 1).
    pub r_lower: f64,
    /// R with the factor's probability one grade higher (ceiling at grade 5).
    pub r_higher: f64,
    /// r_higher − r_lower
    pub swing: f64,
}

/// Bars for the initial assessment, widest swing first (ties in factor order).
pub fn tornado(model: &Model, assessment: &Assessment) -> Vec<TornadoBar> {
    let scale = &model.spec().grades.probability;
    let r = assessment.initial.r;
    let mut bars: Vec<TornadoBar> = assessment
        .factors
        .iter()
        .map(|f| {
            let grade = f.initial.probability.matrix_grade;
            let impact = f.initial.impact.value;
            let with_grade =
                |g: u8| r - f.initial.contribution + f.weight * scale.value(g) * impact;
            let r_lower = with_grade(grade.saturating_sub(1).max(1));
            let r_higher = with_grade((grade + 1).min(5));
            TornadoBar {
                factor: f.id.clone(),
                r_lower,
                r_higher,
                swing: r_higher - r_lower,
            }
        })
        .collect();
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    bars
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::assess;
    use crate::scoring::test_support::land_example;

    #[test]
    fn bars_recompute_r_exactly_and_are_sorted_by_swing() {
        let (model, inputs) = land_example();
        let model = &model;
        let assessment = assess(model, &inputs).unwrap();
        // A stored assessment reads back as itself (reports rebuild it from its JSON).
        let text = serde_json::to_string(&assessment).unwrap();
        assert_eq!(
            serde_json::from_str::<Assessment>(&text).unwrap(),
            assessment
        );
        let bars = tornado(model, &assessment);
        assert_eq!(bars.len(), assessment.factors.len());
        assert!(bars.windows(2).all(|w| w[0].swing >= w[1].swing));
        for bar in &bars {
            let f = assessment
                .factors
                .iter()
                .find(|f| f.id == bar.factor)
                .unwrap();
            let scale = &model.spec().grades.probability.values;
            let g = usize::from(f.initial.probability.matrix_grade);
            let up = scale[g.min(4)] * f.initial.impact.value * f.weight;
            let expected = assessment.initial.r - f.initial.contribution + up;
            assert!((bar.r_higher - expected).abs() < 1e-12, "{}", bar.factor);
            assert!(bar.r_lower <= bar.r_higher);
        }
    }
}
