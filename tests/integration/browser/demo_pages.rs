//! The demo county in Chromium, as a newcomer meets it after `wenping serve --demo`: each printed account signs in
//! and every page its role is offered (the navigation, the register, each decision page and the pages it links
//! to: rating sheet, assessments, brief, comparison, checklist, resolution; petitions, administration, audit)
//! passes `Browser::inspect`. What a role is not offered, the server refuses too, and a form without its CSRF
//! token is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use reqwest::header::COOKIE;
use serde_json::Value;

use crate::common::browser::Browser;
use crate::common::{fresh_database, json_of};
use crate::demo::{printed_accounts, serve_demo};

/// The navigation each role is offered (assets/web/ui.toml words aside): its pages, in order.
fn navigation(role: &str) -> &'static [&'static str] {
    match role {
        "admin" => &["/", "/petitions", "/admin", "/account"],
        "reviewer" => &[
            "/",
            "/decisions",
            "/petitions",
            "/concerns",
            "/admin",
            "/account",
        ],
        "office" => &["/", "/concerns", "/account"],
        "expert" => &["/", "/decisions", "/petitions", "/account"],
        _ => &["/", "/decisions", "/petitions", "/concerns", "/account"],
    }
}

/// The kinds of page a role must have reached by following what it was offered.
fn must_reach(role: &str) -> &'static [&'static str] {
    match role {
        "admin" => &["admin", "audit", "petitions"],
        "planner" => &[
            "decision",
            "edit",
            "assessment",
            "brief",
            "compare",
            "checklist",
            "petitions",
        ],
        "expert" => &["decision", "rate", "petitions"],
        "reviewer" => &[
            "decision",
            "assessment",
            "brief",
            "audit",
            "petitions",
            "ledger",
            "concern",
            "stats",
        ],
        "committee" => &["decision", "assessment", "brief", "resolve", "petitions"],
        "office" => &["ledger", "concern", "queue"],
        _ => unreachable!("{role}"),
    }
}

/// What kind of page a path is, for [`must_reach`] and for naming screenshots.
fn kind_of(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        [""] => "dashboard",
        ["decisions"] => "register",
        ["decisions", _] => "decision",
        ["decisions", _, action] => match *action {
            "edit" => "edit",
            "rate" => "rate",
            "compare" => "compare",
            "checklist" => "checklist",
            "resolve" => "resolve",
            _ => "other",
        },
        ["assessments", _] => "assessment",
        ["assessments", _, "brief"] => "brief",
        ["petitions"] => "petitions",
        ["petitions", "imports", _] => "import",
        ["admin"] => "admin",
        ["admin", "audit"] => "audit",
        ["account"] => "account",
        ["concerns"] => "ledger",
        ["concerns", "queue"] => "queue",
        ["concerns", "stats"] => "stats",
        ["concerns", _] => "concern",
        _ => "other",
    }
}

/// The `href`s of the links matching `css` on the page shown, as written.
async fn links(browser: &Browser, css: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll({css:?})].map((a) => a.getAttribute('href'));"
    );
    serde_json::from_value(browser.js(&script).await).unwrap()
}

/// The message of a failed check.
fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// Visits every page `role` is offered, following links from the navigation, the dashboard, the register and
/// each decision page; returns the paths visited. A page that fails `inspect` adds its failure to `failed` and
/// the walk goes on, so that one run names every page that fails.
async fn visit_all(
    browser: &mut Browser,
    role: &str,
    name: &str,
    failed: &mut Vec<String>,
) -> BTreeSet<String> {
    let mut visited = BTreeSet::new();
    let mut queue: Vec<String> = Vec::new();
    browser.goto("/").await;
    let nav = links(browser, "header nav a").await;
    assert_eq!(nav, navigation(role), "the navigation of {name} ({role})");
    queue.extend(nav);
    // The dashboard's cards open the register filtered behind each.
    queue.extend(links(browser, "main a.card-link, main ul.links a").await);
    while let Some(path) = queue.pop() {
        if !visited.insert(path.clone()) {
            continue;
        }
        browser.goto(&path).await;
        assert_eq!(
            browser.path().await,
            path,
            "{name} ({role}) may open {path}"
        );
        let shot = format!("{role}-{name}-{}-{}", kind_of(&path), visited.len());
        if let Err(panic) = AssertUnwindSafe(browser.inspect(&shot))
            .catch_unwind()
            .await
        {
            failed.push(message(panic));
        }
        let next = match kind_of(&path) {
            "register" => {
                links(
                    browser,
                    "main table a[href^='/decisions/']:not([href$='/new'])",
                )
                .await
            }
            "decision" => {
                links(
                    browser,
                    "main a[href^='/decisions/'], main a[href^='/assessments/']",
                )
                .await
            }
            "assessment" => links(browser, "main a[href$='/brief']").await,
            "admin" => links(browser, "main a[href^='/admin/audit']").await,
            "petitions" => links(browser, "main a[href^='/petitions/imports/']").await,
            // The ledger's pages, and from the list the first concerns (each is the same page).
            "ledger" => {
                let mut next = links(
                    browser,
                    "main a[href^='/concerns/queue'], main a[href^='/concerns/stats']",
                )
                .await;
                next.extend(
                    links(browser, "main table a[href^='/concerns/']")
                        .await
                        .into_iter()
                        .take(3),
                );
                next
            }
            _ => Vec::new(),
        };
        queue.extend(
            next.into_iter()
                .filter(|p| !visited.contains(p) && !p.contains("/report.")),
        );
    }
    visited
}

/// A form as posted: field, value.
type Form = Vec<(&'static str, String)>;

/// The session's CSRF token and cookie, for posting as the signed-in user from outside the browser.
async fn credentials(browser: &Browser) -> (String, String) {
    let token = browser
        .js("return document.querySelector(\"form[action='/logout'] input[name=csrf_token]\").value;")
        .await;
    (
        token.as_str().unwrap().to_owned(),
        browser.cookie_header().await,
    )
}

#[tokio::test]
async fn every_demo_account_sees_its_pages_in_order_and_is_refused_the_rest() {
    let database = fresh_database().await;
    let served = serve_demo(&database.url).await;
    let accounts = printed_accounts(&served.banner);
    assert_eq!(accounts.len(), 9, "{}", served.banner);
    let mut browser = Browser::open_at(&served.url, "demo").await;
    browser.spare(accounts.iter().map(|(_, name, _)| name.clone()));

    let mut reached: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let mut failed = Vec::new();
    for (role, name, password) in &accounts {
        browser.goto("/").await;
        browser.sign_in(name, password).await;
        assert_eq!(browser.path().await, "/", "{name} lands on the dashboard");
        let visited = visit_all(&mut browser, role, name, &mut failed).await;
        let kinds: BTreeSet<&str> = visited.iter().map(|p| kind_of(p)).collect();
        for kind in must_reach(role) {
            assert!(
                kinds.contains(kind),
                "{name} ({role}) reached no {kind} page: {visited:?}"
            );
        }
        // An office works the concern ledger and does not read the decision register.
        if role != "admin" && role != "office" {
            let decisions = visited.iter().filter(|p| kind_of(p) == "decision").count();
            assert_eq!(decisions, 5, "{name} ({role}) opens the five decisions");
        }
        reached.entry(role.clone()).or_default().extend(kinds);
        browser.sign_out().await;
    }
    assert_eq!(reached.len(), 6, "every role: {reached:?}");
    browser.close().await;
    served.kill().await;
    assert!(
        failed.is_empty(),
        "{} page(s) failed their checks:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}

/// A role's sign-in in the demo: the browser signed in as the first account of `role`.
async fn signed_in_as(browser: &Browser, accounts: &[(String, String, String)], role: &str) {
    let (_, name, password) = accounts.iter().find(|(r, _, _)| r == role).unwrap();
    browser.goto("/login").await;
    browser.sign_in(name, password).await;
}

#[tokio::test]
async fn the_server_refuses_what_a_role_is_not_offered_and_forms_without_their_token() {
    let database = fresh_database().await;
    let served = serve_demo(&database.url).await;
    let accounts = printed_accounts(&served.banner);
    // The error pages it inspects show no account name, so none is spared.
    let mut browser = Browser::open_at(&served.url, "demo-refusals").await;
    let http = reqwest::Client::new();
    let base = served.url.trim_end_matches('/').to_owned();

    signed_in_as(&browser, &accounts, "planner").await;
    let list = json_of(browser.get("/api/v1/decisions?limit=50").await, 200).await;
    let by_kind: BTreeMap<String, String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_owned(),
                d["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let plant = &by_kind["major_project"];
    let house = &by_kind["house_expropriation"];
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    let assessments_before = count(
        &json_of(
            browser
                .get(&format!("/api/v1/decisions/{plant}/assessments"))
                .await,
            200,
        )
        .await,
    );
    let house_assessed = json_of(
        browser
            .get(&format!("/api/v1/decisions/{house}/assessments"))
            .await,
        200,
    )
    .await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The planner's form without its token is refused, and nothing is registered.
    let (_, cookie) = credentials(&browser).await;
    let new_decision = |token: Option<&str>| {
        let mut form = vec![
            ("title", "无令牌提交的决策".to_owned()),
            ("kind", "other".to_owned()),
            ("other_regions", "330199001".to_owned()),
        ];
        if let Some(token) = token {
            form.push(("csrf_token", token.to_owned()));
        }
        form
    };
    let res = http
        .post(format!("{base}/decisions/new"))
        .header(COOKIE, &cookie)
        .form(&new_decision(None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a form without its CSRF token");
    browser.sign_out().await;

    // Posts each role is not offered, sent with the role's valid token: refused by the server.
    let refusals: [(&str, String, Form); 4] = [
        (
            "expert",
            "/decisions/new".to_owned(),
            new_decision(Some("")),
        ),
        ("committee", format!("/decisions/{plant}/assess"), vec![]),
        (
            "expert",
            format!("/decisions/{house}/resolve"),
            vec![
                ("outcome", "implement".to_owned()),
                ("assessment_id", house_assessed.clone()),
                ("override_reason", "专家越权".to_owned()),
            ],
        ),
        (
            "reviewer",
            format!("/decisions/{plant}/checklist"),
            vec![("measure.media_plan", "on".to_owned())],
        ),
    ];
    for (role, path, mut form) in refusals {
        signed_in_as(&browser, &accounts, role).await;
        let (token, cookie) = credentials(&browser).await;
        form.retain(|(k, _)| *k != "csrf_token");
        form.push(("csrf_token", token));
        let res = http
            .post(format!("{base}{path}"))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{role} POST {path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("lang=\"zh-CN\""), "{html}");
        browser.sign_out().await;
    }

    // Pages a role is not offered: refused, with an error page that passes the checks (reported at the end).
    let mut failed = Vec::new();
    for (role, path) in [
        ("admin", "/decisions".to_owned()),
        ("expert", "/admin".to_owned()),
        ("committee", format!("/decisions/{plant}/rate")),
        ("expert", "/admin/audit".to_owned()),
        // Form pages of use cases the role may not carry out are refused too, not shown to fail on posting.
        ("expert", "/decisions/new".to_owned()),
        ("reviewer", format!("/decisions/{plant}/edit")),
        ("planner", format!("/decisions/{house}/resolve")),
    ] {
        signed_in_as(&browser, &accounts, role).await;
        let res = browser.get(&path).await;
        assert_eq!(res.status(), 403, "{role} GET {path}");
        browser.goto(&path).await;
        let shot = format!("refused-{role}-{}", kind_of(&path));
        if let Err(panic) = AssertUnwindSafe(browser.inspect(&shot))
            .catch_unwind()
            .await
        {
            failed.push(message(panic));
        }
        browser.goto("/").await;
        browser.sign_out().await;
    }

    signed_in_as(&browser, &accounts, "planner").await;
    let list = json_of(browser.get("/api/v1/decisions?limit=50").await, 200).await;
    assert_eq!(count(&list), 5, "nothing registered: {list}");
    let assessments = json_of(
        browser
            .get(&format!("/api/v1/decisions/{plant}/assessments"))
            .await,
        200,
    )
    .await;
    assert_eq!(count(&assessments), assessments_before, "nothing assessed");
    let resolution = json_of(
        browser
            .get(&format!("/api/v1/decisions/{house}/resolution"))
            .await,
        200,
    )
    .await;
    assert_eq!(resolution["current"]["outcome"], "postpone", "unchanged");
    browser.close().await;
    served.kill().await;
    assert!(
        failed.is_empty(),
        "{} refusal page(s) failed their checks:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}
