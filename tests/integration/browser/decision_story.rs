//! Issue 13's story in Chromium, every page through `Browser::inspect`: a planner registers a land requisition
//! through the form (a region ticked in the picker, one typed, the attributes); three experts rate it on the
//! sheet, one by pasting a block copied from a spreadsheet; the planner assesses (high: a veto factor is rated
//! high), reads the assessment and the brief, puts measures on the checklist with owners and due dates, saves a
//! what-if as a second scenario and watches the what-if panel re-score in place without storing anything; the
//! reviewer downloads the PDF and the HTML report; the committee is refused `implement` and records `postpone`;
//! the decision page in English.

use std::collections::BTreeMap;

use serde_json::json;

use crate::common::browser::{Browser, account};
use crate::common::cli::{poppler, succeeded, wenping_on};
use crate::common::page_checks::assert_no_raw_ids;
use crate::common::{TestApp, json_of, spawn_app};

/// The demo county's region table, as an operator imports it: the county, two townships, a village.
const REGIONS: &str = "code,name,population,households
330199,示范县,320000,110000
330199001,城关镇,58000,20500
330199001002,东村,2100,690
330199002,西岭乡,21000,7300
";

const TITLE: &str = "东村集体土地征收（产业园二期）";

/// factor → (probability, impact, note) as a sheet shows it.
type Sheet = BTreeMap<String, (u8, u8, String)>;

/// What the ratings API holds for `expert` on the decision.
async fn stored_sheet(browser: &Browser, decision: &str, expert: &str) -> Sheet {
    let all = json_of(
        browser
            .get(&format!("/api/v1/decisions/{decision}/ratings"))
            .await,
        200,
    )
    .await;
    let sheet = all["experts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["expert"] == expert)
        .unwrap_or_else(|| panic!("no sheet of {expert} in {all}"));
    sheet["ratings"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(factor, r)| {
            let grade = |k: &str| r[k].as_u64().unwrap() as u8;
            let note = r["note"].as_str().unwrap_or_default().to_owned();
            (
                factor.clone(),
                (grade("probability"), grade("impact"), note),
            )
        })
        .collect()
}

/// The sheet as the rating form shows it now: the rows with both grades picked.
async fn form_sheet(browser: &Browser) -> Sheet {
    let rows = browser
        .js(r#"const rows = {};
            for (const p of document.querySelectorAll("select[name^='p.']")) {
              const id = p.name.slice(2);
              const i = document.querySelector(`select[name='i.${id}']`);
              const note = document.querySelector(`input[name='note.${id}']`);
              if (p.value !== "" || i.value !== "") rows[id] = [p.value, i.value, note.value];
            }
            return rows;"#)
        .await;
    rows.as_object()
        .unwrap()
        .iter()
        .map(|(factor, cells)| {
            let grade = |k: usize| {
                let shown = cells[k].as_str().unwrap();
                shown.parse::<u8>().unwrap_or_else(|_| {
                    panic!("{factor}: the sheet shows {cells} (no grade {shown:?})")
                })
            };
            let note = cells[2].as_str().unwrap().to_owned();
            (factor.clone(), (grade(0), grade(1), note))
        })
        .collect()
}

/// The decision's scenarios as the API lists them.
async fn scenario_count(browser: &Browser, decision: &str) -> usize {
    let listed = json_of(
        browser
            .get(&format!("/api/v1/decisions/{decision}/scenarios"))
            .await,
        200,
    )
    .await;
    listed["items"].as_array().unwrap().len()
}

/// Rates the expert-graded factors by picking grades in the sheet's lists, then saves.
async fn rate_by_hand(browser: &mut Browser, decision: &str, sheet: &[(&str, u8, u8, &str)]) {
    browser.goto(&format!("/decisions/{decision}/rate")).await;
    for (factor, p, i, note) in sheet {
        browser
            .select(&format!("select[name='p.{factor}']"), &p.to_string())
            .await;
        browser
            .select(&format!("select[name='i.{factor}']"), &i.to_string())
            .await;
        if !note.is_empty() {
            browser
                .fill(&format!("input[name='note.{factor}']"), note)
                .await;
        }
    }
    browser.submit("button[name=action][value=save]").await;
    browser
        .wait_for_path(&format!("/decisions/{decision}"))
        .await;
}

/// Signs the browser out and in again as `name`, landing on `path`.
async fn become_user(browser: &Browser, name: &str, password: &str, path: &str) {
    browser.sign_out().await;
    browser.goto(path).await;
    browser.sign_in(name, password).await;
    browser.wait_for_path(path).await;
}

struct People {
    planner: (&'static str, String),
    experts: Vec<(&'static str, String)>,
    reviewer: (&'static str, String),
    committee: (&'static str, String),
}

async fn people(app: &TestApp) -> People {
    let mut experts = Vec::new();
    for name in ["专家赵", "专家钱", "专家孙"] {
        experts.push((name, account(app, name, "expert").await));
    }
    People {
        planner: ("经办人乙", account(app, "经办人乙", "planner").await),
        experts,
        reviewer: ("审核人丁", account(app, "审核人丁", "reviewer").await),
        committee: ("委员戊", account(app, "委员戊", "committee").await),
    }
}

async fn import_regions(app: &TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("regions.csv");
    std::fs::write(&file, REGIONS).unwrap();
    succeeded(wenping_on(&app.database_url).args(["regions", "import", file.to_str().unwrap()]))
        .await;
}

/// The planner registers the decision through the form and returns its id.
async fn register(browser: &mut Browser, planner: &(&str, String)) -> String {
    browser.goto("/decisions/new").await;
    browser.sign_in(planner.0, &planner.1).await;
    browser.wait_for_path("/decisions/new").await;
    browser.inspect("decision-form").await;

    browser.fill("#title", TITLE).await;
    browser.select("#kind", "land_requisition").await;
    browser.fill("#responsible_unit", "示范县自然资源局").await;
    browser
        .fill("#description", "东村集体土地征收，用于产业园二期建设。")
        .await;
    // The picker's filter narrows the list to what was typed; the village is ticked there, a township typed.
    browser.fill("#region-filter", "东村").await;
    browser
        .wait_until(
            "return [...document.querySelectorAll('#region-picker [data-text]')].filter((l) => !l.hidden).length === 1;",
            "the filter to leave only 东村",
        )
        .await;
    browser.click("input[name='region.330199001002']").await;
    browser.fill("#other_regions", "330199002").await;
    browser.fill("#households", "236").await;
    browser.fill("#people", "870").await;
    browser.fill("#budget_wan", "9,600").await;
    browser.set_date("#planned_start", "2027-05-01").await;
    for (attribute, typed) in [
        ("compensation_ratio", "0.85"),
        ("signing_rate", "62"),
        ("support_rate", "58"),
        ("public_notice_days", "30"),
    ] {
        browser.fill(&format!("#attr-{attribute}"), typed).await;
    }
    browser.select("#attr-hearing_held", "no").await;
    browser.select("#attr-funds_in_place", "yes").await;
    browser.inspect("decision-form-filled").await;
    browser.submit("form.form-grid button[type=submit]").await;

    let path = browser
        .wait_for_page("the new decision's page", |p| {
            p.starts_with("/decisions/") && p != "/decisions/new"
        })
        .await;
    let id = path.trim_start_matches("/decisions/").to_owned();
    browser.inspect("decision-registered").await;
    let text = browser.text().await;
    for word in [TITLE, "土地征收", "草稿", "东村", "西岭乡", "签约率", "62%"] {
        assert!(
            text.contains(word),
            "{word} on the registered decision:\n{text}"
        );
    }

    let stored = json_of(browser.get(&format!("/api/v1/decisions/{id}")).await, 200).await;
    assert_eq!(stored["title"], TITLE);
    assert_eq!(stored["kind"], "land_requisition");
    assert_eq!(stored["regions"], json!(["330199001002", "330199002"]));
    assert_eq!(
        stored["affected"],
        json!({"households": 236, "people": 870, "workers": 0})
    );
    assert_eq!(stored["budget_yuan"], 96_000_000.0);
    assert_eq!(stored["planned_start"], "2027-05-01");
    assert_eq!(
        stored["attributes"],
        json!({"compensation_ratio": 0.85, "signing_rate": 0.62, "support_rate": 0.58,
               "public_notice_days": 30.0, "hearing_held": false, "funds_in_place": true})
    );
    id
}

/// The two experts who pick their grades, and the one who pastes: each rates the approval, a veto factor,
/// likely and major, which makes the risk high.
async fn rate(browser: &mut Browser, id: &str, experts: &[(&'static str, String)]) {
    let by_hand: [&[(&str, u8, u8, &str)]; 2] = [
        &[
            ("public_interest_approval", 4, 4, "用地指标尚未批复"),
            ("resettlement_social_security", 3, 4, ""),
            ("collective_distribution", 2, 3, ""),
            ("villager_participation", 3, 3, ""),
            ("emergency_readiness", 2, 3, ""),
        ],
        &[
            ("public_interest_approval", 4, 5, ""),
            ("resettlement_social_security", 4, 4, "社保缴费标准未定"),
            ("collective_distribution", 3, 3, ""),
            ("villager_participation", 2, 3, ""),
            ("emergency_readiness", 3, 3, ""),
        ],
    ];
    let rate_page = format!("/decisions/{id}/rate");
    for ((name, password), sheet) in experts.iter().zip(by_hand) {
        become_user(browser, name, password, &rate_page).await;
        browser.inspect(&format!("rating-{name}")).await;
        rate_by_hand(browser, id, sheet).await;
        let expected: Sheet = sheet
            .iter()
            .map(|(f, p, i, note)| (f.to_string(), (*p, *i, note.to_string())))
            .collect();
        assert_eq!(stored_sheet(browser, id, name).await, expected, "{name}");
    }

    // The third expert copies a block from a spreadsheet: a header row, names in Chinese, an id, a note.
    let (name, password) = &experts[2];
    become_user(browser, name, password, &rate_page).await;
    browser.click("details.paste summary").await;
    let block = "因素\t可能性\t影响\t理由\n\
                 公共利益目的、规划计划与审批权限\t4\t4\t指标未批\n\
                 被征地农民安置与社会保障\t3\t3\t\n\
                 集体内部补偿分配（含外嫁女等权益）\t3\t4\t外嫁女诉求多\n\
                 villager_participation\t2\t2\n\
                 应急处置、信访接待与人民调解\t2\t3\t预案已备";
    browser.paste("#paste", block).await;
    browser.submit("button[name=action][value=fill]").await;
    browser
        .wait_until(
            "return document.querySelector(\"select[name='p.collective_distribution']\").value === '3';",
            "the pasted block to fill the sheet",
        )
        .await;
    browser.inspect("rating-pasted").await;
    let text = browser.text().await;
    assert!(
        !text.contains("第 1 行") && !text.contains("line 1"),
        "the header row is skipped, not reported:\n{text}"
    );
    let filled = form_sheet(browser).await;
    let pasted: Sheet = [
        ("public_interest_approval", 4, 4, "指标未批"),
        ("resettlement_social_security", 3, 3, ""),
        ("collective_distribution", 3, 4, "外嫁女诉求多"),
        ("villager_participation", 2, 2, ""),
        ("emergency_readiness", 2, 3, "预案已备"),
    ]
    .iter()
    .map(|(f, p, i, note)| (f.to_string(), (*p, *i, note.to_string())))
    .collect();
    assert_eq!(filled, pasted, "the sheet the block filled");
    browser.submit("button[name=action][value=save]").await;
    browser.wait_for_path(&format!("/decisions/{id}")).await;
    assert_eq!(
        stored_sheet(browser, id, name).await,
        filled,
        "what was saved is exactly what the form had"
    );
    browser.inspect("decision-rated").await;
    let text = browser.text().await;
    for expert in experts {
        assert!(
            text.contains(expert.0),
            "{} on the decision:\n{text}",
            expert.0
        );
    }
}

/// The planner assesses with the button, reads the assessment and the brief; returns the assessment's id.
async fn assess(browser: &mut Browser, id: &str, planner: &(&str, String)) -> String {
    become_user(browser, planner.0, &planner.1, &format!("/decisions/{id}")).await;
    browser
        .submit(&format!(
            "form[action='/decisions/{id}/assess'] button[type=submit]"
        ))
        .await;
    let path = browser
        .wait_for_page("the new assessment", |p| p.starts_with("/assessments/"))
        .await;
    let assessment = path.trim_start_matches("/assessments/").to_owned();
    browser.inspect("assessment").await;
    let text = browser.text().await;
    for word in [TITLE, "高风险", "公共利益目的、规划计划与审批权限"] {
        assert!(text.contains(word), "{word} on the assessment:\n{text}");
    }
    browser
        .click(&format!("a[href='/assessments/{assessment}/brief']"))
        .await;
    browser
        .wait_for_path(&format!("/assessments/{assessment}/brief"))
        .await;
    browser.inspect("brief").await;
    let text = browser.text().await;
    for word in [TITLE, "高风险", "东村"] {
        assert!(text.contains(word), "{word} on the brief:\n{text}");
    }
    assessment
}

/// The planner puts two measures on the checklist and gives each an owner and a due date.
async fn checklist(browser: &mut Browser, id: &str) {
    let page = format!("/decisions/{id}/checklist");
    browser.visit(&page, "checklist-empty").await;
    for measure in ["legality_review", "household_negotiation"] {
        browser
            .click(&format!("input[name='measure.{measure}']"))
            .await;
    }
    browser
        .submit(&format!(
            "form[action='/decisions/{id}/checklist'] button[type=submit]"
        ))
        .await;
    browser
        .wait_until(
            "return document.querySelectorAll('form.item').length === 2;",
            "two measures on the checklist",
        )
        .await;
    browser.inspect("checklist-added").await;
    let listed = json_of(
        browser
            .get(&format!("/api/v1/decisions/{id}/checklist"))
            .await,
        200,
    )
    .await;
    let item_of = |measure: &str| {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["measure"] == measure)
            .unwrap_or_else(|| panic!("{measure} on {listed}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (measure, owner, due) in [
        ("legality_review", "县自然资源局", "2027-03-15"),
        ("household_negotiation", "东村村委会", "2027-04-30"),
    ] {
        let item = item_of(measure);
        browser.fill(&format!("#owner-{item}"), owner).await;
        browser.fill(&format!("#lead-{item}"), "张科长").await;
        browser.set_date(&format!("#due-{item}"), due).await;
        browser
            .submit(&format!(
                "form[action='/decisions/{id}/checklist/{item}'] button[type=submit]"
            ))
            .await;
        assert_eq!(browser.path().await, page, "{measure} saved");
    }
    browser.inspect("checklist-assigned").await;
    let stored = json_of(
        browser
            .get(&format!("/api/v1/decisions/{id}/checklist"))
            .await,
        200,
    )
    .await;
    let assigned: BTreeMap<String, (String, String)> = stored["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["measure"].as_str().unwrap().to_owned(),
                (
                    i["owner_unit"].as_str().unwrap_or_default().to_owned(),
                    i["due_date"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect();
    assert_eq!(
        assigned,
        BTreeMap::from([
            (
                "legality_review".to_owned(),
                ("县自然资源局".to_owned(), "2027-03-15".to_owned())
            ),
            (
                "household_negotiation".to_owned(),
                ("东村村委会".to_owned(), "2027-04-30".to_owned())
            ),
        ]),
        "{stored}"
    );
}

/// The text of the what-if result once the panel has scored what it shows.
async fn what_if_result(browser: &Browser) -> String {
    browser
        .wait_until(
            "return document.querySelector(\"#what-if-result output[data-r='residual']\") !== null;",
            "the what-if panel's first result",
        )
        .await;
    let text = browser
        .js("return document.querySelector('#what-if-result').innerText;")
        .await;
    text.as_str().unwrap().to_owned()
}

/// The planner saves a what-if as a second scenario, then changes an attribute and sees the result change in
/// place with nothing stored.
async fn compare(browser: &mut Browser, id: &str) {
    let page = format!("/decisions/{id}/compare");
    browser.visit(&page, "compare-baseline").await;
    assert_eq!(scenario_count(browser, id).await, 1, "the baseline alone");
    let before = what_if_result(browser).await;

    browser.fill("#wi-compensation_ratio", "1.0").await;
    browser
        .fill("#scenario-name", "补偿按市场评估价 100%")
        .await;
    browser
        .submit(&format!("button[formaction='/decisions/{id}/scenarios']"))
        .await;
    browser
        .wait_until(
            "return document.querySelectorAll('table.compare thead th').length === 3;",
            "two scenarios side by side",
        )
        .await;
    assert_eq!(browser.path().await, page);
    assert_eq!(scenario_count(browser, id).await, 2, "the what-if saved");
    let text = browser.text().await;
    for word in ["基准方案", "补偿按市场评估价 100%"] {
        assert!(text.contains(word), "{word} in the comparison:\n{text}");
    }
    browser.inspect("compare-two").await;

    // A what-if: the signing rate raised, scored at once, nothing stored, the page not left.
    let shown = what_if_result(browser).await;
    assert_eq!(shown, before, "the panel starts from the baseline again");
    browser
        .js("document.documentElement.setAttribute('data-story-marker', 'same page'); return true;")
        .await;
    browser.fill("#wi-signing_rate", "96").await;
    let script =
        format!("return document.querySelector('#what-if-result').innerText !== {before:?};");
    browser
        .wait_until(&script, "the what-if result to change")
        .await;
    let after = what_if_result(browser).await;
    let residual = |text: &str| {
        text.lines()
            .find(|l| l.contains("R"))
            .unwrap_or_default()
            .to_owned()
    };
    assert_ne!(residual(&after), residual(&before), "{before}\n→\n{after}");
    assert_eq!(
        browser
            .js("return document.documentElement.getAttribute('data-story-marker');")
            .await,
        "same page",
        "the result changed in place, the page was not reloaded"
    );
    assert_eq!(browser.path().await, page);
    assert_eq!(
        scenario_count(browser, id).await,
        2,
        "a what-if stores nothing"
    );
    browser.inspect("compare-what-if").await;
}

/// The reviewer downloads the PDF and the HTML report from the assessment page; returns the PDF's text.
async fn reports(browser: &mut Browser, assessment: &str, reviewer: &(&str, String)) -> String {
    let page = format!("/assessments/{assessment}");
    become_user(browser, reviewer.0, &reviewer.1, &page).await;
    browser.inspect("assessment-reviewer").await;
    let link = |ext: &str| {
        format!("return document.querySelector(\"a[href*='/report.{ext}']\").getAttribute('href');")
    };
    let pdf_href = browser.js(&link("pdf")).await;
    let pdf_href = pdf_href.as_str().unwrap();
    assert_eq!(
        pdf_href,
        format!("/api/v1/assessments/{assessment}/report.pdf?lang=zh")
    );
    let res = browser.get(pdf_href).await;
    assert_eq!(res.status(), 200, "{pdf_href}");
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    let text = poppler("pdftotext", &pdf, &[]).await;
    for word in [TITLE, "高风险", "东村"] {
        assert!(text.contains(word), "{word} in the PDF:\n{text}");
    }

    let html_href = browser.js(&link("html")).await;
    let res = browser.get(html_href.as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    let html = res.bytes().await.unwrap();
    assert!(
        html.len() < 300 * 1024,
        "the HTML report is {} bytes",
        html.len()
    );
    assert!(String::from_utf8_lossy(&html).contains(TITLE));
    text
}

/// The committee reads the gate, is refused `implement` without a reason, and records `postpone`.
async fn resolve(browser: &mut Browser, id: &str, committee: &(&str, String)) {
    let decision = format!("/decisions/{id}");
    become_user(browser, committee.0, &committee.1, &decision).await;
    browser.inspect("decision-committee").await;
    browser
        .click(&format!("a[href='/decisions/{id}/resolve']"))
        .await;
    let page = format!("/decisions/{id}/resolve");
    browser.wait_for_path(&page).await;
    browser.inspect("resolve").await;
    let against = browser
        .js("return document.querySelector(\"input[name=outcome][value=implement]\").getAttribute('data-allowed');")
        .await;
    assert_eq!(against, "false", "the gate does not allow implement");

    browser.click("input[name=outcome][value=implement]").await;
    browser
        .wait_until(
            "return !document.querySelector('#override-box').hidden && document.querySelector('#override_reason').required;",
            "the reason asked for",
        )
        .await;
    // The browser asks for the reason first; the server refuses too when the form gets past the browser.
    browser.js("window.wenpingLeft = true; return true;").await;
    browser
        .click("form[data-resolve] button[type=submit]")
        .await;
    let kept = browser
        .js("return window.wenpingLeft === true && document.querySelector('#override_reason').validity.valueMissing;")
        .await;
    assert_eq!(
        kept, true,
        "the browser kept the form and asked for the reason"
    );
    browser
        .js("document.querySelector('#override_reason').required = false; return true;")
        .await;
    browser
        .submit("form[data-resolve] button[type=submit]")
        .await;
    browser
        .wait_for_text("所选决策与评估建议不一致，须填写理由")
        .await;
    browser.inspect("resolve-refused").await;
    let none = browser
        .get(&format!("/api/v1/decisions/{id}/resolution"))
        .await;
    assert_eq!(none.status(), 404, "nothing recorded");
    browser.click("input[name=outcome][value=postpone]").await;
    browser
        .fill("#conditions", "用地指标批复后重新评估。")
        .await;
    browser
        .submit("form[data-resolve] button[type=submit]")
        .await;
    browser.wait_for_path(&decision).await;
    browser.inspect("decision-postponed").await;
    browser.wait_for_text("暂缓实施").await;
    let recorded = json_of(
        browser
            .get(&format!("/api/v1/decisions/{id}/resolution"))
            .await,
        200,
    )
    .await;
    assert_eq!(recorded["current"]["outcome"], "postpone", "{recorded}");
    assert_eq!(recorded["current"]["author"], committee.0);
}

#[tokio::test]
async fn a_decision_from_registration_to_the_committee_in_the_browser() {
    let app = spawn_app().await;
    import_regions(&app).await;
    let people = people(&app).await;
    let mut browser = Browser::open(&app, "decision-story").await;

    let id = register(&mut browser, &people.planner).await;
    rate(&mut browser, &id, &people.experts).await;
    let assessment = assess(&mut browser, &id, &people.planner).await;
    checklist(&mut browser, &id).await;
    compare(&mut browser, &id).await;
    let pdf_text = reports(&mut browser, &assessment, &people.reviewer).await;
    resolve(&mut browser, &id, &people.committee).await;

    // The decision page in English after the switch.
    browser.click("a.switch").await;
    browser.wait_for_path(&format!("/decisions/{id}")).await;
    assert_eq!(browser.lang().await, "en");
    browser.inspect("decision-en").await;
    let text = browser.text().await;
    for word in ["land requisition", "Facts", "postpone", "high"] {
        assert!(text.contains(word), "{word} on the English page:\n{text}");
    }
    browser.close().await;
    // Checked last, so that a word found there does not hide the rest of the story.
    assert_no_raw_ids(&pdf_text, "the PDF report");
}

/// A block may give the grades as the scale's words; the sheet shows them as grades and saves them.
#[tokio::test]
async fn a_pasted_block_with_the_scales_words_fills_the_sheet() {
    let app = spawn_app().await;
    let (decision, _) = app
        .create_decision(&crate::common::land_requisition("西岭乡集体土地征收"))
        .await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let password = account(&app, "专家周", "expert").await;
    let mut browser = Browser::open(&app, "paste-words").await;
    browser.goto(&format!("/decisions/{id}/rate")).await;
    browser.sign_in("专家周", &password).await;
    browser.click("details.paste summary").await;
    browser
        .paste(
            "#paste",
            "应急处置、信访接待与人民调解\t很可能\t较大\t预案未演练\n村民参与评估（座谈、问卷、纪要）\t2\t轻微",
        )
        .await;
    browser.submit("button[name=action][value=fill]").await;
    browser
        .wait_until(
            "return document.querySelector('#paste').value.includes('预案未演练') && document.querySelector(\"input[name='note.emergency_readiness']\").value === '预案未演练';",
            "the pasted block to fill the sheet",
        )
        .await;
    browser.inspect("paste-words").await;
    let filled = form_sheet(&browser).await;
    let expected: Sheet = [
        ("emergency_readiness", 4, 4, "预案未演练"),
        ("villager_participation", 2, 1, ""),
    ]
    .iter()
    .map(|(f, p, i, note)| (f.to_string(), (*p, *i, note.to_string())))
    .collect();
    assert_eq!(filled, expected, "the words became grades in the sheet");
    browser.close().await;
}
