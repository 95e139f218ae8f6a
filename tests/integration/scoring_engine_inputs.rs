//! The offline input file, input errors, determinism, and the method calculators' group and error paths.

use serde_json::json;
use wenping::cli::assess::{OfflineAssessmentFile, render_table};
use wenping::scoring::{
    AssessmentInputs, InputError, Level, MethodError, ahp, ahp_group, assess, bundled_models,
};

/// Saaty's consistency limit, as the bundled models declare it.
const SAATY: f64 = 0.10;

#[test]
fn the_offline_example_file_assesses_and_renders() {
    let file = OfflineAssessmentFile::from_json(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/assess-land.json"
    )))
    .unwrap();
    let models = bundled_models().unwrap();
    let model = models.iter().find(|m| m.kind() == file.kind).unwrap();
    assert_eq!(model.id(), "land_requisition");
    let a = assess(model, &file.inputs).unwrap();
    assert_eq!(a.initial.level, Level::Medium);
    assert_eq!(a.residual.outcome.level, Level::Low);
    let table = render_table(&a);
    for needle in [
        "compensation_standard",
        "initial : R = 0.4202",
        "residual: R = 0.3457",
        "MayImplement",
        "duty: unified_standard",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    // Same inputs, same JSON, byte for byte.
    let again = assess(model, &file.inputs).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    // An assessment survives a JSON round trip unchanged.
    let back: wenping::scoring::Assessment =
        serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn replay_from_a_model_snapshot_matches_after_the_file_changes() {
    let file = OfflineAssessmentFile::from_json(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/assess-land.json"
    )))
    .unwrap();
    let model = bundled_models()
        .unwrap()
        .into_iter()
        .find(|m| m.id() == "land_requisition")
        .unwrap();
    let snapshot = serde_json::to_string(&model).unwrap();
    let first = assess(&model, &file.inputs).unwrap();
    // The file is later edited; the stored snapshot still replays the original exactly.
    let edited = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/land_requisition.toml"
    ))
    .replacen("medium = 0.36", "medium = 0.30", 1);
    let edited = wenping::scoring::Model::from_toml_str("land_requisition.toml", &edited).unwrap();
    assert_ne!(edited.hash(), model.hash());
    let restored = wenping::scoring::Model::from_snapshot_json(&snapshot).unwrap();
    assert_eq!(assess(&restored, &file.inputs).unwrap(), first);
}

#[test]
fn unknown_ids_and_bad_grades_are_errors_naming_the_id() {
    let model = bundled_models()
        .unwrap()
        .into_iter()
        .find(|m| m.id() == "generic")
        .unwrap();
    let inputs: AssessmentInputs = serde_json::from_value(json!({
        "ratings": {"e1": {"no_such_factor": {"probability": 2, "impact": 2},
                           "benefit_balance": {"probability": 6, "impact": 2, "low": 4, "high": 2}}},
        "indicators": {"ghost": 1.0},
        "measures": ["no_such_measure", "legality_review", "legality_review"]
    }))
    .unwrap();
    let errors = assess(&model, &inputs).unwrap_err();
    let e = &errors.0;
    assert!(e.contains(&InputError::UnknownRatedFactor {
        expert: "e1".into(),
        factor: "no_such_factor".into()
    }));
    assert!(e.contains(&InputError::UnknownIndicatorFactor {
        factor: "ghost".into()
    }));
    assert!(e.contains(&InputError::UnknownMeasure {
        measure: "no_such_measure".into()
    }));
    assert!(e.contains(&InputError::DuplicateMeasure {
        measure: "legality_review".into()
    }));
    assert!(e.iter().any(|x| matches!(x, InputError::GradeOutOfRange { field, value: 6, .. } if field == "probability")));
    assert!(e.iter().any(|x| matches!(
        x,
        InputError::RangeInverted {
            low: 4,
            high: 2,
            ..
        }
    )));
    assert!(
        errors
            .to_string()
            .contains("unknown measure `no_such_measure`")
    );
}

#[test]
fn ahp_group_is_the_element_wise_geometric_mean() {
    // Experts judge a12 = 2 and 8: the geometric mean is 4, so the weights are 0.8 / 0.2.
    let a = vec![vec![1.0, 2.0], vec![0.5, 1.0]];
    let b = vec![vec![1.0, 8.0], vec![0.125, 1.0]];
    let g = ahp_group(&[a, b], SAATY).unwrap();
    assert!((g.weights[0] - 0.8).abs() < 1e-12);
    let small = vec![vec![1.0]];
    assert!(matches!(
        ahp_group(&[vec![vec![1.0, 2.0], vec![0.5, 1.0]], small], SAATY),
        Err(MethodError::GroupSizeMismatch { expert: 2, .. })
    ));
    assert!(matches!(ahp_group(&[], SAATY), Err(MethodError::Empty)));
}

#[test]
fn ahp_reports_the_most_inconsistent_pair() {
    // a13 = 1/5 contradicts a12 = 3, a23 = 3.
    let m = vec![
        vec![1.0, 3.0, 0.2],
        vec![1.0 / 3.0, 1.0, 3.0],
        vec![5.0, 1.0 / 3.0, 1.0],
    ];
    let r = ahp(&m, SAATY).unwrap();
    assert!(!r.consistent);
    assert!(r.cr >= 0.10);
    let pair = r.most_inconsistent_pair.unwrap();
    let expected = (0..3)
        .flat_map(|i| ((i + 1)..3).map(move |j| (i, j)))
        .max_by(|&(i, j), &(k, l)| {
            let d = |i: usize, j: usize| (m[i][j] * r.weights[j] / r.weights[i]).ln().abs();
            d(i, j).total_cmp(&d(k, l))
        })
        .unwrap();
    assert_eq!((pair.i, pair.j), expected);
    assert!(
        MethodError::TooLarge { n: 16, max: 15 }
            .to_string()
            .contains("16")
    );
}
