//! The petition history by month: on PostgreSQL the records live in monthly partitions and a one-county,
//! one-year statistic reads only that year's; a record whose receipt date moves changes partition and stays
//! one record; and the history leaves as Parquet partitioned by year and county, every record once.

use polars::prelude::DataFrame;
use polars_io::SerReader;
use polars_io::parquet::read::ParquetReader;
use sqlx::Row;

use crate::common::cli::{cli, generated};
use crate::common::spawn_app;

fn parquet_rows(path: &std::path::Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

#[tokio::test]
async fn months_are_partitions_a_year_reads_its_own_and_the_history_leaves_as_parquet_by_year_and_county()
 {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let records = 4_000;
    generated(
        dir.path(),
        "county.csv",
        &[
            "--records",
            &records.to_string(),
            "--seed",
            "11",
            "--until",
            "2026-06-30",
        ],
    )
    .await;
    let file = dir.path().join("county.csv");
    let out = cli(&app, &["petitions", "import", file.to_str().unwrap()]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A record received a year earlier than first stated moves to that month's partition and stays one record.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    let cells: Vec<&str> = first.split(',').collect();
    let date_column = header.split(',').position(|h| h == "登记日期").unwrap();
    // The generator spells dates several ways (2025-03-01, 2025/3/1, 2025年3月1日, 20250301, 2025.03.01).
    let digits: Vec<u32> = {
        let raw = cells[date_column];
        let parts: Vec<&str> = raw
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [compact] => vec![
                compact[..4].parse().unwrap(),
                compact[4..6].parse().unwrap(),
                compact[6..8].parse().unwrap(),
            ],
            parts => parts.iter().map(|p| p.parse().unwrap()).collect(),
        }
    };
    let moved_to = format!(
        "{}-{:02}-{:02}",
        digits[0] - 1,
        digits[1],
        digits[2].min(28)
    );
    let mut changed = cells.clone();
    changed[date_column] = &moved_to;
    let moved = dir.path().join("moved.csv");
    std::fs::write(&moved, format!("{header}\n{}\n", changed.join(","))).unwrap();
    let out = cli(&app, &["petitions", "import", moved.to_str().unwrap()]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(app.db.petition_count().await.unwrap(), records as i64);

    if app.database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
        let partitioned: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'petitions'::regclass)",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(partitioned, "petitions is not partitioned");
        let months: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'petitions'::regclass",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(
            months >= 36,
            "{months} partitions for three years of records"
        );

        // The plan of one county's 2025 reads the twelve partitions of 2025 and no other.
        let plan = sqlx::query(sqlx::AssertSqlSafe(format!(
            "EXPLAIN (FORMAT JSON) {}",
            wenping::storage::petitions::COUNTY_YEAR_RECORDS
        )))
        .bind(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())
        .bind(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        .bind("330102%")
        .fetch_one(&pool)
        .await
        .unwrap();
        let plan: serde_json::Value = plan.get(0);
        let mut scanned: Vec<String> = Vec::new();
        collect_relations(&plan, &mut scanned);
        scanned.sort();
        scanned.dedup();
        let expected: Vec<String> = (1..=12)
            .map(|m| format!("petitions_y2025m{m:02}"))
            .collect();
        assert_eq!(scanned, expected, "plan: {plan}");
        pool.close().await;
    }

    let export = dir.path().join("history");
    let out = cli(
        &app,
        &["petitions", "export", "--parquet", export.to_str().unwrap()],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut total = 0;
    let mut years = Vec::new();
    for year in std::fs::read_dir(&export).unwrap() {
        let year = year.unwrap().path();
        let name = year.file_name().unwrap().to_string_lossy().into_owned();
        let y: i32 = name.strip_prefix("year=").unwrap().parse().unwrap();
        years.push(y);
        for county in std::fs::read_dir(&year).unwrap() {
            let county = county.unwrap().path();
            let code = county.file_name().unwrap().to_string_lossy().into_owned();
            let code = code.strip_prefix("region=").unwrap().to_owned();
            let frame = parquet_rows(&county.join("petitions.parquet"));
            let received = frame.column("received_on").unwrap().str().unwrap();
            let regions = frame.column("region_code").unwrap().str().unwrap();
            for (day, region) in received.iter().zip(regions.iter()) {
                assert!(
                    day.unwrap().starts_with(&format!("{y}-")),
                    "{day:?} in year={y}"
                );
                assert!(
                    region.unwrap().starts_with(&code),
                    "{region:?} in region={code}"
                );
            }
            total += frame.height();
        }
    }
    years.sort();
    assert!(years.len() >= 3, "{years:?}");
    assert_eq!(total, records, "every record exported once");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("{records} records")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The relations a JSON plan scans.
fn collect_relations(plan: &serde_json::Value, into: &mut Vec<String>) {
    match plan {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(name)) = map.get("Relation Name") {
                into.push(name.clone());
            }
            map.values().for_each(|v| collect_relations(v, into));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_relations(v, into)),
        _ => {}
    }
}
