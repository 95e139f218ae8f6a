//! The `wenping` binary (and poppler's tools) run as an operator runs them: commands against a database, and
//! `serve` on a free port with the address it prints. No test waits for a child on its own runtime: that one
//! thread also drives the HTTP client's pooled connections, which must see a server close an idle one.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use super::TestApp;

pub const BIN: &str = env!("CARGO_BIN_EXE_wenping");
pub const MODELS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models");

/// `wenping` with a quiet log, no configuration file and the repository's risk models.
pub fn wenping() -> Command {
    let mut command = Command::new(BIN);
    command
        .env("RUST_LOG", "warn")
        .env("WENPING_MODELS_DIR", MODELS_DIR)
        .env_remove("WENPING_CONFIG");
    command
}

/// [`wenping`] on the database at `database_url`, serving (when told to) on a free port.
pub fn wenping_on(database_url: &str) -> Command {
    let mut command = wenping();
    command
        .env("WENPING_DATABASE_URL", database_url)
        .env("WENPING_BIND", "127.0.0.1:0");
    command
}

/// Runs `command` to its end, waiting on tokio's blocking pool, and returns what it printed.
pub async fn output(command: &mut Command) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap()
}

/// Runs a command that must succeed and returns what it printed (its errors when it fails).
pub async fn succeeded(command: &mut Command) -> String {
    let out = output(command).await;
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `wenping ARGS…` on the test server's database.
pub async fn cli(app: &TestApp, args: &[&str]) -> Output {
    output(wenping_on(&app.database_url).args(args)).await
}

/// `wenping petitions generate --out DIR/NAME ARGS…`, and the file it wrote.
pub async fn generated(dir: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    let out = dir.join(name);
    succeeded(
        wenping()
            .args(["petitions", "generate", "--out", out.to_str().unwrap()])
            .args(args),
    )
    .await;
    std::fs::read(out).unwrap()
}

/// Runs a poppler tool (`pdftotext`, `pdfinfo`) on a PDF and returns what it prints.
pub async fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let mut command = Command::new(tool);
    command
        .args(args)
        .arg(&file)
        // pdftotext writes to a file unless told "-" (standard output); pdfinfo always prints.
        .args((tool == "pdftotext").then_some("-"));
    let path = std::env::var_os("PATH").unwrap_or_default();
    assert!(
        std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()),
        "{tool} (Debian's poppler-utils; scripts/test installs it) is not on the PATH"
    );
    succeeded(&mut command).await
}

/// Creates user `name` with `role` through the CLI and returns the API token it prints.
pub async fn user_token(database_url: &str, name: &str, role: &str) -> String {
    succeeded(wenping_on(database_url).args(["users", "add", name, "--role", role])).await;
    let stdout = succeeded(wenping_on(database_url).args(["users", "token", "create", name])).await;
    let token = stdout.trim().to_owned();
    assert!(
        token.starts_with("wpt_") && !token.contains('\n'),
        "the token alone: {stdout:?}"
    );
    token
}

/// Creates a planner with the CLI and returns the API token it prints.
pub async fn planner_token(database_url: &str) -> String {
    user_token(database_url, "writer", "planner").await
}

/// Waits up to `within` for the child to exit, polling so that the runtime keeps running meanwhile.
pub async fn exit_of(child: &mut Child, within: Duration) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "process {} still running after {within:?}",
            child.id()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// SIGKILL: no chance to flush, finish or roll back; returns once the process is gone.
pub async fn kill(child: &mut Child) {
    child.kill().unwrap();
    exit_of(child, Duration::from_secs(30)).await;
}

/// A running `wenping serve`, killed when dropped so that a failing test leaves no server behind.
pub struct Served {
    pub child: Child,
    pub url: String,
    /// The first lines it printed (the address first).
    pub banner: String,
}

impl Served {
    /// Starts `command serve` (stdout is taken over here) and reads the first `lines` lines it prints.
    pub async fn start(command: Command, lines: usize) -> Served {
        Self::start_reading(command, &[], move |read, _| read == lines).await
    }

    /// Starts `command serve ARGS…` (stdout is taken over here) and reads what it prints until
    /// `done(lines read, the last line)` says so, or it stops printing.
    pub async fn start_reading(
        mut command: Command,
        args: &[&str],
        done: impl Fn(usize, &str) -> bool + Send + 'static,
    ) -> Served {
        let mut child = command
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut served = Served {
            child,
            url: String::new(),
            banner: String::new(),
        };
        served.banner = lines_until(stdout, done).await;
        served.url = served
            .banner
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {:?}", served.banner))
            .to_owned();
        served
    }

    /// SIGKILL, as in [`kill`].
    pub async fn kill(mut self) {
        kill(&mut self.child).await;
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Starts `wenping serve` on the database and reads the address it prints.
pub async fn serve(database_url: &str) -> Served {
    let mut command = wenping_on(database_url);
    command.stderr(Stdio::null());
    serve_with(command).await
}

/// Starts `command serve` (stdout is taken over here) and reads the address it prints.
pub async fn serve_with(command: Command) -> Served {
    Served::start(command, 1).await
}

/// The lines a child prints until `done(lines read, the last line)` or its end, read on the blocking pool; what
/// it prints later is drained, as a terminal would, on a thread of its own that ends with the child.
async fn lines_until(
    stdout: ChildStdout,
    done: impl Fn(usize, &str) -> bool + Send + 'static,
) -> String {
    let read = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        let mut text = String::new();
        let mut read = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            read += 1;
            text.push_str(&line);
            if done(read, &line) {
                break;
            }
        }
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        text
    });
    tokio::time::timeout(Duration::from_secs(120), read)
        .await
        .expect("the server printed its address within two minutes")
        .unwrap()
}
