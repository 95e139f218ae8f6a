//! Charted reports of stored assessments: HTML, CSV, JSON and charts, reproducible byte for byte,
//! in Chinese and English, from the API and the command line.

// The PDF report, read back with poppler.
mod pdf;
// Checklist, resolutions and overrides, appendices.
mod committee;
// The petition trend, stored with the assessment.
mod trend;

use crate::common::cli::cli;
use crate::common::panels::Ratings;
use crate::common::{TestApp, expect_problem, header, land_requisition, spawn_app};
use serde_json::{Value, json};

/// A rated, assessed land requisition; returns the assessment record.
pub(crate) async fn assessed(app: &TestApp, title: &str) -> Value {
    let mut body = land_requisition(title);
    body["regions"] = json!(["330199001"]);
    let (decision, _) = app.create_decision(&body).await;
    let id = decision["id"].as_str().unwrap();
    let panel: Ratings = [("王教授", 4), ("赵律师", 3), ("钱工程师", 4)]
        .into_iter()
        .map(|(expert, p)| {
            let sheet = [
                ("compensation_standard", (p, 4)),
                ("public_interest_approval", (2, 5)),
                ("resettlement_social_security", (3, 4)),
            ];
            (expert, sheet.into())
        })
        .collect();
    app.rate(id, &panel).await;
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{id}/checklist"),
            &json!({"items": [{"measure": "unified_standard", "owner_unit": "县自然资源局", "lead_person": "李科长", "due_date": "2027-06-30"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({"measures": ["unified_standard"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn bytes(app: &TestApp, path: &str) -> (reqwest::StatusCode, String, Vec<u8>) {
    let res = app.get(path).await;
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_html_report_follows_the_outline_and_is_reproducible() {
    let app = spawn_app().await;
    let record = assessed(&app, "城关镇东片区集体土地征收").await;
    let id = record["id"].as_str().unwrap();
    let path = format!("/api/v1/assessments/{id}/report.html");
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    let disposition = header(&res, "content-disposition");
    assert!(
        disposition.starts_with(&format!(
            "attachment; filename=\"wenping-report-{id}.html\""
        )),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''%E5%9F%8E%E5%85%B3%E9%95%87"),
        "{disposition}"
    );
    let html = res.text().await.unwrap();
    for heading in [
        "一、基本情况",
        "二、评估依据与方法",
        "三、调查情况",
        "四、分维度分析",
        "五、风险识别",
        "六、单因素风险估计",
        "七、风险防范化解措施",
        "八、措施前后风险等级",
        "九、评估结论与决策建议",
        "十、应急处置要点",
        "附录一",
        "附录三",
    ] {
        assert!(html.contains(heading), "missing {heading}");
    }
    for factor in record["result"]["factors"].as_array().unwrap() {
        assert!(
            html.contains(factor["name"]["zh"].as_str().unwrap()),
            "factor {}",
            factor["id"]
        );
    }
    let r = record["result"]["initial"]["r"].as_f64().unwrap();
    let residual = record["result"]["residual"]["r"].as_f64().unwrap();
    assert!(html.contains(&format!("{r:.4}")) && html.contains(&format!("{residual:.4}")));
    assert!(
        html.contains(record["content_hash"].as_str().unwrap()),
        "provenance names the content hash"
    );
    assert!(
        html.contains("<svg") && html.contains("@font-face"),
        "charts inline, font embedded"
    );
    for outside in ["<script", "<link", "src=\"http", "url(http"] {
        assert!(
            !html.contains(outside),
            "the report fetches nothing: found {outside}"
        );
    }
    let (_, _, again) = bytes(&app, &path).await;
    assert_eq!(again, html.as_bytes(), "same assessment, same bytes");

    let english = app
        .get(&format!("{path}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("1 Basic facts") && english.contains("9 Conclusion and recommendation")
    );
    expect_problem(app.get(&format!("{path}?lang=fr")).await, 400, Some("lang")).await;
    expect_problem(
        app.get(&format!("/api/v1/assessments/{id}/report.doc"))
            .await,
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn csv_and_json_hold_the_factor_table_exactly() {
    let app = spawn_app().await;
    let record = assessed(&app, "表格").await;
    let id = record["id"].as_str().unwrap();
    let factors = record["result"]["factors"].as_array().unwrap();

    let (status, content_type, csv) =
        bytes(&app, &format!("/api/v1/assessments/{id}/report.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let csv = String::from_utf8(csv).unwrap();
    let csv = csv
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheet programs");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), factors.len() + 1);
    let columns: Vec<&str> = lines[0].split(',').collect();
    let contribution = columns.iter().position(|c| *c == "contribution").unwrap();
    for (line, factor) in lines[1..].iter().zip(factors) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[0], factor["id"].as_str().unwrap());
        let value: f64 = cells[contribution].parse().unwrap();
        assert_eq!(
            value,
            factor["initial"]["contribution"].as_f64().unwrap(),
            "exact, not rounded"
        );
    }

    let (_, content_type, json) = bytes(
        &app,
        &format!("/api/v1/assessments/{id}/report.json?lang=en"),
    )
    .await;
    assert_eq!(content_type, "application/json");
    let table: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(table["r"], record["result"]["initial"]["r"]);
    assert_eq!(
        table["residual_level"],
        record["result"]["residual"]["level"]
    );
    assert_eq!(table["factors"][0]["name"], factors[0]["name"]["en"]);
}

#[tokio::test]
async fn charts_come_as_png_and_svg_with_chinese_labels() {
    let app = spawn_app().await;
    let record = assessed(&app, "图表").await;
    let id = record["id"].as_str().unwrap();
    for chart in [
        "radar",
        "contributions",
        "matrix",
        "tornado",
        "scenarios",
        "montecarlo",
    ] {
        let (status, content_type, png) = bytes(
            &app,
            &format!("/api/v1/assessments/{id}/charts/{chart}.png"),
        )
        .await;
        assert_eq!(
            (status.as_u16(), content_type.as_str()),
            (200, "image/png"),
            "{chart}"
        );
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (width, height) = (
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            u32::from_be_bytes(png[20..24].try_into().unwrap()),
        );
        assert_eq!((width, height), (960, 640));
        let (_, _, again) = bytes(
            &app,
            &format!("/api/v1/assessments/{id}/charts/{chart}.png"),
        )
        .await;
        assert_eq!(again, png, "{chart} is reproducible");

        let (status, content_type, svg) = bytes(
            &app,
            &format!("/api/v1/assessments/{id}/charts/{chart}.svg"),
        )
        .await;
        assert_eq!(
            (status.as_u16(), content_type.as_str()),
            (200, "image/svg+xml")
        );
        let svg = String::from_utf8(svg).unwrap();
        assert!(
            svg.contains("<svg") && svg.contains("wenping-sans"),
            "{chart}"
        );
        let english = app
            .get(&format!(
                "/api/v1/assessments/{id}/charts/{chart}.svg?lang=en"
            ))
            .await
            .text()
            .await
            .unwrap();
        assert_ne!(english, svg, "{chart} has English labels");
    }
    let radar = app
        .get(&format!("/api/v1/assessments/{id}/charts/radar.svg"))
        .await
        .text()
        .await
        .unwrap();
    assert!(radar.contains("各维度风险得分") && radar.contains("合法性"));
    expect_problem(
        app.get(&format!("/api/v1/assessments/{id}/charts/petitions.png"))
            .await,
        404,
        None,
    )
    .await;
    expect_problem(
        app.get(&format!("/api/v1/assessments/{id}/charts/pie.png"))
            .await,
        404,
        None,
    )
    .await;
    expect_problem(
        app.get(&format!("/api/v1/assessments/{id}/charts/radar.gif"))
            .await,
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn characters_outside_the_fonts_are_named_not_dropped() {
    let app = spawn_app().await;
    let record = assessed(&app, "𠀀村土地征收").await;
    let id = record["id"].as_str().unwrap();
    let html = app
        .get(&format!("/api/v1/assessments/{id}/report.html"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("𠀀村土地征收"), "the text itself is kept");
    assert!(
        html.contains("以下字符超出报告字体") && html.contains("：𠀀</p>"),
        "and the gap is named"
    );
}

#[tokio::test]
async fn the_command_line_writes_the_same_report() {
    let app = spawn_app().await;
    let record = assessed(&app, "命令行").await;
    let id = record["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "html", "pdf", "matrix.png"] {
        let out = dir.path().join(format!("report.{format}"));
        let args = [
            "report",
            id,
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ];
        let done = cli(&app, &args).await;
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        let path = match format.split_once('.') {
            Some((chart, ext)) => format!("/api/v1/assessments/{id}/charts/{chart}.{ext}"),
            None => format!("/api/v1/assessments/{id}/report.{format}"),
        };
        let (_, _, served) = bytes(&app, &path).await;
        assert_eq!(std::fs::read(&out).unwrap(), served, "{format}");
    }
}

#[tokio::test]
async fn the_docx_report_is_an_editable_word_document() {
    let app = spawn_app().await;
    let record = assessed(&app, "文档").await;
    let id = record["id"].as_str().unwrap();
    let path = format!("/api/v1/assessments/{id}/report.docx");
    let (status, content_type, docx) = bytes(&app, &path).await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(&docx[..2], b"PK", "a zip container");
    let (_, _, again) = bytes(&app, &path).await;
    assert_eq!(again, docx, "same assessment, same bytes");

    let document = unzip_entry(&docx, "word/document.xml");
    for text in ["一、基本情况", "九、评估结论与决策建议", "附录三", "文档"] {
        assert!(document.contains(text), "missing {text}");
    }
    for factor in record["result"]["factors"].as_array().unwrap() {
        assert!(
            document.contains(factor["name"]["zh"].as_str().unwrap()),
            "factor {}",
            factor["id"]
        );
    }
    assert!(document.contains("w:tbl"), "real tables");
    assert!(
        document.contains("w:pStyle w:val=\"Heading1\""),
        "real headings"
    );
    let styles = unzip_entry(&docx, "word/styles.xml");
    assert!(styles.contains("heading 1"));
    let images = (1..=6)
        .filter(|n| zip_has(&docx, &format!("word/media/rIdWenpingChart{n}.png")))
        .count();
    // radar, matrix, contributions, tornado, Monte Carlo; no petition data, one scenario.
    assert_eq!(images, 5, "five charts as images");
}

/// Reads one stored (uncompressed) entry of a zip file, as the DOCX writer stores them.
pub fn unzip_entry(zip: &[u8], name: &str) -> String {
    let mut at = 0;
    while at + 30 <= zip.len() && &zip[at..at + 4] == b"PK\x03\x04" {
        let method = u16::from_le_bytes([zip[at + 8], zip[at + 9]]);
        let size = u32::from_le_bytes(zip[at + 18..at + 22].try_into().unwrap()) as usize;
        let name_len = u16::from_le_bytes([zip[at + 26], zip[at + 27]]) as usize;
        let extra_len = u16::from_le_bytes([zip[at + 28], zip[at + 29]]) as usize;
        let entry = std::str::from_utf8(&zip[at + 30..at + 30 + name_len]).unwrap();
        let data = at + 30 + name_len + extra_len;
        if entry == name {
            assert_eq!(method, 0, "{name} is stored, not deflated");
            return String::from_utf8(zip[data..data + size].to_vec()).unwrap();
        }
        at = data + size;
    }
    panic!("{name} not in the zip");
}

fn zip_has(zip: &[u8], name: &str) -> bool {
    zip.windows(name.len()).any(|w| w == name.as_bytes())
}
