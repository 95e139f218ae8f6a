//! Every integration test of wenping, built as one program: each test binary links polars and typst, so one
//! binary instead of one per file saves all but one link (the pattern of zero2prod's `tests/api/main.rs` and
//! meilisearch's `tests/integration.rs`). A new test file goes in this folder and gets a `mod` line below;
//! `cargo test --test integration story::` runs one module. Helpers live once, in `common/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod access;
mod analysis;
mod assessments;
mod browser;
mod concerns;
mod concerns_import;
mod consultations;
mod decisions;
mod demo;
mod design_refs;
mod faults;
mod fresh_reads;
mod fuzz;
mod hostile;
mod input_holes;
mod instances;
mod layering;
mod ledger_measures;
mod methods;
mod model_numbers;
mod models;
mod operations;
mod petition_batches;
mod petition_imports;
mod petition_partitions;
mod petition_restart;
mod petitions;
mod petitions_cli;
mod petitions_crash;
mod process;
mod ratings;
mod replica;
mod report_language;
mod reports;
mod revocation;
mod scoring_broken_models;
mod scoring_bundled_models;
mod scoring_check_vectors;
mod scoring_engine_inputs;
mod scoring_hand_computed;
mod scoring_properties;
mod sessions;
mod story;
mod usecases;

/// Cargo builds every `tests/*.rs` and `tests/*/main.rs` as a binary of its own, linking polars and typst once
/// more; a test file left there still runs, and this test says where it belongs.
#[test]
fn every_integration_test_is_a_module_of_this_one_binary() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let this = tests.join("integration").join("main.rs");
    let mut binaries: Vec<String> = std::fs::read_dir(&tests)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            if path.is_dir() {
                path.join("main.rs")
            } else {
                path
            }
        })
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "rs"))
        .filter(|path| *path != this)
        .map(|path| path.display().to_string())
        .collect();
    binaries.sort();
    assert!(
        binaries.is_empty(),
        "{binaries:?} build as test binaries of their own: move each into tests/integration/ and declare \
         it in tests/integration/main.rs with `mod NAME;`"
    );
}
