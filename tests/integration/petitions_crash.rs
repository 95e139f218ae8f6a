//! An import killed midway leaves nothing partial behind, and running it again completes it.

use std::time::Duration;

use crate::common::cli::{cli, generated, kill, wenping_on};
use crate::common::spawn_app;

#[tokio::test]
async fn a_killed_import_leaves_nothing_partial_and_a_rerun_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    let records = 60_000;
    generated(
        dir.path(),
        "big.csv",
        &["--records", &records.to_string(), "--seed", "3"],
    )
    .await;
    let app = spawn_app().await;
    let mut child = wenping_on(&app.database_url)
        .args(["petitions", "import", file.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed while it reads, validates or writes: whichever, the transaction has not committed.
    tokio::time::sleep(Duration::from_millis(400)).await;
    kill(&mut child).await;
    // Killed before its commit, nothing is there; a kill that came just after the commit finds everything.
    let count = app.db.petition_count().await.unwrap();
    assert!(
        count == 0 || count == records as i64,
        "a partial import is visible: {count} records"
    );
    let out = cli(&app, &["petitions", "import", file.to_str().unwrap()]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(app.db.petition_count().await.unwrap(), records as i64);
}
