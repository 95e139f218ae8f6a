//! All five bundled models load cleanly, their AHP blocks are consistent, and identity is by content.

use std::path::Path;

use wenping::scoring::{DecisionKind, Model, bundled_models};
use wenping::startup::models::read_folder as load_dir;

#[test]
fn all_five_bundled_models_load_without_error() {
    let (models, errors) = load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models")));
    for e in &errors {
        eprintln!("{e}");
    }
    assert!(errors.is_empty(), "{} errors", errors.len());
    assert_eq!(models.len(), 5);
    let kinds: Vec<DecisionKind> = models.iter().map(Model::kind).collect();
    for kind in [
        DecisionKind::LandRequisition,
        DecisionKind::HouseExpropriation,
        DecisionKind::EnterpriseRestructuring,
        DecisionKind::MajorProject,
        DecisionKind::Other,
    ] {
        assert!(kinds.contains(&kind), "no model for {kind:?}");
    }
}

#[test]
fn bundled_ahp_blocks_are_consistent_and_weights_sum_to_one() {
    for m in bundled_models().unwrap() {
        assert!(
            !m.derived().ahp_blocks.is_empty(),
            "{} has no AHP block",
            m.id()
        );
        for b in &m.derived().ahp_blocks {
            assert!(
                b.result.cr < 0.10,
                "{} block {} CR {}",
                m.id(),
                b.block,
                b.result.cr
            );
            assert!(b.result.consistent);
        }
        let sum: f64 = m.derived().factor_weights.iter().map(|w| w.global).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{} weights sum {sum}", m.id());
        let n = m.spec().factors.len();
        assert!((8..=15).contains(&n), "{} has {n} factors", m.id());
        for f in &m.spec().factors {
            assert_eq!(
                f.veto,
                f.dimension == "legality",
                "{}: veto only on legality factors",
                f.id
            );
        }
    }
}

#[test]
fn factor_level_ahp_is_used_somewhere() {
    let models = bundled_models().unwrap();
    assert!(models.iter().any(|m| {
        m.derived()
            .ahp_blocks
            .iter()
            .any(|b| b.block != "dimensions")
    }));
}

#[test]
fn reformatting_keeps_the_hash_and_a_number_change_moves_it() {
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/generic.toml"));
    let original = Model::from_toml_str("generic.toml", text).unwrap();
    // Comments, blank lines and spacing are not content.
    let reformatted: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| format!("   {}", l.trim()))
        .collect::<Vec<_>>()
        .join("\n\n");
    let again = Model::from_toml_str("generic.toml", &reformatted).unwrap();
    assert_eq!(original.hash(), again.hash());
    assert_eq!(original.hash().len(), 64);
    let changed = text.replacen("medium = 0.36", "medium = 0.35", 1);
    let other = Model::from_toml_str("generic.toml", &changed).unwrap();
    assert_ne!(original.hash(), other.hash());
}

#[test]
fn a_snapshot_restores_the_same_model_and_rejects_tampering() {
    for m in bundled_models().unwrap() {
        let json = serde_json::to_string(&m).unwrap();
        let back = Model::from_snapshot_json(&json).unwrap();
        assert_eq!(back, m);
        let tampered = json.replacen("\"high\":0.64", "\"high\":0.65", 1);
        assert_ne!(
            tampered,
            json,
            "{}: the snapshot should contain the threshold",
            m.id()
        );
        let err = Model::from_snapshot_json(&tampered).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
    }
}
