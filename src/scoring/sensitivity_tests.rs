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

fn near_threshold(model: &Model, r: f64, within: f64) -> bool {
    let b = &model.spec().levels;
    (r - b.medium).abs() < within || (r - b.high).abs() < within
}

/// How far two summation orders of R may differ: a few ulps of numbers below 1, with a wide margin.
const ROUNDING: f64 = 1e-12;

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
        if near_threshold(model, a.initial.r, 1e-9) {
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
        let mut judged = 0;
        for (k, wi) in s.initial.weight_intervals.iter().enumerate() {
            prop_assert!(wi.lo <= wi.weight && wi.weight <= wi.hi);
            if vetoed {
                prop_assert_eq!((wi.lo, wi.hi), (0.0, 1.0));
                continue;
            }
            // None within rounding of a threshold, where the sum from scratch may fall on either side: R(w′)
            // can lie on a threshold all along (the saved case: rᵢ = ρ = R = 0.36, exactly the medium band).
            let level_at = |x: f64| {
                let r = r_at(k, x);
                (!near_threshold(model, r, ROUNDING)).then(|| basis_level(model, r, false))
            };
            // (weight, whether the level should hold there)
            let mut probes = Vec::new();
            if wi.hi - wi.lo > 2.0 * eps {
                probes.extend([(wi.lo + eps, true), (wi.hi - eps, true)]);
            }
            if wi.lo > eps {
                probes.push((wi.lo - eps, false));
            }
            if wi.hi < 1.0 - eps {
                probes.push((wi.hi + eps, false));
            }
            for (x, inside) in probes {
                let Some(level) = level_at(x) else { continue };
                prop_assert_eq!(
                    level == s.initial.level, inside,
                    "{} at {} of [{}, {}]: {:?}", wi.factor, x, wi.lo, wi.hi, level
                );
                judged += 1;
            }
        }
        prop_assert!(vetoed || judged > 0);
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

/// One expert's (probability, impact) grade per factor.
fn one_expert(grades: &[(&str, u8, u8)]) -> AssessmentInputs {
    let mine = grades
        .iter()
        .map(|&(id, probability, impact)| {
            let rating = crate::scoring::inputs::ExpertRating {
                probability,
                impact,
                low: None,
                high: None,
                note: None,
            };
            (id.to_string(), rating)
        })
        .collect();
    AssessmentInputs {
        ratings: [("expert_a".to_string(), mine)].into(),
        ..AssessmentInputs::default()
    }
}

#[test]
fn a_factor_whose_line_lies_flat_on_a_threshold_holds_the_level_at_every_weight() {
    let models = bundled_models().unwrap();
    let model = models
        .iter()
        .find(|m| m.spec().id == "house_expropriation")
        .unwrap();
    let inputs = one_expert(&[
        ("public_interest_plan", 2, 2),
        ("comment_period_hearing", 2, 2),
        ("compensation_vs_market", 5, 4),
        ("valuer_choice", 4, 5),
        ("resettlement_housing", 4, 5),
        ("pre_signing_rate", 4, 5),
        ("funds_dedicated_account", 5, 5),
        ("owner_support", 4, 5),
        ("vulnerable_disputed_titles", 4, 4),
        ("forced_demolition", 4, 4),
        ("demolition_petitions", 4, 4),
    ]);
    let a = assess(model, &inputs).unwrap();
    // Exactly R = 16/25 = 0.64, the high threshold; each of the last three factors has rᵢ = 0.8·0.8 = 16/25,
    // which is also the others' weighted mean ρ, so R(w′) = 0.64 at every weight: the level holds throughout.
    assert_eq!(a.initial.level, Level::High);
    let s = sensitivity(model, &a);
    for id in [
        "vulnerable_disputed_titles",
        "forced_demolition",
        "demolition_petitions",
    ] {
        let wi = s
            .initial
            .weight_intervals
            .iter()
            .find(|w| w.factor == id)
            .unwrap();
        assert_eq!((wi.lo, wi.hi), (0.0, 1.0), "{id}");
    }
}
