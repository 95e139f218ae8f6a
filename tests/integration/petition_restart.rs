//! A server killed (`kill -9`) during a background petition import: after a restart nothing of the import is
//! visible, its status turns `failed` once it has been silent for the configured window, and uploading the file
//! again imports it completely.

use std::time::{Duration, Instant};

use crate::common::cli::{serve_with, succeeded, user_token, wenping};
use crate::common::fresh_database;
use crate::common::petitions::multipart_body;
use serde_json::Value;

const RECORDS: u64 = 60_000;
/// The stall window the restarted server is given, in seconds.
const STALLED_AFTER: u64 = 2;

fn server(database_url: &str) -> (std::process::Child, String) {
    let mut command = wenping(database_url);
    command
        .env(
            "WENPING_MODELS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/models"),
        )
        // Every upload of this test imports in the background.
        .env("WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES", "1000")
        .env(
            "WENPING_PETITIONS_JOB_STALLED_AFTER_SECONDS",
            STALLED_AFTER.to_string(),
        )
        .stderr(std::process::Stdio::null());
    serve_with(command)
}

async fn upload(client: &reqwest::Client, base: &str, bytes: &[u8]) -> String {
    let (content_type, body) = multipart_body("county.csv", bytes, &[]);
    let res = client
        .post(format!("{base}/api/v1/petitions/imports"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn status(client: &reqwest::Client, base: &str, id: &str) -> Value {
    let res = client
        .get(format!("{base}/api/v1/petitions/imports/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn county_petitions(client: &reqwest::Client, base: &str) -> u64 {
    let res = client
        .get(format!(
            "{base}/api/v1/petitions/stats?regions=330299&from=2022-01&to=2025-12"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["totals"]["petitions"].as_u64().unwrap()
}

/// Polls until the import is no longer queued or running.
async fn settled(client: &reqwest::Client, base: &str, id: &str, within: Duration) -> Value {
    let start = Instant::now();
    loop {
        let now = status(client, base, id).await;
        if !matches!(now["status"].as_str(), Some("queued" | "running")) {
            return now;
        }
        assert!(start.elapsed() < within, "still {now} after {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn an_import_cut_off_by_a_killed_server_is_reported_failed_and_a_new_upload_completes() {
    let database = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("county.csv");
    succeeded(
        wenping(&database.url)
            .args(["petitions", "generate", "--records", &RECORDS.to_string()])
            .args(["--seed", "4", "--out", file.to_str().unwrap()]),
    );
    let bytes = std::fs::read(&file).unwrap();
    let token = user_token(&database.url, "importer", "admin");
    let reader = user_token(&database.url, "reader", "planner");
    let client = crate::common::client_with(Some(&token));
    let reading = crate::common::client_with(Some(&reader));

    let (mut first, base) = server(&database.url);
    let id = upload(&client, &base, &bytes).await;
    // Killed while the file is read, validated or written: the import's transaction has not committed.
    child_kill(&mut first);

    let (mut second, base) = server(&database.url);
    let after = settled(&client, &base, &id, Duration::from_secs(STALLED_AFTER * 10)).await;
    match after["status"].as_str() {
        Some("failed") => {
            assert!(
                after["error"]
                    .as_str()
                    .unwrap()
                    .contains("upload the file again"),
                "{after}"
            );
            assert_eq!(
                county_petitions(&reading, &base).await,
                0,
                "nothing partial"
            );
        }
        // The import committed in the moment before the kill: then all of it is there.
        Some("succeeded") => assert_eq!(county_petitions(&reading, &base).await, RECORDS),
        other => panic!("unexpected status {other:?}: {after}"),
    }

    let again = upload(&client, &base, &bytes).await;
    let done = settled(&client, &base, &again, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(county_petitions(&reading, &base).await, RECORDS);
    child_kill(&mut second);
}

fn child_kill(child: &mut std::process::Child) {
    child.kill().unwrap(); // SIGKILL: no chance to finish or roll back
    child.wait().unwrap();
}
