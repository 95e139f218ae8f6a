//! The concern ledger (民情台账) over HTTP: the closed loop with a send-back and a reopen, steps refused with the
//! allowed ones named, residents masked for a reviewer and shown to the roles that need them, sealed at rest, and
//! the ledger's measures against a count by hand.

use reqwest::{Client, Method};
use serde_json::{Value, json};
use wenping::domain::account::Role;

use crate::common::{TestApp, expect_problem, header, json_of, land_requisition, spawn_app};

const RESIDENT: &str = "王秀英";
const PHONE: &str = "13912345678";

pub struct Ledger {
    pub keeper: Client,
    pub office_a: Client,
    pub office_b: Client,
    pub reviewer: Client,
}

pub async fn ledger_people(app: &TestApp) -> Ledger {
    Ledger {
        keeper: app
            .client_for("ledger.keeper", &[Role::Planner], &["3301"])
            .await,
        office_a: app.client_for("liu.fang", &[Role::Office], &["3301"]).await,
        office_b: app.client_for("he.ping", &[Role::Office], &["3301"]).await,
        reviewer: app
            .client_for("shen.he", &[Role::Reviewer], &["3301"])
            .await,
    }
}

pub async fn register(app: &TestApp, client: &Client, body: &Value) -> Value {
    let res = app
        .request_with(client, Method::POST, "/api/v1/concerns")
        .json(body)
        .send()
        .await
        .unwrap();
    json_of(res, 201).await
}

/// One step as `client`, based on the concern's current version; returns the answer.
pub async fn step(app: &TestApp, client: &Client, id: &str, body: Value) -> reqwest::Response {
    let current = app
        .request_with(client, Method::GET, &format!("/api/v1/concerns/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(current.status(), 200);
    let etag = header(&current, "etag");
    app.request_with(
        client,
        Method::POST,
        &format!("/api/v1/concerns/{id}/steps"),
    )
    .header("If-Match", etag)
    .json(&body)
    .send()
    .await
    .unwrap()
}

pub async fn step_ok(app: &TestApp, client: &Client, id: &str, body: Value) -> Value {
    json_of(step(app, client, id, body).await, 200).await
}

fn concern(decision: &str) -> Value {
    json!({
        "channel": "contact_card",
        "received_at": "2026-11-02T01:00:00Z",
        "region": "330199001002",
        "topic": "compensation",
        "content": "青苗补偿标准比邻村低，要求说明测算依据",
        "resident": {"name": RESIDENT, "phone": PHONE},
        "decisions": [decision],
    })
}

#[tokio::test]
async fn the_closed_loop_with_a_send_back_and_a_reopen() {
    let app = spawn_app().await;
    let people = ledger_people(&app).await;
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let decision_id = decision["id"].as_str().unwrap();
    let created = register(&app, &people.keeper, &concern(decision_id)).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["state"], "registered");
    assert_eq!(created["allowed"], json!(["assign"]));
    assert_eq!(
        created["resident"]["name"], RESIDENT,
        "the keeper sees the person"
    );

    // Closing before the call-back is refused, naming what is allowed now.
    let refused = expect_problem(
        step(&app, &people.keeper, &id, json!({"action": "close"})).await,
        409,
        None,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("allowed now: assign"),
        "{refused}"
    );

    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
    let assign = |handler: &str| json!({"action": "assign", "office": "城关镇农业农村办", "handler": handler, "due_on": due});
    // Office A is not the right office and sends it back with a reason.
    step_ok(&app, &people.keeper, &id, assign("liu.fang")).await;
    // Office B may not act on a concern assigned to A.
    expect_problem(
        step(&app, &people.office_b, &id, json!({"action": "accept"})).await,
        403,
        None,
    )
    .await;
    expect_problem(
        step(&app, &people.office_a, &id, json!({"action": "send_back"})).await,
        422,
        Some("reason"),
    )
    .await;
    let sent_back = step_ok(
        &app,
        &people.office_a,
        &id,
        json!({"action": "send_back", "reason": "属于自然资源所职责"}),
    )
    .await;
    assert_eq!(sent_back["state"], "sent_back");
    // Reassigned to office B, which accepts, answers and adopts a measure of the plan.
    step_ok(&app, &people.keeper, &id, assign("he.ping")).await;
    step_ok(&app, &people.office_b, &id, json!({"action": "accept"})).await;
    let answered = step_ok(
        &app,
        &people.office_b,
        &id,
        json!({"action": "answer", "answer": "已公开片区测算过程，标准与邻村一致", "adopted_measure": "unified_standard"}),
    )
    .await;
    assert_eq!(answered["state"], "answered");
    assert_eq!(answered["adopted_measure"], "unified_standard");
    // The resident is not satisfied at the call-back: closing needs a reason, reopening sends it back.
    step_ok(
        &app,
        &people.keeper,
        &id,
        json!({"action": "call_back", "satisfaction": "dissatisfied"}),
    )
    .await;
    expect_problem(
        step(&app, &people.keeper, &id, json!({"action": "close"})).await,
        422,
        Some("reason"),
    )
    .await;
    let reopened = step_ok(
        &app,
        &people.keeper,
        &id,
        json!({"action": "reopen", "reason": "群众对答复不满意"}),
    )
    .await;
    assert_eq!(reopened["state"], "reopened");
    assert_eq!(reopened["reopen_count"], 1);
    step_ok(&app, &people.office_b, &id, json!({"action": "accept"})).await;
    step_ok(
        &app,
        &people.office_b,
        &id,
        json!({"action": "answer", "answer": "补发青苗补偿差额"}),
    )
    .await;
    step_ok(
        &app,
        &people.keeper,
        &id,
        json!({"action": "call_back", "satisfaction": "satisfied"}),
    )
    .await;
    let closed = step_ok(&app, &people.keeper, &id, json!({"action": "close"})).await;
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].is_string());

    // Every step is in the history with who took it.
    let detail: Value = app
        .request_with(
            &people.keeper,
            Method::GET,
            &format!("/api/v1/concerns/{id}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let steps: Vec<(String, String)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("create", "ledger.keeper"),
        ("assign", "ledger.keeper"),
        ("send_back", "liu.fang"),
        ("assign", "ledger.keeper"),
        ("accept", "he.ping"),
        ("answer", "he.ping"),
        ("call_back", "ledger.keeper"),
        ("reopen", "ledger.keeper"),
        ("accept", "he.ping"),
        ("answer", "he.ping"),
        ("call_back", "ledger.keeper"),
        ("close", "ledger.keeper"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(steps, expected);
    let history = detail["history"].to_string();
    assert!(
        !history.contains(RESIDENT) && !history.contains(PHONE),
        "the audit log holds no resident"
    );

    // A stale version is 412; a missing one 428.
    let stale = app
        .request_with(
            &people.keeper,
            Method::POST,
            &format!("/api/v1/concerns/{id}/steps"),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"action": "reopen", "reason": "逾期"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let missing = app
        .request_with(
            &people.keeper,
            Method::POST,
            &format!("/api/v1/concerns/{id}/steps"),
        )
        .json(&json!({"action": "reopen", "reason": "逾期"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 428);
}

#[tokio::test]
async fn residents_are_masked_for_a_reviewer_and_sealed_at_rest() {
    let app = spawn_app().await;
    let people = ledger_people(&app).await;
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let created = register(
        &app,
        &people.keeper,
        &concern(decision["id"].as_str().unwrap()),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let as_reviewer: Value = app
        .request_with(
            &people.reviewer,
            Method::GET,
            &format!("/api/v1/concerns/{id}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(as_reviewer["resident"]["name"], "王**");
    assert_eq!(as_reviewer["resident"]["phone"], "139****5678");
    assert_eq!(as_reviewer["resident_masked"], true);
    let listed = app
        .request_with(&people.reviewer, Method::GET, "/api/v1/concerns")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !listed.contains(RESIDENT) && !listed.contains(PHONE),
        "{listed}"
    );
    let as_office: Value = app
        .request_with(
            &people.office_a,
            Method::GET,
            &format!("/api/v1/concerns/{id}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(as_office["resident"]["name"], RESIDENT);
    assert_eq!(as_office["resident"]["phone"], PHONE);

    // At rest: neither the name nor the phone is anywhere in the database's bytes.
    if let Some(path) = app.database_url.strip_prefix("sqlite://") {
        app.db.close().await;
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(b) = std::fs::read(format!("{path}{suffix}")) {
                bytes.extend(b);
            }
        }
        assert!(bytes.len() > 10_000, "the database file was read");
        for needle in [RESIDENT, PHONE, "139****5678"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} is readable in the database file"
            );
        }
        // The content itself is there (it is not personal data): the search above would have found it.
        let content = "青苗补偿标准比邻村低";
        assert!(
            bytes
                .windows(content.len())
                .any(|w| w == content.as_bytes())
        );
    } else {
        let raw: Vec<u8> = sqlx::query_scalar("SELECT resident_sealed FROM concerns")
            .fetch_one(match &app.db {
                wenping::storage::Db::Postgres(pool) => pool,
                _ => unreachable!(),
            })
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains(RESIDENT));
    }
}

#[tokio::test]
async fn registrations_are_checked_field_by_field_and_scoped() {
    let app = spawn_app().await;
    let people = ledger_people(&app).await;
    let bad = app
        .request_with(&people.keeper, Method::POST, "/api/v1/concerns")
        .json(&json!({
            "channel": "contact_card", "received_at": "2026-11-02T01:00:00Z", "region": "330199001002",
            "topic": "no_such_topic", "content": "x", "resident": {"phone": "call me"}
        }))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(bad, 422, Some("topic")).await;
    assert!(problem.to_string().contains("resident.phone"), "{problem}");
    let outside = app
        .request_with(&people.keeper, Method::POST, "/api/v1/concerns")
        .json(&json!({
            "channel": "phone", "received_at": "2026-11-02T01:00:00Z", "region": "110101",
            "topic": "compensation", "content": "北京的诉求"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 403);
    // The same ledger number twice is a conflict, and nothing more is written.
    let body = json!({
        "number": "MQ-2026-001", "channel": "phone", "received_at": "2026-11-02T01:00:00Z",
        "region": "330199001", "topic": "other", "content": "匿名来电"
    });
    register(&app, &people.keeper, &body).await;
    let again = app
        .request_with(&people.keeper, Method::POST, "/api/v1/concerns")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let page: Value = app
        .request_with(&people.reviewer, Method::GET, "/api/v1/concerns")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    assert!(page["items"][0]["resident"].is_null(), "anonymous");
    // An expert does not read the ledger.
    let expert = app.client_for("expert.x", &[Role::Expert], &[]).await;
    let res = app
        .request_with(&expert, Method::GET, "/api/v1/concerns")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn one_number_registered_at_once_from_many_offices_is_stored_once() {
    // On PostgreSQL the registrations' checks for the number can all pass before any of them inserts; the unique
    // key then refuses the rest, which must be the same 409 as a number found taken, never a 500.
    let app = spawn_app().await;
    let people = ledger_people(&app).await;
    let body = json!({
        "number": "MQ-2026-RACE", "channel": "phone", "received_at": "2026-11-02T01:00:00Z",
        "region": "330199001", "topic": "other", "content": "同一编号同时登记"
    });
    let sends = (0..8).map(|_| {
        app.request_with(&people.keeper, Method::POST, "/api/v1/concerns")
            .json(&body)
            .send()
    });
    let mut statuses: Vec<u16> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|res| res.unwrap().status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    let listed = app
        .request_with(&people.reviewer, Method::GET, "/api/v1/concerns")
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(listed, 200).await["total"], 1);
}
