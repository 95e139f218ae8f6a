//! Helpers of the petition tests: a hand-built multipart upload, the statistics of the generated county, import
//! status polling, petition files written for the standard decision's township, and an independent count of the
//! raw sample file (decoded with encoding_rs and tallied by hand, sharing no code with the importer).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate};
use reqwest::{Client, Response};
use serde_json::Value;

use super::cli::{Served, serve_with, wenping_on};
use super::{TestApp, header};

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
    client: &Client,
    file_name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Response {
    upload_to(client, &app.base, file_name, bytes, fields).await
}

/// [`upload`] to the server at `base` (a `wenping serve` of the test's own).
pub async fn upload_to(
    client: &Client,
    base: &str,
    file_name: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Response {
    let (content_type, body) = multipart_body(file_name, bytes, fields);
    client
        .post(format!("{base}/api/v1/petitions/imports"))
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

/// The statistics query of the county `wenping petitions generate` writes (330299), over the years it spans: the
/// three years up to today (its default end), and more.
pub fn county_window() -> String {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    format!(
        "regions=330299&from={}-01&to={}-{:02}",
        today.year() - 4,
        today.year(),
        today.month()
    )
}

/// (petitions, headcount) of the generated county, as the statistics of the server at `base` give them.
pub async fn county_totals(client: &Client, base: &str) -> (u64, u64) {
    let res = client
        .get(format!("{base}/api/v1/petitions/stats?{}", county_window()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let totals = &body["totals"];
    (
        totals["petitions"].as_u64().unwrap(),
        totals["headcount"].as_u64().unwrap(),
    )
}

/// Petitions of the generated county on the test server.
pub async fn county_petitions(app: &TestApp) -> u64 {
    county_totals(&app.client, &app.base).await.0
}

/// Polls an import's status (`location`, on the server at `base`) until it is neither queued nor running.
pub async fn settled(client: &Client, base: &str, location: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let res = client
            .get(format!("{base}{location}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        let status = body["status"].as_str().unwrap().to_owned();
        assert!(
            ["queued", "running", "succeeded", "failed"].contains(&status.as_str()),
            "{body}"
        );
        if status == "succeeded" || status == "failed" {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "the import did not finish within {within:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A `wenping serve` on the database that imports every upload over 1000 bytes in the background, holding a
/// job under a lease of `lease_seconds`: a killed instance's job is taken over that soon.
pub async fn background_importer(database_url: &str, lease_seconds: u64) -> Served {
    let mut command = wenping_on(database_url);
    command
        .env("WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES", "1000")
        .env(
            "WENPING_PETITIONS_JOB_STALLED_AFTER_SECONDS",
            lease_seconds.to_string(),
        )
        .stderr(std::process::Stdio::null());
    serve_with(command).await
}

/// Uploads a file that the server at `base` imports in the background (202, queued); returns its status path.
pub async fn queued(client: &Client, base: &str, file_name: &str, bytes: &[u8]) -> String {
    let res = upload_to(client, base, file_name, bytes, &[]).await;
    assert_eq!(res.status(), 202, "{file_name}");
    let location = header(&res, "location");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "queued", "{body}");
    let id = body["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/petitions/imports/{id}"));
    location
}

/// An import's status (`location`), as the server at `base` gives it.
pub async fn import_status(client: &Client, base: &str, location: &str) -> Value {
    let res = client
        .get(format!("{base}{location}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Polls a queued import until an instance runs it, and returns that instance's process id (the import's
/// `worker` is host:pid); fails when the import ends first.
pub async fn running_on(client: &Client, base: &str, location: &str, within: Duration) -> u32 {
    let deadline = Instant::now() + within;
    loop {
        let now = import_status(client, base, location).await;
        if now["status"] == "running" {
            let worker = now["worker"].as_str().unwrap_or_else(|| panic!("{now}"));
            let (_, pid) = worker.rsplit_once(':').unwrap_or_else(|| panic!("{now}"));
            return pid.parse().unwrap_or_else(|_| panic!("{now}"));
        }
        assert_eq!(
            now["status"], "queued",
            "the import ended before it could be cut off: {now}"
        );
        assert!(Instant::now() < deadline, "never started: {now}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How many times the audit log of the server at `base` says the import at `location` committed.
pub async fn commits_of(client: &Client, base: &str, location: &str) -> usize {
    let id = location.rsplit('/').next().unwrap();
    let res = client
        .get(format!(
            "{base}/api/v1/audit?entity=petition_import&id={id}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert!(items.iter().all(|e| e["entity_id"] == id), "{body}");
    items.iter().filter(|e| e["action"] == "create").count()
}

/// The first day of the month `back` months before this one (0 is this month).
pub fn month_start(back: u32) -> NaiveDate {
    let this_month = chrono::Local::now().date_naive().with_day(1).unwrap();
    this_month.checked_sub_months(Months::new(back)).unwrap()
}

/// A petition file in the vocabulary's English column names, every petition in the township 330199001002 (a
/// region of [`super::land_requisition`]), numbered `PREFIX00001`, `PREFIX00002`, ….
pub struct TownshipPetitions {
    csv: String,
    prefix: &'static str,
    count: u32,
}

impl TownshipPetitions {
    pub fn new(prefix: &'static str) -> Self {
        TownshipPetitions {
            csv: String::from(
                "source_id,received_on,channel,region_code,category,headcount,collective,repeated,escalated,status\n",
            ),
            prefix,
            count: 0,
        }
    }

    /// One petition received on `day`; `rest` is what follows the category: the headcount, the three flags
    /// (collective, repeated, escalated) and the status.
    pub fn add(&mut self, day: NaiveDate, channel: &str, category: &str, rest: &str) {
        self.count += 1;
        let (prefix, n) = (self.prefix, self.count);
        self.csv.push_str(&format!(
            "{prefix}{n:05},{day},{channel},330199001002,{category},{rest}\n"
        ));
    }

    pub fn csv(self) -> String {
        self.csv
    }
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

/// The rows of the GBK sample file (`petitions-sample-gbk.csv`), read by hand.
pub fn gbk_sample_rows() -> Vec<RawRow> {
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
