//! The petition trend is read when the assessment is made and stored with it, so the chart and the
//! table of chapter 3 come from the stored assessment; later imports do not change them.

use chrono::Datelike;

use super::{assessed, bytes};
use crate::common::cli::poppler;
use crate::common::petitions::{TownshipPetitions, month_start, upload};
use crate::common::spawn_app;

/// In each of the `months` months before this one, `count(back)` land-requisition petitions and one more than
/// that about rural affairs; numbered from `prefix`.
fn petitions_csv(prefix: &'static str, months: u32, count: impl Fn(u32) -> u32) -> String {
    let mut file = TownshipPetitions::new(prefix);
    for back in 1..=months {
        for (category, extra) in [("征地拆迁", 0), ("农村农业", 1)] {
            for k in 0..count(back) + extra {
                let day = month_start(back).with_day(1 + k % 27).unwrap();
                file.add(day, "visit", category, "1,否,否,否,已办结");
            }
        }
    }
    file.csv()
}

#[tokio::test]
async fn the_petition_trend_is_charted_from_the_stored_assessment() {
    let app = spawn_app().await;
    let csv = petitions_csv("TR", 6, |back| back + 1);
    let res = upload(&app, "trend.csv", csv.as_bytes(), &[]).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let record = assessed(&app, "信访趋势").await;
    let id = record["id"].as_str().unwrap();
    let monthly = record["inputs"]["petition_evidence"]["monthly"]
        .as_array()
        .unwrap_or_else(|| panic!("the monthly series is stored: {}", record["inputs"]));
    assert!(!monthly.is_empty());

    let path = format!("/api/v1/assessments/{id}/report.html");
    let html = String::from_utf8(bytes(&app, &path).await.2).unwrap();
    assert!(html.contains("信访趋势（按月、按类别）"), "the chart");
    assert!(
        html.contains("<th>征地拆迁</th><th>农村农业</th>"),
        "categories in the vocabulary's words"
    );
    let pdf = bytes(&app, &format!("/api/v1/assessments/{id}/report.pdf"))
        .await
        .2;
    let text = poppler("pdftotext", &pdf, &["-enc", "UTF-8"])
        .await
        .replace('\n', "");
    assert!(
        text.contains("信访趋势（按月、按类别）"),
        "the PDF has the chart"
    );
    let two_months_ago = month_start(2).format("%Y-%m").to_string();
    // Two months back: 3 land-requisition and 4 rural-affairs petitions, 7 in all.
    assert!(
        html.contains(&format!(
            "<td>{two_months_ago}</td><td class=\"n\">3</td><td class=\"n\">4</td><td class=\"n\">7</td>"
        )),
        "the numbers behind the chart"
    );
    for format in ["png", "svg"] {
        let chart = format!("/api/v1/assessments/{id}/charts/petitions.{format}");
        let (status, _, first) = bytes(&app, &chart).await;
        assert_eq!(status, 200);
        assert_eq!(
            bytes(&app, &chart).await.2,
            first,
            "{format} is reproducible"
        );
    }

    // Petitions imported later change nothing in this assessment's report.
    let more = petitions_csv("LATER", 3, |_| 9);
    let res = upload(&app, "later.csv", more.as_bytes(), &[]).await;
    assert_eq!(res.status(), 201);
    assert_eq!(bytes(&app, &path).await.2, html.as_bytes());
}
