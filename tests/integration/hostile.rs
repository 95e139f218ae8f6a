//! Malformed and hostile requests: each gets a 4xx problem+json naming the field, never a 500,
//! and the server keeps serving.

use crate::common::{expect_problem, header, land_requisition, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// A decision body with one field replaced (or removed when `value` is None).
fn with(field: &str, value: Option<Value>) -> String {
    let mut body = land_requisition("测试");
    let object = body.as_object_mut().unwrap();
    match value {
        Some(v) => {
            object.insert(field.to_owned(), v);
        }
        None => {
            object.remove(field);
        }
    }
    body.to_string()
}

fn with_attribute(name: &str, value: Value) -> String {
    let mut body = land_requisition("测试");
    body["attributes"][name] = value;
    body.to_string()
}

#[tokio::test]
async fn malformed_decisions_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let long_title = "长".repeat(201);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let many_regions: Vec<String> = (0..201).map(|i| format!("330199{i:03}")).collect();
    let cases: Vec<(String, u16, &str)> = vec![
        ("{".into(), 400, "body"),
        (
            r#"{"title": "x", "kind": "other", "regions": ["110101"]} trailing"#.into(),
            400,
            "body",
        ),
        (deep.clone(), 422, "body"),
        ("   ".into(), 400, "body"),
        ("[]".into(), 422, "body"),
        ("null".into(), 422, "body"),
        ("\"a string\"".into(), 422, "body"),
        (with("title", None), 422, "title"),
        (with("kind", None), 422, "kind"),
        (with("regions", None), 422, "regions"),
        (with("bogus", Some(json!(1))), 422, "bogus"),
        (
            with("id", Some(json!("00000000-0000-0000-0000-000000000000"))),
            422,
            "id",
        ),
        (with("version", Some(json!(9))), 422, "version"),
        (with("title", Some(json!(42))), 422, "title"),
        (with("title", Some(json!(""))), 422, "title"),
        (with("title", Some(json!("   "))), 422, "title"),
        (with("title", Some(json!(long_title))), 422, "title"),
        (with("title", Some(json!("nul\u{0}byte"))), 422, "title"),
        (with("title", Some(json!("bell\u{7}"))), 422, "title"),
        (
            r#"{"title": "\ud800", "kind": "other", "regions": ["110101"]}"#.into(),
            400,
            "title",
        ),
        (
            with("description", Some(json!("a\u{0}b"))),
            422,
            "description",
        ),
        (
            with("responsible_unit", Some(json!(["a"]))),
            422,
            "responsible_unit",
        ),
        (with("kind", Some(json!("castle"))), 422, "kind"),
        // Valid JSON of the wrong shape: a 422, as for any other missing value.
        (with("kind", Some(json!(null))), 422, "kind"),
        (with("regions", Some(json!("330199"))), 422, "regions"),
        (with("regions", Some(json!([]))), 422, "regions"),
        (
            with("regions", Some(json!(["33019912345678901234"]))),
            422,
            "regions[0]",
        ),
        (
            with("regions", Some(json!(["110101", "3301a9"]))),
            422,
            "regions[1]",
        ),
        (with("regions", Some(json!(["33019"]))), 422, "regions[0]"),
        (with("regions", Some(json!(["990101"]))), 422, "regions[0]"),
        (with("regions", Some(json!([330199]))), 422, "regions[0]"),
        (
            with("regions", Some(json!(["330199", "330199"]))),
            422,
            "regions[1]",
        ),
        (with("regions", Some(json!(many_regions))), 422, "regions"),
        (
            with("affected", Some(json!({"households": -3}))),
            422,
            "affected.households",
        ),
        (
            with("affected", Some(json!({"people": 1e12}))),
            422,
            "affected.people",
        ),
        (
            with("affected", Some(json!({"workers": "many"}))),
            422,
            "affected.workers",
        ),
        (
            with("affected", Some(json!({"children": 4}))),
            422,
            "affected.children",
        ),
        (with("budget_yuan", Some(json!(-1))), 422, "budget_yuan"),
        (with("budget_yuan", Some(json!(1e300))), 422, "budget_yuan"),
        (with("budget_yuan", Some(json!("lots"))), 422, "budget_yuan"),
        (
            with("planned_start", Some(json!("2027-02-30"))),
            422,
            "planned_start",
        ),
        (
            with("planned_start", Some(json!("tomorrow"))),
            422,
            "planned_start",
        ),
        (with("attributes", Some(json!([1, 2]))), 422, "attributes"),
        (with("status", Some(json!("done"))), 422, "status"),
        (
            with_attribute("signing_rate", json!(1.5)),
            422,
            "attributes.signing_rate",
        ),
        (
            with_attribute("support_rate", json!(true)),
            422,
            "attributes.support_rate",
        ),
        (
            with_attribute("hearing_held", json!(1)),
            422,
            "attributes.hearing_held",
        ),
        (
            with_attribute("public_notice_days", json!(-5)),
            422,
            "attributes.public_notice_days",
        ),
        (
            with_attribute("note", json!("text")),
            422,
            "attributes.note",
        ),
        (
            with_attribute("nested", json!({"a": 1})),
            422,
            "attributes.nested",
        ),
        (with_attribute("Bad-Name", json!(1)), 422, "attributes"),
    ];
    assert!(cases.len() >= 50, "{} cases", cases.len());
    for (body, status, field) in cases {
        let res = app
            .request(Method::POST, "/api/v1/decisions")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        eprintln!("case: {field} {status}");
        let problem = expect_problem(res, status, Some(field)).await;
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{body}");
    }
    let listed: Value = app.get("/api/v1/decisions").await.json().await.unwrap();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        0,
        "nothing was half-written"
    );
    assert_eq!(app.get("/healthz").await.status(), 200, "still serving");
}

#[tokio::test]
async fn oversize_and_non_json_bodies_are_refused() {
    let app = spawn_app().await;
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(10 * 1024 * 1024));
    let res = app
        .request(Method::POST, "/api/v1/decisions")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    expect_problem(res, 413, None).await;
    let res = app
        .request(Method::POST, "/api/v1/decisions")
        .header("content-type", "text/plain")
        .body(land_requisition("x").to_string())
        .send()
        .await
        .unwrap();
    expect_problem(res, 415, None).await;
    let res = app
        .request(Method::POST, "/api/v1/decisions")
        .body(land_requisition("x").to_string())
        .send()
        .await
        .unwrap();
    expect_problem(res, 415, None).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn hostile_text_is_stored_verbatim_not_executed() {
    let app = spawn_app().await;
    for title in [
        "'); DROP TABLE decisions;--",
        "Robert\"; DELETE FROM audit_log; --",
        "🏗️ 拆迁 💥 %_\\",
        "𠀀𪚥 生僻字",
    ] {
        let (created, _) = app.create_decision(&land_requisition(title)).await;
        assert_eq!(created["title"], title);
        let path = format!("/api/v1/decisions/{}", created["id"].as_str().unwrap());
        let fetched: Value = app.get(&path).await.json().await.unwrap();
        assert_eq!(fetched["title"], title);
    }
    let quoted: Value = app
        .get("/api/v1/decisions?q=%27%29%3B")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quoted["items"].as_array().unwrap().len(), 1);
    let all: Value = app.get("/api/v1/decisions").await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn malformed_changes_queries_and_headers_are_refused() {
    let app = spawn_app().await;
    let (decision, etag) = app.create_decision(&land_requisition("原样")).await;
    let id = decision["id"].as_str().unwrap();
    let path = format!("/api/v1/decisions/{id}");

    for (body, status, field) in [
        (json!([1]), 422, "body"),
        (
            json!({"regions": ["12345678901234567890"]}),
            422,
            "regions[0]",
        ),
        (json!({"id": "x"}), 422, "id"),
        (json!({"version": 5}), 422, "version"),
        (json!({"title": null}), 422, "title"),
        (json!({"affected": {"people": -1}}), 422, "affected.people"),
        (
            json!({"attributes": {"signing_rate": 2}}),
            422,
            "attributes.signing_rate",
        ),
    ] {
        let res = app.patch_json(&path, Some(&etag), &body).await;
        expect_problem(res, status, Some(field)).await;
    }
    // Nesting deeper than the parser's recursion limit is refused, not a stack overflow.
    let deep = format!(
        "{{\"attributes\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let res = app
        .request(Method::PATCH, &path)
        .header("If-Match", &etag)
        .header("content-type", "application/merge-patch+json")
        .body(deep)
        .send()
        .await
        .unwrap();
    expect_problem(res, 400, Some("attributes")).await;
    let unchanged: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(unchanged, decision, "refused patches change nothing");

    for (query, field) in [
        ("/api/v1/decisions?q=a%00b", "q"),
        ("/api/v1/decisions?limit=abc", "limit"),
        ("/api/v1/decisions?limit=1&limit=2", "limit"),
        ("/api/v1/decisions?region=3301999999999", "region"),
        ("/api/v1/audit?id=xyz", "id"),
        ("/api/v1/audit?entity=DROP%20TABLE", "entity"),
    ] {
        expect_problem(app.get(query).await, 400, Some(field)).await;
    }
    expect_problem(app.get("/api/v1/decisions/not-a-uuid").await, 404, None).await;
    expect_problem(
        app.get("/api/v1/decisions/00000000-0000-0000-0000-000000000000")
            .await,
        404,
        None,
    )
    .await;
    let res = app
        .request(Method::PATCH, &path)
        .header("If-Match", &etag)
        .header("Authorization", "Basic dGVzdGVyOng=")
        .json(&json!({"title": "y"}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 401, None).await;

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        !metrics.contains("status=\"500\""),
        "no 500 was answered:\n{metrics}"
    );
    assert_eq!(
        header(&app.get("/healthz").await, "content-type"),
        "application/json"
    );
}
