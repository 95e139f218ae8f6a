//! A server killed (`kill -9`) during a background petition import: the job outlives it in the database, the
//! restarted server takes it over once its lease has expired and finishes it, and every record is imported
//! exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod petition_support;
mod process_support;

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::fresh_database;
use petition_support::multipart_body;
use process_support::{serve_with, succeeded, wenping};
use serde_json::Value;

const RECORDS: u64 = 60_000;
/// The lease the servers hold a job under, in seconds: a killed server's job is taken over this soon.
const LEASE_SECONDS: u64 = 2;

/// A server process, killed when dropped (a failing test leaves no server behind).
struct Server(Option<Child>);

impl Server {
    fn pid(&self) -> u32 {
        self.0.as_ref().unwrap().id()
    }

    /// SIGKILL: no chance to finish, roll back or hand the job back.
    async fn kill(mut self) {
        let mut child = self.0.take().unwrap();
        tokio::task::spawn_blocking(move || {
            child.kill().unwrap();
            child.wait().unwrap();
        })
        .await
        .unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
        }
    }
}

/// Starts a server that imports every upload of this test in the background.
async fn server(database_url: &str) -> (Server, String) {
    let mut command = wenping(database_url);
    command
        .env(
            "WENPING_MODELS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/models"),
        )
        .env("WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES", "1000")
        .env(
            "WENPING_PETITIONS_JOB_STALLED_AFTER_SECONDS",
            LEASE_SECONDS.to_string(),
        )
        .stderr(std::process::Stdio::null());
    let (child, base) = tokio::task::spawn_blocking(move || serve_with(command))
        .await
        .unwrap();
    (Server(Some(child)), base)
}

/// Runs a CLI command off the async thread; returns what it printed.
async fn cli(database_url: &str, args: &[&str]) -> String {
    let mut command: Command = wenping(database_url);
    command.args(args);
    tokio::task::spawn_blocking(move || succeeded(&mut command))
        .await
        .unwrap()
}

/// A client sending this token; idle connections are dropped before a killed server's could be reused.
fn client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

async fn token(database_url: &str, name: &str, role: &str) -> String {
    cli(database_url, &["users", "add", name, "--role", role]).await;
    cli(database_url, &["users", "token", "create", name])
        .await
        .trim()
        .to_owned()
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
async fn an_import_cut_off_by_a_killed_server_is_taken_over_after_the_restart_and_completes_once() {
    let database = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("county.csv");
    cli(
        &database.url,
        &[
            "petitions",
            "generate",
            "--records",
            &RECORDS.to_string(),
            "--seed",
            "4",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .await;
    let bytes = tokio::fs::read(&file).await.unwrap();
    let client = client(&token(&database.url, "importer", "admin").await);
    let reading = self::client(&token(&database.url, "reader", "planner").await);

    let (first, base) = server(&database.url).await;
    let id = upload(&client, &base, &bytes).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = status(&client, &base, &id).await;
        if now["status"] == "running" {
            assert!(
                now["worker"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!(":{}", first.pid())),
                "{now}"
            );
            break;
        }
        assert_eq!(
            now["status"], "queued",
            "the import ended before it could be cut off: {now}"
        );
        assert!(Instant::now() < deadline, "never started: {now}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Killed while the file is read, validated or written: the import's transaction has not committed.
    first.kill().await;

    let (second, base) = server(&database.url).await;
    let done = settled(&client, &base, &id, Duration::from_secs(180)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "started again once: {done}");
    assert_eq!(done["report"]["new"], RECORDS, "{done}");
    assert_eq!(county_petitions(&reading, &base).await, RECORDS);
    let audit: Value = client
        .get(format!(
            "{base}/api/v1/audit?entity=petition_import&id={id}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = audit["items"].as_array().unwrap();
    assert!(
        items.iter().all(|e| e["entity_id"] == id.as_str()),
        "{audit}"
    );
    let commits = items.iter().filter(|e| e["action"] == "create").count();
    assert_eq!(commits, 1, "committed once: {audit}");
    second.kill().await;
}
