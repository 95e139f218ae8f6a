//! Whether scenarios keep their order by initial R when the weights are perturbed as in the simulation.

use serde::{Deserialize, Serialize};

use super::assessment::Assessment;
use super::model::Model;
use super::simulation::{MAX_DRAWS, MAX_WEIGHT_NOISE, perturb_weights};
use crate::rng::Rng;

/// How the order is checked: a model's `[uncertainty]` order numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderCheck {
    /// The order holds when at least this share of draws keeps it (a share of exactly 1 would fail on one
    /// freak draw).
    pub holds_share: f64,
    pub draws: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderStability {
    pub draws: u32,
    pub seed: u64,
    pub weight_noise: f64,
    /// Share of draws in which the scenarios sort exactly as in `nominal_order`.
    pub same_order_share: f64,
    /// The share the order must keep to hold, from the model.
    pub holds_share: f64,
    /// same_order_share ≥ holds_share
    pub holds: bool,
    /// Indices into the given assessments, highest initial R first (ties in the given order).
    pub nominal_order: Vec<usize>,
}

/// The assessments must be of `model` (their factors in its order); each scenario's R under perturbed
/// weights is Σ wᵢ′·rᵢ with its own degrees rᵢ. Draws and noise are clamped as in the simulation.
pub fn order_stability(
    model: &Model,
    assessments: &[&Assessment],
    weight_noise: f64,
    check: OrderCheck,
) -> OrderStability {
    let draws = check.draws.clamp(1, MAX_DRAWS);
    let noise = if weight_noise.is_finite() {
        weight_noise.clamp(0.0, MAX_WEIGHT_NOISE)
    } else {
        0.0
    };
    let base: Vec<f64> = model
        .derived()
        .factor_weights
        .iter()
        .map(|w| w.global)
        .collect();
    let degrees: Vec<Vec<f64>> = assessments
        .iter()
        .map(|a| a.factors.iter().map(|f| f.initial.degree).collect())
        .collect();
    let nominal: Vec<f64> = assessments.iter().map(|a| a.initial.r).collect();
    let nominal_order = ranked(&nominal);
    let mut rng = Rng::new(check.seed);
    let mut weights = base.clone();
    let mut rs = vec![0.0; assessments.len()];
    let mut same = 0u32;
    for _ in 0..draws {
        perturb_weights(&mut rng, &base, noise, &mut weights);
        for (r, d) in rs.iter_mut().zip(&degrees) {
            *r = weights.iter().zip(d).map(|(w, x)| w * x).sum();
        }
        // The order holds when each scenario's R is at least the next one's in the nominal order.
        let kept = nominal_order.windows(2).all(|w| {
            let (a, b) = (rs[w[0]], rs[w[1]]);
            a > b || (a == b && w[0] < w[1])
        });
        same += u32::from(kept);
    }
    let same_order_share = f64::from(same) / f64::from(draws);
    OrderStability {
        draws,
        seed: check.seed,
        weight_noise: noise,
        same_order_share,
        holds_share: check.holds_share,
        holds: same_order_share >= check.holds_share,
        nominal_order,
    }
}

/// Indices by R descending, ties by index.
fn ranked(rs: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rs.len()).collect();
    order.sort_by(|&a, &b| rs[b].total_cmp(&rs[a]).then(a.cmp(&b)));
    order
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::scoring::assess;
    use crate::scoring::test_support::land_example;

    fn check(draws: u32, seed: u64) -> OrderCheck {
        OrderCheck {
            holds_share: 0.95,
            draws,
            seed,
        }
    }

    /// The land example with every expert's probability of every factor raised or lowered by `shift`.
    fn scenario(shift: i8) -> (Model, Assessment) {
        let (model, mut inputs) = land_example();
        for r in inputs.ratings.values_mut().flat_map(|x| x.values_mut()) {
            r.probability = (r.probability as i8 + shift).clamp(1, 5) as u8;
        }
        let a = assess(&model, &inputs).unwrap();
        (model, a)
    }

    #[test]
    fn far_apart_scenarios_keep_their_order_and_the_nominal_order_is_by_r() {
        let (model, low) = scenario(-2);
        let (_, high) = scenario(2);
        let s = order_stability(&model, &[&low, &high], 0.3, check(2_000, 1));
        assert_eq!(s.nominal_order, vec![1, 0]);
        assert_eq!(s.same_order_share, 1.0);
        assert!(s.holds);
        // Without noise every draw is the nominal weights.
        let s = order_stability(&model, &[&high, &low], 0.0, check(10, 1));
        assert_eq!(
            (s.nominal_order.clone(), s.same_order_share),
            (vec![0, 1], 1.0)
        );
    }

    #[test]
    fn scenarios_that_differ_in_different_factors_can_swap() {
        let (model, base) = scenario(0);
        // Two variants, each raising a different factor so that their R is about equal.
        let pick = |k: usize, by: f64| {
            let mut a = base.clone();
            a.factors[k].initial.degree += by / a.factors[k].weight;
            a.initial.r += by;
            a
        };
        let (one, two) = (pick(0, 0.0101), pick(1, 0.01));
        let s = order_stability(&model, &[&two, &one], 0.5, check(4_000, 7));
        assert_eq!(s.nominal_order, vec![1, 0]);
        assert!(
            s.same_order_share > 0.05 && s.same_order_share < 0.95,
            "{s:?}"
        );
        assert!(!s.holds);
        // The same draws judged by a model that asks only for a majority.
        let lenient = OrderCheck {
            holds_share: s.same_order_share,
            ..check(4_000, 7)
        };
        assert!(order_stability(&model, &[&two, &one], 0.5, lenient).holds);
    }
}
