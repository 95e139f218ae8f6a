//! The web pages in a real browser (Chromium over WebDriver, which scripts/test starts): the reader's story of
//! signing in, finding decisions and switching language, with every page visited checked by
//! `Browser::inspect` (language, words, raw ids, axe-core, addresses, security headers, a screenshot). A page
//! test of a new page goes in `tests/integration/browser/NAME.rs`, declared here with `mod NAME;`.

mod decision_story;
mod demo_pages;
mod ledger_pages;

use reqwest::header::{CONTENT_TYPE, COOKIE};

use crate::common::browser::{Browser, account};
use crate::common::page_checks::{RAW_IDS, assert_no_foreign_urls, assert_no_raw_ids};
use crate::common::{TestApp, land_requisition, spawn_app};

/// The five roles, each with an account named in Chinese (a Latin name could read as a raw id) and the words the
/// page header shows for the role (assets/web/ui.toml).
const ROLES: [(&str, &str, &str); 5] = [
    ("admin", "管理员甲", "系统管理员"),
    ("planner", "经办人乙", "评估经办人"),
    ("expert", "专家丙", "评估专家"),
    ("reviewer", "审核人丁", "审核人"),
    ("committee", "委员戊", "决策机关"),
];

async fn planner(app: &TestApp) -> (&'static str, String) {
    let name = "经办人乙";
    (name, account(app, name, "planner").await)
}

#[tokio::test]
async fn the_sign_in_page_is_chinese_and_every_role_lands_on_the_dashboard() {
    let app = spawn_app().await;
    let mut browser = Browser::open(&app, "sign-in").await;
    let mut passwords = Vec::new();
    for (role, name, _) in ROLES {
        passwords.push(account(&app, name, role).await);
    }

    browser.goto("/").await;
    assert_eq!(browser.path().await, "/login?next=%2F");
    browser.inspect("sign-in").await;
    assert_eq!(browser.lang().await, "zh-CN");
    let text = browser.text().await;
    for word in ["登录", "用户名", "密码", "English"] {
        assert!(text.contains(word), "{word} on the sign-in page:\n{text}");
    }

    browser.fill("#username", "经办人乙").await;
    browser.fill("#password", "not-the-password").await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("用户名或密码不正确").await;
    browser.inspect("sign-in-refused").await;

    for ((role, name, role_word), password) in ROLES.iter().zip(&passwords) {
        browser.sign_in(name, password).await;
        assert_eq!(browser.path().await, "/", "{role} lands on the dashboard");
        browser.inspect(&format!("dashboard-{role}")).await;
        let text = browser.text().await;
        for word in ["工作台", name, role_word, "退出"] {
            assert!(
                text.contains(word),
                "{word} on the dashboard of {role}:\n{text}"
            );
        }
        browser.sign_out().await;
    }
    browser.close().await;
}

#[tokio::test]
async fn the_register_shows_decisions_in_words_and_english_is_remembered_across_pages() {
    let app = spawn_app().await;
    app.create_decision(&land_requisition("城东产业园集体土地征收"))
        .await;
    let (name, password) = planner(&app).await;
    let mut browser = Browser::open(&app, "register").await;
    browser.goto("/decisions").await;
    browser.sign_in(name, &password).await;
    assert_eq!(browser.path().await, "/decisions");

    browser.inspect("register").await;
    let text = browser.text().await;
    for word in ["决策事项", "城东产业园集体土地征收", "土地征收", "草稿"] {
        assert!(text.contains(word), "{word} in the register:\n{text}");
    }
    browser
        .visit("/decisions?status=assessed", "register-no-assessed")
        .await;
    assert!(
        !browser.text().await.contains("城东产业园集体土地征收"),
        "a draft is not listed among assessed decisions"
    );

    browser.click("a.switch").await;
    browser.wait_for_path("/decisions?status=assessed").await;
    assert_eq!(browser.lang().await, "en");
    assert_eq!(browser.cookie("wenping_lang").await.as_deref(), Some("en"));
    browser.inspect("register-en").await;
    for (path, name, word) in [
        ("/", "en-dashboard", "Dashboard"),
        ("/decisions", "en-register", "land requisition"),
        ("/account", "en-account", "Change password"),
        ("/no-such-page", "en-not-found", "No such page"),
    ] {
        browser.visit(path, name).await;
        assert_eq!(browser.lang().await, "en", "{path} stays in English");
        let text = browser.text().await;
        assert!(text.contains(word), "{word} on {path}:\n{text}");
    }

    browser.goto("/decisions").await;
    browser.click("a.switch").await;
    browser.wait_for_path("/decisions").await;
    assert_eq!(browser.lang().await, "zh-CN");
    for (path, name) in [
        ("/", "zh-dashboard"),
        ("/account", "zh-account"),
        ("/no-such-page", "zh-not-found"),
    ] {
        browser.visit(path, name).await;
        assert_eq!(browser.lang().await, "zh-CN", "{path} is back in Chinese");
    }
    browser.close().await;
}

#[tokio::test]
async fn a_page_that_needs_signing_in_comes_back_after_it_and_never_to_another_site() {
    let app = spawn_app().await;
    let (name, password) = planner(&app).await;
    let mut browser = Browser::open(&app, "return").await;

    browser
        .goto("/decisions?kind=land_requisition&status=draft")
        .await;
    assert_eq!(
        browser.path().await,
        "/login?next=%2Fdecisions%3Fkind%3Dland_requisition%26status%3Ddraft"
    );
    browser.sign_in(name, &password).await;
    assert_eq!(
        browser.path().await,
        "/decisions?kind=land_requisition&status=draft"
    );
    browser.inspect("register-filtered").await;
    browser.sign_out().await;

    browser.goto("/login?next=%2F%2Fexample.com%2F").await;
    browser.sign_in(name, &password).await;
    assert_eq!(browser.path().await, "/", "not to //example.com/");
    browser.close().await;
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    let (name, password) = planner(&app).await;
    let mut browser = Browser::open(&app, "csrf").await;
    browser.sign_in(name, &password).await;
    browser.visit("/account", "account").await;
    let token = browser
        .js("return document.querySelector(\"form[action='/logout'] input[name=csrf_token]\").value;")
        .await;
    let token = token.as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    // The browser always sends its cookie, so the forged posts go from outside it, with the session cookie.
    let cookie = browser.cookie_header().await;
    let post = |path: &str, form: Vec<(&str, String)>| {
        app.anonymous
            .post(format!("{}{path}", app.base))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
    };

    for (path, form) in [
        ("/logout", vec![]),
        ("/logout", vec![("csrf_token", "forged".to_owned())]),
        (
            "/account/password",
            vec![
                ("current_password", password.clone()),
                ("new_password", "a-new-long-password-42".to_owned()),
            ],
        ),
        (
            "/account/password",
            vec![
                ("csrf_token", format!("{token}x")),
                ("current_password", password.clone()),
                ("new_password", "a-new-long-password-42".to_owned()),
            ],
        ),
    ] {
        let fields: Vec<&str> = form.iter().map(|(k, _)| *k).collect();
        let res = post(path, form.clone()).await.unwrap();
        let status = res.status().as_u16();
        assert!(
            status == 400 || status == 403,
            "POST {path} with {fields:?}: {status}"
        );
        assert_eq!(res.url().path(), path, "POST {path} was not redirected");
        let html = res.text().await.unwrap();
        assert!(!html.contains('⟦'), "{html}");
    }

    browser.visit("/", "still-signed-in").await;
    assert_eq!(browser.path().await, "/", "the forged sign-out did nothing");
    browser.sign_out().await;
    browser.sign_in(name, &password).await;
    assert_eq!(browser.path().await, "/", "the password did not change");

    // The same post with the session's token is obeyed: the refusals were for the token alone.
    let cookie = browser.cookie_header().await;
    let token = browser
        .js("return document.querySelector(\"form[action='/logout'] input[name=csrf_token]\").value;")
        .await;
    let res = app
        .anonymous
        .post(format!("{}/logout", app.base))
        .header(COOKIE, &cookie)
        .form(&[("csrf_token", token.as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), "/login", "signed out and sent to sign in");
    browser.goto("/").await;
    assert_eq!(browser.path().await, "/login?next=%2F", "signed out");
    browser.close().await;
}

#[tokio::test]
async fn assets_are_served_from_the_app_with_their_types() {
    let app = spawn_app().await;
    let (name, password) = planner(&app).await;
    let browser = Browser::open(&app, "assets").await;
    browser.sign_in(name, &password).await;
    let assets = browser
        .js("return [...document.querySelectorAll('link[rel=stylesheet], script[src]')].map((e) => e.href || e.src);")
        .await;
    let assets: Vec<String> = serde_json::from_value(assets).unwrap();
    assert_eq!(assets.len(), 2, "{assets:?}");
    for (url, kind) in assets.iter().zip(["text/css", "text/javascript"]) {
        let res = app.anonymous.get(url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let content_type = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        assert!(content_type.starts_with(kind), "{url}: {content_type}");
        assert_no_foreign_urls(&res.text().await.unwrap(), url);
    }
    browser.close().await;
}

#[test]
fn the_raw_id_check_knows_the_vocabulary_and_spares_words() {
    for id in [
        "land_requisition",
        "house_expropriation",
        "enterprise_restructuring",
        "major_project",
        "legality",
        "expert",
        "attribute",
        "true",
        "false",
        "draft",
        "assessing",
        "assessed",
        "low",
        "medium",
        "high",
        "planner",
    ] {
        assert!(RAW_IDS.contains(id), "{id}");
    }
    assert_no_raw_ids(
        "土地征收 草稿 低风险 English CSV · XLSX 330199001 2027-03-01 经办人乙",
        "words",
    );
    for shown in [
        "类别：land_requisition",
        "状态 draft",
        "等级 high。",
        "是否举行听证：true",
        "some_key",
    ] {
        let failed = std::panic::catch_unwind(|| assert_no_raw_ids(shown, "page")).is_err();
        assert!(failed, "{shown} passed");
    }
}

#[test]
fn foreign_addresses_are_found_and_loopback_and_namespaces_spared() {
    assert_no_foreign_urls(
        r#"<a href="http://127.0.0.1:8080/x">x</a> http://localhost/ <svg xmlns="http://www.w3.org/2000/svg">"#,
        "local",
    );
    for foreign in [
        r#"<script src="https://cdn.example.com/x.js">"#,
        "@import url(http://fonts.example/x.css);",
        r#"<img src="//cdn.example/x.png">"#,
        "fetch('HTTPS://api.example')",
        "http://127.0.0.1.evil.example/",
    ] {
        let failed = std::panic::catch_unwind(|| assert_no_foreign_urls(foreign, "page")).is_err();
        assert!(failed, "{foreign} passed");
    }
}
