//! Issue 14's pages in Chromium, each through `Browser::inspect` (no raw id, axe clean, nothing foreign): the
//! planner records a questionnaire on the consultation page and reads its margin; registers a concern with the
//! resident's name and assigns it to an office; the office handler finds it in the queue, accepts and answers it
//! adopting a measure; the planner calls the resident back and closes it, after which only 复号 is offered; a
//! reviewer sees the resident masked; the measures page draws the months.

use serde_json::json;

use crate::common::browser::{Browser, account};
use crate::common::{land_requisition, spawn_app};

const RESIDENT: &str = "王秀英";

#[tokio::test]
async fn a_concern_from_registration_to_closing_and_a_survey_in_the_browser() {
    let app = spawn_app().await;
    let planner = account(&app, "台账员", "planner").await;
    let office = account(&app, "党政办刘芳", "office").await;
    let reviewer = account(&app, "维稳办审核", "reviewer").await;
    let (decision, _) = app.create_decision(&land_requisition("东片区征地")).await;
    let decision_id = decision["id"].as_str().unwrap().to_owned();
    let mut browser = Browser::open(&app, "ledger").await;

    // The consultation page: a questionnaire recorded through the form, its figures computed.
    browser.sign_in("台账员", &planner).await;
    browser
        .visit(
            &format!("/decisions/{decision_id}/consultations"),
            "consultations-empty",
        )
        .await;
    browser.select("#f-kind", "questionnaire").await;
    browser.set_date("#f-held", "2026-11-20").await;
    for (field, value) in [
        ("#f-pop", "1530"),
        ("#f-planned", "320"),
        ("#f-returned", "300"),
        ("#f-support", "231"),
        ("#f-neutral", "42"),
        ("#f-oppose", "27"),
    ] {
        browser.fill(field, value).await;
    }
    browser
        .submit("form[action$='/consultations'] button[type=submit]")
        .await;
    let text = browser.text().await;
    assert!(text.contains("77% ± 4.3%"), "{text}");
    assert!(text.contains("308"), "the sample ±5 % needs: {text}");
    browser.inspect("consultations-recorded").await;

    // Registering a concern.
    browser.visit("/concerns", "ledger-empty").await;
    browser.select("#r-channel", "contact_card").await;
    browser
        .js("document.querySelector('#r-received').value = '2026-11-30T09:30'; return true;")
        .await;
    browser.fill("#r-region", "330199001002").await;
    browser.select("#r-topic", "compensation").await;
    browser.fill("#r-content", "青苗补偿标准比邻村低").await;
    browser.fill("#r-name", RESIDENT).await;
    browser.fill("#r-phone", "13912345678").await;
    browser.fill("#r-decision", &decision_id).await;
    browser.submit("#register-form button[type=submit]").await;
    let concern_path = browser.path().await;
    assert!(concern_path.starts_with("/concerns/"), "{concern_path}");
    let text = browser.text().await;
    assert!(text.contains(RESIDENT) && text.contains("已登记"), "{text}");
    browser.inspect("concern-registered").await;
    // Only 派单 is offered to a registered concern.
    let offered = browser
        .js("return [...document.querySelectorAll('form.step input[name=action]')].map(i => i.value);")
        .await;
    assert_eq!(offered, json!(["assign"]));
    browser.fill("#s-office", "城关镇党政办").await;
    browser.fill("#s-handler", "党政办刘芳").await;
    browser.submit("form.step button[type=submit]").await;
    assert!(browser.text().await.contains("已派单"));
    browser.sign_out().await;

    // The office: its queue, then accept and answer with an adopted measure.
    browser.sign_in("党政办刘芳", &office).await;
    browser.visit("/concerns/queue", "office-queue").await;
    assert!(browser.text().await.contains("青苗补偿标准比邻村低"));
    browser.goto(&concern_path).await;
    browser.submit("form.step button[type=submit]").await;
    assert!(browser.text().await.contains("已签收"));
    browser.inspect("concern-accepted").await;
    browser
        .fill("#s-answer", "已公开片区测算过程，标准与邻村一致")
        .await;
    browser.select("#s-measure", "unified_standard").await;
    browser
        .submit("form.step[aria-label='答复'] button[type=submit]")
        .await;
    assert!(browser.text().await.contains("已答复"));
    browser.sign_out().await;

    // The planner calls back and closes; then only 复号 is offered.
    browser.sign_in("台账员", &planner).await;
    browser.goto(&concern_path).await;
    browser.select("#s-sat", "satisfied").await;
    browser.submit("form.step button[type=submit]").await;
    browser
        .submit("form.step[aria-label='销号'] button[type=submit]")
        .await;
    let text = browser.text().await;
    assert!(text.contains("已销号"), "{text}");
    let offered = browser
        .js("return [...document.querySelectorAll('form.step input[name=action]')].map(i => i.value);")
        .await;
    assert_eq!(offered, json!(["reopen"]));
    browser.inspect("concern-closed").await;
    browser.visit("/concerns/stats", "ledger-stats").await;
    assert!(browser.text().await.contains("2026-11"));
    assert!(
        browser
            .js("return document.querySelectorAll('svg.chart polyline').length;")
            .await
            .as_u64()
            .unwrap()
            >= 1
    );
    browser
        .visit("/concerns/stats?group_by=office", "ledger-stats-office")
        .await;
    browser.sign_out().await;

    // A reviewer sees the list and the concern with the resident masked.
    browser.sign_in("维稳办审核", &reviewer).await;
    browser.visit("/concerns", "ledger-reviewer").await;
    let text = browser.text().await;
    assert!(text.contains("王**") && !text.contains(RESIDENT), "{text}");
    browser.visit(&concern_path, "concern-reviewer").await;
    let text = browser.text().await;
    assert!(
        text.contains("王**") && !text.contains("13912345678"),
        "{text}"
    );
    assert_eq!(
        browser
            .js("return document.querySelectorAll('form.step').length;")
            .await,
        json!(0),
        "a reviewer takes no step"
    );
    browser.close().await;
}
