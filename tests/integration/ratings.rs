//! Ratings and assessments refused for bad input: each a 4xx problem+json naming the field, with
//! nothing stored; a sheet is replaced whole; a decided decision keeps its status when reassessed.

use crate::common::{expect_problem, land_requisition, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const NOBODY: &str = "00000000-0000-0000-0000-000000000000";

#[tokio::test]
async fn bad_ratings_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("打分")).await;
    let id = decision["id"].as_str().unwrap();
    let path = format!("/api/v1/decisions/{id}/ratings/张教授");
    let rating =
        |p: Value, q: Value| json!({"compensation_standard": {"probability": p, "impact": q}});
    let cases = [
        (
            json!({"bogus_factor": {"probability": 2, "impact": 2}}),
            "bogus_factor",
        ),
        (
            rating(json!(0), json!(3)),
            "compensation_standard.probability",
        ),
        (rating(json!(3), json!(6)), "compensation_standard.impact"),
        (
            rating(json!(2.5), json!(3)),
            "compensation_standard.probability",
        ),
        (
            rating(json!(-1), json!(3)),
            "compensation_standard.probability",
        ),
        (
            rating(json!("3"), json!(3)),
            "compensation_standard.probability",
        ),
        (
            json!({"compensation_standard": {"impact": 3}}),
            "compensation_standard.probability",
        ),
        (
            json!({"compensation_standard": {"probability": 3, "impact": 3, "low": 4, "high": 2}}),
            "compensation_standard.low",
        ),
        (
            json!({"compensation_standard": {"probability": 3, "impact": 3, "low": 0}}),
            "compensation_standard.low",
        ),
        (
            json!({"compensation_standard": {"probability": 3, "impact": 3, "high": 9}}),
            "compensation_standard.high",
        ),
        (
            json!({"compensation_standard": {"probability": 3, "impact": 3, "weight": 1}}),
            "compensation_standard.weight",
        ),
        (
            json!({"compensation_standard": {"probability": 3, "impact": 3, "note": "a\u{0}b"}}),
            "compensation_standard.note",
        ),
        // A factor of another kind's model is not a factor of this decision's model.
        (
            json!({"arrears": {"probability": 3, "impact": 3}}),
            "arrears",
        ),
    ];
    for (body, field) in cases {
        let body_text = body.to_string();
        let problem = expect_problem(app.put_rating(&path, &body).await, 422, Some(field)).await;
        assert!(problem["detail"].is_string(), "{body_text}");
    }
    let long = "专".repeat(101);
    for expert in [long.as_str(), "%07bell", "%20padded"] {
        let res = app
            .put_rating(
                &format!("/api/v1/decisions/{id}/ratings/{expert}"),
                &json!({"compensation_standard": {"probability": 3, "impact": 3}}),
            )
            .await;
        expect_problem(res, 422, Some("expert")).await;
    }
    let stored: Value = app
        .get(&format!("/api/v1/decisions/{id}/ratings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["experts"], json!([]), "nothing refused was stored");

    let body = json!({"compensation_standard": {"probability": 3, "impact": 3}});
    for path in [
        format!("/api/v1/decisions/{NOBODY}/ratings/张教授"),
        "/api/v1/decisions/not-a-uuid/ratings/张教授".to_owned(),
    ] {
        expect_problem(app.put_rating(&path, &body).await, 404, None).await;
    }
    expect_problem(
        app.get(&format!("/api/v1/decisions/{NOBODY}/ratings"))
            .await,
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_sheet_is_replaced_whole_and_the_audit_keeps_both() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("改分")).await;
    let id = decision["id"].as_str().unwrap();
    let path = format!("/api/v1/decisions/{id}/ratings/李律师");
    let first = json!({
        "compensation_standard": {"probability": 4, "impact": 4, "note": "补偿低于周边"},
        "emergency_readiness": {"probability": 2, "impact": 3},
    });
    let second =
        json!({"emergency_readiness": {"probability": 3, "impact": 3, "low": 2, "high": 4}});
    assert_eq!(app.put_rating(&path, &first).await.status(), 200);
    let res = app.put_rating(&path, &second).await;
    assert_eq!(res.status(), 200);
    let stored: Value = res.json().await.unwrap();
    assert_eq!(stored["recorded_by"], "李律师");
    let listed: Value = app
        .get(&format!("/api/v1/decisions/{id}/ratings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["experts"].as_array().unwrap().len(), 1);
    assert_eq!(listed["experts"][0]["ratings"], second);

    let audit: Value = app
        .get(&format!("/api/v1/audit?entity=decision_ratings&id={id}"))
        .await
        .json()
        .await
        .unwrap();
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["before"]["ratings"], first);
    assert_eq!(entries[1]["after"]["ratings"], second);
    assert_eq!(entries[1]["after"]["expert"], "李律师");
    assert_eq!(entries[1]["actor"], "李律师");

    // An empty sheet withdraws the expert.
    assert_eq!(app.put_rating(&path, &json!({})).await.status(), 200);
    let listed: Value = app
        .get(&format!("/api/v1/decisions/{id}/ratings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["experts"], json!([]));
}

#[tokio::test]
async fn bad_assessment_requests_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("评估")).await;
    let id = decision["id"].as_str().unwrap();
    let path = format!("/api/v1/decisions/{id}/assessments");
    let cases = [
        (
            json!({"measures": ["unified_standard", "fly_to_the_moon"]}),
            "measures[1]",
        ),
        (
            json!({"measures": ["unified_standard", "unified_standard"]}),
            "measures[1]",
        ),
        // A measure of the house-expropriation model is not in the land model's catalogue.
        (json!({"measures": ["owners_choose_valuer"]}), "measures[0]"),
        (json!({"measures": "unified_standard"}), "measures"),
        (json!({"model": "castle"}), "model"),
        (json!({"method": "fuzzy"}), "method"),
    ];
    for (body, field) in cases {
        expect_problem(app.post_json(&path, &body).await, 422, Some(field)).await;
    }
    let listed: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(listed["items"], json!([]));
    let unchanged: Value = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["status"], "draft");
    assert_eq!(unchanged["version"], 1);

    for path in [
        format!("/api/v1/decisions/{NOBODY}/assessments"),
        "/api/v1/decisions/not-a-uuid/assessments".to_owned(),
    ] {
        expect_problem(app.post_json(&path, &json!({})).await, 404, None).await;
        expect_problem(app.get(&path).await, 404, None).await;
    }
    expect_problem(
        app.get(&format!("/api/v1/assessments/{NOBODY}")).await,
        404,
        None,
    )
    .await;
    expect_problem(app.get("/api/v1/assessments/not-a-uuid").await, 404, None).await;
    let replay = format!("/api/v1/assessments/{NOBODY}/replay");
    expect_problem(app.post_json(&replay, &json!({})).await, 404, None).await;

    // An archived decision can be neither rated nor assessed.
    let res = app
        .request(Method::DELETE, &format!("/api/v1/decisions/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    expect_problem(app.post_json(&path, &json!({})).await, 409, None).await;
    let rating = json!({"compensation_standard": {"probability": 3, "impact": 3}});
    let res = app
        .put_rating(&format!("/api/v1/decisions/{id}/ratings/张教授"), &rating)
        .await;
    expect_problem(res, 409, None).await;
}

#[tokio::test]
async fn a_decided_decision_keeps_its_status_when_reassessed() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("已决策")).await;
    let id = decision["id"].as_str().unwrap();
    let path = format!("/api/v1/decisions/{id}");
    assert_eq!(
        app.post_json(&format!("{path}/assessments"), &json!({}))
            .await
            .status(),
        201
    );
    let assessed: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(assessed["status"], "assessed");
    let res = app
        .patch_json(&path, Some("\"2\""), &json!({"status": "decided"}))
        .await;
    assert_eq!(res.status(), 200);

    assert_eq!(
        app.post_json(&format!("{path}/assessments"), &json!({}))
            .await
            .status(),
        201
    );
    let decided: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(decided["status"], "decided", "decided never goes back");
    assert_eq!(decided["version"], 3);
    let listed: Value = app
        .get(&format!("{path}/assessments"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}
