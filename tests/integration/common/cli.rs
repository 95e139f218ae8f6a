//! The `wenping` binary started as an operator starts it: commands against a database, and `serve` on a free
//! port with the address it prints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_wenping");

pub fn wenping(database_url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("WENPING_DATABASE_URL", database_url)
        .env("WENPING_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .env_remove("WENPING_CONFIG");
    cmd
}

/// Starts `wenping serve` and reads the address it prints.
pub fn serve(database_url: &str) -> (Child, String) {
    let mut command = wenping(database_url);
    command.stderr(Stdio::null());
    serve_with(command)
}

/// Starts `command serve` (stdout is taken over here) and reads the address it prints.
pub fn serve_with(mut command: Command) -> (Child, String) {
    let mut child = command.arg("serve").stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut line).unwrap();
    // Keep draining what the server prints later, as a terminal would.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (child, url)
}

/// Creates a planner with the CLI and returns the API token it prints.
pub fn planner_token(database_url: &str) -> String {
    user_token(database_url, "writer", "planner")
}

/// Runs a command that must succeed and returns what it printed (its errors when it fails).
pub fn succeeded(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Creates user `name` with `role` through the CLI and returns the API token it prints.
pub fn user_token(database_url: &str, name: &str, role: &str) -> String {
    succeeded(wenping(database_url).args(["users", "add", name, "--role", role]));
    let stdout = succeeded(wenping(database_url).args(["users", "token", "create", name]));
    let token = stdout.trim().to_owned();
    assert!(
        token.starts_with("wpt_") && !token.contains('\n'),
        "the token alone: {stdout:?}"
    );
    token
}
