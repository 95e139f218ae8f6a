//! Petition data through the command line — generate, import with a progress bar and exit codes — and the
//! assessment of a land requisition that reads petition indicators and replays after more petitions arrive.

use crate::common::cli::{cli, generated, succeeded, wenping};
use crate::common::petitions::{fixture, gbk_sample_rows};
use crate::common::{land_requisition, spawn_app};
use serde_json::{Value, json};

/// Without `--until` the set ends today: an assessment made now reads petitions of the current month, not a
/// year of empty months after a fixed end.
#[tokio::test]
async fn generate_reaches_the_current_month_by_default_and_imports() {
    use chrono::Datelike;
    let dir = tempfile::tempdir().unwrap();
    let before = chrono::Local::now().date_naive();
    let csv = generated(
        dir.path(),
        "now.csv",
        &["--records", "20000", "--seed", "11"],
    )
    .await;
    let after = chrono::Local::now().date_naive();
    let text = String::from_utf8(csv).unwrap();
    let last = text
        .lines()
        .skip(1)
        .map(|line| {
            wenping::petitions::validate::parse_date(line.split(',').nth(1).unwrap()).unwrap()
        })
        .max()
        .unwrap();
    assert!(
        last >= before.with_day(1).unwrap() && last <= after,
        "the newest record, {last}, lies in the current month"
    );
    let app = spawn_app().await;
    let path = dir.path().join("now.csv");
    let out = cli(&app, &["petitions", "import", path.to_str().unwrap()]).await;
    assert!(
        out.status.success(),
        "no record lies in the future: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn generate_is_identical_for_a_seed_and_import_exits_non_zero_on_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let a = generated(
        dir.path(),
        "a.csv",
        &[
            "--records",
            "3000",
            "--seed",
            "42",
            "--encoding",
            "gbk",
            "--with-errors",
            "16",
        ],
    )
    .await;
    let b = generated(
        dir.path(),
        "b.csv",
        &[
            "--records",
            "3000",
            "--seed",
            "42",
            "--encoding",
            "gbk",
            "--with-errors",
            "16",
        ],
    )
    .await;
    let c = generated(
        dir.path(),
        "c.csv",
        &[
            "--records",
            "3000",
            "--seed",
            "43",
            "--encoding",
            "gbk",
            "--with-errors",
            "16",
        ],
    )
    .await;
    assert_eq!(a, b);
    assert_ne!(a, c);

    let app = spawn_app().await;
    let file = dir.path().join("a.csv");
    let refused = cli(
        &app,
        &["petitions", "import", file.to_str().unwrap(), "--json"],
    )
    .await;
    assert!(!refused.status.success());
    let report: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["rejected"], 16, "{}", report["errors"]);
    assert_eq!(app.db.petition_count().await.unwrap(), 0);

    let rejects = dir.path().join("rejects.csv");
    let args = [
        "petitions",
        "import",
        file.to_str().unwrap(),
        "--skip-invalid",
        "--json",
        "--rejects",
        rejects.to_str().unwrap(),
    ];
    let done = cli(&app, &args).await;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let report: Value = serde_json::from_slice(&done.stdout).unwrap();
    assert_eq!(
        (report["new"].as_u64(), report["rejected"].as_u64()),
        (Some(2984), Some(16))
    );
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap().lines().count(),
        17
    );
    assert_eq!(app.db.petition_count().await.unwrap(), 2984);
    let again = cli(&app, &args).await;
    let report: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (report["new"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(2984))
    );
}

#[tokio::test]
async fn an_assessment_reads_petition_indicators_and_replays_after_more_petitions_arrive() {
    let app = spawn_app().await;
    assert!(
        cli(
            &app,
            &[
                "regions",
                "import",
                fixture("regions-sample.csv").to_str().unwrap()
            ]
        )
        .await
        .status
        .success()
    );
    let out = cli(
        &app,
        &[
            "petitions",
            "import",
            fixture("petitions-sample-gbk.csv").to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let mut decision = land_requisition("城关镇征地");
    decision["regions"] = json!(["330199001"]);
    let (decision, _) = app.create_decision(&decision).await;
    let path = format!(
        "/api/v1/decisions/{}/assessments",
        decision["id"].as_str().unwrap()
    );
    let res = app.post_json(&path, &json!({})).await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    let evidence = &first["inputs"]["petition_evidence"]["factors"]["petition_history"];
    let (from, to) = (
        evidence["from"].as_str().unwrap(),
        evidence["to"].as_str().unwrap(),
    );
    let month = |s: &str| s.replace('-', "").parse::<u32>().unwrap();
    let hand = gbk_sample_rows()
        .iter()
        .filter(|r| {
            r.region.starts_with("330199001") && (month(from)..=month(to)).contains(&r.month)
        })
        .filter(|r| r.category == "land_requisition_demolition" || r.category == "rural_affairs")
        .count() as f64;
    let rate = first["inputs"]["indicators"]["petition_history"]
        .as_f64()
        .unwrap();
    assert!(
        (rate - hand * 1000.0 / 42000.0).abs() < 1e-12,
        "{rate} vs {hand}"
    );
    assert!(
        first["inputs"]["petition_evidence"]["snapshot"]
            .as_i64()
            .unwrap()
            > 0
    );

    // More petitions arrive in the same township, recent ones.
    let dir = tempfile::tempdir().unwrap();
    let more = dir.path().join("more.csv");
    let today = chrono::Local::now().date_naive().to_string();
    let args = [
        "petitions",
        "generate",
        "--records",
        "400",
        "--seed",
        "9",
        "--county",
        "330199",
        "--until",
        &today,
        "--out",
        more.to_str().unwrap(),
    ];
    succeeded(wenping().args(args)).await;
    assert!(
        cli(&app, &["petitions", "import", more.to_str().unwrap()])
            .await
            .status
            .success()
    );

    let id = first["id"].as_str().unwrap();
    let replay: Value = app
        .post_json(&format!("/api/v1/assessments/{id}/replay"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["matches"], true, "{replay}");
    let second: Value = app.post_json(&path, &json!({})).await.json().await.unwrap();
    assert_ne!(
        second["inputs"]["indicators"], first["inputs"]["indicators"],
        "new petitions change the figures"
    );
    assert!(
        second["inputs"]["petition_evidence"]["snapshot"].as_i64()
            > first["inputs"]["petition_evidence"]["snapshot"].as_i64()
    );
}

#[tokio::test]
async fn parquet_files_and_mapped_layouts_import_too() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("p.parquet");
    let args = [
        "petitions",
        "generate",
        "--records",
        "500",
        "--seed",
        "5",
        "--format",
        "parquet",
        "--out",
        parquet.to_str().unwrap(),
    ];
    succeeded(wenping().args(args)).await;
    let app = spawn_app().await;
    let out = cli(
        &app,
        &["petitions", "import", parquet.to_str().unwrap(), "--json"],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["format"].as_str(), report["new"].as_u64()),
        (Some("parquet"), Some(500))
    );

    // A layout the vocabulary does not know, read through a mapping file.
    let csv = dir.path().join("odd.csv");
    std::fs::write(
        &csv,
        "件号,收件日,方式,地点,事由,人次,状态\nX1,2024-05-06,来访,330199002001,环境保护,2,办理中\nX2,2024/5/7,电话,330199002,医疗卫生,1,已办结\n",
    )
    .unwrap();
    let mapping = dir.path().join("layout.toml");
    std::fs::write(
        &mapping,
        "[columns]\nsource_id = \"件号\"\nreceived_on = \"收件日\"\nchannel = \"方式\"\nregion_code = \"地点\"\ncategory = \"事由\"\nheadcount = \"人次\"\nstatus = \"状态\"\n",
    )
    .unwrap();
    let refused = cli(&app, &["petitions", "import", csv.to_str().unwrap()]).await;
    assert!(
        !refused.status.success(),
        "without the mapping the columns are unknown"
    );
    let out = cli(
        &app,
        &[
            "petitions",
            "import",
            csv.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
            "--json",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["new"], 2);
    assert_eq!(app.db.petition_count().await.unwrap(), 502);
}
