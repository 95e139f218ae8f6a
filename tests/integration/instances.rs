//! Several instances on one database, as behind a load balancer: two `wenping serve` processes on one
//! PostgreSQL (`WENPING_TEST_POSTGRES_URL`) or one SQLite file share the sign-in throttle and the queue of
//! background imports. An account locked through one is locked on the other; an import queued on either
//! runs exactly once; an import whose instance is killed is finished by the other. Below them, the job
//! leases themselves: two claimers never get the same job, an expired lease is claimed again, and a holder
//! that lost its lease can neither renew it nor commit.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;
use wenping::app::petitions::follow_up_rule;
use wenping::petitions::generate::{GenerateOptions, csv_text};
use wenping::petitions::import::ImportOptions;
use wenping::petitions::service::import_file_as;
use wenping::storage::Db;
use wenping::storage::petition_jobs::{ClaimTerms, ClaimedImportJob, LeaseRenewal, NewImportJob};

use crate::common::cli::{succeeded, user_token, wenping_on};
use crate::common::petitions::{
    background_importer, commits_of, county_totals, queued, running_on, settled,
};
use crate::common::{FreshDatabase, client_with, fresh_database};

/// The lease the instances are given, in seconds: a killed holder's job is taken over this soon.
const LEASE_SECONDS: u64 = 2;
/// How long a background import of this test may take, waiting for an instance included.
const SETTLES_WITHIN: Duration = Duration::from_secs(180);

/// Creates a user with the CLI and returns the password it prints.
async fn user_password(database_url: &str, name: &str, role: &str) -> String {
    let printed =
        succeeded(wenping_on(database_url).args(["users", "add", name, "--role", role])).await;
    printed.trim().to_owned()
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

#[tokio::test]
async fn a_sign_in_lock_earned_through_one_instance_holds_on_the_other() {
    let database = fresh_database().await;
    let url = database.url.as_str();
    let li = user_password(url, "li.reviewer", "reviewer").await;
    let zhao = user_password(url, "zhao.expert", "expert").await;
    let wang = user_password(url, "wang.planner", "planner").await;
    let (li, zhao, wang) = (li.as_str(), zhao.as_str(), wang.as_str());
    let a = background_importer(url, LEASE_SECONDS).await;
    let b = background_importer(url, LEASE_SECONDS).await;
    let anonymous = client_with(None);

    // Five failures through A lock the account on A and on B, even for the right password.
    for attempt in 0..5 {
        let res = sign_in(
            &anonymous,
            &a.url,
            "li.reviewer",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401, "attempt {attempt}");
    }
    assert_eq!(
        sign_in(&anonymous, &a.url, "li.reviewer", "wrong again")
            .await
            .status(),
        429
    );
    let res = sign_in(&anonymous, &b.url, "li.reviewer", li).await;
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
            &a.url,
            "zhao.expert",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    for attempt in 0..2 {
        let res = sign_in(
            &anonymous,
            &b.url,
            "zhao.expert",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        sign_in(&anonymous, &a.url, "zhao.expert", zhao)
            .await
            .status(),
        429
    );
    assert_eq!(
        sign_in(&anonymous, &b.url, "zhao.expert", zhao)
            .await
            .status(),
        429
    );

    // A success on B clears the failures counted on A: four more on A do not lock the account.
    for attempt in 0..4 {
        let res = sign_in(
            &anonymous,
            &a.url,
            "wang.planner",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        sign_in(&anonymous, &b.url, "wang.planner", wang)
            .await
            .status(),
        200
    );
    for attempt in 4..8 {
        let res = sign_in(
            &anonymous,
            &a.url,
            "wang.planner",
            &format!("wrong {attempt}"),
        )
        .await;
        assert_eq!(res.status(), 401, "attempt {attempt}: counted afresh");
    }
    assert_eq!(
        sign_in(&anonymous, &a.url, "wang.planner", wang)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn imports_queued_on_either_instance_each_run_exactly_once() {
    let database = fresh_database().await;
    let admin = client_with(Some(&user_token(&database.url, "importer", "admin").await));
    let reader = client_with(Some(&user_token(&database.url, "reader", "planner").await));
    let a = background_importer(&database.url, LEASE_SECONDS).await;
    let b = background_importer(&database.url, LEASE_SECONDS).await;

    const RECORDS: usize = 3_000;
    let mut ids = Vec::new();
    for seed in 0..4u64 {
        let on = if seed % 2 == 0 { &a } else { &b };
        let name = format!("county-{seed}.csv");
        let file = county_file(RECORDS, 40 + seed);
        ids.push(queued(&admin, &on.url, &name, &file).await);
    }
    for (i, import) in ids.iter().enumerate() {
        // Read through the instance it was not uploaded to.
        let other = if i % 2 == 0 { &b } else { &a };
        let done = settled(&admin, &other.url, import, SETTLES_WITHIN).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(done["attempts"], 1, "{done}");
        assert_eq!(done["report"]["new"], RECORDS, "{done}");
        assert_eq!(commits_of(&admin, &other.url, import).await, 1, "{import}");
    }
    assert_eq!(county_totals(&reader, &a.url).await.0, 4 * RECORDS as u64);
    let db = Db::connect(&database.url).await.unwrap();
    assert_eq!(db.petition_count().await.unwrap(), 4 * RECORDS as i64);
    for import in &ids {
        let id = import.rsplit('/').next().unwrap().parse().unwrap();
        let job = db.import_job(id).await.unwrap().unwrap();
        assert_eq!(job.upload_bytes, None, "a finished job drops its upload");
    }
    db.close().await;
}

#[tokio::test]
async fn an_import_whose_instance_is_killed_is_finished_by_the_other() {
    let database = fresh_database().await;
    let admin = client_with(Some(&user_token(&database.url, "importer", "admin").await));
    let reader = client_with(Some(&user_token(&database.url, "reader", "planner").await));
    let a = background_importer(&database.url, LEASE_SECONDS).await;
    let b = background_importer(&database.url, LEASE_SECONDS).await;

    const RECORDS: u64 = 60_000;
    let file = county_file(RECORDS as usize, 7);
    let import = queued(&admin, &a.url, "county.csv", &file).await;
    // Whichever instance claimed it names itself (host:pid) while it runs.
    let worker = running_on(&admin, &a.url, &import, Duration::from_secs(60)).await;
    let (holder, survivor) = if worker == a.child.id() {
        (a, b)
    } else {
        assert_eq!(
            worker,
            b.child.id(),
            "the worker is one of the two instances"
        );
        (b, a)
    };
    holder.kill().await;

    let done = settled(&admin, &survivor.url, &import, SETTLES_WITHIN).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "taken over once: {done}");
    assert_eq!(done["report"]["new"], RECORDS, "{done}");
    assert_eq!(county_totals(&reader, &survivor.url).await.0, RECORDS);
    assert_eq!(commits_of(&admin, &survivor.url, &import).await, 1);
}

// The leases themselves, as two instances use them: two pools on one database.

async fn two_pools() -> (FreshDatabase, Db, Db) {
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
    let rule = follow_up_rule().unwrap();
    let rule = &rule;
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
            rule,
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
