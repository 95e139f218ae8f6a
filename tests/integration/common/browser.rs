//! The pages as a reader sees them, in Chromium driven over WebDriver (see `webdriver.rs`). A page test opens a
//! [`Browser`] on a [`TestApp`], signs in, goes to pages and calls [`Browser::inspect`] on each, which checks
//! what every page owes its reader: its language, no missing word (`⟦key⟧`), on a Chinese page no raw domain
//! id, no serious or critical axe-core finding, nothing named or loaded from another host, the security
//! headers; and it keeps a screenshot.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use super::TestApp;
use super::page_checks::{assert_no_foreign_urls, assert_no_raw_ids, assert_security_headers};
use super::webdriver::{Element, Session};

/// axe-core, injected into each page by [`Browser::axe`] (tests/integration/browser/vendor/axe-core/README.md).
const AXE: &str = include_str!("../browser/vendor/axe-core/axe.min.js");

pub struct Browser {
    session: Session,
    base: String,
    http: Client,
    /// Screenshots of this test go here, numbered in the order taken.
    shots: PathBuf,
    taken: usize,
    /// Stylesheets and scripts already checked by this browser.
    assets_checked: HashSet<String>,
    /// Names the pages show as they were typed, which the raw-id check passes over (see [`Browser::spare`]).
    spared: Vec<String>,
}

impl Browser {
    /// A new Chromium with an empty profile, on the app; `test` names the folder of its screenshots.
    pub async fn open(app: &TestApp, test: &str) -> Browser {
        Self::open_at(&app.base, test).await
    }

    /// [`open`](Self::open) on the app served at `base` (`http://127.0.0.1:PORT`), a `wenping serve` say.
    pub async fn open_at(base: &str, test: &str) -> Browser {
        let shots = artefacts_dir().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        Browser {
            session: Session::start().await,
            base: base.trim_end_matches('/').to_owned(),
            http: super::client_with(None),
            shots,
            taken: 0,
            assets_checked: HashSet::new(),
            spared: Vec::new(),
        }
    }

    /// Account names that pages show as their owners typed them, passed over by the raw-id check: the demo's
    /// `zhou.jie` or `wang.jian` are data, not vocabulary. A role id shown untranslated on a page of such a test
    /// goes unseen, so tests that can name their accounts in Chinese do.
    pub fn spare(&mut self, names: impl IntoIterator<Item = String>) {
        self.spared.extend(names);
        // Longest first, so that `wang.jian` goes before a name it contains.
        self.spared.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    /// Quits Chromium.
    pub async fn close(self) {
        self.session.close().await;
    }

    /// Opens a path of the app (`/decisions?status=draft`) and waits for it to load.
    pub async fn goto(&self, path: &str) {
        self.session.navigate(&format!("{}{path}", self.base)).await;
    }

    /// [`goto`](Self::goto), then [`inspect`](Self::inspect) under `name`.
    pub async fn visit(&mut self, path: &str, name: &str) {
        self.goto(path).await;
        self.inspect(name).await;
    }

    /// The path and query of the page shown; fails when the browser left the app.
    pub async fn path(&self) -> String {
        let url = self.session.current_url().await;
        url.strip_prefix(&self.base)
            .unwrap_or_else(|| panic!("the browser is at {url}, outside the app at {}", self.base))
            .to_owned()
    }

    /// Waits up to ten seconds for the browser to be at `path`.
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.path().await;
            if now == path {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "expected to be at {path}, still at {now}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to ten seconds for the page to show `words` (the answer to a form just sent, say).
    pub async fn wait_for_text(&self, words: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text().await;
            if text.contains(words) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "expected {words:?} on {}, which shows:\n{text}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to ten seconds for `script` (a function body returning a boolean) to say yes; `what` names it.
    pub async fn wait_until(&self, script: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "waited ten seconds for {what} on {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to ten seconds for the browser to be at a page whose path satisfies `wanted`, and returns it.
    pub async fn wait_for_page(&self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.path().await;
            if wanted(&now) {
                return now;
            }
            assert!(
                Instant::now() < deadline,
                "expected to reach {what}, still at {now}:\n{}",
                self.text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Picks the option `value` of the list matching `css` as a reader does, by clicking it.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
    }

    /// Sets a date field (`YYYY-MM-DD`): typed keys go through the locale's own date format, so the value is set
    /// and the change announced, as the date picker does.
    pub async fn set_date(&self, css: &str, date: &str) {
        let script = format!(
            "const el = document.querySelector({css:?}); el.value = {date:?}; \
             el.dispatchEvent(new Event('input', {{bubbles: true}})); \
             el.dispatchEvent(new Event('change', {{bubbles: true}})); return el.value;"
        );
        assert_eq!(self.js(&script).await, date, "{css} took {date}");
    }

    /// Pastes `text` into the field matching `css`, replacing what it held: typed keys would turn each tab of a
    /// block copied from a spreadsheet into a move to the next field.
    pub async fn paste(&self, css: &str, text: &str) {
        let script = format!(
            "const el = document.querySelector({css:?}); el.focus(); el.value = arguments[0]; \
             el.dispatchEvent(new InputEvent('input', {{bubbles: true, inputType: 'insertFromPaste'}})); \
             return el.value;"
        );
        let pasted = self.session.execute(&script, vec![json!(text)]).await;
        assert_eq!(pasted, text, "{css} took the pasted text");
    }

    /// GET `path` of the app outside the browser with the browser's cookies (the JSON API with the session).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header().await)
            .send()
            .await
            .unwrap()
    }

    /// Runs JavaScript in the page (a function body; `return` gives the value).
    pub async fn js(&self, script: &str) -> Value {
        self.session.execute(script, vec![]).await
    }

    /// The text of the page as it shows (`document.body.innerText`).
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText;")
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Every word the page puts before a reader: its title, its text, the options of its lists and the
    /// titles, labels, placeholders and alternative texts of its elements.
    pub async fn readable_text(&self) -> String {
        let script = r#"
            const parts = [document.title, document.body.innerText];
            for (const option of document.querySelectorAll("option")) parts.push(option.textContent);
            for (const name of ["title", "aria-label", "placeholder", "alt"])
              for (const el of document.querySelectorAll(`body [${name}]`)) parts.push(el.getAttribute(name));
            return parts.join("\n");"#;
        self.js(script).await.as_str().unwrap().to_owned()
    }

    /// The page's `lang` (`zh-CN`, `en`).
    pub async fn lang(&self) -> String {
        let lang = self.js("return document.documentElement.lang;").await;
        lang.as_str().unwrap().to_owned()
    }

    /// The first element matching a CSS selector; fails when there is none.
    pub async fn find(&self, css: &str) -> Element {
        self.session.find(css).await
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.session.click(&element).await;
    }

    /// Clicks the button matching `css` and waits up to ten seconds for the page it sends the browser to (the
    /// answer to a form) to have loaded, so that nothing is read from the page that was left.
    pub async fn submit(&self, css: &str) {
        self.js("window.wenpingLeft = true; return true;").await;
        self.click(css).await;
        self.wait_until(
            "return window.wenpingLeft !== true && document.readyState === 'complete';",
            &format!("the answer to {css}"),
        )
        .await;
    }

    /// Types into the field matching `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.session.type_into(&element, text).await;
    }

    /// Signs in through the sign-in form (the page shown, or `/login` when another page is) and waits until the
    /// browser has left the sign-in page.
    pub async fn sign_in(&self, username: &str, password: &str) {
        let url = self.session.current_url().await;
        if !url.starts_with(&format!("{}/login", self.base)) {
            self.goto("/login").await;
        }
        self.fill("#username", username).await;
        self.fill("#password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.path().await.starts_with("/login") {
            assert!(
                Instant::now() < deadline,
                "signing in as {username} did not leave the sign-in page: {}",
                self.text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Signs out with the button in the page's header and waits for the sign-in page.
    pub async fn sign_out(&self) {
        self.click("form[action='/logout'] button[type=submit]")
            .await;
        self.wait_for_path("/login").await;
    }

    /// The value of a cookie the browser holds for the app.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        self.session.cookie(name).await
    }

    /// A `Cookie` header carrying what the browser would send (the session and the language), for requests made
    /// outside the browser.
    pub async fn cookie_header(&self) -> String {
        let cookies = self.js("return document.cookie;").await;
        // The session cookie is HttpOnly, out of the page's reach; WebDriver sees it.
        let session = self.cookie("wenping_session").await;
        let mut parts: Vec<String> = cookies
            .as_str()
            .unwrap()
            .split("; ")
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(value) = session {
            parts.push(format!("wenping_session={value}"));
        }
        parts.join("; ")
    }

    /// Saves a PNG of the window as `NN-name.png` in this test's folder of artefacts.
    pub async fn screenshot(&mut self, name: &str) {
        self.taken += 1;
        let file = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::create_dir_all(&self.shots).unwrap();
        let png = self.session.screenshot().await;
        assert!(
            png.starts_with(b"\x89PNG"),
            "the screenshot {name} is a PNG"
        );
        std::fs::write(&file, png).unwrap();
    }

    /// axe-core's serious and critical findings on the page shown.
    pub async fn axe(&self) -> Vec<Value> {
        let loaded = self.js(&format!("{AXE}\nreturn typeof window.axe;")).await;
        assert_eq!(loaded, "object", "axe-core did not load");
        let found = self
            .js(
                r#"return axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations
                  .filter((v) => v.impact === "serious" || v.impact === "critical")
                  .map((v) => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                     nodes: v.nodes.map((n) => ({target: n.target, html: n.html.slice(0, 200),
                                                 summary: n.failureSummary}))})));"#,
            )
            .await;
        found.as_array().unwrap().clone()
    }

    /// Fails, listing each finding, when axe-core finds a serious or critical problem.
    pub async fn assert_accessible(&self, name: &str) {
        let violations = self.axe().await;
        if violations.is_empty() {
            return;
        }
        let mut report = format!(
            "axe-core: {} serious or critical problem(s) on {name} ({}):\n",
            violations.len(),
            self.path().await
        );
        for v in &violations {
            report += &format!(
                "- [{}] {}: {} ({})\n",
                v["impact"].as_str().unwrap_or("?"),
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                v["helpUrl"].as_str().unwrap_or("")
            );
            for node in v["nodes"].as_array().into_iter().flatten() {
                report += &format!(
                    "    at {} {}\n      {}\n",
                    node["target"],
                    node["html"].as_str().unwrap_or(""),
                    node["summary"]
                        .as_str()
                        .unwrap_or("")
                        .replace('\n', "\n      ")
                );
            }
        }
        panic!("{report}");
    }

    /// What every page owes its reader, checked on the page shown, and a screenshot of it under `name`.
    pub async fn inspect(&mut self, name: &str) {
        self.screenshot(name).await;
        let path = self.path().await;
        let lang = self.lang().await;
        assert!(
            lang == "zh-CN" || lang == "en",
            "{name} ({path}): html lang is {lang:?}"
        );
        let text = self.readable_text().await;
        assert!(
            !text.contains('⟦'),
            "{name} ({path}) shows a word missing from assets/web/ui.toml:\n{text}"
        );
        if lang == "zh-CN" {
            let text = self
                .spared
                .iter()
                .fold(text, |text, spared| text.replace(spared.as_str(), " "));
            assert_no_raw_ids(&text, &format!("{name} ({path})"));
        }
        self.assert_everything_is_local(name).await;
        self.assert_secure_answer(&path, name).await;
        self.assert_accessible(name).await;
    }

    /// Everything the page names (links, forms, stylesheets, scripts, images) and everything it loaded is on the
    /// app's own origin, and each stylesheet did load (a refused or missing one leaves the page unstyled).
    async fn assert_everything_is_local(&mut self, name: &str) {
        let found = self
            .js(
                r#"const urls = [];
                for (const el of document.querySelectorAll("a[href], link[href], area[href]")) urls.push(el.href);
                for (const el of document.querySelectorAll("[src]")) urls.push(el.src);
                for (const el of document.querySelectorAll("form")) urls.push(el.action);
                for (const entry of performance.getEntriesByType("resource")) urls.push(entry.name);
                const sheets = [...document.querySelectorAll("link[rel=stylesheet]")];
                return {urls, assets: [...sheets.map((l) => l.href), ...[...document.querySelectorAll("script[src]")].map((s) => s.src)],
                        unloaded: sheets.filter((l) => !l.sheet).map((l) => l.href)};"#,
            )
            .await;
        let elsewhere: Vec<&str> = found["urls"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|url| !url.starts_with(&format!("{}/", self.base)) && *url != self.base)
            .collect();
        assert!(
            elsewhere.is_empty(),
            "{name} names or loads addresses outside the app: {elsewhere:?}"
        );
        assert_eq!(
            found["unloaded"],
            json!([]),
            "{name}: stylesheets that did not load"
        );
        let cookie = self.cookie_header().await;
        for asset in found["assets"].as_array().unwrap() {
            let url = asset.as_str().unwrap().to_owned();
            if !self.assets_checked.insert(url.clone()) {
                continue;
            }
            let res = self
                .http
                .get(&url)
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{url}");
            assert_security_headers(&res, &url);
            let body = res.text().await.unwrap();
            assert_no_foreign_urls(&body, &url);
        }
    }

    /// The page's answer, fetched again outside the browser with its cookies: the security headers, and no
    /// address of another host anywhere in the HTML.
    async fn assert_secure_answer(&self, path: &str, name: &str) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header().await)
            .send()
            .await
            .unwrap();
        let what = format!("{name} ({path})");
        assert_security_headers(&res, &what);
        let html = res.text().await.unwrap();
        assert_no_foreign_urls(&html, &what);
    }
}

/// Where screenshots go: `$WENPING_TEST_ARTIFACTS`, else `test-artifacts` in the target directory (scripts/test
/// prints it); one folder per database, since the suite runs on SQLite and on PostgreSQL.
pub fn artefacts_dir() -> PathBuf {
    let root = match std::env::var_os("WENPING_TEST_ARTIFACTS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            // target/debug/deps/integration-… → target
            let exe = std::env::current_exe().unwrap();
            let target = exe.ancestors().nth(3).unwrap().to_path_buf();
            target.join("test-artifacts")
        }
    };
    let database = if std::env::var_os("WENPING_TEST_POSTGRES_URL").is_some_and(|u| !u.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    root.join("browser").join(database)
}

/// Creates an account with the command line, as an operator does, and returns the password it prints.
pub async fn account(app: &TestApp, name: &str, role: &str) -> String {
    let printed = super::cli::succeeded(
        super::cli::wenping_on(&app.database_url).args(["users", "add", name, "--role", role]),
    )
    .await;
    let password = printed.trim().to_owned();
    assert!(
        !password.is_empty() && !password.contains('\n'),
        "the password alone: {printed:?}"
    );
    password
}
