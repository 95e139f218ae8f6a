//! The risk models over HTTP: the list carries the same identities as `wenping models check`, and
//! each model shows its derived global weights and the consistency of every AHP block.

use std::collections::BTreeMap;

use crate::common::cli::{MODELS_DIR, succeeded, wenping};
use crate::common::{expect_problem, spawn_app};
use serde_json::Value;

/// id → hash, as printed by `wenping models check`.
async fn checked_hashes() -> BTreeMap<String, String> {
    succeeded(wenping().args(["models", "check", MODELS_DIR]))
        .await
        .lines()
        .filter(|l| l.starts_with("ok "))
        .map(|l| {
            let id = l.split_whitespace().nth(1).unwrap().to_owned();
            let hash = l.rsplit_once("sha256:").unwrap().1.trim().to_owned();
            (id, hash)
        })
        .collect()
}

#[tokio::test]
async fn the_list_has_the_bundled_models_with_their_checked_hashes() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/models").await;
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["source"], "folder", "{list}");
    assert_eq!(list["folder"], MODELS_DIR, "{list}");
    let listed: BTreeMap<String, String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            for key in ["version", "kind", "method"] {
                assert!(m[key].is_string(), "{key} missing in {m}");
            }
            assert!(
                m["name"]["zh"].is_string() && m["name"]["en"].is_string(),
                "{m}"
            );
            (
                m["id"].as_str().unwrap().to_owned(),
                m["hash"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ids: Vec<&str> = listed.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "enterprise_restructuring",
            "generic",
            "house_expropriation",
            "land_requisition",
            "major_project"
        ]
    );
    assert_eq!(listed, checked_hashes().await);
}

#[tokio::test]
async fn a_model_shows_global_weights_thresholds_and_ahp_consistency() {
    let app = spawn_app().await;
    for id in [
        "land_requisition",
        "house_expropriation",
        "enterprise_restructuring",
        "major_project",
        "generic",
    ] {
        let res = app.get(&format!("/api/v1/models/{id}")).await;
        assert_eq!(res.status(), 200, "{id}");
        let model: Value = res.json().await.unwrap();
        assert_eq!(model["id"], id);
        let dimension_weight: BTreeMap<&str, f64> = model["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["id"].as_str().unwrap(), d["weight"].as_f64().unwrap()))
            .collect();
        let factors = model["factors"].as_array().unwrap();
        let mut total = 0.0;
        for f in factors {
            let global = f["global_weight"].as_f64().unwrap();
            let local = f["local_weight"].as_f64().unwrap();
            let dimension = dimension_weight[f["dimension"].as_str().unwrap()];
            assert!((global - dimension * local).abs() < 1e-15, "{id}: {f}");
            total += global;
        }
        assert!(
            (total - 1.0).abs() < 1e-9,
            "{id}: global weights sum to {total}"
        );
        let blocks = model["ahp_blocks"].as_array().unwrap();
        assert!(!blocks.is_empty(), "{id} has AHP blocks");
        for b in blocks {
            let cr = b["cr"].as_f64().unwrap();
            assert!(cr < 0.10, "{id} block {}: CR {cr}", b["block"]);
            assert_eq!(b["consistent"], true);
            let n = b["order"].as_array().unwrap().len();
            assert_eq!(b["matrix"].as_array().unwrap().len(), n);
            let sum: f64 = b["weights"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_f64().unwrap())
                .sum();
            assert!((sum - 1.0).abs() < 1e-9);
        }
        let medium = model["levels"]["medium"].as_f64().unwrap();
        let high = model["levels"]["high"].as_f64().unwrap();
        assert!(0.0 < medium && medium < high && high <= 1.0, "{id}");
        assert!(model["levels"]["provenance"].is_string());
        assert_eq!(
            model["grades"]["probability"]["values"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        assert_eq!(model["factor_matrix"]["rows"].as_array().unwrap().len(), 5);
        assert!(!model["measures"].as_array().unwrap().is_empty());
    }

    // The land model's blocks as declared: dimensions 2/9, 4/9, 2/9, 1/9 from a consistent matrix.
    let land: Value = app
        .get("/api/v1/models/land_requisition")
        .await
        .json()
        .await
        .unwrap();
    let dimensions = land["ahp_blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block"] == "dimensions")
        .unwrap();
    for (w, expected) in dimensions["weights"]
        .as_array()
        .unwrap()
        .iter()
        .zip([2.0, 4.0, 2.0, 1.0])
    {
        assert!((w.as_f64().unwrap() - expected / 9.0).abs() < 1e-9);
    }
    assert!(dimensions["cr"].as_f64().unwrap().abs() < 1e-9);

    expect_problem(app.get("/api/v1/models/castle").await, 404, None).await;
}
