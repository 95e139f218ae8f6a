//! Properties of the engine and of AHP over random inputs.

use std::collections::BTreeMap;

use proptest::prelude::*;
use wenping::scoring::{
    AssessmentInputs, AttributeValue, ExpertRating, Model, ahp, assess, bundled_models,
};

/// Saaty's consistency limit, as the bundled models declare it.
const SAATY: f64 = 0.10;

fn models() -> Vec<Model> {
    bundled_models().unwrap()
}

/// Random inputs for a model: each of `experts` rates each factor with probability ~3/4.
fn random_inputs(
    model: &Model,
    grades: &[(u8, u8, bool)],
    attrs: &[f64],
    indicator: f64,
) -> AssessmentInputs {
    let mut ratings: BTreeMap<String, BTreeMap<String, ExpertRating>> = BTreeMap::new();
    let n = model.spec().factors.len();
    for (k, &(p, q, rated)) in grades.iter().enumerate() {
        if !rated {
            continue;
        }
        let factor = &model.spec().factors[k % n].id;
        let expert = format!("e{}", k / n);
        ratings.entry(expert).or_default().insert(
            factor.clone(),
            ExpertRating {
                probability: p,
                impact: q,
                low: None,
                high: None,
                note: None,
            },
        );
    }
    let names = [
        "compensation_ratio",
        "signing_rate",
        "support_rate",
        "public_notice_days",
        "funds_in_place",
        "arrears_months",
    ];
    let attributes = names
        .iter()
        .zip(attrs)
        .map(|(n, v)| {
            let value = if *n == "funds_in_place" {
                AttributeValue::Flag(*v > 0.5)
            } else {
                AttributeValue::Number(
                    *v * 40.0
                        / if n.ends_with("days") || n.starts_with("arrears") {
                            1.0
                        } else {
                            30.0
                        },
                )
            };
            ((*n).to_string(), value)
        })
        .collect();
    let indicators = model
        .spec()
        .factors
        .iter()
        .filter(|f| {
            matches!(
                f.evidence,
                wenping::scoring::model::EvidenceRule::Petition(_)
            )
        })
        .map(|f| (f.id.clone(), indicator))
        .collect();
    AssessmentInputs {
        attributes,
        ratings,
        indicators,
        measures: Vec::new(),
    }
}

fn grades_strategy() -> impl Strategy<Value = Vec<(u8, u8, bool)>> {
    prop::collection::vec((1u8..=5, 1u8..=5, prop::bool::weighted(0.75)), 15..60)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn r_is_in_unit_interval_and_is_the_sum_of_contributions(
        which in 0usize..5, grades in grades_strategy(), attrs in prop::collection::vec(0.0f64..1.0, 6), ind in 0.0f64..5.0
    ) {
        let m = &models()[which];
        let a = assess(m, &random_inputs(m, &grades, &attrs, ind)).unwrap();
        prop_assert!(a.initial.r >= 0.0 && a.initial.r <= 1.0 + 1e-12);
        let sum = a.factors.iter().fold(0.0, |s, f| s + f.initial.contribution);
        prop_assert_eq!(sum, a.initial.r);
        let sum = a.factors.iter().fold(0.0, |s, f| s + f.residual.contribution);
        prop_assert_eq!(sum, a.residual.outcome.r);
    }

    #[test]
    fn r_never_falls_when_a_grade_rises(
        which in 0usize..5, grades in grades_strategy(), attrs in prop::collection::vec(0.0f64..1.0, 6),
        pick in any::<prop::sample::Index>(), on_impact in any::<bool>()
    ) {
        let m = &models()[which];
        let before = assess(m, &random_inputs(m, &grades, &attrs, 1.0)).unwrap();
        let mut raised = grades.clone();
        let k = pick.index(raised.len());
        raised[k].2 = true;
        if on_impact { raised[k].1 = (raised[k].1 + 1).min(5) } else { raised[k].0 = (raised[k].0 + 1).min(5) }
        // Only a rating that was already present is raised, so the evidence set is unchanged.
        prop_assume!(grades[k].2);
        let after = assess(m, &random_inputs(m, &raised, &attrs, 1.0)).unwrap();
        prop_assert!(after.initial.r >= before.initial.r, "{} < {}", after.initial.r, before.initial.r);
    }

    #[test]
    fn a_measure_never_raises_r(
        which in 0usize..5, grades in grades_strategy(), attrs in prop::collection::vec(0.0f64..1.0, 6),
        chosen in prop::collection::vec(any::<bool>(), 10)
    ) {
        let m = &models()[which];
        let mut inputs = random_inputs(m, &grades, &attrs, 2.0);
        inputs.measures = m.spec().measures.iter().zip(chosen.iter().chain(std::iter::repeat(&false)))
            .filter(|(_, c)| **c).map(|(x, _)| x.id.clone()).collect();
        let a = assess(m, &inputs).unwrap();
        prop_assert!(a.residual.outcome.r <= a.initial.r);
        for f in &a.factors {
            prop_assert!(f.residual.degree <= f.initial.degree);
            if f.measures.is_empty() {
                prop_assert_eq!(f.residual.degree, f.initial.degree);
            }
        }
        prop_assert!(a.residual.outcome.level <= a.initial.level);
    }

    #[test]
    fn consistent_matrix_gives_back_its_weights(raw in prop::collection::vec(0.01f64..1.0, 1..=15)) {
        let sum: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|x| x / sum).collect();
        let matrix: Vec<Vec<f64>> = w.iter().map(|wi| w.iter().map(|wj| wi / wj).collect()).collect();
        let r = ahp(&matrix, SAATY).unwrap();
        prop_assert!(r.cr.abs() < 1e-9, "CR {}", r.cr);
        prop_assert!(r.consistent);
        for (a, b) in r.weights.iter().zip(&w) {
            prop_assert!((a - b).abs() < 1e-9);
        }
    }

    #[test]
    fn global_weights_sum_to_one_for_random_ahp_models(
        dims in prop::collection::vec(prop::collection::vec(0.05f64..1.0, 1..5), 1..5),
        dim_raw in prop::collection::vec(0.05f64..1.0, 4)
    ) {
        let text = random_model(&dims, &dim_raw[..dims.len()]);
        let m = Model::from_toml_str("random.toml", &text).unwrap();
        let sum: f64 = m.derived().factor_weights.iter().map(|f| f.global).sum();
        prop_assert!((sum - 1.0).abs() < 1e-9, "sum {}", sum);
        // Each global weight is its normalised dimension weight times its normalised local weight.
        let dsum: f64 = dim_raw[..dims.len()].iter().sum();
        let mut k = 0;
        for (d, locals) in dims.iter().enumerate() {
            let lsum: f64 = locals.iter().sum();
            for l in locals {
                let want = dim_raw[d] / dsum * l / lsum;
                prop_assert!((m.derived().factor_weights[k].global - want).abs() < 1e-9);
                k += 1;
            }
        }
    }
}

fn matrix_toml(w: &[f64]) -> String {
    let rows: Vec<String> = w
        .iter()
        .map(|a| {
            format!(
                "[{}]",
                w.iter()
                    .map(|b| format!("{:?}", a / b))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// A model whose dimensions and factors are all weighted by consistent AHP matrices from random weights.
fn random_model(dims: &[Vec<f64>], dim_w: &[f64]) -> String {
    let base = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/check-vector-model.toml"
    ));
    let head = &base[..base.find("[[dimensions]]").unwrap()];
    let ids: Vec<String> = (0..dims.len()).map(|d| format!("\"d{d}\"")).collect();
    let mut s = format!(
        "{head}[dimension_ahp]\norder = [{}]\nmatrix = {}\nprovenance = \"random\"\n",
        ids.join(", "),
        matrix_toml(dim_w)
    );
    for (d, locals) in dims.iter().enumerate() {
        let fids: Vec<String> = (0..locals.len()).map(|k| format!("\"f{d}_{k}\"")).collect();
        s += &format!(
            "\n[[dimensions]]\nid = \"d{d}\"\nname = {{ zh = \"维\", en = \"d\" }}\nfactor_ahp = {{ order = [{}], matrix = {}, provenance = \"random\" }}\n",
            fids.join(", "),
            matrix_toml(locals)
        );
    }
    for (d, locals) in dims.iter().enumerate() {
        for k in 0..locals.len() {
            s += &format!(
                "\n[[factors]]\nid = \"f{d}_{k}\"\nname = {{ zh = \"因\", en = \"f\" }}\ndimension = \"d{d}\"\nevidence = {{ source = \"expert\" }}\n"
            );
        }
    }
    s
}
