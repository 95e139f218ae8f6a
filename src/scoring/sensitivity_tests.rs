#![allow(clippy::unwrap_used, clippy::expect_used)]
use proptest::prelude::*;

use super::*;
use crate::scoring::assessment::EvidenceSource;
use crate::scoring::test_support::{land_example, random_inputs};
use crate::scoring::{AssessmentInputs, assess, bundled_models};

/// The level on the basis, read off a full engine run.
fn engine_level(model: &Model, a: &Assessment) -> Level {
    basis_level(model, a.initial.r, !a.initial.veto.is_empty())
}

fn near_threshold(model: &Model, r: f64) -> bool {
    let b = &model.spec().levels;
    (r - b.medium).abs() < 1e-9 || (r - b.high).abs() < 1e-9
}

/// (grade, level) of a flip, if any.
type Flip = Option<(u8, Level)>;

/// Brute force: every expert's grade of the factor on one axis set to g, g = 1..5, the engine re-run.
/// None when some g puts R on a band threshold, where rounding of two summation orders may differ.
fn brute_force(
    model: &Model,
    inputs: &AssessmentInputs,
    factor: &str,
    on_impact: bool,
    grade: u8,
    level: Level,
) -> Option<(Flip, Flip)> {
    let mut runs = Vec::new();
    for g in 1u8..=5 {
        let mut changed = inputs.clone();
        for ratings in changed.ratings.values_mut() {
            if let Some(r) = ratings.get_mut(factor) {
                if on_impact {
                    r.impact = g;
                } else {
                    r.probability = g;
                }
            }
        }
        let a = assess(model, &changed).unwrap();
        if near_threshold(model, a.initial.r) {
            return None;
        }
        runs.push((g, engine_level(model, &a)));
    }
    let nearest = |up: bool| {
        runs.iter()
            .filter(|(_, l)| if up { *l > level } else { *l < level })
            .min_by_key(|(g, _)| (g.abs_diff(grade), *g))
            .copied()
    };
    Some((nearest(true), nearest(false)))
}

fn as_pair(f: &Option<GradeFlip>) -> Option<(u8, Level)> {
    f.as_ref().map(|f| (f.grade, f.level))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn flip_points_agree_with_brute_force(which in 0usize..5, seed in any::<u64>()) {
        let models = bundled_models().unwrap();
        let model = &models[which];
        let inputs = random_inputs(model, seed);
        let a = assess(model, &inputs).unwrap();
        let s = sensitivity(model, &a);
        prop_assert_eq!(s.initial.level, engine_level(model, &a));
        let mut compared = 0;
        for (f, flips) in a.factors.iter().zip(&s.initial.flip_points) {
            if f.expert_count == 0 {
                continue;
            }
            let axes = [
                (false, f.evidence.probability_source, &flips.probability),
                (true, f.evidence.impact_source, &flips.impact),
            ];
            for (on_impact, source, axis) in axes {
                if source != EvidenceSource::Expert {
                    continue;
                }
                let Some((up, down)) =
                    brute_force(model, &inputs, &f.id, on_impact, axis.grade, s.initial.level)
                else {
                    continue;
                };
                prop_assert_eq!(as_pair(&axis.up), up, "{} up, impact axis {}", f.id, on_impact);
                prop_assert_eq!(as_pair(&axis.down), down, "{} down, impact axis {}", f.id, on_impact);
                compared += 1;
            }
        }
        prop_assert!(compared > 0);
    }

    #[test]
    fn the_level_holds_just_inside_a_weight_interval_and_not_just_outside(
        which in 0usize..5, seed in any::<u64>()
    ) {
        let models = bundled_models().unwrap();
        let model = &models[which];
        let a = assess(model, &random_inputs(model, seed)).unwrap();
        let s = sensitivity(model, &a);
        let vetoed = !a.initial.veto.is_empty();
        // R with factor k's weight set to x and the others rescaled, summed from scratch.
        let r_at = |k: usize, x: f64| {
            let wk = a.factors[k].weight;
            a.factors.iter().enumerate().fold(0.0, |acc, (j, f)| {
                let w = if j == k { x } else { f.weight * (1.0 - x) / (1.0 - wk) };
                acc + w * f.initial.degree
            })
        };
        let eps = 1e-7;
        for (k, wi) in s.initial.weight_intervals.iter().enumerate() {
            prop_assert!(wi.lo <= wi.weight && wi.weight <= wi.hi);
            if vetoed {
                prop_assert_eq!((wi.lo, wi.hi), (0.0, 1.0));
                continue;
            }
            let level_at = |x: f64| basis_level(model, r_at(k, x), false);
            if wi.hi - wi.lo > 2.0 * eps {
                prop_assert_eq!(level_at(wi.lo + eps), s.initial.level);
                prop_assert_eq!(level_at(wi.hi - eps), s.initial.level);
            }
            if wi.lo > eps {
                prop_assert_ne!(level_at(wi.lo - eps), s.initial.level, "{} below {}", wi.factor, wi.lo);
            }
            if wi.hi < 1.0 - eps {
                prop_assert_ne!(level_at(wi.hi + eps), s.initial.level, "{} above {}", wi.factor, wi.hi);
            }
        }
    }
}

#[test]
fn the_land_example_has_flip_points_and_the_tornado() {
    let (model, inputs) = land_example();
    let a = assess(&model, &inputs).unwrap();
    let s = sensitivity(&model, &a);
    assert_eq!(s.basis, LevelBasis::IndexBands);
    assert_eq!(s.initial.level, a.initial.level);
    assert_eq!(s.residual.level, a.residual.outcome.level);
    assert_eq!(s.tornado, tornado(&model, &a));
    assert_eq!(s.initial.flip_points.len(), a.factors.len());
    // A medium assessment can be raised by some factor and lowered by some factor.
    assert_eq!(a.initial.level, Level::Medium);
    let flips = &s.initial.flip_points;
    assert!(flips.iter().any(|f| f.probability.up.is_some()));
    for f in flips {
        for flip in [&f.probability.up, &f.impact.up].into_iter().flatten() {
            assert!(flip.level > Level::Medium && flip.change >= 0);
        }
        for flip in [&f.probability.down, &f.impact.down].into_iter().flatten() {
            assert!(flip.level < Level::Medium && flip.change <= 0);
        }
    }
}

#[test]
fn a_fuzzy_model_says_its_levels_are_read_from_r() {
    let models = bundled_models().unwrap();
    let model = models
        .iter()
        .find(|m| m.spec().method == Method::Fuzzy)
        .unwrap();
    let a = assess(model, &random_inputs(model, 3)).unwrap();
    let s = sensitivity(model, &a);
    assert_eq!(s.basis, LevelBasis::IndexBandsOfFuzzyModel);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["basis"], "index_bands_of_fuzzy_model");
}
