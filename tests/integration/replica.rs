//! The read replica (`database_read_url`): a PostgreSQL primary and its streaming replica, both started here on
//! loopback (`pg_basebackup -R`). With the replica's WAL replay paused, a list misses what the primary just took
//! — it is served by the replica — while the writer reading back what it wrote finds it: that read is the
//! primary's. Resumed, the list catches up.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{Connection, PgConnection};
use tempfile::TempDir;
use wenping::config::Settings;
use wenping::startup::Application;

use crate::common::{header, json_of, land_requisition, shown_within, spawn_app_with};

/// Where Debian puts PostgreSQL's programs; the CI image has version 15 (scripts/test looks in the same places).
fn pg_bin() -> PathBuf {
    let candidates = std::iter::once(PathBuf::from("/usr/lib/postgresql/15/bin")).chain(
        std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("bin")),
    );
    for dir in candidates {
        if dir.join("initdb").is_file() && dir.join("pg_basebackup").is_file() {
            return dir;
        }
    }
    panic!(
        "the replica test needs PostgreSQL's initdb, pg_ctl and pg_basebackup in /usr/lib/postgresql/*/bin \
         (apt-get install postgresql; scripts/test installs it)"
    );
}

/// initdb and postgres refuse to run as root, so as root the clusters belong to `postgres`.
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A primary and its streaming replica in a folder of their own; dropping it stops both (also when the test
/// failed half-way) and removes the folder.
struct Clusters {
    bin: PathBuf,
    as_postgres: bool,
    dir: TempDir,
    primary_port: u16,
    replica_port: u16,
}

impl Clusters {
    fn start() -> Self {
        let bin = pg_bin();
        let as_postgres = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("wenping-replica.")
            .tempdir()
            .unwrap();
        if as_postgres {
            run(Command::new("chown").arg("postgres").arg(dir.path()));
        }
        // The guard exists before the first cluster does, so a failure below still stops what started.
        let clusters = Self {
            bin,
            as_postgres,
            dir,
            primary_port: free_port(),
            replica_port: free_port(),
        };
        let primary = clusters.data("primary");
        run(clusters.pg("initdb").arg("-D").arg(&primary).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]));
        // initdb's default already trusts local replication connections with -A trust; said here, not assumed.
        let mut hba = std::fs::OpenOptions::new()
            .append(true)
            .open(primary.join("pg_hba.conf"))
            .unwrap();
        std::io::Write::write_all(&mut hba, b"host replication all 127.0.0.1/32 trust\n").unwrap();
        // wal_level=replica is what a streaming replica needs (and the default, stated because it is relied on);
        // fsync off: the clusters are thrown away.
        clusters.start_cluster(
            "primary",
            clusters.primary_port,
            "-c wal_level=replica -c max_wal_senders=4",
        );
        run(clusters
            .pg("pg_basebackup")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-X",
                "stream",
                "-R",
                "-c",
                "fast",
            ])
            .arg("-p")
            .arg(clusters.primary_port.to_string())
            .arg("-D")
            .arg(clusters.data("replica")));
        clusters.start_cluster("replica", clusters.replica_port, "-c hot_standby=on");
        clusters
    }

    fn data(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn pg(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn start_cluster(&self, name: &str, port: u16, options: &str) {
        let log = self.dir.path().join(format!("{name}.log"));
        let started = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.data(name))
            .arg("-l")
            .arg(&log)
            .arg("-w")
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off {options}",
                self.dir.path().display()
            ))
            .arg("start")
            .output()
            .unwrap();
        assert!(
            started.status.success(),
            "the {name} cluster did not start: {}\n{}",
            String::from_utf8_lossy(&started.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn url(&self, port: u16) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    }

    fn primary_url(&self) -> String {
        self.url(self.primary_port)
    }

    fn replica_url(&self) -> String {
        self.url(self.replica_port)
    }
}

impl Drop for Clusters {
    fn drop(&mut self) {
        // The replica first, so it does not spend its last moments reconnecting; immediate: nothing here is kept.
        for name in ["replica", "primary"] {
            let data = self.data(name);
            if data.join("postmaster.pid").exists() {
                let _ = self
                    .pg("pg_ctl")
                    .arg("-D")
                    .arg(&data)
                    .args(["-m", "immediate", "stop"])
                    .output();
            }
        }
        // The folder goes with `dir`, after this.
    }
}

/// Runs a command that must succeed, naming it and its error output when it does not.
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap()
}

/// Waits until the replica has replayed everything the primary has written so far.
async fn caught_up(primary: &mut PgConnection, replica: &mut PgConnection) {
    let target: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(&mut *primary)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let replayed: bool =
            sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn")
                .bind(&target)
                .fetch_one(&mut *replica)
                .await
                .unwrap();
        if replayed {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not replay up to {target} within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Pauses WAL replay on the replica and waits until it has stopped (a pause is requested, then takes effect).
async fn pause_replay(replica: &mut PgConnection) {
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&mut *replica)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state: String = sqlx::query_scalar("SELECT pg_get_wal_replay_pause_state()")
            .fetch_one(&mut *replica)
            .await
            .unwrap();
        if state == "paused" {
            return;
        }
        assert!(Instant::now() < deadline, "replay still {state} after 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The titles of the decisions the list answers with.
fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap().to_owned())
        .collect()
}

/// `wenping_lag_tolerant_reads_total` for `pool`, from `/metrics`.
async fn reads_served(app: &crate::common::TestApp, pool: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let prefix = format!("wenping_lag_tolerant_reads_total{{pool=\"{pool}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix}in the metrics:\n{text}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn lists_read_from_the_replica_and_a_writer_reads_its_own_write_from_the_primary() {
    // It brings its own clusters, so it runs once: in the SQLite pass of scripts/test, not again in the
    // PostgreSQL one (which only changes what `fresh_database` gives, unused here).
    if std::env::var("WENPING_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        eprintln!(
            "replica: runs in the SQLite pass of the integration tests, with clusters of its own"
        );
        return;
    }
    let clusters = Clusters::start();
    let mut primary = connect(&clusters.primary_url()).await;
    let mut replica = connect(&clusters.replica_url()).await;
    let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut replica)
        .await
        .unwrap();
    assert!(
        in_recovery,
        "the replica is a standby replaying the primary"
    );

    let app = spawn_app_with(|settings| {
        settings.database_url = clusters.primary_url();
        settings.database_read_url = Some(clusters.replica_url());
    })
    .await;

    // A decision both databases have: the list (from the replica) shows it.
    app.create_decision(&land_requisition("东片区征收")).await;
    caught_up(&mut primary, &mut replica).await;
    let before = reads_served(&app, "replica").await;
    let page = json_of(app.get("/api/v1/decisions").await, 200).await;
    assert_eq!(titles(&page), ["东片区征收"]);
    assert_eq!(
        reads_served(&app, "replica").await,
        before + 1,
        "the list was served by the replica"
    );

    // The replica stands still; the primary takes a new decision.
    pause_replay(&mut replica).await;
    let (created, etag) = app.create_decision(&land_requisition("西片区征收")).await;
    let id = created["id"].as_str().unwrap();

    // Its writer reads it back, checks a precondition against it and changes it: all on the primary, so none of
    // this waits for the replica, and none of it is counted as a replica read.
    let served_before_own_reads = reads_served(&app, "replica").await;
    let fetched = json_of(app.get(&format!("/api/v1/decisions/{id}")).await, 200).await;
    assert_eq!(fetched["title"], "西片区征收");
    let changed = app
        .patch_json(
            &format!("/api/v1/decisions/{id}"),
            Some(&etag),
            &serde_json::json!({"title": "西片区征收（修订）"}),
        )
        .await;
    assert_ne!(header(&changed, "etag"), etag);
    let changed = json_of(changed, 200).await;
    assert_eq!(changed["title"], "西片区征收（修订）");
    assert_eq!(
        reads_served(&app, "replica").await,
        served_before_own_reads,
        "a read by id and an If-Match check are the primary's"
    );

    // The lists come from the replica, which has not replayed the new decision yet: the decision list lacks it,
    // and so does its audit trail, while the primary has both.
    let page = json_of(app.get("/api/v1/decisions").await, 200).await;
    assert_eq!(titles(&page), ["东片区征收"], "the list is the replica's");
    let trail = json_of(app.get(&format!("/api/v1/audit?id={id}")).await, 200).await;
    assert_eq!(trail["items"], serde_json::json!([]), "{trail}");
    let on_primary: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity_id = $1")
        .bind(uuid::Uuid::parse_str(id).unwrap())
        .fetch_one(&mut primary)
        .await
        .unwrap();
    assert!(
        on_primary >= 2,
        "the primary holds the registration and the change"
    );

    // Replay resumes: the replica catches up and the lists show the new decision as changed — the decision list
    // within the second its page read from the lagging replica is kept (`app::memo::FRESH_FOR`).
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut replica)
        .await
        .unwrap();
    caught_up(&mut primary, &mut replica).await;
    shown_within(
        Instant::now(),
        Duration::from_millis(1500),
        "the replayed decision listed",
        || async {
            let page = json_of(app.get("/api/v1/decisions").await, 200).await;
            let mut listed = titles(&page);
            listed.sort();
            listed == ["东片区征收", "西片区征收（修订）"]
        },
    )
    .await;
    let trail = json_of(app.get(&format!("/api/v1/audit?id={id}")).await, 200).await;
    assert_eq!(
        trail["items"].as_array().unwrap().len(),
        usize::try_from(on_primary).unwrap()
    );

    // The guard stops both clusters and takes their folder with it.
    let folder = clusters.dir.path().to_owned();
    drop((primary, replica));
    drop(clusters);
    assert!(!folder.exists(), "{} is left behind", folder.display());
}

#[tokio::test]
async fn a_read_database_beside_sqlite_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        database_url: format!("sqlite://{}/wenping.db", dir.path().display()),
        database_read_url: Some("postgres://postgres@127.0.0.1:1/postgres".into()),
        bind: "127.0.0.1:0".into(),
        models_dir: Some(crate::common::cli::MODELS_DIR.into()),
        ..Settings::default()
    };
    let Err(error) = Application::build(&settings).await else {
        panic!("a server on SQLite started with a read database");
    };
    let message = format!("{error:#}");
    assert!(
        message.contains("database_read_url") && message.contains("PostgreSQL"),
        "{message}"
    );
}
