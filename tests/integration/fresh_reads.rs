//! An instance answers an assessment's scope check, the decision list and the petition statistics' data version
//! from what it read less than a second ago (`app/memo.rs`, `FreshMemo`). A change made through another instance
//! on the same database must therefore show on the first within about a second, and at once on the instance
//! that made it: two servers, each having just answered the read, and the change made through the second.

use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{Value, json};
use wenping::domain::account::Role;

use crate::common::cli::{MODELS_DIR, cli};
use crate::common::petitions::{fixture, upload};
use crate::common::{TestApp, header, land_requisition, shown_within, spawn_app, spawn_app_on};

/// How long another instance may answer as before the change: the memo's second, plus the time a poll takes.
/// Remembering for two seconds fails this.
const SHOWN_WITHIN: Duration = Duration::from_millis(1500);

/// Two servers on one database: `a` answers the reads, `b` is where things change.
async fn two_instances() -> (TestApp, TestApp) {
    let a = spawn_app().await;
    let b = spawn_app_on(&a.database_url, std::path::Path::new(MODELS_DIR)).await;
    (a, b)
}

/// The status and body of a GET by `client` on `app`.
async fn read(app: &TestApp, client: &Client, path: &str) -> (u16, Value) {
    let res = app
        .request_with(client, Method::GET, path)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The titles of the decisions `client` sees on `app`'s first page.
async fn titles(app: &TestApp, client: &Client) -> Vec<String> {
    let (status, page) = read(app, client, "/api/v1/decisions").await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect()
}

/// A land requisition in 城关镇 (330199001), rated and assessed through `app`: (decision id, assessment id).
async fn assessed(app: &TestApp, title: &str) -> (String, String) {
    let (decision, _) = app.create_decision(&land_requisition(title)).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let sheet = json!({
        "public_interest_approval": {"probability": 2, "impact": 3},
        "requisition_procedure": {"probability": 3, "impact": 3},
        "resettlement_social_security": {"probability": 3, "impact": 4},
        "collective_distribution": {"probability": 2, "impact": 3},
        "villager_participation": {"probability": 2, "impact": 2},
        "emergency_readiness": {"probability": 3, "impact": 3},
    });
    let res = app
        .put_rating(&format!("/api/v1/decisions/{id}/ratings/张教授"), &sheet)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    let assessment: Value = res.json().await.unwrap();
    (id, assessment["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_assessment_whose_decision_moved_out_of_a_readers_region_through_another_instance_is_hidden_within_a_second()
 {
    let (a, b) = two_instances().await;
    let (decision, assessment) = assessed(&a, "城关镇东片区征收").await;
    let reader = a
        .client_for("chen.reviewer", &[Role::Reviewer], &["330199001"])
        .await;
    let path = format!("/api/v1/assessments/{assessment}");
    // Both instances have just checked the reader's scope against the decision's regions.
    assert_eq!(read(&a, &reader, &path).await.0, 200);
    assert_eq!(read(&b, &reader, &path).await.0, 200);

    let etag = header(
        &b.get(&format!("/api/v1/decisions/{decision}")).await,
        "etag",
    );
    let res = b
        .patch_json(
            &format!("/api/v1/decisions/{decision}"),
            Some(&etag),
            &json!({"regions": ["330199002"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved = Instant::now();
    assert_eq!(
        read(&b, &reader, &path).await.0,
        404,
        "hidden at once where the decision was moved"
    );
    let took = shown_within(
        moved,
        SHOWN_WITHIN,
        "the moved decision's assessment hidden on a",
        || async {
            let (status, body) = read(&a, &reader, &path).await;
            assert!(status == 200 || status == 404, "{status} {body}");
            status == 404
        },
    )
    .await;
    eprintln!("moved decision's assessment hidden by the other instance after {took:?}");
}

#[tokio::test]
async fn a_decision_registered_through_another_instance_is_listed_within_a_second_and_only_for_its_region()
 {
    let (a, b) = two_instances().await;
    a.create_decision(&land_requisition("城关镇一期")).await;
    let reader = a
        .client_for("chen.reviewer", &[Role::Reviewer], &["330199001"])
        .await;
    let elsewhere = a
        .client_for("liu.reviewer", &[Role::Reviewer], &["330199002"])
        .await;
    // The administrator (everywhere) reads the list first: a page it leaves behind must not reach a reader of
    // one township, who is shown only decisions inside it.
    assert_eq!(titles(&a, &a.client).await, ["城关镇一期"]);
    assert_eq!(titles(&a, &elsewhere).await, Vec::<String>::new());
    assert_eq!(titles(&a, &reader).await, ["城关镇一期"]);
    assert_eq!(titles(&b, &reader).await, ["城关镇一期"]);

    b.create_decision(&land_requisition("城关镇二期")).await;
    let registered = Instant::now();
    let listed = |mut titles: Vec<String>| {
        titles.sort();
        titles == ["城关镇一期", "城关镇二期"]
    };
    assert!(
        listed(titles(&b, &reader).await),
        "listed at once where it was registered"
    );
    let took = shown_within(
        registered,
        SHOWN_WITHIN,
        "the new decision listed on a",
        || async { listed(titles(&a, &reader).await) },
    )
    .await;
    eprintln!("new decision listed by the other instance after {took:?}");
    assert_eq!(titles(&a, &elsewhere).await, Vec::<String>::new());
}

/// The petitions of 城关镇 in 2024–2025 that `client` is shown on `app`.
async fn petitions(app: &TestApp, client: &Client) -> u64 {
    let path = "/api/v1/petitions/stats?regions=330199001&from=2024-01&to=2025-12";
    let (status, stats) = read(app, client, path).await;
    assert_eq!(status, 200, "{stats}");
    stats["totals"]["petitions"].as_u64().unwrap()
}

#[tokio::test]
async fn petitions_imported_through_another_instance_count_in_the_statistics_within_a_second() {
    let (a, b) = two_instances().await;
    let out = cli(
        &a,
        &[
            "regions",
            "import",
            fixture("regions-sample.csv").to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reader = a
        .client_for("chen.reviewer", &[Role::Reviewer], &["330199001"])
        .await;
    // Both instances have just read the data's version.
    assert_eq!(petitions(&a, &reader).await, 0);
    assert_eq!(petitions(&b, &reader).await, 0);

    let bytes = std::fs::read(fixture("petitions-sample-gbk.csv")).unwrap();
    let res = upload(&b, "petitions-sample-gbk.csv", &bytes, &[]).await;
    assert_eq!(res.status(), 201);
    let imported = Instant::now();
    let counted = petitions(&b, &reader).await;
    assert!(counted > 0, "counted at once where they were imported");
    let took = shown_within(
        imported,
        SHOWN_WITHIN,
        "the imported petitions counted on a",
        || async { petitions(&a, &reader).await == counted },
    )
    .await;
    eprintln!("imported petitions counted by the other instance after {took:?}");
}
