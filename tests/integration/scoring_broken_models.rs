//! One broken model file per validation rule: each error names the file, the line, the id and the problem.

use std::path::Path;

use wenping::scoring::{Model, ModelError};
use wenping::startup::models::read_folder as load_dir;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/broken-models");

fn errors_of(file: &str) -> (String, Vec<ModelError>) {
    let text = std::fs::read_to_string(Path::new(DIR).join(file)).unwrap();
    let errors = Model::from_toml_str(file, &text).unwrap_err().0;
    (text, errors)
}

/// 1-based line of the last line containing `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(marker))
        .map(|(k, _)| k + 1)
        .last()
        .unwrap()
}

/// Asserts one error sits on the marker's line, names the file, and says every one of `says`.
fn expect(file: &str, marker: &str, id: Option<&str>, says: &[&str]) {
    let (text, errors) = errors_of(file);
    let line = line_of(&text, marker);
    assert!(errors.iter().all(|e| e.file == file), "{errors:?}");
    let found = errors.iter().find(|e| {
        let shown = e.to_string();
        e.line == Some(line) && says.iter().all(|s| shown.contains(s))
    });
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let e = found.unwrap_or_else(|| {
        panic!(
            "{file}: no error on line {line} saying {says:?}; got:\n{}",
            all.join("\n")
        )
    });
    assert!(
        e.to_string().starts_with(&format!("{file}:{line}: ")),
        "{e}"
    );
    if let Some(id) = id {
        assert_eq!(e.kind.id(), Some(id), "{e}");
        assert!(e.to_string().contains(id));
    }
}

#[test]
fn toml_syntax() {
    expect("syntax.toml", "medium = = 0.36", None, &["TOML syntax"]);
}

#[test]
fn unknown_key_is_a_structure_error() {
    expect("unknown-field.toml", "ri_tabel", None, &["ri_tabel"]);
}

#[test]
fn unknown_dimension() {
    expect(
        "unknown-dimension.toml",
        "dimension = \"reasonablenes\"",
        Some("benefit_balance"),
        &["unknown dimension `reasonablenes`"],
    );
    // Every error is collected: the dimension left with one factor no longer sums to 1.
    let (_, errors) = errors_of("unknown-dimension.toml");
    assert!(errors.len() >= 2, "{errors:?}");
}

#[test]
fn duplicate_factor_measure_and_dimension_ids() {
    expect(
        "duplicate-factor-id.toml",
        "id = \"benefit_balance\"",
        Some("benefit_balance"),
        &["factor id", "more than once"],
    );
    expect(
        "duplicate-measure-id.toml",
        "id = \"legality_review\"",
        Some("legality_review"),
        &["measure id", "more than once"],
    );
    expect(
        "duplicate-dimension-id.toml",
        "id = \"legality\"",
        Some("legality"),
        &["dimension id", "more than once"],
    );
}

#[test]
fn weights_not_summing_to_one() {
    expect(
        "weights-sum.toml",
        "weight = 0.4",
        Some("factors of dimension `reasonableness`"),
        &["sum to 0.9", "not 1"],
    );
}

#[test]
fn ahp_not_square() {
    expect(
        "ahp-not-square.toml",
        "[\"1/2\", 1, 1],",
        Some("controllability"),
        &["square", "[4, 3, 4, 4]"],
    );
}

#[test]
fn ahp_not_positive() {
    expect(
        "ahp-not-positive.toml",
        "-1,",
        Some("dimensions"),
        &["(legality, feasibility) = -1", "not positive"],
    );
}

#[test]
fn ahp_not_reciprocal() {
    expect(
        "ahp-not-reciprocal.toml",
        "[\"1/3\", 1, 2]",
        Some("reasonableness"),
        &[
            "not reciprocal",
            "(compensation_standard, resettlement_social_security) = 2",
        ],
    );
}

#[test]
fn ahp_inconsistent_reports_cr_and_the_most_inconsistent_pair() {
    expect(
        "ahp-inconsistent.toml",
        "[1,     1,     9, \"1/5\"],",
        Some("dimensions"),
        &[
            "CR 0.",
            "≥ 0.1 (ahp.consistency_limit)",
            "most inconsistent pair (legality, controllability)",
        ],
    );
    let (_, errors) = errors_of("ahp-inconsistent.toml");
    let shown = errors[0].to_string();
    let cr: f64 = shown
        .split("CR ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(cr >= 0.10, "{shown}");
}

#[test]
fn thresholds_out_of_order() {
    expect(
        "thresholds-order.toml",
        "medium = 0.64",
        None,
        &["out of order", "medium (0.64)", "high (0.36)"],
    );
}

#[test]
fn factor_matrix_shape_levels_and_order() {
    expect(
        "matrix-not-5x5.toml",
        "rows = [",
        None,
        &["5×5", "[5, 5, 5, 5]"],
    );
    expect(
        "matrix-unknown-level.toml",
        "\"hihg\"",
        None,
        &["unknown level `hihg`", "probability 4, impact 5"],
    );
    expect(
        "matrix-not-monotone.toml",
        "\"high\",   \"low\"]",
        None,
        &["level falls as a grade rises"],
    );
}

#[test]
fn measure_naming_an_unknown_factor() {
    expect(
        "measure-unknown-factor.toml",
        "implementation_timeing",
        Some("phased_implementation"),
        &["unknown factor `implementation_timeing`"],
    );
}

#[test]
fn unsorted_breakpoints() {
    expect(
        "breakpoints-unsorted.toml",
        "breakpoints = [0.8, 1.25, 1.0, 1.5]",
        Some("petition_trend"),
        &["not strictly increasing"],
    );
}

#[test]
fn grade_values_not_increasing_or_out_of_range() {
    expect(
        "grade-values-not-increasing.toml",
        "values = [0.2, 0.4, 0.4",
        Some("probability"),
        &["not strictly increasing"],
    );
    expect(
        "grade-values-out-of-range.toml",
        "values = [0.0",
        Some("probability"),
        &["value 0 is not in (0, 1]"],
    );
}

#[test]
fn analysis_numbers_out_of_range() {
    expect(
        "ahp-limit-out-of-range.toml",
        "consistency_limit = 1.0",
        None,
        &[
            "[ahp.consistency_limit]",
            "consistency_limit 1 must be in (0, 1)",
        ],
    );
    expect(
        "uncertainty-out-of-range.toml",
        "order_holds_share = 0.5",
        None,
        &[
            "[uncertainty.order_holds_share]",
            "order_holds_share 0.5 must be in (0.5, 1]",
        ],
    );
    expect(
        "uncertainty-out-of-range.toml",
        "order_draws = 1000001",
        None,
        &["[uncertainty.order_draws]", "must be in 1..=1000000"],
    );
    expect(
        "uncertainty-out-of-range.toml",
        "report_draws = 0",
        None,
        &[
            "[uncertainty.report_draws]",
            "report_draws 0 must be in 1..=1000000",
        ],
    );
    assert_eq!(errors_of("uncertainty-out-of-range.toml").1.len(), 3);
}

#[test]
fn a_model_file_must_declare_its_analysis_tables() {
    let (_, errors) = errors_of("analysis-tables-missing.toml");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{shown:?}");
    for (e, key) in errors.iter().zip(["ahp", "uncertainty"]) {
        // The table is absent, so no line holds it: the error names the file and the key.
        assert_eq!((e.line, e.path.as_str()), (None, key), "{e}");
        assert!(
            e.to_string().starts_with(&format!(
                "analysis-tables-missing.toml: [{key}] {key}: missing"
            )),
            "{e}"
        );
    }
    assert!(shown[1].contains("report_draws"), "{}", shown[1]);
}

#[test]
fn a_stricter_consistency_limit_refuses_a_block_saatys_accepts() {
    let text = include_str!("../../models/enterprise_restructuring.toml");
    let model = Model::from_toml_str("enterprise_restructuring.toml", text).unwrap();
    let worst = model
        .derived()
        .ahp_blocks
        .iter()
        .map(|b| b.result.cr)
        .fold(0.0, f64::max);
    // Its controllability block is acceptably inconsistent (CR ≈ 0.003).
    assert!(worst > 0.002 && worst < 0.10, "CR {worst}");
    let strict = text.replacen("consistency_limit = 0.10", "consistency_limit = 0.002", 1);
    let errors = Model::from_toml_str("enterprise_restructuring.toml", &strict)
        .unwrap_err()
        .0;
    assert!(!errors.is_empty());
    for e in &errors {
        let shown = e.to_string();
        assert!(shown.contains("≥ 0.002 (ahp.consistency_limit)"), "{shown}");
        assert!(e.path.contains("ahp.matrix["), "{shown}");
    }
}

#[test]
fn load_dir_reports_every_broken_file_and_keeps_none() {
    let (models, errors) = load_dir(Path::new(DIR));
    assert!(models.is_empty());
    let files: std::collections::BTreeSet<&str> = errors.iter().map(|e| e.file.as_str()).collect();
    let on_disk = std::fs::read_dir(DIR).unwrap().count();
    assert_eq!(files.len(), on_disk);
    // Each file is broken for its own reason: only the analysis fixtures fault [ahp] or [uncertainty].
    let analysis: std::collections::BTreeSet<&str> = errors
        .iter()
        .filter(|e| e.path.starts_with("ahp") || e.path.starts_with("uncertainty"))
        .map(|e| e.file.as_str())
        .collect();
    assert_eq!(
        analysis.into_iter().collect::<Vec<_>>(),
        [
            "ahp-limit-out-of-range.toml",
            "analysis-tables-missing.toml",
            "uncertainty-out-of-range.toml"
        ]
    );
}

#[test]
fn a_ledger_rule_names_only_topics_of_the_concern_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let text = std::fs::read_to_string(models.join("house_expropriation.toml")).unwrap();
    let broken = text.replace(
        r#"topics = ["resettlement", "compensation"]"#,
        r#"topics = ["resettlement", "compensations"]"#,
    );
    assert_ne!(broken, text, "the house model has a ledger rule");
    std::fs::write(dir.path().join("house_expropriation.toml"), broken).unwrap();
    let (loaded, errors) = load_dir(dir.path());
    assert!(loaded.is_empty());
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].contains("resettlement_housing")
            && shown[0].contains("'compensations' is not a topic"),
        "{shown:?}"
    );
}
