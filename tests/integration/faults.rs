//! Faults the service survives (issue 15, part 4). A server killed (`kill -9`) in a burst of writes or in a
//! report render restarts on its database with every acknowledged write whole and renders again; a PostgreSQL
//! stopped under load makes requests answer 503 with Retry-After, fast, until it is back, and the same server
//! then serves again; a full disk under the SQLite file refuses a write with 507 and a problem document, leaves
//! the database intact, and takes writes again once space returns. A killed petition import is in
//! `petitions_crash.rs`, `petition_restart.rs` and `instances.rs`; a plain burst of registrations in
//! `process.rs`.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};
use tempfile::TempDir;
use wenping::domain::account::Role;

use crate::common::cli::{
    output, planner_token, serve, serve_with, succeeded, user_token, wenping_on,
};
use crate::common::panels::land_panel;
use crate::common::{
    client_with, create_user, expect_problem, fresh_database, json_of, land_requisition, spawn_app,
};

/// The pass of `scripts/test` on PostgreSQL (the second) rather than on SQLite.
fn postgres_pass() -> bool {
    std::env::var("WENPING_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty())
}

fn is_root() -> bool {
    // /proc/self belongs to the effective user of the process reading it.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Waits until `count` reaches `at_least`, polling, for at most `within`.
async fn until_at_least(count: &AtomicUsize, at_least: usize, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    while count.load(Ordering::SeqCst) < at_least {
        assert!(
            Instant::now() < deadline,
            "only {} {what} within {within:?}",
            count.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// kill -9 in a burst of writes.

/// What a writer of a burst saw: the writes acknowledged, and the one the kill cut off (stored or not). No writer
/// stops by itself, so each has one cut off.
struct Cut<A, C> {
    acknowledged: Vec<A>,
    cut_off: C,
}

/// The sheet of `round`: every factor graded alike and noted with the round, so a sheet stored in part (some
/// factors of one round, some of another) shows.
fn round_sheet(round: u32) -> Value {
    land_panel()["张教授"]
        .keys()
        .map(|factor| {
            let grades = json!({
                "probability": round % 5 + 1,
                "impact": round / 5 % 5 + 1,
                "note": format!("第{round}轮"),
            });
            (factor.to_string(), grades)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The round a stored sheet is of; fails unless every factor is there, all of that one round.
fn round_of(expert: &str, sheet: &Value) -> u32 {
    let ratings = sheet["ratings"].as_object().unwrap();
    let note = ratings.values().next().unwrap()["note"].as_str().unwrap();
    let round: u32 = note
        .trim_start_matches('第')
        .trim_end_matches('轮')
        .parse()
        .unwrap();
    let whole = round_sheet(round);
    let mut stored = sheet["ratings"].clone();
    for rating in stored.as_object_mut().unwrap().values_mut() {
        // Only what was sent is compared; the answer may add fields of its own.
        rating
            .as_object_mut()
            .unwrap()
            .retain(|k, _| ["probability", "impact", "note"].contains(&k.as_str()));
    }
    assert_eq!(stored, whole, "{expert}'s sheet is stored in part");
    round
}

/// An expert's writer: PUTs the sheet of round 0, 1, 2 … on the decisions in turn until the server is gone.
async fn rate_until_cut(
    client: Client,
    base: String,
    expert: &'static str,
    decisions: Arc<Vec<String>>,
    acknowledged: Arc<AtomicUsize>,
) -> Cut<(usize, u32), (usize, u32)> {
    let mut acknowledged_here = Vec::new();
    for round in 0.. {
        let on = round as usize % decisions.len();
        let sent = client
            .put(format!(
                "{base}/api/v1/decisions/{}/ratings/{expert}",
                decisions[on]
            ))
            .json(&round_sheet(round))
            .send()
            .await;
        match sent {
            Ok(res) => {
                assert_eq!(res.status(), 200, "{expert}, round {round}");
                acknowledged_here.push((on, round));
                acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            Err(_) => {
                return Cut {
                    acknowledged: acknowledged_here,
                    cut_off: (on, round),
                };
            }
        }
    }
    unreachable!("a writer ends when the server is gone")
}

/// A planner's writer: registers decisions until the server is gone; (id, title) of each acknowledged one, and the
/// title of the one cut off.
async fn register_until_cut(
    client: Client,
    base: String,
    writer: usize,
    acknowledged: Arc<AtomicUsize>,
) -> Cut<(String, String), String> {
    let mut acknowledged_here = Vec::new();
    for i in 0.. {
        let title = format!("突发写入 {writer}-{i}");
        let sent = client
            .post(format!("{base}/api/v1/decisions"))
            .json(&land_requisition(&title))
            .send()
            .await;
        // The answer's body is part of the acknowledgement: a kill while it is read leaves the write unknown.
        let created = match sent {
            Ok(res) => {
                assert_eq!(res.status(), 201, "{title}");
                res.json::<Value>().await.ok()
            }
            Err(_) => None,
        };
        match created {
            Some(created) => {
                acknowledged_here.push((created["id"].as_str().unwrap().to_owned(), title));
                acknowledged.fetch_add(1, Ordering::SeqCst);
            }
            None => {
                return Cut {
                    acknowledged: acknowledged_here,
                    cut_off: title,
                };
            }
        }
    }
    unreachable!("a writer ends when the server is gone")
}

#[tokio::test]
async fn every_acknowledged_write_of_a_burst_cut_by_kill_9_is_there_whole_after_the_restart() {
    const EXPERTS: [&str; 3] = ["zhang.expert", "li.expert", "wang.expert"];
    let database = fresh_database().await;
    let planner = client_with(Some(&planner_token(&database.url).await));
    let mut experts = Vec::new();
    for name in EXPERTS {
        experts.push(client_with(Some(
            &user_token(&database.url, name, "expert").await,
        )));
    }
    let server = serve(&database.url).await;
    let mut decisions = Vec::new();
    for title in ["甲地块征收", "乙地块征收", "丙地块征收"] {
        let res = planner
            .post(format!("{}/api/v1/decisions", server.url))
            .json(&land_requisition(title))
            .send()
            .await
            .unwrap();
        decisions.push(json_of(res, 201).await["id"].as_str().unwrap().to_owned());
    }
    let decisions = Arc::new(decisions);

    // Three experts re-rate the decisions in turn while two planners register new ones, all at once.
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let raters: Vec<_> = EXPERTS
        .iter()
        .zip(&experts)
        .map(|(name, client)| {
            tokio::spawn(rate_until_cut(
                client.clone(),
                server.url.clone(),
                name,
                decisions.clone(),
                acknowledged.clone(),
            ))
        })
        .collect();
    let registrars: Vec<_> = (0..2)
        .map(|writer| {
            tokio::spawn(register_until_cut(
                planner.clone(),
                server.url.clone(),
                writer,
                acknowledged.clone(),
            ))
        })
        .collect();
    // Killed once the burst is well under way; no writer stops by itself, so each has a write in flight.
    until_at_least(&acknowledged, 60, Duration::from_secs(60), "writes").await;
    server.kill().await;
    let mut sheets = Vec::new();
    for rater in raters {
        sheets.push(rater.await.unwrap());
    }
    let mut registrations = Vec::new();
    for registrar in registrars {
        registrations.push(registrar.await.unwrap());
    }

    let server = serve(&database.url).await;
    let base = server.url.as_str();
    for (on, id) in decisions.iter().enumerate() {
        let stored = json_of(
            planner
                .get(format!("{base}/api/v1/decisions/{id}/ratings"))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        for (expert, cut) in EXPERTS.iter().zip(&sheets) {
            // Each expert writes one sheet at a time: the last acknowledged round on this decision is stored,
            // unless the write cut off was on this decision too and committed before the kill.
            let last = cut
                .acknowledged
                .iter()
                .filter(|(d, _)| *d == on)
                .map(|(_, round)| *round)
                .max();
            let cut_off = Some(cut.cut_off).filter(|(d, _)| *d == on).map(|(_, r)| r);
            let sheet = stored["experts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["expert"] == *expert);
            match sheet {
                None => assert!(
                    last.is_none(),
                    "{expert}'s acknowledged round {last:?} on decision {on} is lost"
                ),
                Some(sheet) => {
                    let round = round_of(expert, sheet);
                    assert!(
                        Some(round) == last || Some(round) == cut_off,
                        "{expert} on decision {on}: round {round} stored, {last:?} acknowledged last, \
                         {cut_off:?} cut off"
                    );
                }
            }
        }
    }
    let mut acknowledged_titles = Vec::new();
    for cut in &registrations {
        for (id, title) in &cut.acknowledged {
            let res = planner
                .get(format!("{base}/api/v1/decisions/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(json_of(res, 200).await["title"], *title);
            acknowledged_titles.push(title.as_str());
        }
    }
    // Registrations cut off may have committed; nothing else is there, and nothing acknowledged is there twice.
    let listed = json_of(
        planner
            .get(format!("{base}/api/v1/decisions?limit=200"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(listed["next_cursor"].is_null(), "one page holds them all");
    let mut listed: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .filter(|title| title.starts_with("突发写入"))
        .collect();
    listed.sort_unstable();
    let mut expected = acknowledged_titles.clone();
    for cut in &registrations {
        if listed.binary_search(&cut.cut_off.as_str()).is_ok() {
            expected.push(&cut.cut_off);
        }
    }
    expected.sort_unstable();
    assert_eq!(
        listed, expected,
        "the registrations stored after the restart"
    );
    server.kill().await;
}

// kill -9 in a report render.

/// GETs `path` on the server at `base`: 200 and the body.
async fn rendered(client: &Client, base: &str, path: &str) -> Vec<u8> {
    let res = client.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_server_killed_while_rendering_reports_restarts_clean_and_renders_the_same_report() {
    // Reports are rendered in the request (no job of theirs outlives it), so nothing can be left `running`: what
    // a kill may break is the database under the render and the server's next start.
    let app = spawn_app().await;
    let assessment = crate::reports::assessed(&app, "渲染中断").await;
    let path = format!(
        "/api/v1/assessments/{}/report.pdf",
        assessment["id"].as_str().unwrap()
    );
    let reviewer = client_with(Some(
        &create_user(&app.db, "report.reader", &[Role::Reviewer], &[]).await,
    ));
    let server = serve(&app.database_url).await;
    let before = rendered(&reviewer, &server.url, &path).await;
    assert!(before.starts_with(b"%PDF"), "a PDF");

    // Two readers render the report again and again; the kill comes while both are waiting for one.
    let renders = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (client, url, path, renders) = (
                reviewer.clone(),
                format!("{}{path}", server.url),
                path.clone(),
                renders.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let Ok(res) = client.get(&url).send().await else {
                        return;
                    };
                    assert_eq!(res.status(), 200, "{path}");
                    if res.bytes().await.is_err() {
                        return;
                    }
                    renders.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    until_at_least(&renders, 1, Duration::from_secs(120), "renders").await;
    server.kill().await;
    for reader in readers {
        reader.await.unwrap();
    }

    let server = serve(&app.database_url).await;
    let ready = client_with(None)
        .get(format!("{}/readyz", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "ready after the restart");
    let after = rendered(&reviewer, &server.url, &path).await;
    assert!(
        after == before,
        "the report rendered after the restart differs from the one before ({} and {} bytes)",
        after.len(),
        before.len()
    );
    server.kill().await;
}

// PostgreSQL stopped and started again under load.

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster of this test's own on a free loopback port, stopped (`-m immediate`) and removed when
/// dropped, failed test or not. The shared server of the other tests is never touched.
struct ThrowawayPostgres {
    dir: TempDir,
    port: u16,
}

/// A PostgreSQL program; as root it runs as `postgres`, since initdb and postgres refuse to run as root.
fn postgres_program(name: &str) -> Command {
    let program = format!("{PG_BIN}/{name}");
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", &program]);
        command
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl ThrowawayPostgres {
    async fn start() -> Self {
        assert!(
            Path::new(PG_BIN).join("initdb").is_file(),
            "PostgreSQL 15 is not in {PG_BIN} (scripts/test installs Debian's postgresql)"
        );
        let dir = tempfile::Builder::new()
            .prefix("wenping-faults-pg.")
            .tempdir()
            .unwrap();
        if is_root() {
            succeeded(Command::new("chown").arg("postgres").arg(dir.path())).await;
        }
        let cluster = Self {
            dir,
            port: free_port(),
        };
        // No fsync: the cluster is thrown away; a stop and start, not a power loss, is under test.
        succeeded(
            postgres_program("initdb")
                .arg("-D")
                .arg(cluster.data())
                .args([
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]),
        )
        .await;
        cluster.start_server().await;
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    async fn start_server(&self) {
        let log = self.dir.path().join("log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        succeeded(
            postgres_program("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(log)
                .args(["-w", "-o", &options, "start"]),
        )
        .await;
    }

    /// A fast shutdown, as an operator's restart does: sessions are ended, new connections refused.
    async fn stop_server(&self) {
        succeeded(
            postgres_program("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "fast", "-w", "stop"]),
        )
        .await;
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        let _ = postgres_program("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// One request of the load and what came of it.
struct Sample {
    started: Instant,
    took: Duration,
    /// Status, Retry-After, whether the body is a problem document, a registered decision's id; or the failure.
    answer: Result<(u16, Option<String>, bool, Option<String>), String>,
}

/// A steady mix of registrations and listings until `stop`, each request given 10 s before counting as hung.
async fn load(
    client: Client,
    base: String,
    writer: usize,
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<Sample>>>,
) {
    for i in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let started = Instant::now();
        let request = if i % 2 == 0 {
            client
                .post(format!("{base}/api/v1/decisions"))
                .json(&land_requisition(&format!("重启中 {writer}-{i}")))
        } else {
            client.get(format!("{base}/api/v1/decisions?limit=5"))
        };
        let answer = match request.timeout(Duration::from_secs(10)).send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                let header = |name: &str| {
                    res.headers()
                        .get(name)
                        .map(|v| v.to_str().unwrap_or_default().to_owned())
                };
                let retry_after = header("retry-after");
                let problem = header("content-type")
                    .is_some_and(|t| t.starts_with("application/problem+json"));
                let created = match res.json::<Value>().await {
                    Ok(body) if status == 201 => body["id"].as_str().map(str::to_owned),
                    _ => None,
                };
                Ok((status, retry_after, problem, created))
            }
            Err(e) => Err(e.to_string()),
        };
        samples.lock().unwrap().push(Sample {
            started,
            took: started.elapsed(),
            answer,
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn postgresql_restarted_under_load_means_fast_503s_with_retry_after_then_service_without_a_restart()
 {
    // Its own cluster, whatever the pass; run once, on the pass that has PostgreSQL to test against.
    if !postgres_pass() {
        return;
    }
    let cluster = ThrowawayPostgres::start().await;
    let url = cluster.url();
    let token = planner_token(&url).await;
    let mut command = wenping_on(&url);
    command.stderr(Stdio::null());
    let mut server = serve_with(command).await;
    let client = client_with(Some(&token));

    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::new()));
    let loaders: Vec<_> = (0..4)
        .map(|writer| {
            tokio::spawn(load(
                client.clone(),
                server.url.clone(),
                writer,
                stop.clone(),
                samples.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.stop_server().await;
    let down = Instant::now();
    // Each loader's request in flight at the stop waits out the pool's acquire timeout (3 s); the next one, started
    // with PostgreSQL down, waits it out too and must end before the restart to show the 503 of a stopped database.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let restarting = Instant::now();
    cluster.start_server().await;
    let up = Instant::now();
    let recovered = loop {
        let first = samples
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.started >= up)
            .find(|s| matches!(s.answer, Ok((200 | 201, ..))))
            .map(|s| s.started + s.took);
        if let Some(at) = first {
            break at;
        }
        assert!(
            up.elapsed() < Duration::from_secs(15),
            "no request succeeded within 15 s of PostgreSQL's restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    for loader in loaders {
        loader.await.unwrap();
    }
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server that saw PostgreSQL go serves on"
    );

    let samples = std::mem::take(&mut *samples.lock().unwrap());
    let mut refused_while_down = 0;
    let mut created = Vec::new();
    for sample in &samples {
        let at = sample.started.saturating_duration_since(down);
        let answer = sample.answer.as_ref();
        let (status, retry_after, problem, id) =
            answer.unwrap_or_else(|e| panic!("a request {at:?} after the stop failed: {e}"));
        assert!(
            sample.took <= Duration::from_secs(5),
            "a request {at:?} after the stop took {:?}",
            sample.took
        );
        match status {
            200 | 201 => created.extend(id.clone()),
            503 => {
                assert_eq!(retry_after.as_deref(), Some("5"), "503 without Retry-After");
                assert!(problem, "503 without a problem document");
            }
            other => panic!("a request {at:?} after the stop answered {other}"),
        }
        let while_down = sample.started >= down && sample.started + sample.took <= restarting;
        if while_down {
            assert_eq!(*status, 503, "answered {status} while PostgreSQL was down");
            refused_while_down += 1;
        }
        if sample.started >= recovered {
            assert!(
                matches!(status, 200 | 201),
                "answered {status} after the service had recovered"
            );
        }
    }
    assert!(
        refused_while_down >= 4,
        "{refused_while_down} requests answered while PostgreSQL was down"
    );
    assert!(
        recovered - up < Duration::from_secs(10),
        "recovered {:?} after PostgreSQL was back",
        recovered - up
    );
    // Every registration acknowledged, before, during or after the restart, is stored.
    for id in &created {
        let res = client
            .get(format!("{}/api/v1/decisions/{id}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "acknowledged decision {id}");
    }
    assert!(!created.is_empty());
    server.kill().await;
}

// A full disk under the SQLite file.

/// A tmpfs of `size` mounted on a new folder, unmounted when dropped (lazily if a killed server still holds a file).
struct SmallDisk {
    dir: TempDir,
}

impl SmallDisk {
    async fn mount(size: &str) -> Self {
        assert!(
            is_root(),
            "mounting a small filesystem needs root, as CI runs the tests (scripts/test)"
        );
        let dir = tempfile::Builder::new()
            .prefix("wenping-faults-disk.")
            .tempdir()
            .unwrap();
        succeeded(
            Command::new("mount")
                .args([
                    "-t",
                    "tmpfs",
                    "-o",
                    &format!("size={size},mode=0700"),
                    "tmpfs",
                ])
                .arg(dir.path()),
        )
        .await;
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the disk is full; returns how much it took.
    fn fill(&self) -> usize {
        let mut filler = std::fs::File::create(self.path().join("filler")).unwrap();
        let mut written = 0;
        for chunk in [64 * 1024, 4096, 512] {
            let block = vec![0x5a_u8; chunk];
            loop {
                match filler.write_all(&block) {
                    Ok(()) => written += chunk,
                    Err(e) => {
                        assert_eq!(e.raw_os_error(), Some(28), "ENOSPC, not {e}");
                        break;
                    }
                }
            }
        }
        written
    }

    fn free(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// SQLite's own check of the file, read-only so that the check writes nothing.
async fn integrity_check(file: &Path) -> String {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .read_only(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    rows.join("\n")
}

#[tokio::test]
async fn a_write_on_a_full_disk_is_refused_with_507_and_the_database_takes_writes_again_once_space_returns()
 {
    // The SQLite file's own disk; PostgreSQL's disk is its server's, so the PostgreSQL pass has nothing to add.
    if postgres_pass() {
        return;
    }
    let disk = SmallDisk::mount("8m").await;
    let file = disk.path().join("wenping.db");
    let url = format!("sqlite://{}", file.display());
    let client = client_with(Some(&planner_token(&url).await));
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut command = wenping_on(&url);
    command.stderr(log.reopen().unwrap());
    let server = serve_with(command).await;
    let base = server.url.clone();
    let register = |title: String| {
        client
            .post(format!("{base}/api/v1/decisions"))
            .json(&land_requisition(&title))
            .send()
    };

    let mut stored = Vec::new();
    for i in 0..3 {
        let title = format!("满盘之前 {i}");
        let res = register(title.clone()).await.unwrap();
        stored.push((
            json_of(res, 201).await["id"].as_str().unwrap().to_owned(),
            title,
        ));
    }
    assert!(disk.fill() > 0, "the disk had room before");
    // SQLite may still fit a write or two in the pages its files hold; the disk refuses one soon after.
    let mut refused = None;
    for i in 0..50 {
        let title = format!("满盘之时 {i}");
        let res = register(title.clone()).await.unwrap();
        if res.status() == 201 {
            stored.push((
                res.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                title,
            ));
        } else {
            if res.status() != 507 {
                let printed = std::fs::read_to_string(log.path()).unwrap();
                panic!(
                    "answered {} on the full disk; the server's log:\n{printed}",
                    res.status()
                );
            }
            refused = Some(expect_problem(res, 507, None).await);
            break;
        }
    }
    let problem = refused.expect("a write refused on the full disk");
    assert_eq!(problem["code"], "insufficient-storage", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("not stored"),
        "{problem}"
    );
    // Reads need no space.
    let res = client
        .get(format!("{base}/api/v1/decisions"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        integrity_check(&file).await,
        "ok",
        "checked on the full disk"
    );

    // Space returns: the same server takes writes again, and nothing stored before is lost.
    disk.free();
    let res = register("空间恢复之后".into()).await.unwrap();
    stored.push((
        json_of(res, 201).await["id"].as_str().unwrap().to_owned(),
        "空间恢复之后".into(),
    ));
    for (id, title) in &stored {
        let res = client
            .get(format!("{base}/api/v1/decisions/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(json_of(res, 200).await["title"], *title);
    }
    server.kill().await;
    assert_eq!(
        integrity_check(&file).await,
        "ok",
        "checked after the server"
    );
    let printed = std::fs::read_to_string(log.path()).unwrap();
    assert!(!printed.contains("panicked"), "{printed}");
    // A command run on the full disk's database afterwards works too (the file is not left locked or damaged).
    let out = output(wenping_on(&url).args(["users", "list"])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(disk);
}
