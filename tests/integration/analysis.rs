//! Sensitivity, simulation and the mitigation optimizer over HTTP, each checked independently:
//! a flip point is confirmed by rating the factor at the flip grade and assessing again; a
//! simulation with no spread gives the deterministic level with probability 1; the optimizer's
//! plan, posted as a checklist, gives the level it promised.

use serde_json::{Value, json};

use crate::common::panels::{Ratings, short_panel};
use crate::common::{TestApp, expect_problem, json_of, land_requisition, spawn_app};

/// Two experts who agree on every factor they rate (no spread): the short panel's first sheet, with the
/// resettlement probability given.
fn agreeing_panel(resettlement: u8) -> Ratings {
    let mut sheet = short_panel()["张教授"].clone();
    sheet.insert("resettlement_social_security", (resettlement, 4));
    Ratings::from([("张教授", sheet.clone()), ("李律师", sheet)])
}

async fn rate_and_assess(app: &TestApp, id: &str, resettlement: u8) -> Value {
    app.rate(id, &agreeing_panel(resettlement)).await;
    let res = app
        .post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
        .await;
    json_of(res, 201).await
}

#[tokio::test]
async fn a_flip_point_is_where_reassessing_changes_the_level() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("敏感性")).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let first = rate_and_assess(&app, &id, 3).await;
    let aid = first["id"].as_str().unwrap();
    let answer = json_of(
        app.get(&format!("/api/v1/assessments/{aid}/sensitivity"))
            .await,
        200,
    )
    .await;
    assert_eq!(answer["initial"]["level"], first["initial"]["level"]);
    let flips = &answer["initial"]["flip_points"];
    let factor = flips
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["factor"] == "resettlement_social_security")
        .unwrap();
    assert_eq!(factor["probability"]["grade"], 3);
    // Every grade the sensitivity says keeps the level keeps it; the flip grade changes it.
    let flip = factor["probability"]["up"].clone();
    let last_same = if flip.is_null() {
        5
    } else {
        flip["grade"].as_u64().unwrap() as u8 - 1
    };
    for grade in 4..=last_same {
        let again = rate_and_assess(&app, &id, grade).await;
        assert_eq!(
            again["initial"]["level"], first["initial"]["level"],
            "grade {grade}"
        );
    }
    if !flip.is_null() {
        let flipped = rate_and_assess(&app, &id, flip["grade"].as_u64().unwrap() as u8).await;
        assert_eq!(flipped["initial"]["level"], flip["level"]);
        assert!(
            (flipped["initial"]["r"].as_f64().unwrap() - flip["r"].as_f64().unwrap()).abs() < 1e-12
        );
    }
    // Weight intervals contain the weight itself; the tornado has one bar per factor.
    for interval in answer["initial"]["weight_intervals"].as_array().unwrap() {
        let (lo, w, hi) = (
            interval["lo"].as_f64().unwrap(),
            interval["weight"].as_f64().unwrap(),
            interval["hi"].as_f64().unwrap(),
        );
        assert!(lo <= w && w <= hi, "{interval}");
    }
    assert_eq!(
        answer["tornado"].as_array().unwrap().len(),
        first["result"]["factors"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn a_simulation_without_spread_is_certain_and_seeded() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("模拟")).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let first = rate_and_assess(&app, &id, 3).await;
    let path = format!(
        "/api/v1/assessments/{}/simulation",
        first["id"].as_str().unwrap()
    );
    let sim = json_of(
        app.post_json(&path, &json!({"draws": 5000, "seed": 3}))
            .await,
        200,
    )
    .await;
    let level = first["residual"]["level"].as_str().unwrap();
    assert_eq!(sim[format!("p_{level}")], 1.0, "{sim}");
    assert_eq!(sim["deterministic"]["level"], level);
    assert_eq!(sim["r_quantiles"]["p50"], first["residual"]["r"]);
    // With weight noise the level may move, but the same seed gives the same answer.
    let noisy = json!({"draws": 5000, "seed": 3, "weight_noise": 0.3});
    let a = json_of(app.post_json(&path, &noisy).await, 200).await;
    let b = json_of(app.post_json(&path, &noisy).await, 200).await;
    assert_eq!(a, b);
    let total = a["p_low"].as_f64().unwrap()
        + a["p_medium"].as_f64().unwrap()
        + a["p_high"].as_f64().unwrap();
    assert!((total - 1.0).abs() < 1e-9);
    let counted: u64 = a["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 5000);

    expect_problem(
        app.post_json(&path, &json!({"draws": 0})).await,
        422,
        Some("draws"),
    )
    .await;
    expect_problem(
        app.post_json(&path, &json!({"draws": 2_000_000})).await,
        422,
        Some("draws"),
    )
    .await;
    expect_problem(
        app.post_json(&path, &json!({"weight_noise": 3})).await,
        422,
        Some("weight_noise"),
    )
    .await;
    expect_problem(
        app.post_json(&path, &json!({"seed": -1})).await,
        422,
        Some("seed"),
    )
    .await;
}

#[tokio::test]
async fn the_optimizer_plan_delivers_its_level_once_assigned() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("优化")).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let first = rate_and_assess(&app, &id, 4).await;
    let path = format!(
        "/api/v1/assessments/{}/mitigation-plan",
        first["id"].as_str().unwrap()
    );
    let plan = json_of(app.post_json(&path, &json!({"target": "low"})).await, 200).await;
    assert_eq!(plan["reached"], true, "{plan}");
    let frontier = plan["frontier"].as_array().unwrap();
    assert!(
        frontier
            .windows(2)
            .all(|w| w[0]["cost"].as_f64() <= w[1]["cost"].as_f64()
                && w[0]["r"].as_f64() >= w[1]["r"].as_f64())
    );
    // Within no budget nothing can be bought.
    let broke = json_of(
        app.post_json(&path, &json!({"target": "low", "budget": 0}))
            .await,
        200,
    )
    .await;
    assert_eq!(broke["reached"], false);
    assert_eq!(broke["measures"], json!([]));
    expect_problem(
        app.post_json(&path, &json!({"target": "high"})).await,
        422,
        Some("target"),
    )
    .await;
    expect_problem(
        app.post_json(&path, &json!({"target": "low", "budget": -1}))
            .await,
        422,
        Some("budget"),
    )
    .await;
    expect_problem(app.post_json(&path, &json!({})).await, 422, Some("target")).await;

    let items: Vec<Value> = plan["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!({"measure": m, "owner_unit": "县政府", "due_date": "2027-05-01"}))
        .collect();
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{id}/checklist"),
            &json!({"items": items}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({"measures": plan["measures"]}),
        )
        .await;
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["residual"]["level"], plan["level"]);
    assert!((after["residual"]["r"].as_f64().unwrap() - plan["r"].as_f64().unwrap()).abs() < 1e-12);
}
