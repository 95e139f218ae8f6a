#![allow(clippy::unwrap_used, clippy::expect_used)]
use proptest::prelude::*;

use super::*;
use crate::rng::Rng;
use crate::scoring::engine::measure_steps;
use crate::scoring::model::{MeasureEffect, MeasureSpec, Names, Phase};
use crate::scoring::test_support::{land_example, random_inputs};
use crate::scoring::{assess, bundled_models};

/// The generic model (index) or the major-project one (fuzzy) with a random catalogue of `n` measures,
/// integer costs so that equal costs compare equal.
fn with_catalogue(fuzzy: bool, n: usize, seed: u64) -> Model {
    let models = bundled_models().unwrap();
    let id = if fuzzy { "major_project" } else { "generic" };
    let mut spec = models.iter().find(|m| m.id() == id).unwrap().spec().clone();
    let mut rng = Rng::new(seed);
    let factors: Vec<String> = spec.factors.iter().map(|f| f.id.clone()).collect();
    let name = || Names {
        zh: "措施".into(),
        en: "measure".into(),
    };
    spec.measures = (0..n)
        .map(|k| MeasureSpec {
            id: format!("m{:02}", n - 1 - k),
            name: name(),
            effects: (0..1 + rng.below(2))
                .map(|_| MeasureEffect {
                    factor: factors[rng.below(factors.len() as u64) as usize].clone(),
                    on: if rng.chance(70) {
                        GradeAxis::Probability
                    } else {
                        GradeAxis::Impact
                    },
                    steps: 1 + rng.below(2) as u8,
                })
                .collect(),
            cost: (1 + rng.below(5)) as f64,
            owner: name(),
            phase: Phase::BeforeDecision,
        })
        .collect();
    Model::from_spec("random.toml", spec).unwrap_or_else(|e| panic!("{e}"))
}

/// Every subset scored by the engine itself: (cost, R, level, ids in id order).
fn exhaustive(model: &Model, inputs: &AssessmentInputs) -> Vec<(f64, f64, Level, Vec<String>)> {
    let evidence = gather_all(model, inputs);
    let mut ids: Vec<String> = model.spec().measures.iter().map(|m| m.id.clone()).collect();
    ids.sort();
    let weights = &model.derived().factor_weights;
    (0u32..1 << ids.len())
        .map(|mask| {
            let set: Vec<String> = ids
                .iter()
                .enumerate()
                .filter(|(i, _)| mask >> i & 1 == 1)
                .map(|(_, m)| m.clone())
                .collect();
            let steps = measure_steps(model, &set);
            let scores: Vec<FactorScore> = evidence
                .iter()
                .zip(&steps)
                .zip(weights)
                .filter_map(|((ev, &s), w)| score_factor(model, ev, s, w.global))
                .collect();
            let o = outcome(model, &scores);
            let cost = set.iter().map(|m| model.measure(m).unwrap().cost).sum();
            (cost, o.r, o.level, set)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    #[test]
    fn the_plan_agrees_with_exhaustive_search(
        fuzzy in any::<bool>(), n in 1usize..=16, seed in any::<u64>(),
        medium in any::<bool>(), budget in prop::option::of(1u32..20)
    ) {
        let model = with_catalogue(fuzzy, n, seed);
        let inputs = random_inputs(&model, seed ^ 1);
        let target = if medium { Level::Medium } else { Level::Low };
        let budget = budget.map(f64::from);
        let plan = mitigation_plan(&model, &inputs, target, budget).unwrap();
        let all = exhaustive(&model, &inputs);
        let within: Vec<_> = all.iter().filter(|s| budget.is_none_or(|b| s.0 <= b)).collect();
        let key = |s: &&(f64, f64, Level, Vec<String>)| (s.0, s.3.len(), s.3.clone());
        let best = within.iter().filter(|s| s.2 <= target)
            .min_by(|a, b| key(a).partial_cmp(&key(b)).unwrap());
        prop_assert_eq!(plan.reached, best.is_some());
        let expected = best.copied().unwrap_or_else(|| {
            within.iter().min_by(|a, b| (a.1, key(a)).partial_cmp(&(b.1, key(b))).unwrap()).copied().unwrap()
        });
        prop_assert_eq!(&plan.measures, &expected.3);
        prop_assert_eq!((plan.cost, plan.r, plan.level), (expected.0, expected.1, expected.2));
        // The frontier: every subset is matched or beaten by a point no more costly.
        prop_assert_eq!(plan.frontier_method, FrontierMethod::Exact);
        for s in &all {
            prop_assert!(plan.frontier.iter().any(|p| p.cost <= s.0 && p.r <= s.1));
        }
        for p in &plan.frontier {
            prop_assert!(all.iter().any(|s| s.0 == p.cost && s.1 == p.r && s.3 == p.measures));
        }
        prop_assert!(plan.frontier.windows(2).all(|w| w[0].cost < w[1].cost && w[0].r > w[1].r));
    }
}

#[test]
fn the_land_example_reaches_low_and_the_engine_agrees() {
    let (model, inputs) = land_example();
    let plan = mitigation_plan(&model, &inputs, Level::Low, None).unwrap();
    assert_eq!(plan.initial_level, Level::Medium);
    assert!(plan.reached, "{plan:?}");
    let mut chosen = inputs.clone();
    chosen.measures = plan.measures.clone();
    let a = assess(&model, &chosen).unwrap();
    assert_eq!(a.residual.outcome.r, plan.r);
    assert_eq!(a.residual.outcome.level, Level::Low);
    assert_eq!(a.initial.r, plan.initial_r);
    // A budget below the plan's cost cannot reach low: the closest set within it is given instead.
    let tight = mitigation_plan(&model, &inputs, Level::Low, Some(plan.cost - 0.5)).unwrap();
    assert!(!tight.reached);
    assert!(tight.cost <= plan.cost - 0.5 && tight.r >= plan.r);
}

#[test]
fn large_catalogues_get_a_greedy_frontier_and_an_exact_plan() {
    let model = with_catalogue(false, 30, 5);
    let mut inputs = random_inputs(&model, 11);
    for r in inputs.ratings.values_mut().flat_map(|x| x.values_mut()) {
        (r.probability, r.impact) = (4, 4);
    }
    let plan = mitigation_plan(&model, &inputs, Level::Medium, None).unwrap();
    assert_eq!(plan.frontier_method, FrontierMethod::Greedy);
    assert!(plan.frontier.windows(2).all(|w| w[0].r > w[1].r));
    let mut chosen = inputs.clone();
    chosen.measures = plan.measures.clone();
    let a = assess(&model, &chosen).unwrap();
    assert_eq!(a.residual.outcome.level <= Level::Medium, plan.reached);
}

#[test]
fn unknown_inputs_are_refused_but_chosen_measures_are_ignored() {
    let (model, mut inputs) = land_example();
    inputs.measures = vec!["not_in_the_catalogue".into()];
    assert!(mitigation_plan(&model, &inputs, Level::Low, None).is_ok());
    inputs.indicators.insert("no_such_factor".into(), 1.0);
    assert!(mitigation_plan(&model, &inputs, Level::Low, None).is_err());
}
