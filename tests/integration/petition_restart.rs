//! A server killed (`kill -9`) during a background petition import: after a restart nothing of the import is
//! visible, its status turns `failed` once it has been silent for the configured window, and uploading the file
//! again imports it completely.

use std::time::Duration;

use serde_json::Value;

use crate::common::cli::{Served, generated, serve_with, user_token, wenping_on};
use crate::common::petitions::{county_totals, settled, upload_to};
use crate::common::{client_with, fresh_database};

const RECORDS: u64 = 60_000;
/// The stall window the restarted server is given, in seconds.
const STALLED_AFTER: u64 = 2;

async fn server(database_url: &str) -> Served {
    let mut command = wenping_on(database_url);
    command
        // Every upload of this test imports in the background.
        .env("WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES", "1000")
        .env(
            "WENPING_PETITIONS_JOB_STALLED_AFTER_SECONDS",
            STALLED_AFTER.to_string(),
        )
        .stderr(std::process::Stdio::null());
    serve_with(command).await
}

/// Uploads the file, which imports in the background, and returns the import's status path.
async fn upload(client: &reqwest::Client, base: &str, bytes: &[u8]) -> String {
    let res = upload_to(client, base, "county.csv", bytes, &[]).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    format!("/api/v1/petitions/imports/{}", body["id"].as_str().unwrap())
}

#[tokio::test]
async fn an_import_cut_off_by_a_killed_server_is_reported_failed_and_a_new_upload_completes() {
    let database = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = generated(
        dir.path(),
        "county.csv",
        &["--records", &RECORDS.to_string(), "--seed", "4"],
    )
    .await;
    let token = user_token(&database.url, "importer", "admin").await;
    let reader = user_token(&database.url, "reader", "planner").await;
    let client = client_with(Some(&token));
    let reading = client_with(Some(&reader));

    let first = server(&database.url).await;
    let import = upload(&client, &first.url, &bytes).await;
    // Killed while the file is read, validated or written: the import's transaction has not committed.
    first.kill().await;

    let second = server(&database.url).await;
    let base = second.url.as_str();
    let within = Duration::from_secs(STALLED_AFTER * 10);
    let after = settled(&client, base, &import, within).await;
    let petitions = async || county_totals(&reading, base).await.0;
    match after["status"].as_str() {
        Some("failed") => {
            assert!(
                after["error"]
                    .as_str()
                    .unwrap()
                    .contains("upload the file again"),
                "{after}"
            );
            assert_eq!(petitions().await, 0, "nothing partial");
        }
        // The import committed in the moment before the kill: then all of it is there.
        Some("succeeded") => assert_eq!(petitions().await, RECORDS),
        other => panic!("unexpected status {other:?}: {after}"),
    }

    let again = upload(&client, base, &bytes).await;
    let done = settled(&client, base, &again, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(petitions().await, RECORDS);
    second.kill().await;
}
