//! The analysis numbers a locality sets in its model files — `[ahp] consistency_limit` and the
//! `[uncertainty]` draws, seeds and order share — change what wenping does: the scenario comparison's order
//! check, the report's Monte Carlo, the AHP calculator. An assessment stored before model files declared
//! them still restores, replays and reports exactly as it did.

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;
use wenping::scoring::record::replay;
use wenping::scoring::{BEFORE_DECLARED, Model, bundled_models};
use wenping::storage::assessments::NewAssessment;

use crate::common::{
    TestApp, expect_problem, json_of, land_requisition, spawn_app, spawn_app_on, spawn_app_with,
};

/// A copy of the bundled models folder with `file` edited by `(from, to)` replacements, each required to apply.
fn models_with(file: &str, edits: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let mut text = std::fs::read_to_string(&path).unwrap();
        if name == file {
            for (from, to) in edits {
                assert!(text.contains(from), "{file} has no `{from}`");
                text = text.replacen(from, to, 1);
            }
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

async fn spawn_on_models(dir: &TempDir) -> TestApp {
    let models = dir.path().to_path_buf();
    spawn_app_with(|s| s.models_dir = Some(models)).await
}

/// Appendix B of an HTML report (the uncertainty analysis), without its chart.
fn appendix_b(html: &str) -> String {
    let from = html.find("<h2>附录二").expect("appendix B");
    let to = html[from..].find("<h2>附录三").expect("appendix C") + from;
    let mut section = html[from..to].to_owned();
    if let (Some(a), Some(b)) = (section.find("<figure>"), section.find("</figure>\n")) {
        section.replace_range(a..b + "</figure>\n".len(), "");
    }
    section
}

/// The draws of the appendix's R-interval table, before measures.
fn drawn_initial(appendix: &str) -> u32 {
    let table = &appendix[appendix.find("R 区间").expect("interval table")..];
    table
        .split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td class=\"n\">").nth(1).unwrap();
            cell[..cell.find('<').unwrap()].parse::<u32>().unwrap()
        })
        .sum()
}

#[tokio::test]
async fn the_report_runs_and_states_the_draws_and_seed_of_its_model() {
    let dir = models_with(
        "land_requisition.toml",
        &[
            ("report_draws = 10000", "report_draws = 2000"),
            ("report_seed = 1", "report_seed = 7"),
        ],
    );
    let app = spawn_on_models(&dir).await;
    let shown = json_of(app.get("/api/v1/models/land_requisition").await, 200).await;
    assert_eq!(shown["uncertainty"]["report_draws"], 2000, "{shown}");
    assert_eq!(shown["uncertainty"]["report_seed"], 7);
    assert_eq!(shown["uncertainty"]["order_holds_share"], 0.95);
    assert_eq!(shown["ahp"]["consistency_limit"], 0.1);
    for table in ["ahp", "uncertainty"] {
        assert!(!shown[table]["provenance"].as_str().unwrap().is_empty());
    }

    let (decision, _) = app
        .create_decision(&land_requisition("抽样次数随模型"))
        .await;
    let id = decision["id"].as_str().unwrap();
    for (expert, p) in [("王教授", 4), ("赵律师", 2), ("钱工程师", 3)] {
        let sheet = json!({"compensation_standard": {"probability": p, "impact": 4}});
        let path = format!("/api/v1/decisions/{id}/ratings/{expert}");
        assert_eq!(app.put_rating(&path, &sheet).await.status(), 200);
    }
    let path = format!("/api/v1/decisions/{id}/assessments");
    let record = json_of(app.post_json(&path, &json!({})).await, 201).await;
    let report = app
        .get(&format!(
            "/api/v1/assessments/{}/report.html",
            record["id"].as_str().unwrap()
        ))
        .await;
    let html = report.text().await.unwrap();
    // Stated in the appendix and in the provenance table, and run with them.
    assert_eq!(html.matches("抽样次数 2000，随机种子 7").count(), 2);
    assert!(!html.contains("抽样次数 10000"));
    assert_eq!(drawn_initial(&appendix_b(&html)), 2000);
}

/// A land requisition with two alternatives the experts rated on their own: the first a little riskier
/// (villagers' participation at 5/4 against emergency readiness at 4/4, factors of equal weight).
async fn two_close_alternatives(app: &TestApp) -> (String, [String; 2]) {
    let (decision, _) = app.create_decision(&land_requisition("方案次序")).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for (name, factor, p) in [
        ("甲方案", "villager_participation", 5),
        ("乙方案", "emergency_readiness", 4),
    ] {
        let rating = json!({factor: {"probability": p, "impact": 4}});
        let ratings = json!({"王教授": rating, "赵律师": rating, "钱工程师": rating});
        let path = format!("/api/v1/decisions/{id}/scenarios");
        let created = json_of(
            app.post_json(&path, &json!({"name": name, "ratings": ratings}))
                .await,
            201,
        )
        .await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    (id, [ids[0].clone(), ids[1].clone()])
}

async fn order_of(app: &TestApp, decision: &str, scenarios: &[String; 2]) -> Value {
    let path = format!(
        "/api/v1/decisions/{decision}/comparison?scenarios={},{}&weight_noise=0.5",
        scenarios[0], scenarios[1]
    );
    json_of(app.get(&path).await, 200).await["order"].clone()
}

#[tokio::test]
async fn the_comparison_judges_the_order_by_the_share_draws_and_seed_of_its_model() {
    let app = spawn_app().await;
    let (decision, scenarios) = two_close_alternatives(&app).await;
    let bundled = order_of(&app, &decision, &scenarios).await;
    assert_eq!(bundled["nominal_order"], json!([0, 1]), "{bundled}");
    assert_eq!(
        (&bundled["draws"], &bundled["seed"], &bundled["holds_share"]),
        (&json!(2000), &json!(1), &json!(0.95))
    );
    let share = bundled["same_order_share"].as_f64().unwrap();
    assert!(share > 0.5 && share < 0.95, "{bundled}");
    assert_eq!(bundled["holds"], false);

    // A model asking only for a majority of the same draws: the same share now holds.
    let majority = models_with(
        "land_requisition.toml",
        &[("order_holds_share = 0.95", "order_holds_share = 0.51")],
    );
    let restarted = spawn_app_on(&app.database_url, majority.path()).await;
    let lenient = order_of(&restarted, &decision, &scenarios).await;
    assert_eq!(lenient["same_order_share"], bundled["same_order_share"]);
    assert_eq!(lenient["holds_share"], 0.51);
    assert_eq!(lenient["holds"], true, "{lenient}");

    // Other draws and seed are other draws.
    let resampled = models_with(
        "land_requisition.toml",
        &[
            ("order_draws = 2000", "order_draws = 500"),
            ("order_seed = 1", "order_seed = 3"),
        ],
    );
    let restarted = spawn_app_on(&app.database_url, resampled.path()).await;
    let other = order_of(&restarted, &decision, &scenarios).await;
    assert_eq!((&other["draws"], &other["seed"]), (&json!(500), &json!(3)));
    let kept = other["same_order_share"].as_f64().unwrap() * 500.0;
    assert!(
        (kept - kept.round()).abs() < 1e-9,
        "a share of 500 draws: {other}"
    );
}

#[tokio::test]
async fn the_ahp_calculator_takes_the_strictest_limit_in_service_unless_given_one() {
    // CR ≈ 0.063: consistent under Saaty's 0.10, not under 0.05.
    let matrix = json!([[1, 3, 4], ["1/3", 1, 3], ["1/4", "1/3", 1]]);
    let app = spawn_app().await;
    let answer = json_of(
        app.post_json("/api/v1/methods/ahp", &json!({"matrix": matrix}))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (&answer["consistent"], &answer["consistency_limit"]),
        (&json!(true), &json!(0.1)),
        "{answer}"
    );

    let strict = models_with(
        "generic.toml",
        &[("consistency_limit = 0.10", "consistency_limit = 0.05")],
    );
    let app = spawn_on_models(&strict).await;
    let by_default = json_of(
        app.post_json("/api/v1/methods/ahp", &json!({"matrix": matrix}))
            .await,
        200,
    )
    .await;
    assert_eq!(by_default["consistency_limit"], 0.05);
    assert_eq!(by_default["consistent"], false, "{by_default}");
    assert_eq!(by_default["cr"], answer["cr"]);
    let given = json_of(
        app.post_json(
            "/api/v1/methods/ahp",
            &json!({"matrix": matrix, "consistency_limit": "1/10"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (&given["consistent"], &given["consistency_limit"]),
        (&json!(true), &json!(0.1))
    );
    for bad in [json!(1.5), json!(0), json!("NaN")] {
        let res = app
            .post_json(
                "/api/v1/methods/ahp",
                &json!({"matrix": matrix, "consistency_limit": bad}),
            )
            .await;
        expect_problem(res, 422, Some("consistency_limit")).await;
    }
}

#[tokio::test]
async fn an_assessment_stored_before_the_tables_restores_replays_and_reports_as_before() {
    let stored: Value =
        serde_json::from_str(include_str!("../fixtures/before-analysis-tables.json")).unwrap();
    let text = |key: &str| stored[key].as_str().unwrap().to_owned();
    let (snapshot, inputs, result, content_hash) = (
        text("model_snapshot"),
        text("inputs"),
        text("result"),
        text("content_hash"),
    );

    // The snapshot has no [ahp] or [uncertainty]: it restores with its stored hash and what wenping used then.
    let model = Model::from_snapshot_json(&snapshot).unwrap();
    assert_eq!(model.hash(), stored["model_hash"]);
    assert!(model.spec().ahp.is_none() && model.spec().uncertainty.is_none());
    assert_eq!(model.spec().analysis_numbers(), BEFORE_DECLARED);
    let today = bundled_models().unwrap();
    let land = today.iter().find(|m| m.id() == "land_requisition").unwrap();
    assert_ne!(
        land.hash(),
        model.hash(),
        "today's file declares the tables"
    );
    assert!(replay(&snapshot, &inputs, &result, &content_hash).matches);

    // Stored next to today's assessments, it replays and reports through the service as it did.
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("旧评估")).await;
    let decision_id = uuid::Uuid::parse_str(decision["id"].as_str().unwrap()).unwrap();
    let read = app.db.decision(decision_id).await.unwrap();
    let measures: Vec<String> = serde_json::from_value(stored["measures"].clone()).unwrap();
    let id = uuid::Uuid::new_v4();
    let new = NewAssessment {
        id,
        decision_id,
        model_id: "land_requisition",
        model_version: "1.0.0",
        model_hash: model.hash(),
        model_snapshot: &snapshot,
        inputs: &inputs,
        result: &result,
        content_hash: &content_hash,
        author: "tester",
        initial_r: stored["initial_r"].as_f64().unwrap(),
        initial_level: stored["initial_level"].as_str().unwrap(),
        residual_r: stored["residual_r"].as_f64().unwrap(),
        residual_level: stored["residual_level"].as_str().unwrap(),
        measures: &measures,
        scenario_id: None,
    };
    app.db.insert_assessment(&new, &read, None).await.unwrap();
    let replayed = json_of(
        app.post_json(&format!("/api/v1/assessments/{id}/replay"), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(replayed["matches"], true, "{replayed}");
    let html = app
        .get(&format!("/api/v1/assessments/{id}/report.html"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        appendix_b(&html),
        include_str!("../fixtures/before-analysis-tables-appendix-b.html"),
        "the uncertainty appendix as wenping wrote it before"
    );
    assert!(html.contains("<td>抽样次数 10000，随机种子 1</td>"));
}
