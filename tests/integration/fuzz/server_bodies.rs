//! The JSON bodies again, this time sent to a running server (the test harness's `spawn_app`) at the routes that
//! read them, with real ids in the path: whatever the body, the answer is never a 5xx, and a refusal is a problem
//! document. The route table is checked against the OpenAPI document, so a new route with a body is fuzzed too.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use reqwest::{Client, Method};
use serde_json::{Value, json};
use wenping::domain::account::Role;

use super::fuzz;
use super::json_bodies::{JsonCase, KINDS, json_case};
use crate::common::{TestApp, land_requisition, spawn_app};

/// Every operation with a JSON body: (method, path as documented, body kind).
const ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/decisions", "decision"),
    ("PATCH", "/api/v1/decisions/{id}", "decision_patch"),
    ("PUT", "/api/v1/decisions/{id}/ratings/{expert}", "ratings"),
    ("POST", "/api/v1/decisions/{id}/assessments", "assess"),
    ("POST", "/api/v1/decisions/{id}/scenarios", "scenario"),
    (
        "PATCH",
        "/api/v1/decisions/{id}/scenarios/{sid}",
        "scenario_patch",
    ),
    ("POST", "/api/v1/decisions/{id}/checklist", "checklist"),
    (
        "PATCH",
        "/api/v1/decisions/{id}/checklist/{item}",
        "checklist_patch",
    ),
    ("POST", "/api/v1/decisions/{id}/resolution", "resolution"),
    (
        "POST",
        "/api/v1/decisions/{id}/consultations",
        "consultation",
    ),
    (
        "PUT",
        "/api/v1/decisions/{id}/consultations/{cid}",
        "consultation",
    ),
    ("POST", "/api/v1/concerns", "concern"),
    ("POST", "/api/v1/concerns/{id}/steps", "concern_step"),
    ("POST", "/api/v1/users", "user"),
    ("PATCH", "/api/v1/users/{id}", "user_patch"),
    ("POST", "/api/v1/users/{id}/tokens", "token"),
    ("POST", "/api/v1/session", "credentials"),
    ("POST", "/api/v1/session/password", "password"),
    ("POST", "/api/v1/assessments/{id}/simulation", "simulation"),
    ("POST", "/api/v1/assessments/{id}/mitigation-plan", "plan"),
    ("POST", "/api/v1/methods/ahp", "ahp"),
    ("POST", "/api/v1/methods/fce", "fce"),
    ("POST", "/api/v1/methods/entropy", "entropy"),
];

/// Where the fuzzing happens: one server, a decision with an assessment, a scenario, a checklist item, a
/// consultation and a concern, and the ids that fill the paths.
struct Stage {
    runtime: tokio::runtime::Runtime,
    app: TestApp,
    expert: Client,
    ids: Vec<(&'static str, String)>,
}

const EXPERT: &str = "王工";
/// The assessment id the seed bodies carry, replaced by the stage's real one.
const SEED_ASSESSMENT: &str = "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f";

async fn created(app: &TestApp, path: &str, body: Value, field: &str) -> String {
    let res = app.post_json(path, &body).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    let mut value = &body;
    for key in field.split('.') {
        value = match key.parse::<usize>() {
            Ok(i) => &value[i],
            Err(_) => &value[key],
        };
    }
    value.as_str().unwrap().to_owned()
}

fn stage() -> &'static std::sync::Mutex<Stage> {
    static STAGE: OnceLock<std::sync::Mutex<Stage>> = OnceLock::new();
    STAGE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (app, expert, ids) = runtime.block_on(async {
            let app = spawn_app().await;
            let decision = created(
                &app,
                "/api/v1/decisions",
                land_requisition("模糊测试"),
                "id",
            )
            .await;
            let expert = app.client_named(EXPERT, &[Role::Expert]).await;
            let sheet = json!({
                "public_interest_approval": {"probability": 2, "impact": 3},
                "requisition_procedure": {"probability": 3, "impact": 3},
                "resettlement_social_security": {"probability": 3, "impact": 4},
                "collective_distribution": {"probability": 2, "impact": 3},
                "villager_participation": {"probability": 2, "impact": 2},
                "emergency_readiness": {"probability": 3, "impact": 3},
            });
            let res = app
                .put_rating(
                    &format!("/api/v1/decisions/{decision}/ratings/{EXPERT}"),
                    &sheet,
                )
                .await;
            assert_eq!(res.status(), 200);
            let path = |rest: &str| format!("/api/v1/decisions/{decision}{rest}");
            let assessment = created(&app, &path("/assessments"), json!({}), "id").await;
            let scenario =
                created(&app, &path("/scenarios"), json!({"name": "基线之外"}), "id").await;
            let item = created(
                &app,
                &path("/checklist"),
                json!({"items": [{"measure": "unified_standard"}]}),
                "items.0.id",
            )
            .await;
            let consultation = created(
                &app,
                &path("/consultations"),
                json!({"kind": "public_notice", "place": "村务公开栏",
                       "first_day": "2026-10-01", "last_day": "2026-10-31"}),
                "id",
            )
            .await;
            let concern = created(
                &app,
                "/api/v1/concerns",
                json!({"channel": "phone", "received_at": "2026-11-02T01:00:00Z",
                       "region": "330199001002", "topic": "compensation", "content": "补偿何时到位"}),
                "id",
            )
            .await;
            let user = created(
                &app,
                "/api/v1/users",
                json!({"username": "fuzz.target", "roles": ["planner"]}),
                "user.id",
            )
            .await;
            let ids = vec![
                ("decision", decision),
                ("assessment", assessment),
                ("scenario", scenario),
                ("item", item),
                ("consultation", consultation),
                ("concern", concern),
                ("user", user),
            ];
            (app, expert, ids)
        });
        std::sync::Mutex::new(Stage {
            runtime,
            app,
            expert,
            ids,
        })
    })
}

impl Stage {
    fn id(&self, name: &str) -> &str {
        &self.ids.iter().find(|(n, _)| *n == name).unwrap().1
    }

    /// The documented path with the stage's ids in it.
    fn path(&self, template: &str) -> String {
        let id = if template.starts_with("/api/v1/concerns/") {
            self.id("concern")
        } else if template.starts_with("/api/v1/users/") {
            self.id("user")
        } else if template.starts_with("/api/v1/assessments/") {
            self.id("assessment")
        } else {
            self.id("decision")
        };
        template
            .replace("{id}", id)
            .replace("{expert}", EXPERT)
            .replace("{sid}", self.id("scenario"))
            .replace("{item}", self.id("item"))
            .replace("{cid}", self.id("consultation"))
    }

    /// Sends `body` to one route of its kind; a change that needs the resource's version is sent with the
    /// current one, so the body is read past the precondition.
    async fn send(&self, case: &JsonCase, pick: usize) -> (String, u16, String) {
        let routes: Vec<_> = ROUTES.iter().filter(|r| r.2 == case.kind).collect();
        let (method, template, _) = routes[pick % routes.len()];
        let path = self.path(template);
        let client = if case.kind == "ratings" {
            &self.expert
        } else {
            &self.app.client
        };
        let body = String::from_utf8_lossy(&case.body)
            .replace(SEED_ASSESSMENT, self.id("assessment"))
            .into_bytes();
        let method: Method = method.parse().unwrap();
        let mut request = client
            .request(method.clone(), format!("{}{path}", self.app.base))
            .header("content-type", "application/json")
            .body(body);
        if method == Method::PATCH || path.ends_with("/steps") || method == Method::PUT {
            let current = client
                .get(format!(
                    "{}{}",
                    self.app.base,
                    path.trim_end_matches("/steps")
                ))
                .send()
                .await
                .unwrap();
            if let Some(tag) = current.headers().get("etag") {
                request = request.header("If-Match", tag.clone());
            }
        }
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = res.text().await.unwrap_or_default();
        let shown = format!("{method} {path} → {status} {content_type}: {}", cut(&text));
        (shown, status, content_type)
    }
}

fn cut(text: &str) -> String {
    text.chars().take(400).collect()
}

#[test]
fn every_route_with_a_json_body_is_fuzzed() {
    let guard = stage().lock().unwrap_or_else(|e| e.into_inner());
    let stage = &*guard;
    let document: Value = stage.runtime.block_on(async {
        stage
            .app
            .get("/api/openapi.json")
            .await
            .json()
            .await
            .unwrap()
    });
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            // A merge patch is documented as application/merge-patch+json, the rest as application/json.
            let content = operation["requestBody"]["content"].as_object();
            if content.is_some_and(|c| c.keys().any(|k| k.ends_with("json"))) {
                documented.push(format!("{} /api/v1{path}", method.to_uppercase()));
            }
        }
    }
    documented.sort();
    let mut fuzzed: Vec<String> = ROUTES.iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    fuzzed.sort();
    let documented: Vec<String> = documented
        .into_iter()
        .map(|d| d.replace("/api/v1/api/v1", "/api/v1"))
        .collect();
    assert_eq!(
        documented, fuzzed,
        "the fuzzed routes differ from the documented JSON bodies"
    );
    for (_, _, kind) in ROUTES {
        assert!(KINDS.contains(kind), "{kind} is not fuzzed");
    }
}

#[test]
fn bodies_posted_to_a_running_server_never_get_a_5xx() {
    let guard = stage().lock().unwrap_or_else(|e| e.into_inner());
    let stage = &*guard;
    let strategy = (json_case(KINDS), any::<usize>());
    let (accepted, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    fuzz(
        "server_bodies",
        64,
        strategy.prop_map(Posted),
        |Posted((case, pick))| {
            let (shown, status, content_type) = stage.runtime.block_on(stage.send(&case, pick));
            prop_assert!(status < 500, "{shown}");
            let counter = if status < 300 { &accepted } else { &refused };
            counter.fetch_add(1, Ordering::Relaxed);
            if status >= 400 {
                prop_assert!(
                    content_type.starts_with("application/problem+json"),
                    "a refusal that is no problem document: {shown}"
                );
            }
            Ok(())
        },
    );
    // Mutations that never get past the decoder, or never get refused, would test nothing.
    let (accepted, refused) = (accepted.into_inner(), refused.into_inner());
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
    // The server still answers after all of it.
    let ready = stage.runtime.block_on(async {
        stage
            .app
            .anonymous
            .get(format!("{}/readyz", stage.app.base))
            .send()
            .await
    });
    assert!(ready.unwrap().status().is_success());
}

/// A body and which of its kind's routes gets it.
#[derive(Debug, Clone)]
struct Posted((JsonCase, usize));

impl super::CorpusCase for Posted {
    fn file_name(&self) -> String {
        self.0.0.file_name()
    }
    fn bytes(&self) -> Vec<u8> {
        self.0.0.body.clone()
    }
}
