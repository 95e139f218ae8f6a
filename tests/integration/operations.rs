//! Operating the service: health, readiness, metrics, request ids, the OpenAPI document, and
//! behaviour when the database goes away.

use crate::common::{expect_problem, header, land_requisition, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let generated = header(&app.get("/healthz").await, "x-request-id");
    assert_eq!(generated.len(), 36, "a fresh UUID: {generated}");
    let res = app
        .request(Method::GET, "/api/v1/decisions/unknown")
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(&res, "x-request-id"),
        "trace-42",
        "a caller's id is kept"
    );
    let res = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(header(&res, "x-request-id"), "bad id with spaces");
}

#[tokio::test]
async fn readiness_and_metrics_report_the_service() {
    let app = spawn_app().await;
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    app.create_decision(&land_requisition("计数")).await;
    app.get("/api/v1/decisions").await;
    app.get("/no/such/route").await;
    let res = app.get("/metrics").await;
    assert!(header(&res, "content-type").starts_with("text/plain"));
    let text = res.text().await.unwrap();
    for line in [
        r#"wenping_http_requests_total{method="POST",route="/api/v1/decisions",status="201"} 1"#,
        r#"wenping_http_requests_total{method="GET",route="/api/v1/decisions",status="200"} 1"#,
        r#"wenping_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"wenping_http_request_duration_seconds_count{method="POST",route="/api/v1/decisions",status="201"} 1"#,
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
}

#[tokio::test]
async fn a_database_that_goes_away_gives_503_with_retry_after() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("停库")).await;
    app.db.close().await;
    let res = app
        .post_json("/api/v1/decisions", &land_requisition("x"))
        .await;
    let retry = header(&res, "retry-after");
    assert_eq!(retry, "5");
    expect_problem(res, 503, None).await;
    let res = app
        .get(&format!(
            "/api/v1/decisions/{}",
            decision["id"].as_str().unwrap()
        ))
        .await;
    expect_problem(res, 503, None).await;
    let res = app.get("/readyz").await;
    assert_eq!(header(&res, "retry-after"), "5");
    expect_problem(res, 503, None).await;
    assert_eq!(
        app.get("/healthz").await.status(),
        200,
        "the process itself is up"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_the_server_answers() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /api/v1/decisions/{id}",
            "DELETE /api/v1/decisions/{id}/consultations/{cid}",
            "DELETE /api/v1/decisions/{id}/scenarios/{sid}",
            "DELETE /api/v1/session",
            "DELETE /api/v1/users/{id}/tokens/{token_id}",
            "GET /api/openapi.json",
            "GET /api/v1/alerts",
            "GET /api/v1/assessments/{id}",
            "GET /api/v1/assessments/{id}/charts/{name}.{format}",
            "GET /api/v1/assessments/{id}/report.{format}",
            "GET /api/v1/assessments/{id}/sensitivity",
            "GET /api/v1/audit",
            "GET /api/v1/concerns",
            "GET /api/v1/concerns/export.csv",
            "GET /api/v1/concerns/export.xlsx",
            "GET /api/v1/concerns/queue",
            "GET /api/v1/concerns/stats",
            "GET /api/v1/concerns/{id}",
            "GET /api/v1/decisions",
            "GET /api/v1/decisions/{id}",
            "GET /api/v1/decisions/{id}/alerts",
            "GET /api/v1/decisions/{id}/assessments",
            "GET /api/v1/decisions/{id}/checklist",
            "GET /api/v1/decisions/{id}/comparison",
            "GET /api/v1/decisions/{id}/consultations",
            "GET /api/v1/decisions/{id}/consultations/{cid}",
            "GET /api/v1/decisions/{id}/ratings",
            "GET /api/v1/decisions/{id}/resolution",
            "GET /api/v1/decisions/{id}/scenarios",
            "GET /api/v1/decisions/{id}/scenarios/{sid}",
            "GET /api/v1/models",
            "GET /api/v1/models/{id}",
            "GET /api/v1/petitions/imports/{id}",
            "GET /api/v1/petitions/imports/{id}/rejects",
            "GET /api/v1/petitions/stats",
            "GET /api/v1/session",
            "GET /api/v1/users",
            "GET /api/v1/users/{id}/tokens",
            "GET /healthz",
            "GET /metrics",
            "GET /readyz",
            "PATCH /api/v1/decisions/{id}",
            "PATCH /api/v1/decisions/{id}/checklist/{item}",
            "PATCH /api/v1/decisions/{id}/scenarios/{sid}",
            "PATCH /api/v1/users/{id}",
            "POST /api/v1/assessments/{id}/mitigation-plan",
            "POST /api/v1/assessments/{id}/replay",
            "POST /api/v1/assessments/{id}/simulation",
            "POST /api/v1/concerns",
            "POST /api/v1/concerns/imports",
            "POST /api/v1/concerns/{id}/steps",
            "POST /api/v1/decisions",
            "POST /api/v1/decisions/{id}/assessments",
            "POST /api/v1/decisions/{id}/checklist",
            "POST /api/v1/decisions/{id}/consultations",
            "POST /api/v1/decisions/{id}/resolution",
            "POST /api/v1/decisions/{id}/scenarios",
            "POST /api/v1/methods/ahp",
            "POST /api/v1/methods/entropy",
            "POST /api/v1/methods/fce",
            "POST /api/v1/petitions/imports",
            "POST /api/v1/session",
            "POST /api/v1/session/password",
            "POST /api/v1/users",
            "POST /api/v1/users/{id}/password",
            "POST /api/v1/users/{id}/tokens",
            "PUT /api/v1/decisions/{id}/consultations/{cid}",
            "PUT /api/v1/decisions/{id}/ratings/{expert}",
        ]
    );
    // Every documented operation is routed: none of them falls through to "no route".
    for operation in &operations {
        let (method, path) = operation.split_once(' ').unwrap();
        let path = path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{token_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{cid}", "00000000-0000-0000-0000-000000000000")
            .replace("{expert}", "x")
            .replace("{name}", "radar")
            .replace("{format}", "svg");
        let res = app
            .request(method.parse().unwrap(), &path)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        if res.status() == 404 {
            let body: Value = res.json().await.unwrap();
            assert!(
                !body["detail"].as_str().unwrap().starts_with("no route"),
                "{operation} is not routed"
            );
        }
    }
    // Every operation documents its answers, and error answers are problem+json.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                !responses.is_empty(),
                "{method} {path} documents no response"
            );
            for (status, response) in responses {
                assert!(
                    response["description"].is_string(),
                    "{method} {path} {status} has no description (OpenAPI requires one)"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
    // The page's folder without its slash leads to the page, for good (308).
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = app
        .request_with(&no_redirects, Method::GET, "/api/docs")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(header(&res, "location"), "/api/docs/");
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(header(&docs, "content-type").starts_with("text/html"));
    let page = docs.text().await.unwrap();
    assert!(page.contains("swagger-ui"), "{page}");
    assert!(
        !page.contains("https://"),
        "the docs page fetches nothing from the network"
    );
}

/// What schemathesis (`scripts/schema-test`) found once: a response type flattening a request type was an `allOf`
/// of a part refusing extra properties, so every real response failed its own schema; and the 400/413/415 the
/// body extractors answer were not documented.
#[tokio::test]
async fn responses_match_their_schemas_and_body_refusals_are_documented() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for part in schema["allOf"].as_array().into_iter().flatten() {
            assert!(
                part.get("$ref").is_none_or(|r| {
                    let target = r.as_str().unwrap().rsplit('/').next().unwrap();
                    doc["components"]["schemas"][target]["additionalProperties"] != json!(false)
                }) && part["additionalProperties"] != json!(false),
                "{name}: an allOf part refuses the response's other fields"
            );
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} does not document {status}"
                    );
                }
            }
        }
    }
    // A real decision matches the schema it is documented with: no property beyond those it lists.
    let (decision, _) = app.create_decision(&land_requisition("合同检查")).await;
    let schema = &doc["components"]["schemas"]["Decision"];
    let mut allowed: Vec<String> = Vec::new();
    for part in schema["allOf"].as_array().unwrap() {
        allowed.extend(part["properties"].as_object().unwrap().keys().cloned());
    }
    for key in decision.as_object().unwrap().keys() {
        assert!(allowed.contains(key), "Decision's schema lacks {key}");
    }
}
