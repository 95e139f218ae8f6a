//! Consultations as the assessment's evidence: the survey's margin against a computation by hand, a support rate
//! taken from a questionnaire into an assessment that names the record, chapter 三 of the report listing the
//! consultations and the concerns, and a replay that still matches after the ledger moved on.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::cli::poppler;
use crate::common::{TestApp, assert_close, expect_problem, json_of, land_requisition, spawn_app};
use crate::concerns::{ledger_people, register, step_ok};

async fn record(app: &TestApp, decision: &str, body: Value) -> Value {
    json_of(
        app.post_json(
            &format!("/api/v1/decisions/{decision}/consultations"),
            &body,
        )
        .await,
        201,
    )
    .await
}

const SURVEY: (u64, u64, u64, u64, u64, u64) = (1530, 320, 300, 231, 42, 27);

fn questionnaire() -> Value {
    let (population, planned, returned, support, neutral, oppose) = SURVEY;
    json!({
        "kind": "questionnaire", "held_on": "2026-11-20", "population": population,
        "sample_planned": planned, "returned": returned,
        "support": support, "neutral": neutral, "oppose": oppose,
        "attachments": [{"name": "问卷汇总表.xlsx", "sha256": "ab".repeat(32)}]
    })
}

#[tokio::test]
async fn the_survey_margin_is_computed_as_by_hand_and_records_are_versioned() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let id = decision["id"].as_str().unwrap();
    let created = record(&app, id, questionnaire()).await;
    let (n, planned, m, support, _, oppose) = SURVEY;
    let p = support as f64 / m as f64;
    // 1.96·√(p̂(1−p̂)/m)·√((N−m)/(N−1)) with z the exact 97.5 % normal quantile.
    let by_hand = 1.959_963_984_540_054
        * (p * (1.0 - p) / m as f64).sqrt()
        * ((n - m) as f64 / (n - 1) as f64).sqrt();
    let survey = &created["figures"]["survey"];
    assert_close(&survey["support_share"], p, 1e-12, "support share");
    assert_close(&survey["margin_95"], by_hand, 1e-12, "margin");
    assert_close(&survey["margin_95"], 0.0427, 5e-5, "margin ≈ ±4.27 points");
    assert_close(
        &survey["oppose_share"],
        oppose as f64 / m as f64,
        1e-12,
        "oppose",
    );
    assert_close(
        &survey["response_rate"],
        m as f64 / planned as f64,
        1e-12,
        "response",
    );
    // n = 1.96²·0.25/0.05² = 384.15; n' = n/(1 + (n − 1)/1530) = 307.1 → 308.
    assert_eq!(survey["sample_for_5_percent"], 308);

    // Counts that do not add up are refused by name; a notice cannot end before it starts.
    let mut bad = questionnaire();
    bad["oppose"] = json!(99);
    expect_problem(
        app.post_json(&format!("/api/v1/decisions/{id}/consultations"), &bad)
            .await,
        422,
        Some("support"),
    )
    .await;
    let notice = json!({"kind": "public_notice", "place": "各村民小组公告栏", "first_day": "2026-10-31", "last_day": "2026-10-01"});
    expect_problem(
        app.post_json(&format!("/api/v1/decisions/{id}/consultations"), &notice)
            .await,
        422,
        Some("last_day"),
    )
    .await;

    // A change needs the version it is based on.
    let cid = created["id"].as_str().unwrap();
    let path = format!("/api/v1/decisions/{id}/consultations/{cid}");
    let mut changed = questionnaire();
    changed["support"] = json!(221);
    changed["neutral"] = json!(52);
    let res = app
        .request(Method::PUT, &path)
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 428);
    let res = app
        .request(Method::PUT, &path)
        .header("If-Match", header_of(&created))
        .json(&changed)
        .send()
        .await
        .unwrap();
    let updated = json_of(res, 200).await;
    assert_eq!(updated["version"], 2);
    let res = app
        .request(Method::DELETE, &path)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412, "a removal based on an old version");
    let res = app
        .request(Method::DELETE, &path)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get(&path).await.status(), 404);
    let audit: Value = app
        .get(&format!("/api/v1/audit?id={cid}&entity=consultation"))
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "consultation")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "delete"]);
}

fn header_of(record: &Value) -> String {
    format!("\"{}\"", record["version"])
}

#[tokio::test]
async fn a_questionnaire_flows_into_the_assessment_its_report_and_a_replay_after_the_ledger_moved()
{
    let app = spawn_app().await;
    let people = ledger_people(&app).await;
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let id = decision["id"].as_str().unwrap();
    let survey = record(&app, id, questionnaire()).await;
    record(
        &app,
        id,
        json!({"kind": "public_notice", "place": "各村民小组公告栏", "first_day": "2026-10-01", "last_day": "2026-10-20"}),
    )
    .await;
    record(
        &app,
        id,
        json!({"kind": "hearing", "held_on": "2026-11-25", "place": "城关镇会议室",
               "participants": [{"group": "被征地农户代表", "count": 18}, {"group": "村民委员会", "count": 5}],
               "points": ["青苗补偿标准偏低", "安置房交付时间"], "outcome": "补偿标准按区片综合地价执行"}),
    )
    .await;
    // Two concerns about the decision: one about resettlement still open, one answered and closed.
    let open = register(
        &app,
        &people.keeper,
        &json!({"number": "MQ-001", "channel": "visit", "received_at": "2026-11-03T02:00:00Z",
                "region": "330199001002", "topic": "resettlement", "content": "安置房面积如何计算", "decisions": [id]}),
    )
    .await;
    let closed = register(
        &app,
        &people.keeper,
        &json!({"number": "MQ-002", "channel": "forum", "received_at": "2026-11-04T02:00:00Z",
                "region": "330199001002", "topic": "procedure", "content": "公示期太短", "decisions": [id]}),
    )
    .await;
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    let cid = closed["id"].as_str().unwrap();
    step_ok(
        &app,
        &people.keeper,
        cid,
        json!({"action": "assign", "office": "城关镇党政办", "handler": "liu.fang", "due_on": due}),
    )
    .await;
    step_ok(&app, &people.office_a, cid, json!({"action": "accept"})).await;
    step_ok(&app, &people.office_a, cid, json!({"action": "answer", "answer": "公示延长至三十日", "adopted_measure": "notice_every_group"})).await;
    step_ok(
        &app,
        &people.keeper,
        cid,
        json!({"action": "call_back", "satisfaction": "satisfied"}),
    )
    .await;
    step_ok(&app, &people.keeper, cid, json!({"action": "close"})).await;

    let res = app
        .post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
        .await;
    let assessment = json_of(res, 201).await;
    let inputs = &assessment["inputs"];
    // The survey's support share, not the 0.55 typed on the decision, and the record it came from.
    let (_, _, m, support, _, _) = SURVEY;
    assert_close(
        &inputs["attributes"]["support_rate"],
        support as f64 / m as f64,
        1e-12,
        "support_rate",
    );
    let source = &inputs["attribute_sources"]["support_rate"];
    assert_eq!(source["from"], "consultation", "{source}");
    assert_eq!(source["consultation_id"], survey["id"]);
    assert_eq!(source["kind"], "questionnaire");
    assert_eq!(inputs["attributes"]["public_notice_days"], 20.0);
    assert_eq!(
        inputs["attribute_sources"]["public_notice_days"]["kind"],
        "public_notice"
    );
    assert_eq!(inputs["attributes"]["hearing_held"], true);
    assert_eq!(inputs["attribute_sources"]["signing_rate"]["from"], "typed");
    // The ledger: one of two concerns open and about resettlement → open share 0.5 for the ledger factor.
    assert_eq!(inputs["indicators"]["resettlement_social_security"], 0.5);
    assert_eq!(inputs["attributes"]["concerns_open"], 1.0);
    let factor = assessment["result"]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "resettlement_social_security")
        .unwrap();
    assert_eq!(factor["evidence"]["probability_source"], "ledger");
    assert_eq!(factor["evidence"]["mapped_grade"], 5);
    let codes: Vec<&str> = assessment["result"]["quality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"concerns_open"), "{codes:?}");
    assert!(
        codes.contains(&"public_notice_too_short"),
        "20 days < 30: {codes:?}"
    );
    assert!(
        !codes.contains(&"survey_sample_too_small"),
        "±4.3 % is within ±5 %: {codes:?}"
    );

    // The report's chapter 三 lists the consultations and the concerns; the appendix the open one.
    let aid = assessment["id"].as_str().unwrap();
    let html = app
        .get(&format!("/api/v1/assessments/{aid}/report.html"))
        .await
        .text()
        .await
        .unwrap();
    let chapter = html.split("三、调查情况").nth(1).expect("chapter 三");
    for expected in [
        "问卷调查",
        "77%",
        "± 4.3%",
        "公示",
        "听证会",
        "青苗补偿标准偏低",
        "补偿标准按区片综合地价执行",
        "MQ-002",
        "公示延长至三十日",
        "在各村民小组张贴公告、留存证据并依法听证",
        "问卷调查（2026-11-20）",
    ] {
        assert!(chapter.contains(expected), "chapter 三 lacks {expected}");
    }
    let appendix = html
        .split("附录六　评估时未办结的群众诉求")
        .nth(1)
        .expect("the appendix of open concerns");
    assert!(
        appendix.contains("MQ-001")
            && !appendix
                .split("</table>")
                .next()
                .unwrap()
                .contains("MQ-002")
    );
    for raw in ["resettlement", "called_back", "questionnaire", "open_share"] {
        assert!(
            !chapter.contains(&format!(">{raw}<")),
            "raw id {raw} in the report"
        );
    }
    let pdf = app
        .get(&format!("/api/v1/assessments/{aid}/report.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    let text: String = poppler("pdftotext", &pdf, &["-enc", "UTF-8"])
        .await
        .split_whitespace()
        .collect();
    assert!(
        text.contains("问卷调查") && text.contains("MQ-001"),
        "PDF chapter 三"
    );

    // The ledger moves on: the open concern is assigned and a new one registered. The replay still matches.
    step_ok(
        &app,
        &people.keeper,
        open["id"].as_str().unwrap(),
        json!({"action": "assign", "office": "城关镇党政办", "handler": "liu.fang", "due_on": due}),
    )
    .await;
    register(
        &app,
        &people.keeper,
        &json!({"channel": "phone", "received_at": "2026-12-01T02:00:00Z", "region": "330199001002",
                "topic": "compensation", "content": "补偿款何时到账", "decisions": [id]}),
    )
    .await;
    let replay: Value = app
        .post_json(&format!("/api/v1/assessments/{aid}/replay"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["matches"], true, "{replay}");
    // A new assessment reads the ledger as it is now: 2 of 3 open → share 2/3.
    let again = json_of(
        app.post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
            .await,
        201,
    )
    .await;
    assert_close(
        &again["inputs"]["indicators"]["resettlement_social_security"],
        2.0 / 3.0,
        1e-12,
        "open share now",
    );
}

#[tokio::test]
async fn a_small_survey_where_most_oppose_and_no_hearing_are_flagged() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("西片区征地")).await;
    let id = decision["id"].as_str().unwrap();
    // 100 of 2 000 returned, 40 for and 55 against: ±9.4 % at 95 %, wider than the model's ±5 %.
    record(
        &app,
        id,
        json!({"kind": "questionnaire", "held_on": "2026-11-20", "population": 2000, "sample_planned": 120,
               "returned": 100, "support": 40, "neutral": 5, "oppose": 55}),
    )
    .await;
    let assessment = json_of(
        app.post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
            .await,
        201,
    )
    .await;
    let quality = assessment["result"]["quality"].as_array().unwrap();
    let codes: Vec<&str> = quality
        .iter()
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"survey_sample_too_small"), "{codes:?}");
    assert!(
        codes.contains(&"hearing_not_held"),
        "most oppose and no hearing: {codes:?}"
    );
    assert_close(
        &assessment["inputs"]["attributes"]["oppose_rate"],
        0.55,
        1e-12,
        "oppose_rate",
    );
    let small = quality
        .iter()
        .find(|q| q["code"] == "survey_sample_too_small")
        .unwrap();
    assert!(
        small["message"]["zh"].as_str().unwrap().contains("±9.4%"),
        "{small}"
    );
}
