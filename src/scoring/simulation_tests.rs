#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::scoring::assessment::EvidenceSource;
use crate::scoring::inputs::ExpertRating;
use crate::scoring::test_support::{land_example, random_inputs};
use crate::scoring::{bundled_models, model::Method};

fn request(draws: u32, seed: u64, weight_noise: Option<f64>) -> SimulationRequest {
    SimulationRequest {
        draws,
        seed,
        weight_noise,
    }
}

/// Every expert gives every factor the grades `agreed`; the first expert's set of factors is used by all.
fn agreeing(inputs: &AssessmentInputs, agreed: Option<(u8, u8)>) -> AssessmentInputs {
    let mut out = inputs.clone();
    let first = inputs.ratings.values().next().cloned().unwrap_or_default();
    for ratings in out.ratings.values_mut() {
        *ratings = first.clone();
        for r in ratings.values_mut() {
            if let Some((p, q)) = agreed {
                (r.probability, r.impact) = (p, q);
            }
            (r.low, r.high) = (None, None);
        }
    }
    out
}

#[test]
fn zero_spread_gives_the_deterministic_level_with_probability_one() {
    for model in bundled_models().unwrap() {
        for seed in 0..4 {
            let mut inputs = agreeing(&random_inputs(&model, seed), None);
            inputs.measures = model
                .spec()
                .measures
                .iter()
                .take(2)
                .map(|m| m.id.clone())
                .collect();
            let sim = simulate(&model, &inputs, &request(500, seed, None)).unwrap();
            for d in [&sim.residual, &sim.initial] {
                let p = match d.deterministic.level {
                    Level::Low => d.p_low,
                    Level::Medium => d.p_medium,
                    Level::High => d.p_high,
                };
                assert_eq!(p, 1.0, "{} seed {seed}", model.id());
                assert_eq!(d.r_quantiles.p5, d.deterministic.r);
                assert_eq!(d.r_quantiles.p95, d.deterministic.r);
            }
            let a = assess(&model, &inputs).unwrap();
            assert_eq!(sim.initial.deterministic.r, a.initial.r);
            if model.spec().method == Method::Index {
                assert_eq!(sim.residual.deterministic.level, a.residual.outcome.level);
            }
        }
    }
}

#[test]
fn a_seed_gives_the_same_result_and_another_seed_another() {
    let (model, inputs) = land_example();
    let one = simulate(&model, &inputs, &request(4_000, 42, Some(0.2))).unwrap();
    let again = simulate(&model, &inputs, &request(4_000, 42, Some(0.2))).unwrap();
    let other = simulate(&model, &inputs, &request(4_000, 43, Some(0.2))).unwrap();
    assert_eq!(one, again);
    assert_ne!(one.residual.r_quantiles, other.residual.r_quantiles);
    for d in [&one.residual, &one.initial, &other.residual] {
        assert!((d.p_low + d.p_medium + d.p_high - 1.0).abs() < 1e-12);
        assert_eq!(d.histogram.iter().map(|b| b.count).sum::<u32>(), 4_000);
        assert!(d.r_quantiles.p5 <= d.r_quantiles.p50 && d.r_quantiles.p50 <= d.r_quantiles.p95);
    }
    // Measures only lower grades, and the same random numbers drive both outcomes.
    assert!(one.residual.r_quantiles.p50 <= one.initial.r_quantiles.p50);
}

#[test]
fn requests_out_of_range_are_clamped() {
    let (model, inputs) = land_example();
    let sim = simulate(&model, &inputs, &request(0, 1, Some(f64::NAN))).unwrap();
    assert_eq!((sim.draws, sim.weight_noise), (1, 0.0));
    let sim = simulate(&model, &inputs, &request(10, 1, Some(7.0))).unwrap();
    assert_eq!(sim.weight_noise, MAX_WEIGHT_NOISE);
}

/// CDF of the triangular law (a, c, b) at x.
fn triangular_cdf(x: f64, a: f64, c: f64, b: f64) -> f64 {
    if x <= a {
        0.0
    } else if x <= c {
        (x - a).powi(2) / ((b - a) * (c - a))
    } else if x < b {
        1.0 - (b - x).powi(2) / ((b - a) * (b - c))
    } else {
        1.0
    }
}

/// The land example with every expert agreeing on `agreed` except on the heaviest non-veto expert factor,
/// rated with probabilities 1, 3 and 5 (so a = 1, c = 3, b = 5) and impact 5.
fn one_uncertain_factor(agreed: (u8, u8)) -> (Model, AssessmentInputs, String) {
    let (model, inputs) = land_example();
    let mut inputs = agreeing(&inputs, Some(agreed));
    inputs.measures.clear();
    let a0 = assess(&model, &inputs).unwrap();
    let f = a0
        .factors
        .iter()
        .filter(|f| !f.veto && f.evidence.probability_source == EvidenceSource::Expert)
        .max_by(|x, y| x.weight.total_cmp(&y.weight))
        .unwrap()
        .id
        .clone();
    for (k, ratings) in inputs.ratings.values_mut().enumerate() {
        let r: &mut ExpertRating = ratings.get_mut(&f).unwrap();
        r.probability = [1, 3, 5][k];
        r.impact = 5;
    }
    (model, inputs, f)
}

#[test]
fn one_uncertain_factor_matches_the_triangular_law_in_closed_form() {
    let mut checked = 0;
    for agreed in [
        (1, 1),
        (1, 2),
        (2, 2),
        (2, 3),
        (2, 4),
        (3, 3),
        (3, 4),
        (4, 4),
    ] {
        let (model, inputs, f) = one_uncertain_factor(agreed);
        let a = assess(&model, &inputs).unwrap();
        if !a.initial.veto.is_empty() {
            continue;
        }
        let fa = a.factors.iter().find(|x| x.id == f).unwrap();
        // Default scale: value = 0.2·x on the continuous grade, so R(x) = base + w·0.2·x·I.
        assert_eq!(
            model.spec().grades.probability.values,
            vec![0.2, 0.4, 0.6, 0.8, 1.0]
        );
        let base = a.initial.r - fa.initial.contribution;
        let slope = fa.weight * 0.2 * fa.initial.impact.value;
        let bands = &model.spec().levels;
        let below = |t: f64| triangular_cdf((t - base) / slope, 1.0, 3.0, 5.0);
        let expected = [
            below(bands.medium),
            below(bands.high) - below(bands.medium),
            1.0 - below(bands.high),
        ];
        if expected.iter().filter(|p| **p > 0.05).count() < 2 {
            continue;
        }
        let n = 100_000;
        let sim = simulate(&model, &inputs, &request(n, 9, None)).unwrap();
        let got = [sim.initial.p_low, sim.initial.p_medium, sim.initial.p_high];
        for (g, e) in got.iter().zip(expected) {
            let sigma = (e * (1.0 - e) / f64::from(n)).sqrt();
            assert!(
                (g - e).abs() <= 4.0 * sigma + 1e-9,
                "got {got:?}, expected {expected:?}"
            );
        }
        checked += 1;
    }
    assert!(
        checked > 0,
        "no panel put a threshold inside the factor's range"
    );
}
