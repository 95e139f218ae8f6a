//! The ledgers townships keep today, imported and exported: an XLSX ledger (a title row, header variants, a
//! date-time cell, numbers as numbers) and a GBK CSV written to disk and uploaded, each with broken rows —
//! refused all or nothing with every row and column named, imported without them when told to skip, and
//! imported twice adding nothing — then the ledger exported as CSV and XLSX in Chinese words with the residents
//! masked, and the command line importing as the operator.

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use reqwest::{Client, Method, Response};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use wenping::domain::account::Role;

use crate::common::cli::{output, wenping_on};
use crate::common::petitions::multipart_body;
use crate::common::{
    TEST_RESIDENT_KEY, TestApp, expect_problem, header, json_of, land_requisition, spawn_app,
};
use crate::concerns::step_ok;

/// Uploads the file at `path` to the ledger import as `client`.
async fn import(app: &TestApp, client: &Client, path: &Path, skip_invalid: bool) -> Response {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let (content_type, body) = multipart_body(name, &bytes, &[]);
    app.request_with(
        client,
        Method::POST,
        &format!("/api/v1/concerns/imports?skip_invalid={skip_invalid}"),
    )
    .header("content-type", content_type)
    .body(body)
    .send()
    .await
    .unwrap()
}

/// The concerns `client` finds with query `q` (a number), or all of them.
async fn ledger(app: &TestApp, client: &Client, q: &str) -> Value {
    let res = app
        .request_with(client, Method::GET, &format!("/api/v1/concerns?q={q}"))
        .send()
        .await
        .unwrap();
    json_of(res, 200).await
}

/// (row, field) of each error of a refusal's problem document, the file's verdict aside.
fn named_cells(problem: &Value) -> BTreeSet<(u64, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] != "file")
        .map(|e| {
            let field = e["field"].as_str().unwrap();
            let (row, column) = field
                .strip_prefix("row ")
                .and_then(|f| f.split_once(", column "))
                .unwrap_or_else(|| panic!("{field} is not named by row and column"));
            (row.parse().unwrap(), column.to_owned())
        })
        .collect()
}

/// (row, field) of each error of a report.
fn reported_cells(report: &Value) -> BTreeSet<(u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn cells(expected: &[(u64, &str)]) -> BTreeSet<(u64, String)> {
    expected
        .iter()
        .map(|(r, f)| (*r, (*f).to_owned()))
        .collect()
}

/// A township's workbook: a merged title row over the header, header variants, 反映时间 as date-time cells,
/// division codes and phones as numbers, a note column and a note under the table.
fn xlsx_ledger(decision: &str) -> Vec<u8> {
    let headers = [
        "编号",
        "渠道",
        "反映时间",
        "区划代码",
        "问题分类",
        "诉求内容",
        "姓名",
        "手机",
        "关联决策",
        "责任单位",
        "责任人",
        "办结时限",
        "状态",
        "答复内容",
        "答复时间",
        "满意度",
        "采纳措施",
        "销号日期",
        "备注",
    ];
    let complete = |number: &'static str| {
        vec![
            (0, number),
            (1, "走访"),
            (2, "2025-03-05 09:30:00"),
            (3, "330199001002"),
            (4, "补偿款"),
            (5, "青苗补偿标准比邻村低"),
        ]
    };
    let mut rows: Vec<Vec<(u16, &str)>> = vec![
        // Row 3: registered, the resident named, about the decision.
        [
            complete("TL-001"),
            vec![(6, "王秀英"), (7, "13912345678"), (8, decision)],
        ]
        .concat(),
        // Row 4: the whole loop, closed, anonymous.
        vec![
            (0, "TL-002"),
            (1, "12345热线"),
            (2, "2025-03-06 14:00:00"),
            (3, "330199001002"),
            (4, "安置"),
            (5, "过渡安置费迟迟未发"),
            (9, "城关镇社会事务办"),
            (10, "张建国"),
            (11, "2025-03-13"),
            (12, "已办结"),
            (13, "已于3月10日补发"),
            (14, "2025-03-10"),
            (15, "基本满意"),
            (17, "2025-03-12"),
        ],
        // Row 5: assigned to an office account, which takes it on after the import.
        vec![
            (0, "TL-003"),
            (1, "来访"),
            (2, "2025-03-07 08:00:00"),
            (3, "330199001002"),
            (4, "施工扰民"),
            (5, "夜间施工噪声"),
            (6, "李四"),
            (9, "城关镇城建办"),
            (10, "liu.fang"),
            (11, "2025-03-14"),
            (12, "已派单"),
        ],
        // Row 6: answered, a measure of the decision's plan adopted.
        vec![
            (0, "TL-004"),
            (1, "座谈会"),
            (2, "2025-03-08 10:00:00"),
            (3, "330199001002"),
            (4, "征地补偿"),
            (5, "补偿标准未公开"),
            (8, decision),
            (9, "城关镇农业农村办"),
            (10, "王科长"),
            (12, "已答复"),
            (13, "已公开测算依据"),
            (14, "2025-03-11"),
            (16, "unified_standard"),
        ],
    ];
    // Rows 7 to 12, each broken in its own way.
    let mut broken = |number: &'static str, change: Vec<(u16, &'static str)>| {
        let mut row = complete(number);
        for (col, value) in change {
            row.retain(|(c, _)| *c != col);
            row.push((col, value));
        }
        rows.push(row);
    };
    broken("TL-005", vec![(2, "2025-02-30 09:00")]);
    broken("TL-006", vec![(4, "天气")]);
    broken("TL-007", vec![(3, "330299001001")]);
    broken(
        "TL-008",
        vec![(9, "城关镇城建办"), (10, "赵六"), (12, "已答复")],
    );
    broken("TL-009", vec![(8, "00000000-0000-4000-8000-000000000009")]);
    broken("TL-001", vec![]);

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let title = Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 5, "城关镇民情台账（2025年3月）", &title)
        .unwrap();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        for &(c, value) in row {
            match c {
                2 => match chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S") {
                    Ok(_) => {
                        let t = ExcelDateTime::parse_from_str(value).unwrap();
                        sheet.write_datetime_with_format(r, c, &t, &when)
                    }
                    // A day that does not exist stays the text the township typed.
                    Err(_) => sheet.write_string(r, c, value),
                },
                3 | 7 => sheet.write_number(r, c, value.parse::<f64>().unwrap()),
                _ => sheet.write_string(r, c, value),
            }
            .unwrap();
        }
    }
    sheet
        .write_string(rows.len() as u32 + 3, 18, "以上由城关镇综治中心登记")
        .unwrap();
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_ledger_imports_all_or_nothing_or_skipping_and_twice_adds_nothing() {
    let app = spawn_app().await;
    let keeper = app
        .client_for("ledger.keeper", &[Role::Planner], &["3301"])
        .await;
    let office = app.client_for("liu.fang", &[Role::Office], &["3301"]).await;
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let decision_id = decision["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("城关镇民情台账.xlsx");
    std::fs::write(&path, xlsx_ledger(decision_id)).unwrap();
    let broken = cells(&[
        (7, "received_at"),
        (8, "topic"),
        (9, "region_code"),
        (10, "answer"),
        (10, "answered_on"),
        (11, "decision_id"),
        (12, "number"),
    ]);

    // All or nothing: refused, every broken cell named by its row and column, nothing stored.
    let problem =
        expect_problem(import(&app, &keeper, &path, false).await, 422, Some("file")).await;
    assert_eq!(named_cells(&problem), broken, "{problem}");
    let text = problem.to_string();
    for expected in [
        "6 of 10 rows are invalid",
        "“反映时间” '2025-02-30 09:00': no such day",
        "“问题分类” '天气'",
        "outside your region scope",
        "required for a concern that is 已答复 (answered)",
        "row 3 has this number too",
    ] {
        assert!(text.contains(expected), "{expected}: {problem}");
    }
    assert_eq!(ledger(&app, &keeper, "").await["total"], 0);

    // Skipping the invalid rows: the four valid ones land, the six others are reported.
    let report = json_of(import(&app, &keeper, &path, true).await, 201).await;
    assert_eq!(
        (
            &report["rows"],
            &report["imported"],
            &report["already_present"],
            &report["rejected_rows"]
        ),
        (&json!(10), &json!(4), &json!(0), &json!(6)),
        "{report}"
    );
    assert_eq!(reported_cells(&report), broken);
    assert_eq!(report["ignored_columns"], json!(["备注"]));
    assert_eq!(report["format"], "xlsx");

    // The same file again adds nothing.
    let again = json_of(import(&app, &keeper, &path, true).await, 201).await;
    assert_eq!(
        (&again["imported"], &again["already_present"]),
        (&json!(0), &json!(4)),
        "{again}"
    );
    assert_eq!(ledger(&app, &keeper, "").await["total"], 4);

    let first = &ledger(&app, &keeper, "TL-001").await["items"][0];
    assert_eq!(first["state"], "registered");
    assert_eq!(
        first["received_at"], "2025-03-05T01:30:00Z",
        "09:30 in the township is 01:30 UTC"
    );
    assert_eq!(first["region"], "330199001002");
    assert_eq!(first["topic"], "compensation");
    assert_eq!(first["channel"], "visit");
    assert_eq!(first["resident"]["name"], "王秀英");
    assert_eq!(first["resident"]["phone"], "13912345678");
    assert_eq!(first["decisions"], json!([decision_id]));

    let closed = &ledger(&app, &keeper, "TL-002").await["items"][0];
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["channel"], "hotline");
    assert_eq!(closed["satisfaction"], "basically_satisfied");
    assert_eq!(closed["answer"], "已于3月10日补发");
    assert_eq!(closed["due_on"], "2025-03-13");
    assert_eq!(
        closed["closed_at"], "2025-03-12T04:00:00Z",
        "a bare day is its noon"
    );
    assert_eq!(closed["resident"], Value::Null, "anonymous");
    assert_eq!(closed["allowed"], json!(["reopen"]));

    let answered = &ledger(&app, &keeper, "TL-004").await["items"][0];
    assert_eq!(answered["state"], "answered");
    assert_eq!(answered["adopted_measure"], "unified_standard");

    // The open assignment is its handler's to take on, as if it had been assigned here.
    let assigned = &ledger(&app, &keeper, "TL-003").await["items"][0];
    assert_eq!(assigned["state"], "assigned");
    let id = assigned["id"].as_str().unwrap();
    let accepted = step_ok(&app, &office, id, json!({"action": "accept"})).await;
    assert_eq!(accepted["state"], "accepted");

    // The import is the keeper's: a reviewer may read the ledger but not import one.
    let reviewer = app
        .client_for("shen.he", &[Role::Reviewer], &["3301"])
        .await;
    expect_problem(import(&app, &reviewer, &path, true).await, 403, None).await;
}

/// A ledger as GBK text under the vocabulary's first headers, with a resident, a content that would be a
/// formula, and three broken rows.
const GBK_LEDGER: &str = "\
台账编号,来源,登记时间,所属村（社区）代码,类别,反映内容,反映人,联系电话,办理状态,承办单位,承办人,答复内容,答复日期,群众满意度,销号日期,复号原因
MQ-101,民情联系卡,2025/4/1 8:30,330199001002,补偿标准,征地补偿款分配不公,赵六,13812345678,销号,镇农业农村办,刘芳,已重新核算,2025/4/5,满意,2025/4/6,
MQ-102,网上留言,2025年4月2日,330199001001,环境,=1+2 砂石场粉尘,,,登记,,,,,,,
MQ-103,微信,2025-04-02,330199001001,环境,砂石场夜间运输,,,登记,,,,,,,
MQ-104,走访,2025-04-03,330199001002,就业,失地农民社保未落实,,,已回访,镇社保所,周敏,已办理参保,2025-04-08,,,
MQ-105,走访,2025-04-04 10:00,330199001002,安置,安置房漏水,,,复号,镇城建办,吴刚,已维修,2025-04-09,,,
";

/// The data lines of an export by number, each split into its cells (the test's values hold no commas).
fn export_rows(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn a_gbk_csv_ledger_imports_and_the_export_reads_back_in_chinese_with_residents_masked() {
    let app = spawn_app().await;
    let keeper = app
        .client_for("ledger.keeper", &[Role::Planner], &["3301"])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("民情台账.csv");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(GBK_LEDGER);
    assert!(!unmappable);
    std::fs::write(&path, &gbk).unwrap();

    let problem =
        expect_problem(import(&app, &keeper, &path, false).await, 422, Some("file")).await;
    assert_eq!(
        named_cells(&problem),
        cells(&[(4, "channel"), (5, "satisfaction"), (6, "reason")]),
        "{problem}"
    );
    assert!(problem.to_string().contains("“来源” '微信'"), "{problem}");
    assert_eq!(ledger(&app, &keeper, "").await["total"], 0);

    let report = json_of(import(&app, &keeper, &path, true).await, 201).await;
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["encoding"], "gb18030");

    // The keeper (a planner) sees residents in the list, but an export masks them whoever asks.
    let res = app
        .request_with(&keeper, Method::GET, "/api/v1/concerns/export.csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/csv"));
    assert!(header(&res, "content-disposition").contains("concerns.csv"));
    let bytes = res.bytes().await.unwrap();
    let csv =
        std::str::from_utf8(bytes.strip_prefix("\u{feff}".as_bytes()).expect("a BOM")).unwrap();
    assert!(
        !csv.contains("赵六") && !csv.contains("13812345678"),
        "{csv}"
    );
    let (headers, rows) = export_rows(csv);
    assert_eq!(
        headers[..6],
        [
            "台账编号",
            "来源",
            "登记时间",
            "所属村（社区）代码",
            "问题类别",
            "反映内容"
        ]
    );
    let cell = |row: &[String], name: &str| {
        let k = headers.iter().position(|h| h == name).unwrap();
        row[k].clone()
    };
    let by_number = |number: &str| {
        rows.iter()
            .find(|r| r[0] == number)
            .unwrap_or_else(|| panic!("{number} in {csv}"))
            .clone()
    };
    let closed = by_number("MQ-101");
    for (name, word) in [
        ("来源", "民情联系卡"),
        ("登记时间", "2025-04-01 08:30"),
        ("问题类别", "补偿标准"),
        ("反映人", "赵*"),
        ("联系电话", "138****5678"),
        ("办理状态", "已销号"),
        ("群众满意度", "满意"),
        ("答复日期", "2025-04-05"),
        ("销号日期", "2025-04-06"),
    ] {
        assert_eq!(cell(&closed, name), word, "{name}");
    }
    let formula = by_number("MQ-102");
    assert_eq!(
        cell(&formula, "反映内容"),
        "'=1+2 砂石场粉尘",
        "run by no spreadsheet"
    );
    assert_eq!(cell(&formula, "来源"), "网上");
    assert_eq!(cell(&formula, "办理状态"), "已登记");
    assert_eq!(cell(&formula, "问题类别"), "环境");

    // The export takes the list's filter.
    let res = app
        .request_with(
            &keeper,
            Method::GET,
            "/api/v1/concerns/export.csv?state=closed",
        )
        .send()
        .await
        .unwrap();
    let only_closed = res.text().await.unwrap();
    assert_eq!(export_rows(&only_closed).1.len(), 1, "{only_closed}");
    let res = app
        .request_with(
            &keeper,
            Method::GET,
            "/api/v1/concerns/export.csv?state=shut",
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, 400, Some("state")).await;

    // The workbook holds the same words, the resident masked.
    let res = app
        .request_with(&keeper, Method::GET, "/api/v1/concerns/export.xlsx")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("民情台账").unwrap();
    let grid: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(grid[0][..3], ["台账编号", "来源", "登记时间"]);
    let closed = grid.iter().find(|r| r[0] == "MQ-101").unwrap();
    assert!(closed.contains(&"赵*".to_owned()), "{closed:?}");
    assert!(closed.contains(&"已销号".to_owned()), "{closed:?}");
    assert!(!grid.iter().flatten().any(|c| c.contains("赵六")));
}

#[tokio::test]
async fn the_command_line_imports_a_ledger_as_the_operator() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.csv");
    std::fs::write(
        &path,
        "台账编号,渠道,登记时间,区划代码,类别,反映内容\n\
         CLI-1,走访,2025-05-06 09:00,110101001001,环境,扬尘\n\
         CLI-2,走访,2025-05-06 09:00,110101001001,天气,下雨\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let run = |args: Vec<&str>| {
        let mut command = wenping_on(&app.database_url);
        command
            .env("WENPING_RESIDENT_KEY", TEST_RESIDENT_KEY)
            .args(["concerns", "import"])
            .args(args);
        command
    };
    let refused = output(&mut run(vec![file])).await;
    let printed = String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success(), "{printed}");
    assert!(
        printed.contains("row 3, column topic: “类别” '天气'"),
        "{printed}"
    );
    assert_eq!(ledger(&app, &app.client, "").await["total"], 0);

    let done = output(&mut run(vec![file, "--skip-invalid"])).await;
    let printed = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{printed}");
    assert!(
        printed.contains("2 rows: 1 imported, 0 already in the ledger, 1 rejected"),
        "{printed}"
    );
    // The operator has no region scope: a Beijing ledger imports.
    let stored = ledger(&app, &app.client, "CLI-1").await;
    assert_eq!(stored["items"][0]["created_by"], "cli");
}
