//! Several instances on one database, as behind a load balancer: two `wenping serve` processes on one
//! PostgreSQL (`WENPING_TEST_POSTGRES_URL`) or one SQLite file share the sign-in throttle and the queue of
//! background imports. An account locked through one is locked on the other; an import queued on either
//! runs exactly once; an import whose instance is killed is finished by the other. Below them, the job
//! leases themselves: two claimers never get the same job, an expired lease is claimed again, and a holder
//! that lost its lease can neither renew it nor commit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod petition_support;
mod process_support;

use std::collections::BTreeSet;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use common::fresh_database;
use petition_support::multipart_body;
use process_support::{serve_with, succeeded, wenping};
use serde_json::{Value, json};
use uuid::Uuid;
use wenping::petitions::generate::{GenerateOptions, csv_text};
use wenping::petitions::import::ImportOptions;
use wenping::petitions::service::import_file_as;
use wenping::storage::Db;
use wenping::storage::petition_jobs::{ClaimTerms, ClaimedImportJob, LeaseRenewal, NewImportJob};

/// The lease the instances are given, in seconds: a killed holder's job is taken over this soon.
const LEASE_SECONDS: u64 = 2;

/// A `wenping serve` process, killed when dropped (a failing test leaves no server behind).
struct Instance {
    child: Option<Child>,
    base: String,
}

impl Instance {
    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// SIGKILL: no chance to finish, roll back or hand anything back.
    async fn kill(&mut self) {
        let mut child = self.child.take().unwrap();
        tokio::task::spawn_blocking(move || {
            child.kill().unwrap();
            child.wait().unwrap();
        })
        .await
        .unwrap();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
        }
    }
}

/// Starts an instance whose uploads above 1000 bytes import in the background, under a short lease.
async fn start(database_url: &str) -> Instance {
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
    Instance {
        child: Some(child),
        base,
    }
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
fn client(token: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// A user created with the CLI; returns their API token.
async fn token(database_url: &str, name: &str, role: &str) -> String {
    cli(database_url, &["users", "add", name, "--role", role]).await;
    cli(database_url, &["users", "token", "create", name])
        .await
        .trim()
        .to_owned()
}

async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn county_file(records: usize, seed: u64) -> Vec<u8> {
    csv_text(&GenerateOptions {
        records,
        seed,
        until: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        with_errors: 0,
        county: "330299".into(),
    })
    .into_bytes()
}

/// Uploads a file that imports in the background; returns its id.
async fn upload(client: &reqwest::Client, base: &str, name: &str, bytes: &[u8]) -> String {
    let (content_type, body) = multipart_body(name, bytes, &[]);
    let res = client
        .post(format!("{base}/api/v1/petitions/imports"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "queued");
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

/// Polls until the import is no longer queued or running.
async fn settled(client: &reqwest::Client, base: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let now = status(client, base, id).await;
        if !matches!(now["status"].as_str(), Some("queued" | "running")) {
            return now;
        }
        assert!(Instant::now() < deadline, "still {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// How many times the audit log says this import committed.
async fn commits_of(client: &reqwest::Client, base: &str, id: &str) -> usize {
    let res = client
        .get(format!(
            "{base}/api/v1/audit?entity=petition_import&id={id}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert!(items.iter().all(|e| e["entity_id"] == id), "{body}");
    items.iter().filter(|e| e["action"] == "create").count()
}

#[tokio::test]
async fn a_sign_in_lock_earned_through_one_instance_holds_on_the_other() {
    let database = fresh_database().await;
    let url = database.url.as_str();
    let li = cli(url, &["users", "add", "li.reviewer", "--role", "reviewer"]).await;
    let zhao = cli(url, &["users", "add", "zhao.expert", "--role", "expert"]).await;
    let wang = cli(url, &["users", "add", "wang.planner", "--role", "planner"]).await;
    let (li, zhao, wang) = (li.trim(), zhao.trim(), wang.trim());
    let a = start(url).await;
    let b = start(url).await;
    let anonymous = client(None);

    // Five failures through A lock the account on A and on B, even for the right password.
    for attempt in 0..5 {
        let res = sign_in(
            &anonymous,
            &a.base,
            "li.reviewer",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401, "attempt {attempt}");
    }
    assert_eq!(
        sign_in(&anonymous, &a.base, "li.reviewer", "wrong again")
            .await
            .status(),
        429
    );
    let res = sign_in(&anonymous, &b.base, "li.reviewer", li).await;
    assert_eq!(res.status(), 429, "locked on B too");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");

    // Failures count together wherever they happen: three on A and two on B lock the account.
    for attempt in 0..3 {
        let res = sign_in(
            &anonymous,
            &a.base,
            "zhao.expert",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    for attempt in 0..2 {
        let res = sign_in(
            &anonymous,
            &b.base,
            "zhao.expert",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        sign_in(&anonymous, &a.base, "zhao.expert", zhao)
            .await
            .status(),
        429
    );
    assert_eq!(
        sign_in(&anonymous, &b.base, "zhao.expert", zhao)
            .await
            .status(),
        429
    );

    // A success on B clears the failures counted on A: four more on A do not lock the account.
    for attempt in 0..4 {
        let res = sign_in(
            &anonymous,
            &a.base,
            "wang.planner",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        sign_in(&anonymous, &b.base, "wang.planner", wang)
            .await
            .status(),
        200
    );
    for attempt in 4..8 {
        let res = sign_in(
            &anonymous,
            &a.base,
            "wang.planner",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401, "attempt {attempt}: counted afresh");
    }
    assert_eq!(
        sign_in(&anonymous, &a.base, "wang.planner", wang)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn imports_queued_on_either_instance_each_run_exactly_once() {
    let database = fresh_database().await;
    let admin = client(Some(&token(&database.url, "importer", "admin").await));
    let reader = client(Some(&token(&database.url, "reader", "planner").await));
    let a = start(&database.url).await;
    let b = start(&database.url).await;

    const RECORDS: usize = 3_000;
    let mut ids = Vec::new();
    for seed in 0..4u64 {
        let on = if seed % 2 == 0 { &a } else { &b };
        let name = format!("county-{seed}.csv");
        ids.push(upload(&admin, &on.base, &name, &county_file(RECORDS, 40 + seed)).await);
    }
    for (i, id) in ids.iter().enumerate() {
        // Read through the instance it was not uploaded to.
        let other = if i % 2 == 0 { &b } else { &a };
        let done = settled(&admin, &other.base, id).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(done["attempts"], 1, "{done}");
        assert_eq!(done["report"]["new"], RECORDS, "{done}");
        assert_eq!(commits_of(&admin, &other.base, id).await, 1, "import {id}");
    }
    assert_eq!(county_petitions(&reader, &a.base).await, 4 * RECORDS as u64);
    let db = Db::connect(&database.url).await.unwrap();
    assert_eq!(db.petition_count().await.unwrap(), 4 * RECORDS as i64);
    for id in &ids {
        let job = db.import_job(id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(job.upload_bytes, None, "a finished job drops its upload");
    }
    db.close().await;
}

#[tokio::test]
async fn an_import_whose_instance_is_killed_is_finished_by_the_other() {
    let database = fresh_database().await;
    let admin = client(Some(&token(&database.url, "importer", "admin").await));
    let reader = client(Some(&token(&database.url, "reader", "planner").await));
    let mut a = start(&database.url).await;
    let mut b = start(&database.url).await;

    const RECORDS: u64 = 60_000;
    let id = upload(
        &admin,
        &a.base,
        "county.csv",
        &county_file(RECORDS as usize, 7),
    )
    .await;
    // Whichever instance claimed it names itself (host:pid) while it runs.
    let deadline = Instant::now() + Duration::from_secs(60);
    let worker_pid: u32 = loop {
        let now = status(&admin, &a.base, &id).await;
        if now["status"] == "running" {
            break now["worker"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
        }
        assert_eq!(
            now["status"], "queued",
            "the import ended before it could be cut off: {now}"
        );
        assert!(Instant::now() < deadline, "never started: {now}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (holder, survivor) = if worker_pid == a.pid() {
        (&mut a, &b)
    } else {
        assert_eq!(
            worker_pid,
            b.pid(),
            "the worker is one of the two instances"
        );
        (&mut b, &a)
    };
    holder.kill().await;

    let done = settled(&admin, &survivor.base, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "taken over once: {done}");
    assert_eq!(done["report"]["new"], RECORDS, "{done}");
    assert_eq!(county_petitions(&reader, &survivor.base).await, RECORDS);
    assert_eq!(commits_of(&admin, &survivor.base, &id).await, 1);
}

// The leases themselves, as two instances use them: two pools on one database.

async fn two_pools() -> (common::FreshDatabase, Db, Db) {
    let database = fresh_database().await;
    let first = Db::connect(&database.url).await.unwrap();
    first.migrate().await.unwrap();
    let second = Db::connect(&database.url).await.unwrap();
    (database, first, second)
}

async fn queue(db: &Db, upload: &[u8]) -> Uuid {
    let id = Uuid::new_v4();
    let options = json!({"scope": [], "skip_invalid": false, "today": "2026-01-01"});
    db.insert_import_job(&NewImportJob {
        id,
        file_name: "county.csv",
        actor: "importer",
        upload,
        options: &options,
    })
    .await
    .unwrap();
    id
}

const EXHAUSTED: &str = "started too often";

async fn claim(db: &Db, holder: &str, at: chrono::DateTime<Utc>) -> Option<ClaimedImportJob> {
    db.claim_import_job(&ClaimTerms {
        holder,
        now: at,
        lease_until: at + chrono::Duration::seconds(10),
        max_attempts: 3,
        exhausted_error: EXHAUSTED,
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn two_claimers_never_get_the_same_job() {
    let (_database, first, second) = two_pools().await;
    let mut queued = BTreeSet::new();
    for _ in 0..12 {
        queued.insert(queue(&first, b"source_id\n").await);
    }
    let take_all = |db: Db, holder: &'static str| async move {
        let mut taken = Vec::new();
        while let Some(job) = claim(&db, holder, Utc::now()).await {
            assert_eq!(job.attempts, 1);
            taken.push(job.lease.job);
        }
        taken
    };
    let (a, b) = tokio::join!(take_all(first.clone(), "a"), take_all(second.clone(), "b"));
    let mut all: Vec<Uuid> = a.iter().chain(&b).copied().collect();
    all.sort();
    let distinct: BTreeSet<Uuid> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        distinct.len(),
        "a job claimed twice: {a:?} {b:?}"
    );
    assert_eq!(distinct, queued, "every job claimed");
    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn an_expired_lease_is_claimed_again_and_its_old_holder_can_neither_renew_nor_commit() {
    let (_database, first, second) = two_pools().await;
    let bytes = county_file(500, 3);
    let id = queue(&first, &bytes).await;
    let t0 = Utc::now();
    let old = claim(&first, "a", t0).await.unwrap();
    assert_eq!((old.lease.job, old.attempts), (id, 1));
    assert_eq!(old.upload.as_deref(), Some(bytes.as_slice()));
    assert!(
        claim(&second, "b", t0 + chrono::Duration::seconds(5))
            .await
            .is_none(),
        "a live lease is not claimable"
    );
    let new = claim(&second, "b", t0 + chrono::Duration::seconds(11))
        .await
        .unwrap();
    assert_eq!((new.lease.job, new.attempts), (id, 2));
    assert_ne!(new.lease.token, old.lease.token);

    let until = t0 + chrono::Duration::seconds(30);
    assert_eq!(
        first.renew_import_lease(old.lease, until).await.unwrap(),
        LeaseRenewal::Lost
    );
    assert_eq!(
        second.renew_import_lease(new.lease, until).await.unwrap(),
        LeaseRenewal::Renewed
    );
    assert!(!first.fail_import_job(old.lease, "too late").await.unwrap());
    assert!(!first.release_import_job(old.lease).await.unwrap());
    let job = first.import_job(id).await.unwrap().unwrap();
    assert_eq!(
        (job.status.as_str(), job.lease_holder.as_deref()),
        ("running", Some("b"))
    );

    // The old holder's import rolls back: nothing of it is stored, refused or not.
    let import = |db: Db, bytes: Vec<u8>, lease| async move {
        import_file_as(
            &db,
            id,
            "county.csv",
            bytes,
            ImportOptions::default(),
            false,
            "importer",
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            Box::new(|_, _| {}),
            Some(lease),
        )
        .await
    };
    let stale = import(first.clone(), bytes.clone(), old.lease).await;
    assert!(stale.unwrap_err().to_string().contains("taken over"));
    let refused = import(
        first.clone(),
        b"not,a,petition,export\n1,2,3,4\n".to_vec(),
        old.lease,
    )
    .await;
    assert!(refused.unwrap_err().to_string().contains("taken over"));
    assert_eq!(first.petition_count().await.unwrap(), 0);
    assert!(first.petition_import(id).await.is_err(), "no import row");

    // The holder of the lease commits, and the job ends with its import.
    let report = import(second.clone(), bytes, new.lease).await.unwrap();
    assert_eq!(report.new, 500);
    let job = first.import_job(id).await.unwrap().unwrap();
    assert_eq!((job.status.as_str(), job.upload_bytes), ("succeeded", None));
    assert_eq!(
        second.renew_import_lease(new.lease, until).await.unwrap(),
        LeaseRenewal::Finished
    );
    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn a_job_whose_holders_keep_dying_fails_after_three_attempts() {
    let (_database, db, _) = two_pools().await;
    let id = queue(&db, b"source_id\n").await;
    let t0 = Utc::now();
    for attempt in 0..3 {
        let at = t0 + chrono::Duration::seconds(11 * attempt);
        let job = claim(&db, "a", at).await.unwrap();
        assert_eq!(i64::from(job.attempts), attempt + 1);
    }
    assert!(
        claim(&db, "a", t0 + chrono::Duration::seconds(33))
            .await
            .is_none()
    );
    let job = db.import_job(id).await.unwrap().unwrap();
    assert_eq!(
        (job.status.as_str(), job.error.as_deref(), job.upload_bytes),
        ("failed", Some(EXHAUSTED), None)
    );
    db.close().await;
}
