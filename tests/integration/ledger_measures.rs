//! A ledger of a few hundred concerns driven through every step by three offices, and the measures of
//! `GET /api/v1/concerns/stats` against a count made here from what the test did.

use std::collections::BTreeMap;

use reqwest::{Client, Method};
use serde_json::{Value, json};
use wenping::domain::account::Role;

use crate::common::{TestApp, assert_close, json_of, land_requisition, spawn_app};
use crate::concerns::{register, step_ok};

const CONCERNS: usize = 240;
const OFFICES: [&str; 3] = ["nong.ban", "zong.zhi", "dang.zheng"];

/// What the test did to one concern.
#[derive(Default, Clone)]
struct Done {
    office: Option<usize>,
    answered: bool,
    satisfaction: Option<&'static str>,
    reopened: bool,
    adopted: bool,
    closed: bool,
    received_month: String,
}

/// A small deterministic generator (the test must repeat).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

async fn stats(app: &TestApp, client: &Client, query: &str) -> Value {
    let res = app
        .request_with(
            client,
            Method::GET,
            &format!("/api/v1/concerns/stats{query}"),
        )
        .send()
        .await
        .unwrap();
    json_of(res, 200).await
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn check(measures: &Value, done: &[&Done], what: &str) {
    let n = done.len();
    let answered = done.iter().filter(|d| d.answered).count();
    let called: Vec<_> = done.iter().filter_map(|d| d.satisfaction).collect();
    let satisfied = called.iter().filter(|s| **s != "dissatisfied").count();
    let expect = [
        ("response_rate", share(answered, n)),
        ("on_time_rate", share(answered, answered)),
        ("satisfaction_rate", share(satisfied, called.len())),
        (
            "reopen_rate",
            share(
                done.iter().filter(|d| d.answered && d.reopened).count(),
                answered,
            ),
        ),
        (
            "adopted_share",
            share(
                done.iter().filter(|d| d.answered && d.adopted).count(),
                answered,
            ),
        ),
    ];
    assert_eq!(measures["registered"], n, "{what}: registered");
    for (name, value) in expect {
        match value {
            Some(v) => assert_close(&measures[name], v, 1e-12, &format!("{what}: {name}")),
            None => assert!(
                measures[name].is_null(),
                "{what}: {name} {}",
                measures[name]
            ),
        }
    }
    assert_eq!(
        measures["open"],
        done.iter().filter(|d| !d.closed).count(),
        "{what}: open"
    );
    assert_eq!(
        measures["overdue"], 0,
        "{what}: nothing is past its due date yet"
    );
}

#[tokio::test]
async fn the_measures_of_a_driven_ledger_match_an_independent_count() {
    let app = spawn_app().await;
    let keeper = app
        .client_for("tai.zhang", &[Role::Planner], &["3301"])
        .await;
    let reviewer = app
        .client_for("shen.he", &[Role::Reviewer], &["3301"])
        .await;
    let mut offices = Vec::new();
    for name in OFFICES {
        offices.push(app.client_for(name, &[Role::Office], &["3301"]).await);
    }
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let decision_id = decision["id"].as_str().unwrap().to_owned();
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let topics = ["compensation", "resettlement", "procedure", "environment"];
    let mut rng = Lcg(14);
    let mut done: Vec<Done> = Vec::new();
    for k in 0..CONCERNS {
        let month = 1 + rng.next(11);
        let received = format!("2026-{month:02}-{:02}T02:00:00Z", 1 + rng.next(27));
        let created = register(
            &app,
            &keeper,
            &json!({"channel": "visit", "received_at": received, "region": "330199001002",
                    "topic": topics[k % topics.len()], "content": format!("第 {k} 件诉求"),
                    "decisions": [decision_id]}),
        )
        .await;
        let id = created["id"].as_str().unwrap().to_owned();
        let mut d = Done {
            received_month: received[..7].to_owned(),
            ..Default::default()
        };
        // How far this concern goes: 0 registered … 6 closed after a reopen.
        let depth = rng.next(7);
        if depth >= 1 {
            let first = rng.next(3) as usize;
            step_ok(&app, &keeper, &id, json!({"action": "assign", "office": OFFICES[first], "handler": OFFICES[first], "due_on": due})).await;
            d.office = Some(first);
            if rng.next(4) == 0 {
                // The wrong office: sent back and reassigned to the next one.
                step_ok(
                    &app,
                    &offices[first],
                    &id,
                    json!({"action": "send_back", "reason": "非本单位职责"}),
                )
                .await;
                let second = (first + 1) % 3;
                step_ok(&app, &keeper, &id, json!({"action": "assign", "office": OFFICES[second], "handler": OFFICES[second], "due_on": due})).await;
                d.office = Some(second);
            }
        }
        let office = d.office.map(|o| &offices[o]);
        if depth >= 2 {
            step_ok(&app, office.unwrap(), &id, json!({"action": "accept"})).await;
        }
        if depth >= 3 {
            let adopt = rng.next(3) == 0;
            let mut answer = json!({"action": "answer", "answer": "已答复"});
            if adopt {
                answer["adopted_measure"] = json!("unified_standard");
            }
            step_ok(&app, office.unwrap(), &id, answer).await;
            d.answered = true;
            d.adopted = adopt;
        }
        if depth >= 4 {
            let verdict =
                ["satisfied", "basically_satisfied", "dissatisfied"][rng.next(3) as usize];
            step_ok(
                &app,
                &keeper,
                &id,
                json!({"action": "call_back", "satisfaction": verdict}),
            )
            .await;
            d.satisfaction = Some(verdict);
        }
        if depth >= 5 {
            if depth == 6 || d.satisfaction == Some("dissatisfied") {
                // Reopened, answered again, called back satisfied: the verdict that counts is the last one.
                step_ok(
                    &app,
                    &keeper,
                    &id,
                    json!({"action": "reopen", "reason": "群众不满意"}),
                )
                .await;
                d.reopened = true;
                step_ok(&app, office.unwrap(), &id, json!({"action": "accept"})).await;
                step_ok(
                    &app,
                    office.unwrap(),
                    &id,
                    json!({"action": "answer", "answer": "再次答复"}),
                )
                .await;
                d.adopted = false;
                step_ok(
                    &app,
                    &keeper,
                    &id,
                    json!({"action": "call_back", "satisfaction": "satisfied"}),
                )
                .await;
                d.satisfaction = Some("satisfied");
            }
            step_ok(&app, &keeper, &id, json!({"action": "close"})).await;
            d.closed = true;
        }
        done.push(d);
    }
    let all: Vec<&Done> = done.iter().collect();
    let total = stats(&app, &reviewer, "").await;
    check(&total["total"], &all, "the whole ledger");
    assert!(
        all.iter().any(|d| d.reopened)
            && all.iter().any(|d| d.closed)
            && all.iter().any(|d| d.office.is_none())
    );

    let by_month = stats(&app, &reviewer, "?group_by=month").await;
    let mut months: BTreeMap<&str, Vec<&Done>> = BTreeMap::new();
    for d in &done {
        months.entry(d.received_month.as_str()).or_default().push(d);
    }
    assert_eq!(by_month["groups"].as_object().unwrap().len(), months.len());
    for (month, group) in &months {
        check(&by_month["groups"][*month], group, month);
    }
    let by_office = stats(&app, &reviewer, "?group_by=office").await;
    for (k, name) in OFFICES.iter().enumerate() {
        let group: Vec<&Done> = done.iter().filter(|d| d.office == Some(k)).collect();
        check(&by_office["groups"][*name], &group, name);
    }
    // A filter narrows what is counted: only the open ones.
    let open = stats(&app, &reviewer, "?state=open").await;
    let open_done: Vec<&Done> = done.iter().filter(|d| !d.closed).collect();
    check(&open["total"], &open_done, "open only");
    // The median days to close, from the closing times the ledger reports.
    let page: Value = app
        .request_with(
            &reviewer,
            Method::GET,
            "/api/v1/concerns?state=closed&limit=200",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut days: Vec<f64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let received: chrono::DateTime<chrono::Utc> =
                c["received_at"].as_str().unwrap().parse().unwrap();
            let closed: chrono::DateTime<chrono::Utc> =
                c["closed_at"].as_str().unwrap().parse().unwrap();
            (closed - received).num_seconds() as f64 / 86_400.0
        })
        .collect();
    assert_eq!(days.len(), done.iter().filter(|d| d.closed).count());
    days.sort_by(f64::total_cmp);
    let n = days.len();
    let median = if n % 2 == 1 {
        days[n / 2]
    } else {
        (days[n / 2 - 1] + days[n / 2]) / 2.0
    };
    assert_close(
        &total["total"]["median_days_to_close"],
        median,
        1e-6,
        "median days to close",
    );
}
