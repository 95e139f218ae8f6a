//! Input holes a tester found from outside, each closed as a class: workbooks crafted to take the server's
//! memory (sent to a `wenping serve` process and to the CLI, whose peak resident memory is read from the
//! kernel), cells that a spreadsheet program would run as formulas, JSON the documented schema does not
//! allow, and CSV rows that polars would describe in its own terms. Runs against SQLite, or PostgreSQL when
//! the harness provides one.
use std::io::{Read, Write};
use std::process::Command;

use chrono::NaiveDate;
use reqwest::Method;
use serde_json::{Value, json};
use wenping::petitions::generate::{GenerateOptions, HEADERS, rows};

use crate::common::cli::{
    BIN, MODELS_DIR, cli, output, serve_with, succeeded, user_token, wenping_on,
};
use crate::common::petitions::{multipart_body, upload};
use crate::common::{
    TestApp, client_with, expect_problem, fresh_database, header, land_requisition, spawn_app,
    spawn_app_with,
};

/// Peak resident memory allowed to a server or CLI that was sent a crafted workbook.
const MEMORY_CEILING_MIB: u64 = 256;
/// Address space the processes under test may reserve (they reserve about 1.6 GiB idle): were the limits
/// undone, a crafted workbook would fail this test by exhausting this, not the machine.
const ADDRESS_SPACE_KIB: u64 = 6 << 20;

/// The shell words that run `wenping ARGS…` under [`ADDRESS_SPACE_KIB`]; `exec` keeps the process id.
fn guard() -> [String; 4] {
    [
        "sh".into(),
        "-c".into(),
        format!("ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""),
        BIN.into(),
    ]
}

/// `command` (a [`wenping_on`], whose settings it keeps) run through `wrapper` instead: the same arguments
/// and environment, the program being the wrapper's last word.
fn wrapped(command: &Command, wrapper: &[String]) -> Command {
    let mut wrapped = Command::new(&wrapper[0]);
    wrapped.args(&wrapper[1..]).args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    wrapped
}

/// [`wenping_on`] `database_url`, under [`ADDRESS_SPACE_KIB`].
fn guarded_wenping(database_url: &str) -> Command {
    wrapped(&wenping_on(database_url), &guard())
}

fn options(records: usize) -> GenerateOptions {
    GenerateOptions {
        records,
        seed: 3,
        until: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        with_errors: 0,
        county: "330299".into(),
    }
}

/// A workbook as an export writes it: the header in row 1, then `records` records; `more` adds cells.
fn workbook(records: usize, more: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    for (i, row) in rows(&options(records)).enumerate() {
        for (col, cell) in row.iter().enumerate() {
            sheet
                .write_string(i as u32 + 1, col as u16, cell.as_str())
                .unwrap();
        }
    }
    more(sheet);
    book.save_to_buffer().unwrap()
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

/// The workbook packed again, its sheet changed by `change` (which writes the new sheet XML).
fn repacked(original: &[u8], change: impl Fn(&str, &mut dyn Write)) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().to_owned();
        let mut content = String::new();
        part.read_to_string(&mut content).unwrap();
        writer.start_file(name.as_str(), deflated).unwrap();
        if name == SHEET {
            change(&content, &mut writer);
        } else {
            writer.write_all(content.as_bytes()).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

/// `mib` MiB of spaces written after the sheet's `<sheetData>`, in runs of `run` bytes between empty rows.
fn padded(original: &[u8], mib: usize, run: usize) -> Vec<u8> {
    repacked(original, |sheet, out| {
        let (head, tail) = sheet.split_once("<sheetData>").unwrap();
        out.write_all(head.as_bytes()).unwrap();
        out.write_all(b"<sheetData>").unwrap();
        let spaces = vec![b' '; run];
        for _ in 0..(mib << 20) / run {
            out.write_all(&spaces).unwrap();
            if run < (1 << 20) {
                out.write_all(b"<row r=\"1048576\"/>").unwrap();
            }
        }
        out.write_all(tail.as_bytes()).unwrap();
    })
}

/// The workbook with the sizes its central directory states for `part` replaced (a header that lies).
fn with_stated_sizes(zip: &[u8], part: &str, packed: Option<u32>, unpacked: u32) -> Vec<u8> {
    let mut bytes = zip.to_vec();
    let mut at = 0;
    let mut found = false;
    while let Some(offset) = bytes[at..]
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .map(|p| p + at)
    {
        let name_len = u16::from_le_bytes([bytes[offset + 28], bytes[offset + 29]]) as usize;
        if &bytes[offset + 46..offset + 46 + name_len] == part.as_bytes() {
            if let Some(packed) = packed {
                bytes[offset + 20..offset + 24].copy_from_slice(&packed.to_le_bytes());
            }
            bytes[offset + 24..offset + 28].copy_from_slice(&unpacked.to_le_bytes());
            found = true;
        }
        at = offset + 4;
    }
    assert!(found, "{part} is in the archive");
    bytes
}

/// Peak resident memory of a running process, from the kernel.
fn peak_resident_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    kib / 1024
}

/// The crafted workbooks, each with what its refusal must say.
fn crafted_workbooks() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let small = workbook(20, |_| {});
    vec![
        (
            "far-cell.xlsx",
            workbook(20, |sheet| {
                sheet.write_string(1_048_575, 16_383, "x").unwrap();
            }),
            "cell XFD1048576 is beyond column IV",
        ),
        (
            "wide.xlsx",
            workbook(20, |sheet| {
                sheet.write_string(5, 256, "x").unwrap();
            }),
            "cell IW6 is beyond column IV",
        ),
        (
            "whitespace-run.xlsx",
            padded(&small, 2, 2 << 20),
            "longer than 1048576 bytes",
        ),
        (
            "whitespace-spread.xlsx",
            padded(&small, 512, 64 << 10),
            "more than 100 times its packed size",
        ),
        (
            "stated-huge.xlsx",
            with_stated_sizes(&small, SHEET, Some(30 << 20), 1_500 << 20),
            "more than the 1073741824 an import reads",
        ),
        (
            "stated-small.xlsx",
            with_stated_sizes(&small, SHEET, None, 100),
            "unpacks to more than the 100 bytes its header declares",
        ),
    ]
}

#[tokio::test]
async fn crafted_workbooks_are_refused_and_the_server_stays_small() {
    let database = fresh_database().await;
    let token = user_token(&database.url, "importer", "admin").await;
    let mut command = guarded_wenping(&database.url);
    command.stderr(std::process::Stdio::null());
    let server = serve_with(command).await;
    let base = server.url.as_str();
    let client = client_with(Some(&token));
    for (name, bytes, says) in crafted_workbooks() {
        assert!(
            bytes.len() < 1 << 20,
            "{name} is small: {} bytes",
            bytes.len()
        );
        let (content_type, body) = multipart_body(name, &bytes, &[]);
        let res = client
            .post(format!("{base}/api/v1/petitions/imports"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let problem = expect_problem(res, 422, Some("file")).await;
        let file_error = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == "file")
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned();
        eprintln!("{name}: {file_error}");
        assert!(file_error.contains(says), "{name}: {file_error}");
    }
    // Rows far down a sheet cost nothing while empty: the last record on row 1,000,000 is read and named.
    let far_row = workbook(5, |sheet| {
        let row = [
            "Z9",
            "2024-03-05",
            "来访",
            "330299001",
            "土地征收",
            "0",
            "否",
            "否",
            "否",
            "已办结",
            "",
            "满意",
        ];
        for (col, cell) in row.iter().enumerate() {
            sheet.write_string(999_999, col as u16, *cell).unwrap();
        }
    });
    let (content_type, body) = multipart_body("far-row.xlsx", &far_row, &[]);
    let res = client
        .post(format!("{base}/api/v1/petitions/imports"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    expect_problem(res, 422, Some("row 1000000: 人数")).await;
    let peak = peak_resident_mib(server.child.id());
    eprintln!("the server peaked at {peak} MiB resident");
    assert!(
        peak < MEMORY_CEILING_MIB,
        "the server peaked at {peak} MiB resident"
    );
    // Still serving, and a real workbook still imports.
    let (content_type, body) = multipart_body("real.xlsx", &workbook(50, |_| {}), &[]);
    let res = client
        .post(format!("{base}/api/v1/petitions/imports"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    server.kill().await;
}

#[tokio::test]
async fn a_parquet_file_declaring_more_rows_than_an_import_reads_is_refused_unread() {
    use polars::prelude::{Column, DataFrame, DataType};
    let app = spawn_app().await;
    // Nulls run-length encode to almost nothing: a few kilobytes declare 64 Mi + 1 rows.
    let rows = wenping::petitions::table::MAX_PARQUET_CELLS + 1;
    let mut frame = DataFrame::new(
        rows,
        vec![Column::full_null("人数".into(), rows, &DataType::Boolean)],
    )
    .unwrap();
    let mut bytes = Vec::new();
    polars_io::parquet::write::ParquetWriter::new(&mut bytes)
        .finish(&mut frame)
        .unwrap();
    drop(frame);
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    let res = upload(&app, "nulls.parquet", &bytes, &[]).await;
    let problem = expect_problem(res, 422, Some("file")).await;
    assert!(
        problem.to_string().contains(&format!(
            "the file declares {rows} rows × 1 columns, more than the {} cells an import reads",
            rows - 1
        )),
        "{problem}"
    );
}

#[tokio::test]
async fn the_command_line_refuses_the_crafted_workbooks_within_the_same_memory() {
    let database = fresh_database().await;
    succeeded(wenping_on(&database.url).arg("migrate")).await;
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, says) in crafted_workbooks() {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let peak_file = dir.path().join(format!("{name}.peak"));
        // GNU time reports the peak of the process it waits for: wenping, which the shell `exec`s.
        let timed = [
            vec![
                "/usr/bin/time".to_owned(),
                "-f".into(),
                "%M".into(),
                "-o".into(),
                peak_file.to_str().unwrap().to_owned(),
            ],
            guard().to_vec(),
        ]
        .concat();
        let mut import = wenping_on(&database.url);
        import.args(["petitions", "import", path.to_str().unwrap()]);
        let out = output(&mut wrapped(&import, &timed)).await;
        assert!(!out.status.success(), "{name} was refused");
        let printed = String::from_utf8_lossy(&out.stdout);
        assert!(printed.contains(says), "{name}: {printed}");
        let peak_kib: u64 = std::fs::read_to_string(&peak_file)
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        eprintln!(
            "{name}: the import peaked at {} MiB resident",
            peak_kib / 1024
        );
        assert!(
            peak_kib / 1024 < MEMORY_CEILING_MIB,
            "{name}: the import peaked at {} MiB resident",
            peak_kib / 1024
        );
    }
}

const CSV_HEADER: &str = "信访编号,登记日期,信访形式,问题属地,信访事由,人数,是否集体访,是否重复访,是否越级访,办理状态,办结日期,满意度\n";

/// The import id a refusal's problem document links to.
fn import_url(problem: &Value) -> String {
    problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_ragged_csv_row_is_named_with_the_columns_expected_and_found() {
    let app = spawn_app().await;
    let mut text = String::from(CSV_HEADER);
    text.push_str("A1,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,2024-04-01,满意\n");
    text.push_str("\"A2, quoted\",2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,,满意\n");
    text.push('\n'); // a blank line is a row too
    text.push_str("A3,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,,满意,多余,又多\n");
    let res = upload(&app, "ragged.csv", text.as_bytes(), &[]).await;
    let problem = expect_problem(res, 422, Some("file")).await;
    let body = problem.to_string();
    assert!(
        body.contains("row 5 has 14 fields where the header has 12 columns"),
        "{body}"
    );
    assert!(!body.contains("truncate_ragged_lines"), "{body}");
    let report: Value = app.get(&import_url(&problem)).await.json().await.unwrap();
    let file_error = report["report"]["file_error"].as_str().unwrap();
    assert!(
        file_error.starts_with("row 5 has 14 fields where the header has 12"),
        "{report}"
    );
    // A quote polars cannot follow is named the same way, with its column.
    let mut text = String::from(CSV_HEADER);
    text.push_str("A1,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,2024-04-01,满意\n");
    text.push_str("A2,\"2024-03-05\" ,来信,330199001001,土地征收,1,否,否,否,已办结,,满意\n");
    let res = upload(&app, "quoted.csv", text.as_bytes(), &[]).await;
    let problem = expect_problem(res, 422, Some("file")).await;
    let body = problem.to_string();
    assert!(
        body.contains("row 3, column 登记日期: text after a field's closing quote"),
        "{body}"
    );
    assert!(!body.contains("infer_schema_length"), "{body}");
}

/// Text cells that a spreadsheet program would run, in the columns a reject shows.
const FORMULAS: [&str; 4] = [
    "=HYPERLINK(\"http://evil/\",\"点此\")",
    "+1+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
];

/// Parses one CSV line of the simple kind written here: fields, unquoted.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// No field of the CSV begins as a formula (a plain number such as -3 is no formula); the neutralised ones
/// keep their text after the quote.
fn assert_neutralised(csv: &str) {
    let plain_number = |f: &str| f.chars().all(|c| c.is_ascii_digit() || ".eE+-".contains(c));
    for line in csv.lines().skip(1) {
        for field in csv_fields(line) {
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']) || plain_number(&field),
                "{field:?} in {line}"
            );
        }
    }
    assert!(
        csv.lines()
            .any(|l| csv_fields(l).contains(&"-3".to_owned())),
        "a negative headcount is shown as the file had it: {csv}"
    );
    for formula in FORMULAS {
        let written = format!("'{formula}");
        assert!(
            csv.lines().any(|l| csv_fields(l).contains(&written)),
            "{written} in {csv}"
        );
    }
}

fn injected_file() -> String {
    let mut text = String::from(CSV_HEADER);
    text.push_str("B1,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,,满意\n"); // row 2: good
    text.push_str(&format!(
        "B2,2024-03-05,来信,330199001001,\"{}\",1,否,否,否,已办结,,满意\n", // row 3: the category
        FORMULAS[0].replace('"', "\"\"")
    ));
    text.push_str(&format!(
        "B3,2024-03-05,{},330199001001,土地征收,1,否,否,否,已办结,,{}\n", // row 4: channel, satisfaction
        FORMULAS[1], FORMULAS[2]
    ));
    text.push_str(&format!(
        "B4,2024-03-05,来信,330199001001,土地征收,{},否,否,否,已办结,,满意\n", // row 5: headcount
        FORMULAS[3]
    ));
    text.push_str("=1+2,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,,满意\n"); // row 6: the id
    text.push_str("@B6,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,,满意\n"); // row 7: the id
    text.push_str("B8,2024-03-05,来信,330199001001,土地征收,-3,否,否,否,已办结,,满意\n"); // row 8: a number
    text
}

#[tokio::test]
async fn the_rejects_download_neutralises_formulas_and_is_an_attachment() {
    let app = spawn_app().await;
    let res = upload(
        &app,
        "injected.csv",
        injected_file().as_bytes(),
        &[("skip_invalid", "true")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (report["valid"].as_u64(), report["rejected"].as_u64()),
        (Some(1), Some(6))
    );
    // A source id beginning as a formula is refused, naming its row and column.
    for row in [6, 7] {
        let error = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["row"] == row)
            .unwrap_or_else(|| panic!("row {row} in {report}"));
        assert_eq!(error["column"], "信访编号");
        assert!(
            error["reason"].as_str().unwrap().contains("formula"),
            "{error}"
        );
    }
    let rejects = app.get(report["rejects_url"].as_str().unwrap()).await;
    assert_eq!(rejects.status(), 200);
    let disposition = header(&rejects, "content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"petition-import-")
            && disposition.ends_with("-rejects.csv\""),
        "{disposition}"
    );
    assert!(header(&rejects, "content-type").starts_with("text/csv"));
    let csv = rejects.text().await.unwrap();
    assert_neutralised(&csv);
    assert!(
        csv.contains("\"'=1+2\"") || csv.contains(",'=1+2,") || csv.contains("\n6,'=1+2,"),
        "{csv}"
    );
}

#[tokio::test]
async fn the_command_line_writes_its_rejects_file_neutralised() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("injected.csv");
    std::fs::write(&path, injected_file()).unwrap();
    let out = cli(
        &app,
        &[
            "petitions",
            "import",
            path.to_str().unwrap(),
            "--skip-invalid",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("injected.rejects.csv")).unwrap();
    assert_neutralised(&csv);
}

/// Rates the land requisition's expert factors and assesses it; the assessment's id.
async fn assessed(app: &TestApp, title: &str) -> String {
    let (decision, _) = app.create_decision(&land_requisition(title)).await;
    let id = decision["id"].as_str().unwrap();
    let sheet = json!({
        "public_interest_approval": {"probability": 2, "impact": 3},
        "requisition_procedure": {"probability": 3, "impact": 3},
        "resettlement_social_security": {"probability": 3, "impact": 4},
        "collective_distribution": {"probability": 2, "impact": 3},
        "villager_participation": {"probability": 2, "impact": 2},
        "emergency_readiness": {"probability": 3, "impact": 3},
    });
    let res = app
        .put_rating(&format!("/api/v1/decisions/{id}/ratings/张教授"), &sheet)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
        .await;
    assert_eq!(res.status(), 201);
    let assessment: Value = res.json().await.unwrap();
    assessment["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_factor_table_csv_neutralises_text_from_model_files() {
    let models = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(MODELS_DIR).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = text.replace(
            "zh = \"被征地农民安置与社会保障\"",
            "zh = \"=HYPERLINK(\\\"http://evil/\\\")\"",
        );
        std::fs::write(models.path().join(entry.file_name()), text).unwrap();
    }
    let dir = models.path().to_path_buf();
    let app = spawn_app_with(|s| s.models_dir = Some(dir)).await;
    let id = assessed(&app, "公式").await;
    let res = app
        .get(&format!("/api/v1/assessments/{id}/report.csv"))
        .await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("resettlement_social_security,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert_eq!(csv_fields(row)[1], "'=HYPERLINK(\"http://evil/\")", "{row}");
}

/// A decision body with `field` replaced by raw JSON text.
fn decision_with(field: &str, raw: &str) -> String {
    let mut body = land_requisition("漏洞");
    body.as_object_mut().unwrap().remove(field);
    let text = body.to_string();
    format!("{{\"{field}\":{raw},{}", &text[1..])
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: String,
) -> reqwest::Response {
    app.request(Method::POST, path)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn json_bodies_are_read_as_the_schema_documents_them() {
    let app = spawn_app().await;
    let decisions = "/api/v1/decisions";
    let json_type = "application/json";
    for (body, field) in [
        // No struct is read positionally from an array, however deep.
        (decision_with("affected", "[]"), "affected"),
        (decision_with("affected", "[412, 1530, 0]"), "affected"),
        // A null is no value: a required field given null is named like a missing one.
        (decision_with("kind", "null"), "kind"),
        (decision_with("title", "null"), "title"),
        (decision_with("regions", "null"), "regions"),
        (
            decision_with("affected", "{\"workers\": null}"),
            "affected.workers",
        ),
        // Integers stay within the format the OpenAPI document gives them (int32 here).
        (
            decision_with("affected", "{\"workers\": 2147483648}"),
            "affected.workers",
        ),
        (
            decision_with("affected", "{\"people\": 4294967295}"),
            "affected.people",
        ),
        // A key given twice is refused, not silently the last one.
        (decision_with("title", "\"一\", \"title\": \"二\""), "title"),
    ] {
        let res = post_raw(&app, decisions, json_type, body.clone()).await;
        let problem = expect_problem(res, 422, Some(field)).await;
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{body}");
    }
    let res = post_raw(
        &app,
        decisions,
        json_type,
        decision_with("affected", "{\"workers\": 2147483647}"),
    )
    .await;
    assert_eq!(res.status(), 201, "the largest int32 is accepted");
    let (created, etag) = app.create_decision(&land_requisition("改")).await;
    let path = format!("{decisions}/{}", created["id"].as_str().unwrap());
    let res = app
        .patch_json(&path, Some(&etag), &json!({"affected": [1, 2, 3]}))
        .await;
    expect_problem(res, 422, Some("affected")).await;
    // A rating sheet's ratings are objects too.
    let res = app
        .put_rating(
            &format!("{path}/ratings/王工"),
            &json!({"requisition_procedure": [3, 3]}),
        )
        .await;
    expect_problem(res, 422, Some("requisition_procedure")).await;
    // JSON is UTF-8: a body declared in another charset is refused, not misread.
    let body = land_requisition("字符集").to_string();
    for charset in ["latin1", "iso-8859-1", "gbk", "utf-16"] {
        let content_type = format!("application/json; charset={charset}");
        let res = post_raw(&app, decisions, &content_type, body.clone()).await;
        expect_problem(res, 415, None).await;
    }
    let res = post_raw(&app, decisions, "application/json; charset=UTF-8", body).await;
    assert_eq!(res.status(), 201);
    let res = app
        .request(Method::POST, "/api/v1/methods/ahp")
        .header("content-type", "application/json; charset=latin1")
        .body(r#"{"matrix": [[1, 3], ["1/3", 1]]}"#)
        .send()
        .await
        .unwrap();
    expect_problem(res, 415, None).await;
}

#[tokio::test]
async fn a_simulation_seed_is_an_int64_as_documented() {
    let app = spawn_app().await;
    let id = assessed(&app, "种子").await;
    let path = format!("/api/v1/assessments/{id}/simulation");
    let res = post_raw(
        &app,
        &path,
        "application/json",
        r#"{"seed": 9223372036854775808, "draws": 100}"#.into(),
    )
    .await;
    let problem = expect_problem(res, 422, Some("seed")).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("9223372036854775807")
    );
    let res = app
        .post_json(
            &path,
            &json!({"seed": 9_223_372_036_854_775_807_u64, "draws": 100}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app.post_json(&path, &json!({"draws": [100]})).await;
    expect_problem(res, 422, Some("draws")).await;
    // The document says what is accepted.
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["SimulationBody"]["properties"]["seed"]["format"],
        "int64"
    );
    assert_eq!(
        schemas["SimulationBody"]["properties"]["draws"]["maximum"],
        1_000_000.0
    );
    for field in ["households", "people", "workers"] {
        let documented = &schemas["Affected"]["properties"][field];
        assert_eq!(
            (&documented["format"], &documented["minimum"]),
            (&json!("int32"), &json!(0)),
            "{field}"
        );
    }
}

#[tokio::test]
async fn attribute_values_are_documented_as_numbers_or_yes_no() {
    // An attribute is a number or a yes/no, on a decision and in a scenario's overrides; schemathesis held a
    // stored scenario's `{"compensation_ratio": 0.74}` against a document that said each value is an object.
    let app = spawn_app().await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("ScenarioFields", "overrides"),
        ("DecisionFields", "attributes"),
    ] {
        let mut value = &schemas[schema]["properties"][field]["additionalProperties"];
        if let Some(name) = value["$ref"].as_str() {
            value = &schemas[name.trim_start_matches("#/components/schemas/")];
        }
        let mut types: Vec<&str> = value["oneOf"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}.{field}: {value}"))
            .iter()
            .map(|alternative| alternative["type"].as_str().unwrap())
            .collect();
        types.sort_unstable();
        assert_eq!(types, ["boolean", "number"], "{schema}.{field}: {value}");
    }
}
