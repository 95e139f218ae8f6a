//! Petition benchmarks (not timed tests): import of generated files into SQLite against `sqlite3 .import` of
//! the same CSV, then indicator and assessment latency over the imported history, and peak memory.
//!
//!     cargo bench --bench petitions -- --records 1000000 [--batches 10] [--rounds 500]
//!
//! `--batches K` grows the history to K × records (seeds 1..K) and measures latency again. `--keep FILE`
//! builds the history in that SQLite file and leaves it there (scripts/bench-petitions then measures the
//! memory of `wenping serve` on it). `--history FILE` only measures latency on such a kept database.
//!
//! Figures and the machine they were taken on are in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use wenping::app::petition_evidence::petition_indicators;
use wenping::domain::region::RegionCode;
use wenping::petitions::generate::{self, GenerateOptions};
use wenping::petitions::import::ImportOptions;
use wenping::petitions::service::import_file;
use wenping::scoring::{self, AssessmentInputs, Model};
use wenping::storage::Db;

/// The binary's allocator, so the import is measured as `wenping petitions import` runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn fresh_db(path: &Path) -> Db {
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db
}

async fn import(db: &Db, file: &Path) -> Duration {
    let bytes = std::fs::read(file).unwrap();
    let today = chrono::Local::now().date_naive();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let start = Instant::now();
    let report = import_file(
        db,
        &name,
        bytes,
        ImportOptions::default(),
        false,
        "bench",
        today,
        Box::new(|_, _| {}),
        &wenping::app::petitions::follow_up_rule().unwrap(),
    )
    .await
    .unwrap();
    let took = start.elapsed();
    assert!(report.accepted(), "{:?}", report.file_error);
    took
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn latency(
    db: &Db,
    model: &Model,
    until: NaiveDate,
    rounds: usize,
) -> (Duration, Duration, Duration, Duration) {
    let regions = vec![
        RegionCode::parse("330299001").unwrap(),
        RegionCode::parse("330299002003").unwrap(),
    ];
    let mut indicator_times = Vec::new();
    let mut assess_times = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let (indicators, _) = petition_indicators(db, model, &regions, until)
            .await
            .unwrap();
        indicator_times.push(start.elapsed());
        let inputs = AssessmentInputs {
            indicators,
            ..Default::default()
        };
        scoring::assess(model, &inputs).unwrap();
        assess_times.push(start.elapsed());
    }
    indicator_times.sort();
    assess_times.sort();
    (
        percentile(&indicator_times, 0.5),
        percentile(&indicator_times, 0.99),
        percentile(&assess_times, 0.5),
        percentile(&assess_times, 0.99),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it and must stay quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("petition benchmarks: run with cargo bench --bench petitions");
        return;
    }
    let until = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let (models, _) = wenping::startup::models::read_folder(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models"
    )));
    let model = models
        .iter()
        .find(|m| m.id() == "land_requisition")
        .or(models.first())
        .unwrap();
    if let Some(history) = text_arg("--history") {
        let db = Db::connect(&format!("sqlite://{history}")).await.unwrap();
        let records = db.petition_count().await.unwrap();
        let l = latency(&db, model, until, arg("--rounds", 500)).await;
        println!(
            "{records:>10} records: indicators p50 {:.2} ms p99 {:.2} ms; assessment (indicators + engine) p50 {:.2} ms p99 {:.2} ms",
            ms(l.0),
            ms(l.1),
            ms(l.2),
            ms(l.3)
        );
        return;
    }
    let records = arg("--records", 100_000);
    let batches = arg("--batches", 1).max(1);
    let rounds = arg("--rounds", 500);
    let keep = text_arg("--keep");
    let dir = tempfile::tempdir().unwrap();
    let batch = |seed: u64| GenerateOptions {
        records,
        seed,
        until,
        with_errors: 0,
        county: "330299".into(),
    };
    println!("records per file: {records}; history: {batches} file(s)");

    let csv = dir.path().join("p.csv");
    let gbk = dir.path().join("p-gbk.csv");
    let parquet = dir.path().join("p.parquet");
    let text = generate::csv_text(&batch(1));
    std::fs::write(&csv, &text).unwrap();
    std::fs::write(&gbk, encoding_rs::GBK.encode(&text).0).unwrap();
    drop(text);
    let mut frame = generate::frame(&batch(1)).unwrap();
    polars_io::parquet::write::ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut frame)
        .unwrap();
    drop(frame);

    let mut history = None;
    for (label, file) in [
        ("csv utf-8", &csv),
        ("csv gbk", &gbk),
        ("parquet", &parquet),
    ] {
        let path = match (&keep, history.is_none()) {
            (Some(kept), true) => std::path::PathBuf::from(kept),
            _ => dir.path().join(format!("{}.db", label.replace(' ', "-"))),
        };
        let db = fresh_db(&path).await;
        let took = import(&db, file).await;
        println!(
            "import {label:<10} {:>8.2} s  {:>9.0} rows/s  (peak RSS so far {:.0} MB)",
            took.as_secs_f64(),
            records as f64 / took.as_secs_f64(),
            peak_rss_mb()
        );
        if history.is_none() {
            history = Some(db);
        } else {
            db.close().await;
        }
    }
    let reference = dir.path().join("reference.db");
    let start = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(&reference)
        .arg(".mode csv")
        .arg(format!(".import {} petitions", csv.display()))
        .status();
    match status {
        Ok(s) if s.success() => println!(
            "sqlite3 .import     {:>8.2} s  (reference, same UTF-8 file)",
            start.elapsed().as_secs_f64()
        ),
        _ => println!("sqlite3 .import     not available"),
    }

    let db = history.unwrap();
    db.upsert_regions(&generate::regions(&batch(1)))
        .await
        .unwrap();
    let report = |db_records: i64, l: (Duration, Duration, Duration, Duration)| {
        println!(
            "{db_records:>10} records: indicators p50 {:.2} ms p99 {:.2} ms; assessment (indicators + engine) p50 {:.2} ms p99 {:.2} ms",
            ms(l.0),
            ms(l.1),
            ms(l.2),
            ms(l.3)
        );
    };
    report(
        db.petition_count().await.unwrap(),
        latency(&db, model, until, rounds).await,
    );
    if batches > 1 {
        for seed in 2..=batches as u64 {
            std::fs::write(&csv, generate::csv_text(&batch(seed))).unwrap();
            let took = import(&db, &csv).await;
            println!("import batch {seed:>3}   {:>8.2} s", took.as_secs_f64());
        }
        report(
            db.petition_count().await.unwrap(),
            latency(&db, model, until, rounds).await,
        );
    }
    println!("peak RSS {:.0} MB", peak_rss_mb());
    db.close().await;
}
