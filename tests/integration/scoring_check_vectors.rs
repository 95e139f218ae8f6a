//! The check vectors of DESIGN §4.

use serde_json::json;

use crate::common::assert_close;
use wenping::scoring::{AssessmentInputs, Level, Model, ahp, ahp_group, assess};

/// Saaty's consistency limit, as the bundled models declare it.
const SAATY: f64 = 0.10;

#[test]
fn ahp_consistent_four_by_four() {
    let m = vec![
        vec![1.0, 2.0, 4.0, 2.0],
        vec![0.5, 1.0, 2.0, 1.0],
        vec![0.25, 0.5, 1.0, 0.5],
        vec![0.5, 1.0, 2.0, 1.0],
    ];
    let r = ahp(&m, SAATY).unwrap();
    for (w, e) in r.weights.iter().zip([0.4444, 0.2222, 0.1111, 0.2222]) {
        assert_close(w, e, 1e-3, "weight");
    }
    assert_close(&r.lambda_max, 4.0, 1e-9, "λmax");
    assert_close(&r.cr, 0.0, 1e-9, "CR");
    assert!(r.consistent);
    assert_eq!(r.ri_table.name(), "saaty");
}

#[test]
fn ahp_five_by_five_with_cr() {
    let m = vec![
        vec![1.0, 1.0 / 2.0, 4.0, 3.0, 3.0],
        vec![2.0, 1.0, 7.0, 5.0, 5.0],
        vec![1.0 / 4.0, 1.0 / 7.0, 1.0, 1.0 / 2.0, 1.0 / 3.0],
        vec![1.0 / 3.0, 1.0 / 5.0, 2.0, 1.0, 1.0],
        vec![1.0 / 3.0, 1.0 / 5.0, 3.0, 1.0, 1.0],
    ];
    let r = ahp(&m, SAATY).unwrap();
    for (w, e) in r
        .weights
        .iter()
        .zip([0.2636, 0.4758, 0.0538, 0.0981, 0.1087])
    {
        assert_close(w, e, 1e-3, "weight");
    }
    assert_close(&r.lambda_max, 5.0721, 1e-4, "λmax");
    assert_close(&r.ci, 0.0180, 1e-4, "CI");
    assert_close(&r.cr, 0.0161, 1e-4, "CR");
    assert!(r.consistent);
    assert_eq!(r.ri, 1.12);
    // The same matrix from two experts aggregates to itself.
    let g = ahp_group(&[m.clone(), m], SAATY).unwrap();
    assert_close(&g.cr, r.cr, 1e-9, "CR of the group");
}

#[test]
fn index_check_vector_through_the_engine() {
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/check-vector-model.toml"
    ));
    let model = Model::from_toml_str("check-vector-model.toml", text).unwrap();
    let inputs: AssessmentInputs = serde_json::from_value(json!({"ratings": {"e": {
        "f1": {"probability": 2, "impact": 5}, "f2": {"probability": 3, "impact": 5},
        "f3": {"probability": 4, "impact": 5}, "f4": {"probability": 2, "impact": 5}}}}))
    .unwrap();
    let a = assess(&model, &inputs).unwrap();
    let degrees: Vec<f64> = a.factors.iter().map(|f| f.initial.degree).collect();
    for (d, e) in degrees.iter().zip([0.3, 0.5, 0.7, 0.3]) {
        assert_close(d, e, 1e-12, "degree");
    }
    for (f, e) in a.factors.iter().zip([0.4444, 0.2222, 0.1111, 0.2222]) {
        assert_close(&f.weight, e, 1e-4, "weight");
    }
    assert_close(&a.initial.r, 0.3889, 1e-4, "R");
    assert_close(&a.initial.r, 3.5 / 9.0, 1e-12, "R");
    assert_eq!(a.initial.level, Level::Medium);
}
