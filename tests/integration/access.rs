//! Who may call what: every route of the OpenAPI document is called by every role, by an
//! out-of-scope user and by nobody, and answers as the permission table says.

use std::collections::BTreeMap;

use crate::common::{TestApp, land_requisition, spawn_app};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use wenping::domain::account::Role;

const ALL: &[&str] = &[
    "admin",
    "planner",
    "expert",
    "reviewer",
    "committee",
    "office",
];
const LEDGER_READERS: &[&str] = &["planner", "reviewer", "committee", "office"];
const LEDGER_WRITERS: &[&str] = &["planner", "office"];
const READERS: &[&str] = &["planner", "expert", "reviewer", "committee"];

/// The rule for each operation: None = public, Some(roles) = who may call it. A route the server
/// documents but this table does not know fails the test, so no route is born unprotected.
fn rules() -> BTreeMap<&'static str, Option<&'static [&'static str]>> {
    BTreeMap::from([
        ("GET /healthz", None),
        ("GET /readyz", None),
        ("GET /api/openapi.json", None),
        ("POST /api/v1/session", None),
        ("GET /metrics", Some(&["admin"][..])),
        ("GET /api/v1/session", Some(ALL)),
        ("DELETE /api/v1/session", Some(ALL)),
        ("POST /api/v1/session/password", Some(ALL)),
        ("GET /api/v1/users", Some(&["admin"][..])),
        ("POST /api/v1/users", Some(&["admin"][..])),
        ("PATCH /api/v1/users/{id}", Some(&["admin"][..])),
        ("POST /api/v1/users/{id}/password", Some(&["admin"][..])),
        // Everyone manages their own tokens ({id} is the caller's own id below).
        ("GET /api/v1/users/{id}/tokens", Some(ALL)),
        ("POST /api/v1/users/{id}/tokens", Some(ALL)),
        ("DELETE /api/v1/users/{id}/tokens/{token_id}", Some(ALL)),
        ("GET /api/v1/decisions", Some(READERS)),
        ("GET /api/v1/decisions/{id}", Some(READERS)),
        ("POST /api/v1/decisions", Some(&["planner"][..])),
        ("PATCH /api/v1/decisions/{id}", Some(&["planner"][..])),
        ("DELETE /api/v1/decisions/{id}", Some(&["planner"][..])),
        ("GET /api/v1/audit", Some(&["admin", "reviewer"][..])),
        ("GET /api/v1/models", Some(ALL)),
        ("GET /api/v1/models/{id}", Some(ALL)),
        ("POST /api/v1/methods/ahp", Some(ALL)),
        ("POST /api/v1/methods/fce", Some(ALL)),
        ("POST /api/v1/methods/entropy", Some(ALL)),
        // {expert} is the caller's own name below: experts write only their own ratings.
        (
            "PUT /api/v1/decisions/{id}/ratings/{expert}",
            Some(&["expert"][..]),
        ),
        ("GET /api/v1/decisions/{id}/ratings", Some(READERS)),
        (
            "POST /api/v1/decisions/{id}/assessments",
            Some(&["planner"][..]),
        ),
        ("GET /api/v1/decisions/{id}/assessments", Some(READERS)),
        ("GET /api/v1/assessments/{id}", Some(READERS)),
        ("POST /api/v1/assessments/{id}/replay", Some(READERS)),
        (
            "GET /api/v1/assessments/{id}/report.{format}",
            Some(&["planner", "reviewer", "committee"][..]),
        ),
        (
            "GET /api/v1/assessments/{id}/charts/{name}.{format}",
            Some(&["planner", "reviewer", "committee"][..]),
        ),
        ("POST /api/v1/petitions/imports", Some(&["admin"][..])),
        ("GET /api/v1/petitions/imports/{id}", Some(&["admin"][..])),
        (
            "GET /api/v1/petitions/imports/{id}/rejects",
            Some(&["admin"][..]),
        ),
        ("GET /api/v1/petitions/stats", Some(READERS)),
        ("GET /api/v1/decisions/{id}/scenarios", Some(READERS)),
        (
            "POST /api/v1/decisions/{id}/scenarios",
            Some(&["planner"][..]),
        ),
        ("GET /api/v1/decisions/{id}/scenarios/{sid}", Some(READERS)),
        (
            "PATCH /api/v1/decisions/{id}/scenarios/{sid}",
            Some(&["planner"][..]),
        ),
        (
            "DELETE /api/v1/decisions/{id}/scenarios/{sid}",
            Some(&["planner"][..]),
        ),
        ("GET /api/v1/decisions/{id}/comparison", Some(READERS)),
        ("GET /api/v1/decisions/{id}/checklist", Some(READERS)),
        (
            "POST /api/v1/decisions/{id}/checklist",
            Some(&["planner"][..]),
        ),
        (
            "PATCH /api/v1/decisions/{id}/checklist/{item}",
            Some(&["planner"][..]),
        ),
        (
            "POST /api/v1/decisions/{id}/resolution",
            Some(&["committee"][..]),
        ),
        ("GET /api/v1/decisions/{id}/resolution", Some(READERS)),
        ("GET /api/v1/decisions/{id}/alerts", Some(READERS)),
        ("GET /api/v1/alerts", Some(READERS)),
        ("GET /api/v1/decisions/{id}/consultations", Some(READERS)),
        (
            "GET /api/v1/decisions/{id}/consultations/{cid}",
            Some(READERS),
        ),
        (
            "POST /api/v1/decisions/{id}/consultations",
            Some(&["planner"][..]),
        ),
        (
            "PUT /api/v1/decisions/{id}/consultations/{cid}",
            Some(&["planner"][..]),
        ),
        (
            "DELETE /api/v1/decisions/{id}/consultations/{cid}",
            Some(&["planner"][..]),
        ),
        ("GET /api/v1/concerns", Some(LEDGER_READERS)),
        ("GET /api/v1/concerns/export.csv", Some(LEDGER_READERS)),
        ("GET /api/v1/concerns/export.xlsx", Some(LEDGER_READERS)),
        ("GET /api/v1/concerns/queue", Some(LEDGER_READERS)),
        ("GET /api/v1/concerns/stats", Some(LEDGER_READERS)),
        ("GET /api/v1/concerns/{id}", Some(LEDGER_READERS)),
        ("POST /api/v1/concerns", Some(LEDGER_WRITERS)),
        ("POST /api/v1/concerns/{id}/steps", Some(LEDGER_WRITERS)),
        // Importing a ledger is keeping it (KeepLedger): the planners who keep the township's ledger.
        ("POST /api/v1/concerns/imports", Some(&["planner"][..])),
        ("GET /api/v1/assessments/{id}/sensitivity", Some(READERS)),
        ("POST /api/v1/assessments/{id}/simulation", Some(READERS)),
        (
            "POST /api/v1/assessments/{id}/mitigation-plan",
            Some(READERS),
        ),
    ])
}

struct Caller {
    name: &'static str,
    client: Client,
    user_id: String,
}

async fn caller(app: &TestApp, name: &'static str, roles: &[Role], scope: &[&str]) -> Caller {
    let client = app.client_for(name, roles, scope).await;
    let me: Value = app
        .request_with(&client, Method::GET, "/api/v1/session")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Caller {
        name,
        client,
        user_id: me["user_id"].as_str().unwrap().to_owned(),
    }
}

fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.push((method.to_uppercase(), path.clone()));
        }
    }
    ops.sort();
    ops
}

async fn call(app: &TestApp, client: &Client, method: &str, path: &str) -> u16 {
    app.request_with(client, method.parse().unwrap(), path)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_permission_table_says() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("权限")).await;
    let decision_id = decision["id"].as_str().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision_id}/assessments"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let assessment_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A baseline scenario, a checklist item and a resolution, so their routes have something to find.
    let scenarios: Value = app
        .get(&format!("/api/v1/decisions/{decision_id}/scenarios"))
        .await
        .json()
        .await
        .unwrap();
    let scenario_id = scenarios["items"][0]["id"].as_str().unwrap().to_owned();
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision_id}/checklist"),
            &json!({"items": [{"measure": "unified_standard"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let item_id = res.json::<Value>().await.unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision_id}/resolution"),
            &json!({"outcome": "postpone", "assessment_id": assessment_id}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision_id}/consultations"),
            &json!({"kind": "public_notice", "place": "村务公开栏", "first_day": "2026-10-01", "last_day": "2026-10-31"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let consultation_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut callers = Vec::new();
    for (name, role) in [
        ("admin", Role::Admin),
        ("planner", Role::Planner),
        ("expert", Role::Expert),
        ("reviewer", Role::Reviewer),
        ("committee", Role::Committee),
        ("office", Role::Office),
    ] {
        callers.push(caller(&app, name, &[role], &["3301"]).await);
    }
    // Holds every role but admin, for Beijing only: the Zhejiang decision is not theirs.
    let outsider = caller(
        &app,
        "outsider",
        &[Role::Planner, Role::Expert, Role::Reviewer, Role::Committee],
        &["11"],
    )
    .await;

    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let rules = rules();
    for (method, path) in operations(&doc) {
        let key = format!("{method} {path}");
        let rule = rules
            .get(key.as_str())
            .unwrap_or_else(|| panic!("{key} has no rule in this test: decide who may call it"));
        // {id} is the decision, the assessment or the caller's own account; {expert} the caller.
        let concrete = |caller: Option<&Caller>| {
            let id = if path.contains("/users/") {
                caller.map(|c| c.user_id.as_str()).unwrap_or("x")
            } else if path.starts_with("/api/v1/assessments/") {
                assessment_id.as_str()
            } else {
                decision_id
            };
            path.replace("{id}", id)
                .replace("{token_id}", "00000000-0000-0000-0000-000000000000")
                .replace("{expert}", caller.map(|c| c.name).unwrap_or("x"))
                .replace("{name}", "radar")
                .replace("{sid}", &scenario_id)
                .replace("{item}", &item_id)
                .replace("{cid}", &consultation_id)
                .replace(
                    "{format}",
                    if path.contains("/charts/") {
                        "svg"
                    } else {
                        "json"
                    },
                )
        };
        let scoped = path.starts_with("/api/v1/decisions/{id}")
            || path.starts_with("/api/v1/assessments/{id}");
        let anonymous = call(&app, &app.anonymous, &method, &concrete(None)).await;
        match rule {
            None => assert!(
                ![401, 403].contains(&anonymous),
                "{key} is public, got {anonymous}"
            ),
            Some(_) => assert_eq!(anonymous, 401, "{key} without credentials"),
        }
        let Some(allowed) = rule else { continue };
        for caller in &callers {
            let status = call(&app, &caller.client, &method, &concrete(Some(caller))).await;
            if allowed.contains(&caller.name) {
                assert!(
                    ![401, 403].contains(&status),
                    "{key} as {}: {status}",
                    caller.name
                );
                if scoped {
                    assert_ne!(status, 404, "{key} as {}: it is in scope", caller.name);
                }
            } else {
                assert_eq!(status, 403, "{key} as {}", caller.name);
            }
        }
        if scoped {
            let status = call(&app, &outsider.client, &method, &concrete(Some(&outsider))).await;
            assert_eq!(status, 404, "{key} out of scope");
        }
    }
    // Listing and the audit log hide the out-of-scope decision too.
    let list: Value = app
        .request_with(
            &outsider.client,
            Method::GET,
            "/api/v1/decisions?archived=true",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));
    let audit: Value = app
        .request_with(
            &outsider.client,
            Method::GET,
            &format!("/api/v1/audit?id={decision_id}"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"], json!([]));
}

#[tokio::test]
async fn region_scopes_bound_what_users_see_and_change() {
    let app = spawn_app().await;
    let county = app
        .client_for("县规划", &[Role::Planner, Role::Reviewer], &["330199"])
        .await;
    let other_county = app
        .client_for("邻县", &[Role::Planner, Role::Reviewer], &["330200"])
        .await;
    let city = app
        .client_for("市审核", &[Role::Reviewer], &["3301", "3302"])
        .await;

    let mut inside = land_requisition("县内");
    inside["regions"] = json!(["330199001"]);
    let res = app
        .request_with(&county, Method::POST, "/api/v1/decisions")
        .json(&inside)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let inside_id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut straddling = land_requisition("跨县");
    straddling["regions"] = json!(["330199001", "330200"]);
    let res = app
        .request_with(&county, Method::POST, "/api/v1/decisions")
        .json(&straddling)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "a county planner cannot register beyond the county"
    );
    let (straddling, _) = app.create_decision(&straddling).await;

    let titles = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |client: &Client| {
        app.request_with(client, Method::GET, "/api/v1/decisions")
            .send()
    };
    assert_eq!(
        titles(list(&county).await.unwrap().json().await.unwrap()),
        ["县内"]
    );
    assert!(titles(list(&other_county).await.unwrap().json().await.unwrap()).is_empty());
    assert_eq!(
        titles(list(&city).await.unwrap().json().await.unwrap()),
        ["县内", "跨县"]
    );

    let path = format!("/api/v1/decisions/{inside_id}");
    let res = app
        .request_with(&other_county, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .request_with(&other_county, Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "改"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .request_with(&county, Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"regions": ["330200001"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "nor move a decision out of the county");

    let audit_ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["entity_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let county_audit = audit_ids(
        app.request_with(&county, Method::GET, "/api/v1/audit")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(county_audit, std::slice::from_ref(&inside_id));
    let city_audit = audit_ids(
        app.request_with(&city, Method::GET, "/api/v1/audit")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(
        city_audit,
        [inside_id, straddling["id"].as_str().unwrap().to_owned()]
    );
    let other_audit = audit_ids(
        app.request_with(&other_county, Method::GET, "/api/v1/audit")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    assert!(other_audit.is_empty(), "{other_audit:?}");
}

#[tokio::test]
async fn experts_write_only_their_own_ratings() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("评分")).await;
    let id = decision["id"].as_str().unwrap();
    let zhang = app.client_for("张教授", &[Role::Expert], &[]).await;
    let sheet = json!({"compensation_standard": {"probability": 3, "impact": 4}});
    let own = app
        .request_with(
            &zhang,
            Method::PUT,
            &format!("/api/v1/decisions/{id}/ratings/张教授"),
        )
        .json(&sheet)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let other = app
        .request_with(
            &zhang,
            Method::PUT,
            &format!("/api/v1/decisions/{id}/ratings/李律师"),
        )
        .json(&sheet)
        .send()
        .await
        .unwrap();
    crate::common::expect_problem(other, 403, None).await;
    let stored: Value = app
        .get(&format!("/api/v1/decisions/{id}/ratings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["experts"].as_array().unwrap().len(), 1);
}
