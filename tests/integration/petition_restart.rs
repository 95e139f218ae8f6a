//! A server killed (`kill -9`) during a background petition import: the job outlives it in the database, the
//! restarted server takes it over once its lease has expired and finishes it, nothing partial is visible
//! meanwhile, and every record is imported exactly once; the same file uploaded again then changes nothing.

use std::time::{Duration, Instant};

use crate::common::cli::{generated, user_token};
use crate::common::petitions::{
    background_importer, commits_of, county_totals, import_status, queued, running_on, settled,
};
use crate::common::{client_with, fresh_database};

const RECORDS: u64 = 60_000;
/// The lease the servers hold a job under, in seconds: a killed server's job is taken over this soon.
const LEASE_SECONDS: u64 = 2;

#[tokio::test]
async fn an_import_cut_off_by_a_killed_server_is_taken_over_after_the_restart_and_completes_once() {
    let database = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = generated(
        dir.path(),
        "county.csv",
        &["--records", &RECORDS.to_string(), "--seed", "4"],
    )
    .await;
    let client = client_with(Some(&user_token(&database.url, "importer", "admin").await));
    let reading = client_with(Some(&user_token(&database.url, "reader", "planner").await));

    let first = background_importer(&database.url, LEASE_SECONDS).await;
    let import = queued(&client, &first.url, "county.csv", &bytes).await;
    let worker = running_on(&client, &first.url, &import, Duration::from_secs(60)).await;
    assert_eq!(
        worker,
        first.child.id(),
        "the server it was uploaded to runs it"
    );
    // Killed while the file is read, validated or written: the import's transaction has not committed.
    first.kill().await;

    let second = background_importer(&database.url, LEASE_SECONDS).await;
    let base = second.url.as_str();
    // Counted before the status is read: a count taken while the import runs is of nothing or of all of it.
    let deadline = Instant::now() + Duration::from_secs(180);
    let done = loop {
        let petitions = county_totals(&reading, base).await.0;
        assert!(
            petitions == 0 || petitions == RECORDS,
            "{petitions} petitions visible: part of an import"
        );
        let now = import_status(&client, base, &import).await;
        if !matches!(now["status"].as_str(), Some("queued" | "running")) {
            break now;
        }
        assert!(Instant::now() < deadline, "still {now} after 180 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "started again once: {done}");
    assert_eq!(done["report"]["new"], RECORDS, "{done}");
    assert_eq!(county_totals(&reading, base).await.0, RECORDS);
    assert_eq!(
        commits_of(&client, base, &import).await,
        1,
        "committed once"
    );

    // The restarted server imports the next upload too; the same records again are found unchanged.
    let again = queued(&client, base, "county.csv", &bytes).await;
    let done = settled(&client, base, &again, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        (&done["report"]["new"], &done["report"]["unchanged"]),
        (&0.into(), &RECORDS.into()),
        "{done}"
    );
    assert_eq!(county_totals(&reading, base).await.0, RECORDS);
    second.kill().await;
}
