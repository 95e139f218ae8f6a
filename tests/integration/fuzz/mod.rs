//! Property-based fuzzing of what reaches the server from outside: petition files in every encoding and format,
//! model files, and every JSON body (decoded as the server decodes it, and posted to a running server). Each
//! target mutates the seed corpus in `tests/fuzz-corpus/` and generates valid inputs of its own.
//!
//! In the normal test run each target tries a few dozen cases. `scripts/fuzz [SECONDS]` sets
//! `WENPING_FUZZ_SECONDS`, and each target then keeps starting fresh runs (new random seeds) until the time is
//! up. A failure is kept twice: proptest's seed in `tests/proptest-regressions/fuzz_<target>.txt` (replayed
//! first on every run), and the shrunk input itself in `tests/fuzz-corpus/found/<target>/`, which every run
//! replays exactly and mutates further.

mod json_bodies;
mod ledger_files;
mod model_files;
mod mutate;
mod petition_files;
mod server_bodies;

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner};

/// An input that can be written to the corpus as a file of its own when it fails.
pub trait CorpusCase {
    /// A file name for the case (the extension matters to the petition reader).
    fn file_name(&self) -> String;
    fn bytes(&self) -> Vec<u8>;
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus")
}

/// Every file under `dir` (recursively), sorted, as (path relative to the corpus, bytes); none when it is absent.
pub fn corpus_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n != "README.md" && !n.starts_with('.'))
            {
                let name = path
                    .strip_prefix(corpus_dir())
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                found.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// The cases a target found earlier (`tests/fuzz-corpus/found/<target>/`).
pub fn found_cases(target: &str) -> Vec<(String, Vec<u8>)> {
    corpus_files(&corpus_dir().join("found").join(target))
}

/// Seconds each target runs for under `scripts/fuzz`; `None` in the normal test run.
fn fuzz_seconds() -> Option<u64> {
    std::env::var("WENPING_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
}

/// Cases per run: `PROPTEST_CASES` when set (scripts/fuzz sets a large one), else the target's small default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Runs `property` over `strategy`: once with `default_cases` in the normal test run, or repeatedly with fresh
/// seeds until `WENPING_FUZZ_SECONDS` have passed. A failure panics with the shrunk input, after its seed is
/// persisted by proptest and the input is written to the corpus.
pub fn fuzz<S>(
    target: &str,
    default_cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: CorpusCase + Debug,
{
    let deadline = fuzz_seconds().map(|s| Instant::now() + Duration::from_secs(s));
    // proptest keeps the path for the whole run; a leaked string per target run is what its API asks for.
    let regressions: &'static str = Box::leak(
        format!(
            "{}/tests/proptest-regressions/fuzz_{target}.txt",
            env!("CARGO_MANIFEST_DIR")
        )
        .into_boxed_str(),
    );
    // Under scripts/fuzz each case is written down before it runs: an input that aborts the process (an
    // allocation past memory is an abort, not a panic) is then still there for scripts/fuzz to keep.
    let in_flight = deadline.map(|_| corpus_dir().join("found").join(target));
    let property = |case: S::Value| {
        if let Some(dir) = &in_flight {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(".in-flight-name"), case.file_name());
            let _ = std::fs::write(dir.join(".in-flight"), case.bytes());
        }
        property(case)
    };
    let mut rounds = 0u64;
    loop {
        let config = Config {
            cases: cases(default_cases),
            failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
            // Shrinking a petition file replays the whole reader per step; a minute is plenty for a minimal case.
            max_shrink_time: 60_000,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        match runner.run(&strategy, property) {
            Ok(()) => {}
            Err(TestError::Fail(reason, case)) => {
                if let Some(dir) = &in_flight {
                    let _ = std::fs::remove_file(dir.join(".in-flight"));
                }
                let saved = save_found(target, &case);
                panic!(
                    "fuzz target {target}: {reason}\nshrunk input (saved as {saved}): {case:#?}\n\
                     fix the code, keep the saved file: it is replayed on every run"
                );
            }
            Err(TestError::Abort(reason)) => panic!("fuzz target {target} aborted: {reason}"),
        }
        rounds += 1;
        match deadline {
            Some(d) if Instant::now() < d => {}
            _ => break,
        }
    }
    if let Some(dir) = &in_flight {
        let _ = std::fs::remove_file(dir.join(".in-flight"));
        let _ = std::fs::remove_file(dir.join(".in-flight-name"));
    }
    if deadline.is_some() {
        eprintln!(
            "fuzz target {target}: {rounds} rounds of {} cases, no failure",
            cases(default_cases)
        );
    }
}

/// Writes a failing case under `found/<target>/`, named by a hash of its bytes so a case is kept once.
fn save_found(target: &str, case: &impl CorpusCase) -> String {
    use std::hash::{Hash, Hasher};
    let bytes = case.bytes();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let dir = corpus_dir().join("found").join(target);
    let path = dir.join(format!("{:016x}-{}", hasher.finish(), case.file_name()));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &bytes)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("nowhere: {e}"),
    }
}
