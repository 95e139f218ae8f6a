//! Petition imports at the edges: a file with a thousand bad rows gets a complete report and changes nothing;
//! large uploads import in the background (202, then status by id); XLSX files, merged header cells among
//! them; a county office imports only its own regions.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::common::cli::{cli, generated};
use crate::common::petitions::{county_petitions, settled, upload, upload_as};
use crate::common::{expect_problem, header, spawn_app, spawn_app_with};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use wenping::domain::account::Role;
use wenping::petitions::generate::{GenerateOptions, HEADERS, rows};

/// The data lines of a generated CSV by spreadsheet row number (the header is row 1).
fn lines_by_row(csv: &str) -> Vec<(u64, &str)> {
    csv.lines()
        .enumerate()
        .skip(1)
        .map(|(i, l)| (i as u64 + 1, l))
        .collect()
}

#[tokio::test]
async fn a_thousand_bad_rows_in_twenty_thousand_are_all_reported_and_nothing_is_stored() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = generated(
        dir.path(),
        "bulk.csv",
        &["--records", "20000", "--seed", "5", "--with-errors", "1000"],
    )
    .await;
    let res = upload(&app, "bulk.csv", &bytes, &[]).await;
    let problem = expect_problem(res, 422, Some("report")).await;
    let listed = problem["errors"].as_array().unwrap().len();
    assert!(
        listed <= 201,
        "the problem document is capped, the report is not: {listed}"
    );
    assert!(
        problem
            .to_string()
            .contains("1000 of 20000 rows are invalid"),
        "{problem}"
    );

    let id = problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let status: Value = app
        .get(&format!("/api/v1/petitions/imports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "failed");
    let report = &status["report"];
    assert_eq!(
        (
            report["rows"].as_u64(),
            report["rejected"].as_u64(),
            report["valid"].as_u64()
        ),
        (Some(20000), Some(1000), Some(19000))
    );
    let error_rows: BTreeSet<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(error_rows.len(), 1000);

    // The rejects file holds each refused row exactly as the file had it, and nothing else.
    let rejects = app
        .get(report["rejects_url"].as_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    let original = String::from_utf8(bytes.clone()).unwrap();
    let by_row: std::collections::HashMap<u64, &str> =
        lines_by_row(&original).into_iter().collect();
    let rejected: Vec<&str> = rejects.lines().skip(1).collect();
    assert_eq!(rejected.len(), 1000);
    let mut reject_rows = BTreeSet::new();
    for line in rejected {
        let (row, rest) = line.split_once(',').unwrap();
        let row: u64 = row.parse().unwrap();
        assert!(rest.starts_with(by_row[&row]), "row {row}: {line}");
        reject_rows.insert(row);
    }
    assert_eq!(reject_rows, error_rows);
    assert_eq!(
        county_petitions(&app).await,
        0,
        "nothing of the refused file is stored"
    );

    let res = upload(&app, "bulk.csv", &bytes, &[("skip_invalid", "true")]).await;
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (report["new"].as_u64(), report["rejected"].as_u64()),
        (Some(19000), Some(1000))
    );
    assert_eq!(county_petitions(&app).await, 19000);
}

#[tokio::test]
async fn a_large_upload_is_accepted_with_202_and_imports_in_the_background() {
    let app = spawn_app_with(|s| s.petitions_async_threshold_bytes = 20_000).await;
    let dir = tempfile::tempdir().unwrap();
    let good = generated(
        dir.path(),
        "good.csv",
        &["--records", "2000", "--seed", "11"],
    )
    .await;
    assert!(good.len() > 20_000);
    let res = upload(&app, "good.csv", &good, &[]).await;
    assert_eq!(res.status(), 202);
    let location = header(&res, "location");
    let queued: Value = res.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    assert_eq!(
        location,
        format!(
            "/api/v1/petitions/imports/{}",
            queued["id"].as_str().unwrap()
        )
    );
    let done = settled(&app.client, &app.base, &location, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["report"]["new"], 2000);
    assert_eq!(done["file_name"], "good.csv");
    assert_eq!(county_petitions(&app).await, 2000);

    // A bad large file fails in the background with its complete report; nothing more is stored.
    let bad = generated(
        dir.path(),
        "bad.csv",
        &["--records", "2000", "--seed", "12", "--with-errors", "10"],
    )
    .await;
    let res = upload(&app, "bad.csv", &bad, &[]).await;
    assert_eq!(res.status(), 202);
    let done = settled(
        &app.client,
        &app.base,
        &header(&res, "location"),
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["report"]["rejected"], 10);
    assert!(done["report"]["errors"].as_array().unwrap().len() >= 10);
    assert_eq!(county_petitions(&app).await, 2000);

    // A small file still imports within the request.
    let small = generated(
        dir.path(),
        "small.csv",
        &["--records", "50", "--seed", "13"],
    )
    .await;
    let res = upload(&app, "small.csv", &small, &[]).await;
    assert_eq!(res.status(), 201);
    let location = header(&res, "location");
    let status: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(
        (status["status"].as_str(), status["report"]["new"].as_u64()),
        (Some("succeeded"), Some(50))
    );

    let res = app
        .get("/api/v1/petitions/imports/7d444840-9dc0-11d1-b245-5ffdce74fad2")
        .await;
    expect_problem(res, 404, None).await;
}

#[tokio::test]
async fn an_xlsx_export_reads_exactly_as_the_same_rows_in_csv() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let args = ["--records", "600", "--seed", "9"];
    let mut xlsx_args = args.to_vec();
    xlsx_args.extend(["--format", "xlsx"]);
    let xlsx = generated(dir.path(), "p.xlsx", &xlsx_args).await;
    assert_eq!(&xlsx[..2], b"PK", "an XLSX file is a zip archive");
    let csv = generated(dir.path(), "p.csv", &args).await;

    let path = dir.path().join("p.xlsx");
    let out = cli(
        &app,
        &["petitions", "import", path.to_str().unwrap(), "--json"],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["format"].as_str(), report["new"].as_u64()),
        (Some("xlsx"), Some(600))
    );

    // Every record read from the workbook equals the one read from the CSV: the re-import changes nothing.
    let res = upload(&app, "p.csv", &csv, &[]).await;
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (report["unchanged"].as_u64(), report["new"].as_u64()),
        (Some(600), Some(0)),
        "{report}"
    );
}

/// `n` rows as `wenping petitions generate` makes them (seed 21, the county 330299), in text cells.
fn generated_rows(n: usize) -> Vec<[String; 12]> {
    let options = GenerateOptions {
        records: n,
        seed: 21,
        until: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        with_errors: 0,
        county: "330299".into(),
    };
    rows(&options).collect()
}

#[tokio::test]
async fn merged_title_rows_are_skipped_and_a_merged_header_is_refused_by_its_cells() {
    let app = spawn_app().await;
    // A title merged over the whole width above the header: the header is row 2, data from row 3.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 11, "合成县信访登记表（2025年）", &Format::new())
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let mut data = generated_rows(4);
    data[3][5] = "0".into();
    for (r, row) in data.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 2, c as u16, cell.as_str())
                .unwrap();
        }
    }
    let titled = book.save_to_buffer().unwrap();
    let res = upload(&app, "titled.xlsx", &titled, &[]).await;
    let problem = expect_problem(res, 422, Some("row 6: 人数")).await;
    assert!(problem.to_string().contains("1 of 4 rows"), "{problem}");

    // A two-level header: names merged down two rows, 是否 merged over three flag columns.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    for (c, h) in HEADERS.iter().enumerate() {
        if !(6..=8).contains(&c) {
            sheet
                .merge_range(0, c as u16, 1, c as u16, h, &plain)
                .unwrap();
        }
    }
    sheet.merge_range(0, 6, 0, 8, "是否", &plain).unwrap();
    for (c, h) in ["集体访", "重复访", "越级访"].iter().enumerate() {
        sheet.write_string(1, 6 + c as u16, *h).unwrap();
    }
    for (r, row) in generated_rows(3).iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 2, c as u16, cell.as_str())
                .unwrap();
        }
    }
    let two_level = book.save_to_buffer().unwrap();
    let res = upload(&app, "two-level.xlsx", &two_level, &[]).await;
    let problem = expect_problem(res, 422, Some("file")).await;
    let text = problem.to_string();
    assert!(
        text.contains("merged cells") && text.contains("G1:I1 '是否'"),
        "{text}"
    );
    assert_eq!(county_petitions(&app).await, 0);
}

#[tokio::test]
async fn a_county_office_imports_only_its_own_regions() {
    let app = spawn_app().await;
    let office = app
        .client_for("township-office", &[Role::Admin], &["330299001"])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = generated(
        dir.path(),
        "county.csv",
        &["--records", "3000", "--seed", "31"],
    )
    .await;
    let text = String::from_utf8(bytes.clone()).unwrap();
    let outside: BTreeSet<u64> = lines_by_row(&text)
        .into_iter()
        .filter(|(_, l)| !l.split(',').nth(3).unwrap().starts_with("330299001"))
        .map(|(row, _)| row)
        .collect();
    assert!(!outside.is_empty() && outside.len() < 3000);

    // All or nothing: the rows of other townships are errors naming row and column; nothing is stored.
    let res = upload_as(&app, &office, "county.csv", &bytes, &[]).await;
    let problem = expect_problem(res, 422, Some("report")).await;
    let id = problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let status: Value = app
        .get(&format!("/api/v1/petitions/imports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let errors = status["report"]["errors"].as_array().unwrap();
    let rows: BTreeSet<u64> = errors.iter().map(|e| e["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, outside);
    assert!(errors.iter().all(|e| {
        e["column"] == "问题属地"
            && e["reason"]
                .as_str()
                .unwrap()
                .contains("outside your regions (330299001)")
    }));
    assert_eq!(county_petitions(&app).await, 0);

    // With skip_invalid the township's own rows import.
    let res = upload_as(
        &app,
        &office,
        "county.csv",
        &bytes,
        &[("skip_invalid", "true")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["new"].as_u64(), Some(3000 - outside.len() as u64));

    // A source id another office stored cannot be taken over by moving it into this township.
    let header_line = HEADERS.join(",");
    let theirs =
        format!("{header_line}\nX-1,2025-03-01,来访,330299002001,土地征收,1,否,否,否,已受理,,\n");
    assert_eq!(
        upload(&app, "theirs.csv", theirs.as_bytes(), &[])
            .await
            .status(),
        201
    );
    let mine = theirs.replace("330299002001", "330299001001");
    let res = upload_as(&app, &office, "mine.csv", mine.as_bytes(), &[]).await;
    let problem = expect_problem(res, 409, None).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("X-1"),
        "{problem}"
    );
}
