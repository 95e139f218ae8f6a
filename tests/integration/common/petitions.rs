//! Helpers of the petition tests: a hand-built multipart upload, the CLI, and an independent count of the
//! raw sample file (decoded with encoding_rs and tallied by hand, sharing no code with the importer).

use std::path::{Path, PathBuf};
use std::process::Output;

use reqwest::{Method, Response};

use super::TestApp;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// POSTs `bytes` as the `file` field of a multipart form, with extra text fields.
pub async fn upload(
    app: &TestApp,
    file_name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Response {
    upload_as(app, &app.client, file_name, bytes, fields).await
}

/// [`upload`] as the user whose client this is.
pub async fn upload_as(
    app: &TestApp,
    client: &reqwest::Client,
    file_name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Response {
    let (content_type, body) = multipart_body(file_name, bytes, fields);
    app.request_with(client, Method::POST, "/api/v1/petitions/imports")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A multipart form with `bytes` as its `file` field and extra text fields: (content type, body).
pub fn multipart_body(file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "wenping-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Runs the wenping binary against the test's database.
pub fn cli(app: &TestApp, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_wenping"))
        .args(args)
        .env("WENPING_DATABASE_URL", &app.database_url)
        .env(
            "WENPING_MODELS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/models"),
        )
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// `wenping petitions generate --out DIR/NAME ARGS…`, and the file it wrote.
pub fn generated(dir: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    let out = dir.join(name);
    let mut all = vec!["petitions", "generate", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let res = cli_without_db(&all);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    std::fs::read(out).unwrap()
}

pub fn cli_without_db(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_wenping"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// One raw sample row, as the test reads it.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub month: u32,
    pub region: String,
    pub category: String,
    pub headcount: i64,
    pub collective: bool,
    pub repeated: bool,
    pub escalated: bool,
    pub dissatisfied: bool,
}

fn yes(s: &str) -> bool {
    matches!(s, "是" | "Y" | "1")
}

/// yyyymm of the five spellings, by digits alone.
fn month_of(date: &str) -> u32 {
    let digits: Vec<u32> = date
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect();
    if digits.len() == 1 {
        digits[0] / 100
    } else {
        digits[0] * 100 + digits[1]
    }
}

pub fn sample_rows() -> Vec<RawRow> {
    let bytes = std::fs::read(fixture("petitions-sample-gbk.csv")).unwrap();
    let (text, _, errors) = encoding_rs::GBK.decode(&bytes);
    assert!(!errors);
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            RawRow {
                month: month_of(c[1]),
                region: c[3].to_owned(),
                category: match c[4] {
                    "征地拆迁" | "土地征收" | "房屋拆迁" => {
                        "land_requisition_demolition"
                    }
                    "劳动社保" | "拖欠工资" | "企业改制" => "labour_social_security",
                    "农村农业" => "rural_affairs",
                    other => other,
                }
                .to_owned(),
                headcount: c[5].parse().unwrap(),
                collective: yes(c[6]),
                repeated: yes(c[7]),
                escalated: yes(c[8]),
                dissatisfied: c[11] == "不满意",
            }
        })
        .collect()
}
