//! The pages as a reader sees them, in Chromium driven over WebDriver (see `webdriver.rs`). A page test opens a
//! [`Browser`] on a [`TestApp`], signs in, goes to pages and calls [`Browser::inspect`] on each, which checks
//! what every page owes its reader: its language, no missing word (`⟦key⟧`), on a Chinese page no raw domain
//! id, no serious or critical axe-core finding, nothing named or loaded from another host, the security
//! headers; and it keeps a screenshot.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use super::TestApp;
use super::webdriver::{Element, Session};
use wenping::domain::account::Role;

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
}

impl Browser {
    /// A new Chromium with an empty profile, on the app; `test` names the folder of its screenshots.
    pub async fn open(app: &TestApp, test: &str) -> Browser {
        let shots = artefacts_dir().join(test);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            session: Session::start().await,
            base: app.base.clone(),
            http: app.anonymous.clone(),
            shots,
            taken: 0,
            assets_checked: HashSet::new(),
        }
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
    let database = if std::env::var_os("WENPING_TEST_POSTGRES_URL").is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    root.join("browser").join(database)
}

/// The security headers every answer carries: a CSP that allows no inline or evaluated script and no framing,
/// a referrer policy, no MIME sniffing.
pub fn assert_security_headers(res: &reqwest::Response, what: &str) {
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let csp = header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(str::to_owned)
    };
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .unwrap_or_else(|| panic!("{what}: the CSP does not restrict scripts: {csp}"));
    for unsafe_source in [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "*",
        "data:",
        "http:",
        "https:",
    ] {
        assert!(
            !scripts.split_whitespace().any(|s| s == unsafe_source),
            "{what}: scripts may come from {unsafe_source}: {scripts}"
        );
    }
    let framing = directive("frame-ancestors")
        .is_some_and(|d| d.contains("'none'") || d.contains("'self'"))
        || header("x-frame-options").is_some_and(|v| {
            v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin")
        });
    assert!(framing, "{what}: other sites may frame it (CSP: {csp})");
    let referrer =
        header("referrer-policy").unwrap_or_else(|| panic!("{what}: no Referrer-Policy"));
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer.as_str()),
        "{what}: Referrer-Policy {referrer} may send the address elsewhere"
    );
    assert_eq!(
        header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}: X-Content-Type-Options"
    );
}

/// XML namespace names: identifiers in SVG and XHTML, never fetched.
const NAMESPACES: [&str; 3] = [
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
];

/// Fails on any `http(s)://` address of a host other than loopback, and on any protocol-relative `//host`
/// address, in the text of a page, stylesheet or script.
pub fn assert_no_foreign_urls(text: &str, what: &str) {
    let lower = text.to_ascii_lowercase();
    let mut foreign = BTreeSet::new();
    for scheme in ["http://", "https://"] {
        for (at, _) in lower.match_indices(scheme) {
            let rest = &lower[at + scheme.len()..];
            let end = rest
                .find(|c: char| "/?#\"'`) \t\r\n<>\\".contains(c))
                .unwrap_or(rest.len());
            let authority = &rest[..end];
            let host = authority.rsplit('@').next().unwrap_or_default();
            // An empty host is a prefix being put together, not an address.
            let local = host.is_empty()
                || host.starts_with("[::1]")
                || matches!(host.split(':').next(), Some("127.0.0.1" | "localhost"));
            if !local && !NAMESPACES.iter().any(|ns| lower[at..].starts_with(ns)) {
                foreign.insert(text[at..at + scheme.len() + end].to_owned());
            }
        }
    }
    for opening in ["=\"//", "='//", "(//", "(\"//", "('//"] {
        for (at, _) in lower.match_indices(opening) {
            let snippet: String = text[at..].chars().take(60).collect();
            foreign.insert(snippet);
        }
    }
    assert!(
        foreign.is_empty(),
        "{what} names addresses outside the app: {foreign:?}"
    );
}

/// The ids of wenping's vocabulary, which a Chinese page must show in words: every id of assets/labels.toml,
/// the ids of the bundled models (model, dimensions, factors) and the roles.
pub static RAW_IDS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let labels: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("assets/labels.toml")).unwrap()).unwrap();
    let mut ids = BTreeSet::new();
    for (group, entries) in &labels {
        // [[provenance]] holds texts, not ids.
        if let (false, Some(table)) = (group == "provenance", entries.as_table()) {
            ids.extend(table.keys().cloned());
        }
    }
    for entry in std::fs::read_dir(root.join("models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let model: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        ids.extend(model.get("id").and_then(|v| v.as_str()).map(str::to_owned));
        for list in ["dimensions", "factors"] {
            let items = model
                .get(list)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten();
            ids.extend(items.filter_map(|i| i.get("id")?.as_str().map(str::to_owned)));
        }
    }
    ids.extend(Role::ALL.iter().map(|r| r.as_str().to_owned()));
    assert!(ids.len() > 100, "the vocabulary was read: {ids:?}");
    ids
});

/// Fails when the text of a Chinese page shows a raw id of the vocabulary ([`RAW_IDS`]) or any
/// `snake_case` word, which only an untranslated id or key would be.
pub fn assert_no_raw_ids(text: &str, what: &str) {
    let mut raw = BTreeSet::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        if RAW_IDS.contains(word)
            || (word.contains('_') && word.chars().any(|c| c.is_ascii_alphabetic()))
        {
            raw.insert(word.to_owned());
        }
    }
    // A few ids are phrases (the reasons a measure was not counted).
    for id in RAW_IDS.iter().filter(|id| id.contains(' ')) {
        if text.contains(id.as_str()) {
            raw.insert(id.clone());
        }
    }
    if !raw.is_empty() {
        let lines: Vec<&str> = text
            .lines()
            .filter(|line| raw.iter().any(|id| line.contains(id.as_str())))
            .collect();
        panic!("{what} shows raw ids {raw:?} in:\n{}", lines.join("\n"));
    }
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
