//! What the committee needs to see in every format: the checklist with owners and deadlines, the
//! resolution signed against the assessment and, above all, an override of the gate; and the
//! appendices (sensitivity, uncertainty, scenarios) with their charts.

use serde_json::json;

use super::{assessed, bytes, unzip_entry};
use crate::common::cli::poppler;
use crate::common::spawn_app;

const REASON: &str = "省重点工程，限期开工，由县政府承担兜底责任";

#[tokio::test]
async fn an_override_of_the_gate_is_shown_first_and_in_the_conclusion_of_every_format() {
    let app = spawn_app().await;
    let record = assessed(&app, "越权决议").await;
    let id = record["id"].as_str().unwrap();
    let decision = record["decision_id"].as_str().unwrap();
    let resolve = format!("/api/v1/decisions/{decision}/resolution");
    let res = app
        .post_json(
            &resolve,
            &json!({"outcome": "implement", "assessment_id": id}),
        )
        .await;
    assert_eq!(res.status(), 409, "the gate forbids implementing at once");
    let res = app
        .post_json(
            &resolve,
            &json!({"outcome": "implement", "assessment_id": id, "conditions": "每月报告进展", "override_reason": REASON}),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());

    let html = String::from_utf8(
        bytes(&app, &format!("/api/v1/assessments/{id}/report.html"))
            .await
            .2,
    )
    .unwrap();
    let first = html.find(REASON).expect("the reason is in the HTML");
    assert!(
        first < html.find("一、基本情况").unwrap(),
        "the override comes before chapter 1"
    );
    let conclusion = html.find("九、评估结论与决策建议").unwrap();
    assert!(
        html[conclusion..].contains(REASON) && html[conclusion..].contains("每月报告进展"),
        "and again with the resolution in chapter 9"
    );
    assert!(html.contains("委员会决议未采纳评估的决策建议"));
    assert!(html.contains("决议人及时间"));

    let docx = bytes(&app, &format!("/api/v1/assessments/{id}/report.docx"))
        .await
        .2;
    let document = unzip_entry(&docx, "word/document.xml");
    assert!(document.matches(REASON).count() >= 2, "DOCX: box and table");

    let pdf = bytes(&app, &format!("/api/v1/assessments/{id}/report.pdf"))
        .await
        .2;
    let text: String = poppler("pdftotext", &pdf, &["-enc", "UTF-8"])
        .await
        .split_whitespace()
        .collect();
    let reason: String = REASON.split_whitespace().collect();
    assert!(text.matches(&reason).count() >= 2, "PDF: box and table");
    let english = bytes(
        &app,
        &format!("/api/v1/assessments/{id}/report.pdf?lang=en"),
    )
    .await
    .2;
    let english = poppler("pdftotext", &english, &["-enc", "UTF-8"])
        .await
        .replace('\n', " ");
    assert!(english.contains("override"), "English names it too");

    // A later resolution's review flag does not change the report: it shows only what was signed.
    let (_, _, again) = bytes(&app, &format!("/api/v1/assessments/{id}/report.html")).await;
    assert_eq!(again, html.as_bytes());
}

#[tokio::test]
async fn chapter_7_lists_the_checklist_with_owners_deadlines_and_uncounted_measures() {
    let app = spawn_app().await;
    let record = assessed(&app, "措施清单").await;
    let id = record["id"].as_str().unwrap();
    let html = String::from_utf8(
        bytes(&app, &format!("/api/v1/assessments/{id}/report.html"))
            .await
            .2,
    )
    .unwrap();
    let chapter = &html
        [html.find("七、风险防范化解措施").unwrap()..html.find("八、措施前后风险等级").unwrap()];
    for text in [
        "县自然资源局",
        "李科长",
        "2027-06-30",
        "计划",
        "责任人",
        "完成时限",
    ] {
        assert!(chapter.contains(text), "chapter 7 shows {text}");
    }
    assert!(
        !html.contains("待明确"),
        "no deadline is left 'to be assigned'"
    );
    let english = String::from_utf8(
        bytes(
            &app,
            &format!("/api/v1/assessments/{id}/report.html?lang=en"),
        )
        .await
        .2,
    )
    .unwrap();
    assert!(english.contains("lead person") && english.contains("李科长"));

    // A measure proposed without a checklist item is named with the reason it was not counted.
    let decision = record["decision_id"].as_str().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision}/assessments"),
            &json!({"measures": ["unified_standard", "household_negotiation"]}),
        )
        .await;
    let body = res.text().await.unwrap();
    let second: serde_json::Value = serde_json::from_str(&body).unwrap();
    let second_id = second["id"].as_str().unwrap_or_else(|| panic!("{body}"));
    let html = String::from_utf8(
        bytes(
            &app,
            &format!("/api/v1/assessments/{second_id}/report.html"),
        )
        .await
        .2,
    )
    .unwrap();
    assert!(
        html.contains("以下拟采取的措施未计入措施后风险等级") && html.contains("未列入措施清单"),
        "uncounted measure and why"
    );
}

#[tokio::test]
async fn appendices_hold_flip_points_a_seeded_simulation_and_the_scenarios() {
    let app = spawn_app().await;
    let record = assessed(&app, "附录").await;
    let id = record["id"].as_str().unwrap();
    let decision = record["decision_id"].as_str().unwrap();
    let html = String::from_utf8(
        bytes(&app, &format!("/api/v1/assessments/{id}/report.html"))
            .await
            .2,
    )
    .unwrap();
    for text in [
        "风险等级翻转点",
        "权重区间",
        "附录二　不确定性分析",
        "抽样次数 10000，随机种子 1",
        "蒙特卡罗模拟：风险等级分布",
        "附录三　方案比较",
        "只评估了一个方案",
        "本次评估未读取信访数据",
    ] {
        assert!(html.contains(text), "missing {text}");
    }
    let sensitivity: serde_json::Value = app
        .get(&format!("/api/v1/assessments/{id}/sensitivity"))
        .await
        .json()
        .await
        .unwrap();
    let interval = &sensitivity["residual"]["weight_intervals"][0];
    assert!(
        html.contains(&format!("{:.4}", interval["hi"].as_f64().unwrap())),
        "weight interval as the API gives it"
    );
    let simulated: serde_json::Value = app
        .post_json(
            &format!("/api/v1/assessments/{id}/simulation"),
            &json!({"draws": 10000, "seed": 1}),
        )
        .await
        .json()
        .await
        .unwrap();
    let p_low = simulated["p_low"].as_f64().unwrap();
    assert!(
        html.contains(&format!("{:.2}%", p_low * 100.0)),
        "the report's simulation is the API's with the same draws and seed"
    );

    // A second scenario assessed later: its report compares both; the first report stays as it was.
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision}/scenarios"),
            &json!({"name": "补偿按市场价 100%", "overrides": {"compensation_ratio": 1.0}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let scenario: serde_json::Value = res.json().await.unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{decision}/assessments"),
            &json!({"scenario_id": scenario["id"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let later: serde_json::Value = res.json().await.unwrap();
    let later_id = later["id"].as_str().unwrap();
    let compared = String::from_utf8(
        bytes(&app, &format!("/api/v1/assessments/{later_id}/report.html"))
            .await
            .2,
    )
    .unwrap();
    assert!(compared.contains("补偿按市场价 100%（本报告）"));
    assert!(compared.contains("方案比较：各方案风险指数 R 与等级区间"));
    let r = later["result"]["initial"]["r"].as_f64().unwrap();
    assert!(compared.contains(&format!("{r:.4}")));
    let (_, _, first_again) = bytes(&app, &format!("/api/v1/assessments/{id}/report.html")).await;
    assert_eq!(
        first_again,
        html.as_bytes(),
        "later assessments do not change an earlier report"
    );
    let svg = String::from_utf8(
        bytes(
            &app,
            &format!("/api/v1/assessments/{later_id}/charts/scenarios.svg"),
        )
        .await
        .2,
    )
    .unwrap();
    assert!(svg.contains("补偿按市场价") && svg.contains("高风险"));
}
