//! Imports larger than one validation batch (50 000 rows), whose records are written while later rows are
//! still being checked: a bad row in the last batch still leaves nothing behind, and a re-import with a few
//! changed rows in different batches counts them exactly and moves the rollups by exactly their change.

use crate::common::cli::{cli, generated};
use crate::common::petitions::county_totals;
use crate::common::{TestApp, spawn_app};

/// Three batches: 50 000, 50 000 and 10 000 rows.
const ROWS: usize = 110_000;
const HEADCOUNT_COLUMN: usize = 5;

/// The file with data row `row` (the header is row 1) given headcount `headcount`.
fn with_headcount(csv: &str, row: usize, headcount: &str) -> String {
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let mut cells: Vec<&str> = lines[row - 1].split(',').collect();
    cells[HEADCOUNT_COLUMN] = headcount;
    lines[row - 1] = cells.join(",");
    lines.join("\n") + "\n"
}

/// The headcount column summed straight from the text, sharing nothing with the importer.
fn headcount_sum(csv: &str) -> u64 {
    csv.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(HEADCOUNT_COLUMN)
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum()
}

async fn import(app: &TestApp, path: &std::path::Path) -> (bool, String) {
    let out = cli(app, &["petitions", "import", path.to_str().unwrap()]).await;
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn a_bad_last_batch_leaves_nothing_and_a_reimport_counts_changes_across_batches() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let rows = ROWS.to_string();
    let bytes = generated(
        dir.path(),
        "county.csv",
        &["--records", &rows, "--seed", "11"],
    )
    .await;
    let original = String::from_utf8(bytes).unwrap();
    assert_eq!(original.lines().count(), ROWS + 1);

    // Row 108 001 is in the third batch: the first two have been written by the time it is checked.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, with_headcount(&original, 108_001, "0")).unwrap();
    let (ok, out) = import(&app, &bad).await;
    assert!(!ok, "a file with a bad row is refused: {out}");
    assert!(out.contains("row  108001"), "{out}");
    assert!(out.contains("rejected: 110000 rows"), "{out}");
    assert_eq!(county_totals(&app.client, &app.base).await, (0, 0));
    assert_eq!(app.db.petition_count().await.unwrap(), 0);
    assert_eq!(app.db.petition_snapshot().await.unwrap(), 0);

    let good = dir.path().join("good.csv");
    std::fs::write(&good, &original).unwrap();
    let (ok, out) = import(&app, &good).await;
    assert!(ok, "{out}");
    assert!(out.contains("110000 new, 0 updated, 0 unchanged"), "{out}");
    let sum = headcount_sum(&original);
    assert_eq!(
        county_totals(&app.client, &app.base).await,
        (ROWS as u64, sum)
    );
    assert_eq!(app.db.petition_count().await.unwrap(), ROWS as i64);

    // One row changed in the first batch and one in the last; everything else is as stored.
    let changed = with_headcount(&with_headcount(&original, 11, "250"), 105_000, "249");
    let changed_sum = headcount_sum(&changed);
    assert_ne!(changed_sum, sum);
    let path = dir.path().join("changed.csv");
    std::fs::write(&path, &changed).unwrap();
    let (ok, out) = import(&app, &path).await;
    assert!(ok, "{out}");
    assert!(out.contains("0 new, 2 updated, 109998 unchanged"), "{out}");
    assert_eq!(
        county_totals(&app.client, &app.base).await,
        (ROWS as u64, changed_sum)
    );
    assert_eq!(app.db.petition_count().await.unwrap(), ROWS as i64);
}
