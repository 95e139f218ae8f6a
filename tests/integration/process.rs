//! The `wenping` binary as an operator runs it: commands, durability across `kill -9`, and a
//! clean stop on SIGTERM. Runs against SQLite, or PostgreSQL when the harness provides one.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::cli::{
    MODELS_DIR, Served, exit_of, output, planner_token, serve, serve_with, succeeded, wenping,
    wenping_on,
};
use crate::common::{client_with, fresh_database, land_requisition};
use wenping::scoring::bundled_models;

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let database = fresh_database().await;
    let token = planner_token(&database.url).await;
    let server = serve(&database.url).await;
    let base = server.url.clone();
    let client = client_with(Some(&token));
    let mut writers = Vec::new();
    for writer in 0..4 {
        let client = client.clone();
        let base = base.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..400 {
                let body = land_requisition(&format!("写入 {writer}-{i}"));
                match client
                    .post(format!("{base}/api/v1/decisions"))
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(res) if res.status() == 201 => {
                        let created: Value = res.json().await.unwrap();
                        acknowledged.push(created["id"].as_str().unwrap().to_owned());
                    }
                    _ => break,
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    // SIGKILL: no chance to flush or shut down.
    server.kill().await;
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(
        !acknowledged.is_empty(),
        "some writes were acknowledged before the kill"
    );

    let server = serve(&database.url).await;
    for id in &acknowledged {
        let res = client
            .get(format!("{}/api/v1/decisions/{id}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            200,
            "acknowledged decision {id} is there after restart"
        );
    }
    server.kill().await;
}

#[tokio::test]
async fn users_are_bootstrapped_from_the_command_line() {
    let database = fresh_database().await;
    let printed = succeeded(wenping_on(&database.url).args([
        "users", "add", "chief", "--role", "admin", "--role", "reviewer", "--scope", "3301",
    ]))
    .await;
    let password = printed.trim().to_owned();
    assert!(
        password.len() >= 12 && !password.contains(char::is_whitespace),
        "{password:?}"
    );

    let server = serve(&database.url).await;
    let client = client_with(None);
    let res = client
        .post(format!("{}/api/v1/session", server.url))
        .json(&serde_json::json!({"username": "chief", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["roles"], serde_json::json!(["admin", "reviewer"]));
    assert_eq!(me["scope"], serde_json::json!(["3301"]));
    server.kill().await;

    let listing = succeeded(wenping_on(&database.url).args(["users", "list"])).await;
    assert!(
        listing.contains("chief\troles admin,reviewer; scope 3301"),
        "{listing}"
    );
    succeeded(wenping_on(&database.url).args(["users", "disable", "chief"])).await;
    let listing = succeeded(wenping_on(&database.url).args(["users", "list"])).await;
    assert!(listing.contains("disabled"), "{listing}");
    let out =
        output(wenping_on(&database.url).args(["users", "add", "chief", "--role", "admin"])).await;
    assert!(!out.status.success(), "names are unique");
}

#[tokio::test]
async fn a_first_start_says_how_to_create_the_first_admin() {
    let database = fresh_database().await;
    let mut command = wenping_on(&database.url);
    command.stderr(Stdio::null());
    let server = Served::start(command, 3).await;
    assert!(
        server
            .banner
            .contains("wenping users add NAME --role admin"),
        "{}",
        server.banner
    );
    server.kill().await;
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let database = fresh_database().await;
    let mut server = serve(&database.url).await;
    let res = client_with(None)
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    succeeded(Command::new("kill").args(["-TERM", &server.child.id().to_string()])).await;
    let exit = exit_of(&mut server.child, Duration::from_secs(30)).await;
    assert!(exit.success(), "exit status {exit:?}");
}

#[tokio::test]
async fn migrate_and_models_check_commands() {
    let database = fresh_database().await;
    let out = output(wenping_on(&database.url).arg("migrate")).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = String::from_utf8(out.stdout).unwrap();
    assert!(
        first.contains("migration(s) applied") && !first.starts_with("0 "),
        "{first}"
    );
    let out = output(wenping_on(&database.url).arg("migrate")).await;
    let second = String::from_utf8(out.stdout).unwrap();
    assert!(second.starts_with("0 migration(s) applied"), "{second}");

    let out =
        output(wenping_on(&database.url).args(["migrate", "--database-url", "mysql://x"])).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite: or postgres:"));

    let out =
        output(wenping_on(&database.url).args(["models", "check", "/definitely/not/here"])).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));

    let out = output(wenping().arg("--help")).await;
    let help = String::from_utf8(out.stdout).unwrap();
    for command in ["serve", "migrate", "models"] {
        assert!(help.contains(command), "{help}");
    }
}

#[tokio::test]
async fn models_are_checked_and_an_invalid_one_stops_the_server() {
    let models = MODELS_DIR;
    let broken = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/broken-models");

    let out = output(wenping().args(["models", "check", models])).await;
    let listing = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{listing}");
    for id in [
        "land_requisition",
        "house_expropriation",
        "enterprise_restructuring",
        "major_project",
        "generic",
    ] {
        assert!(listing.contains(&format!("ok     {id} ")), "{listing}");
    }

    let out = output(wenping().args(["models", "check", broken])).await;
    assert!(!out.status.success());
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("unknown-dimension.toml"), "{report}");
    assert!(report.contains("measure-unknown-factor.toml"), "{report}");

    let database = fresh_database().await;
    let out = output(wenping_on(&database.url).args(["serve", "--models-dir", broken])).await;
    assert!(!out.status.success(), "the server refuses to start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("risk models") && stderr.contains("ahp-inconsistent.toml"),
        "{stderr}"
    );
}

#[tokio::test]
async fn assess_scores_a_file_offline() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/assess-land.json");
    let models = MODELS_DIR;
    let out = output(wenping().args(["assess", example, "--json", "--models-dir", models])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let assessment: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(assessment["model"]["id"], "land_requisition");
    let out = output(wenping().args(["assess", example, "--models-dir", models])).await;
    assert!(out.status.success());
    assert!(!out.stdout.is_empty());
}

const RESIDENT_NAME: &str = "赵桂兰";
const RESIDENT_PHONE: &str = "13700001111";

#[tokio::test]
async fn secrets_never_reach_the_log() {
    let database = fresh_database().await;
    let printed =
        succeeded(wenping_on(&database.url).args(["users", "add", "quiet", "--role", "admin"]))
            .await;
    let password = printed.trim().to_owned();
    let token = planner_token(&database.url).await;
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut command = wenping_on(&database.url);
    command
        .env("RUST_LOG", "trace")
        .env("WENPING_RESIDENT_KEY", crate::common::TEST_RESIDENT_KEY)
        .stderr(log.reopen().unwrap());
    let server = serve_with(command).await;
    let base = server.url.clone();
    let client = client_with(None);
    let res = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": "quiet", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let res = client
        .get(format!("{base}/api/v1/decisions"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A resident's name and phone: registered, refused as a duplicate, refused as invalid.
    let concern = serde_json::json!({
        "number": "MQ-LOG-1", "channel": "phone", "received_at": "2026-11-02T01:00:00Z",
        "region": "330199001", "topic": "compensation", "content": "补偿款何时到账",
        "resident": {"name": RESIDENT_NAME, "phone": RESIDENT_PHONE}
    });
    let mut invalid = concern.clone();
    invalid["topic"] = serde_json::json!("no_such_topic");
    for (body, status) in [(&concern, 201), (&concern, 409), (&invalid, 422)] {
        let res = client
            .post(format!("{base}/api/v1/concerns"))
            .header("authorization", format!("Bearer {token}"))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status);
    }
    server.kill().await;
    let text = std::fs::read_to_string(log.path()).unwrap();
    assert!(
        text.contains("/api/v1/session"),
        "the log was written: {} bytes",
        text.len()
    );
    let session_secret = cookie.split('=').nth(1).unwrap();
    for secret in [password.as_str(), token.as_str(), session_secret] {
        assert!(!text.contains(secret), "a secret reached the log");
    }
    assert!(
        text.contains("/api/v1/concerns"),
        "the registrations were logged"
    );
    for personal in [RESIDENT_NAME, RESIDENT_PHONE] {
        assert!(
            !text.contains(personal),
            "a resident's {personal} reached the log"
        );
    }
}

/// Started outside the repository (an empty folder: no ./models, no models folder configured), the server
/// serves the five models built into the binary, and says so on `/api/v1/models` and in its log.
#[tokio::test]
async fn the_server_starts_in_an_empty_folder_with_the_bundled_models() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/wenping.db", dir.path().display());
    let token = planner_token(&database_url).await;
    let log = dir.path().join("serve.log");
    let mut command = wenping_on(&database_url);
    command
        .current_dir(dir.path())
        .env_remove("WENPING_MODELS_DIR")
        .env("RUST_LOG", "info")
        .stderr(std::fs::File::create(&log).unwrap());
    assert!(!dir.path().join("models").exists());
    let server = serve_with(command).await;
    let res = client_with(Some(&token))
        .get(format!("{}/api/v1/models", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    server.kill().await;
    assert_eq!(list["source"], "bundled", "{list}");
    assert!(list.get("folder").is_none(), "{list}");
    let mut served: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m["hash"].as_str().unwrap()))
        .collect();
    served.sort();
    let bundled = bundled_models().unwrap();
    let mut built_in: Vec<(&str, &str)> = bundled.iter().map(|m| (m.id(), m.hash())).collect();
    built_in.sort();
    assert_eq!(built_in.len(), 5);
    assert_eq!(served, built_in);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("models built into the binary"), "{text}");
}
