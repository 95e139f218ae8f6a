//! Petition imports over HTTP: the GBK sample imports whole and its statistics equal a hand count of the raw
//! file; bad files are refused with a complete row report and leave the data unchanged; re-imports change
//! nothing; skip-invalid returns the rejects; statistics stay inside the caller's scope.

use crate::common::cli::cli;
use crate::common::petitions::{fixture, gbk_sample_rows, upload};
use crate::common::{TestApp, expect_problem, spawn_app};
use serde_json::Value;
use wenping::domain::account::Role;

async fn import_sample(app: &TestApp) -> Value {
    let out = cli(
        app,
        &[
            "regions",
            "import",
            fixture("regions-sample.csv").to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(fixture("petitions-sample-gbk.csv")).unwrap();
    let res = upload(app, "petitions-sample-gbk.csv", &bytes, &[]).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn stats(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/petitions/stats?{query}")).await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_gbk_sample_imports_every_row_and_the_stats_match_a_hand_count() {
    let app = spawn_app().await;
    let report = import_sample(&app).await;
    assert_eq!(
        (report["rows"].as_u64(), report["new"].as_u64()),
        (Some(300), Some(300)),
        "{report}"
    );
    assert_eq!(report["encoding"], "gb18030");
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);

    let rows = gbk_sample_rows();
    for (region, population, categories) in [
        ("330199001", 42000.0, None),
        ("330199", 138400.0, None),
        ("330199002004", 5750.0, Some("land_requisition_demolition")),
        (
            "330199004",
            56000.0,
            Some("land_requisition_demolition,rural_affairs"),
        ),
    ] {
        let mut query = format!("regions={region}&from=2024-01&to=2025-12");
        if let Some(c) = categories {
            query.push_str(&format!("&categories={c}"));
        }
        let got = stats(&app, &query).await;
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.region.starts_with(region) && (202401..=202512).contains(&r.month))
            .filter(|r| categories.is_none_or(|c| c.split(',').any(|c| c == r.category)))
            .collect();
        let n = mine.len() as f64;
        assert!(n > 0.0, "{region} has petitions in the sample");
        assert_eq!(got["totals"]["petitions"].as_f64(), Some(n), "{query}");
        assert_eq!(
            got["totals"]["collective"].as_u64(),
            Some(mine.iter().filter(|r| r.collective).count() as u64)
        );
        assert_eq!(
            got["totals"]["headcount"].as_i64(),
            Some(mine.iter().map(|r| r.headcount).sum())
        );
        let share = |k: usize| k as f64 / n;
        assert_eq!(
            got["shares"]["repeat"].as_f64(),
            Some(share(mine.iter().filter(|r| r.repeated).count()))
        );
        assert_eq!(
            got["shares"]["escalated"].as_f64(),
            Some(share(mine.iter().filter(|r| r.escalated).count()))
        );
        assert_eq!(
            got["shares"]["dissatisfied"].as_f64(),
            Some(share(mine.iter().filter(|r| r.dissatisfied).count()))
        );
        let rate = got["rate_per_1000"].as_f64().unwrap();
        assert!((rate - n * 1000.0 / population).abs() < 1e-9, "{rate}");
        let march: f64 = mine.iter().filter(|r| r.month == 202503).count() as f64;
        let month = got["monthly"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["month"] == "2025-03")
            .unwrap();
        assert_eq!(month["petitions"].as_f64(), Some(march));
        let last6 = mine
            .iter()
            .filter(|r| (202507..=202512).contains(&r.month))
            .count() as i64;
        let prev6 = mine
            .iter()
            .filter(|r| (202501..=202506).contains(&r.month))
            .count() as i64;
        // The bundled vocabulary's trend window is six months.
        assert_eq!(got["trend"]["months"], 6);
        assert_eq!(got["trend"]["last"].as_i64(), Some(last6));
        assert_eq!(got["trend"]["previous"].as_i64(), Some(prev6));
    }
    // A township's baseline is its county.
    let township = stats(&app, "regions=330199001&from=2024-01&to=2025-12").await;
    let county_n = rows
        .iter()
        .filter(|r| (202401..=202512).contains(&r.month))
        .count() as f64;
    let own_n = township["totals"]["petitions"].as_f64().unwrap();
    let ratio = (own_n / 42000.0) / (county_n / 138400.0);
    assert!((township["ratio_to_parent"].as_f64().unwrap() - ratio).abs() < 1e-9);

    // Importing the same file again changes nothing.
    let bytes = std::fs::read(fixture("petitions-sample-gbk.csv")).unwrap();
    let again: Value = upload(&app, "again.csv", &bytes, &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            again["new"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(300))
    );
    assert_eq!(
        stats(&app, "regions=330199001&from=2024-01&to=2025-12").await["totals"],
        township["totals"]
    );
}

const HEADER: &str = "信访编号,登记日期,信访形式,问题属地,信访事由,人数,是否集体访,是否重复访,是否越级访,办理状态,办结日期,满意度\n";

fn bad_file() -> String {
    let mut text = String::from(HEADER);
    text.push_str("A1,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,2024-04-01,满意\n"); // row 2: good
    text.push_str("A2,2023-02-30,来信,330199001001,土地征收,1,否,否,否,已办结,,满意\n"); // row 3
    text.push_str("A3,2024-03-05,来访,33019900,土地征收,1,否,否,否,已办结,,满意\n"); // row 4
    text.push_str("A4,2024-03-05,来访,330199001,土地征收,0,否,否,否,已办结,,满意\n"); // row 5
    text.push_str("A5,2024-03-05,来访,330199001,土地征收,-3,否,否,否,已办结,,满意\n"); // row 6
    text.push_str("A6,2024-03-05,来访,330199001,土地征收,1e9,否,否,否,已办结,,满意\n"); // row 7
    text.push_str("A1,2024-03-06,来访,330199001,土地征收,1,否,否,否,已办结,,满意\n"); // row 8: duplicate
    text.push_str("A8,2099-01-01,来访,330199001,天气,1,也许,否,否,已办结,,满意\n"); // row 9: three errors
    text
}

#[tokio::test]
async fn a_bad_file_is_refused_with_every_row_error_and_stores_nothing() {
    let app = spawn_app().await;
    let res = upload(&app, "bad.csv", bad_file().as_bytes(), &[]).await;
    let problem = expect_problem(res, 422, Some("row 3: 登记日期")).await;
    let report_url = problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let status: Value = app.get(&report_url).await.json().await.unwrap();
    assert_eq!(status["status"], "failed");
    let report = &status["report"];
    assert_eq!(report["status"], "rejected");
    let got: Vec<(u64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(u64, String)> = [
        (3, "登记日期"),
        (4, "问题属地"),
        (5, "人数"),
        (6, "人数"),
        (7, "人数"),
        (8, "信访编号"),
        (9, "登记日期"),
        (9, "信访事由"),
        (9, "是否集体访"),
    ]
    .iter()
    .map(|(r, c)| (*r, c.to_string()))
    .collect();
    assert_eq!(got, want, "{report}");
    assert_eq!(report["rejected"], 7);
    let s = stats(&app, "regions=330199&from=2020-01&to=2026-11").await;
    assert_eq!(
        s["totals"]["petitions"], 0,
        "nothing of the refused file is visible"
    );

    // Header only, wrong encoding, truncated: refused as whole files.
    let res = upload(&app, "empty.csv", HEADER.as_bytes(), &[]).await;
    expect_problem(res, 422, Some("file")).await;
    let gbk = encoding_rs::GBK.encode(&bad_file()).0.into_owned();
    let res = upload(&app, "gbk.csv", &gbk, &[("encoding", "utf-8")]).await;
    let body = expect_problem(res, 422, Some("file")).await;
    assert!(body.to_string().contains("not valid UTF-8"), "{body}");
    let whole = format!(
        "{HEADER}A1,2024-03-05,来信,330199001001,土地征收,1,否,否,否,已办结,2024-04-01,满意"
    );
    let gbk = encoding_rs::GBK.encode(&whole).0.into_owned();
    let res = upload(&app, "cut.csv", &gbk[..gbk.len() - 1], &[]).await;
    let body = expect_problem(res, 422, Some("file")).await;
    assert!(body.to_string().contains("truncated"), "{body}");
    // An upload over the limit is refused before anything is read into the database.
    let huge = vec![b'x'; wenping::http::petitions::MAX_UPLOAD_BYTES + 1];
    let res = upload(&app, "huge.csv", &huge, &[]).await;
    let body = expect_problem(res, 413, None).await;
    assert!(body["detail"].as_str().unwrap().contains("limit"));
    let s = stats(&app, "regions=330199&from=2020-01&to=2026-11").await;
    assert_eq!(s["totals"]["petitions"], 0);
}

#[tokio::test]
async fn skip_invalid_imports_the_good_rows_and_returns_the_rejects() {
    let app = spawn_app().await;
    let res = upload(
        &app,
        "bad.csv",
        bad_file().as_bytes(),
        &[("skip_invalid", "true")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (
            report["valid"].as_u64(),
            report["rejected"].as_u64(),
            report["new"].as_u64()
        ),
        (Some(1), Some(7), Some(1))
    );
    let rejects = app
        .get(report["rejects_url"].as_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 8, "{rejects}");
    assert!(lines[1].starts_with("3,A2,2023-02-30"), "{rejects}");
    let s = stats(&app, "regions=330199001001&from=2024-01&to=2024-12").await;
    assert_eq!(s["totals"]["petitions"], 1);
}

#[tokio::test]
async fn a_user_scoped_elsewhere_sees_no_statistics() {
    let app = spawn_app().await;
    import_sample(&app).await;
    let outsider = app
        .client_for("outsider", &[Role::Planner], &["3302"])
        .await;
    let res = app
        .request_with(
            &outsider,
            reqwest::Method::GET,
            "/api/v1/petitions/stats?regions=330199001&from=2024-01&to=2025-12",
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, 404, None).await;
    let insider = app
        .client_for("insider", &[Role::Reviewer], &["330199001"])
        .await;
    let res = app
        .request_with(
            &insider,
            reqwest::Method::GET,
            "/api/v1/petitions/stats?regions=330199001001&from=2024-01&to=2025-12",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["totals"]["petitions"].as_u64().unwrap() > 0);
    // The parent township is in scope, so it is the baseline; the county would not be.
    assert_eq!(body["parent_regions"], serde_json::json!(["330199001"]));
    let res = app
        .request_with(
            &insider,
            reqwest::Method::GET,
            "/api/v1/petitions/stats?regions=330199&from=2024-01&to=2025-12",
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, 404, None).await;
}
