//! An import killed midway leaves nothing partial behind, and running it again completes it.

use std::time::Duration;

use crate::common::petitions::{cli, cli_without_db};
use crate::common::spawn_app;

#[tokio::test]
async fn a_killed_import_leaves_nothing_partial_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let records = 60_000;
    let n = records.to_string();
    let args = [
        "petitions",
        "generate",
        "--records",
        &n,
        "--seed",
        "3",
        "--out",
        file.to_str().unwrap(),
    ];
    assert!(cli_without_db(&args).status.success());
    let app = spawn_app().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wenping"))
        .args(["petitions", "import", file.to_str().unwrap()])
        .env("WENPING_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it reads, validates or writes: whichever, the transaction has not committed.
    tokio::time::sleep(Duration::from_millis(400)).await;
    child.kill().ok();
    child.wait().unwrap();
    // Killed before its commit, nothing is there; a kill that came just after the commit finds everything.
    let count = app.db.petition_count().await.unwrap();
    assert!(
        count == 0 || count == records as i64,
        "a partial import is visible: {count} records"
    );
    let out = cli(&app, &["petitions", "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(app.db.petition_count().await.unwrap(), records as i64);
}
