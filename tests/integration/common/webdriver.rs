//! The few commands of the W3C WebDriver protocol the browser tests use, spoken as JSON over plain HTTP to a
//! chromedriver on loopback with the reqwest client the tests already have. fantoccini 0.22 would add 19 crates
//! (webdriver 0.53 brings ICU 1.5's segmenter and turns on syn's `fold`, which rebuilt every proc macro and all
//! above them: 13 minutes on two cores) for the same dozen requests.

use std::time::Duration;

use serde_json::{Value, json};

/// The environment variable naming the WebDriver server; scripts/test starts chromedriver and sets it.
pub const WEBDRIVER_URL: &str = "WENPING_TEST_WEBDRIVER_URL";

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Chromium as the tests run it: headless, as root (no sandbox), quiet (no update, sync or background traffic,
/// no QUIC), a fresh profile, and a laptop's window.
fn chromium_arguments(profile: &std::path::Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1366,768",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// The WebDriver server's URL, or a failure that says how to get one.
pub fn webdriver_url() -> String {
    match std::env::var(WEBDRIVER_URL) {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => panic!(
            "the browser tests need a WebDriver server and {WEBDRIVER_URL} is not set.\n\
             Run them with scripts/test (it installs Debian's chromium and chromium-driver, starts chromedriver \
             on a free loopback port and sets {WEBDRIVER_URL}), or by hand:\n  \
             chromedriver --port=9515 &\n  \
             {WEBDRIVER_URL}=http://127.0.0.1:9515 cargo test --test integration browser::"
        ),
    }
}

/// An element of the page, as WebDriver names it.
pub struct Element(String);

/// One browser session: a Chromium with a profile of its own, closed by [`Session::close`] or, when a test
/// fails first, when dropped.
pub struct Session {
    http: reqwest::Client,
    /// `{webdriver}/session/{id}`
    base: String,
    closed: bool,
    _profile: tempfile::TempDir,
}

impl Session {
    pub async fn start() -> Session {
        let webdriver = webdriver_url();
        let profile = tempfile::tempdir().unwrap();
        let http = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"args": chromium_arguments(profile.path())},
        }}});
        let res = http
            .post(format!("{webdriver}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("no WebDriver server at {webdriver} ({WEBDRIVER_URL}): {e}")
            });
        let value = answer(res, "new session").await;
        let id = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {value}"));
        let session = Session {
            http,
            base: format!("{webdriver}/session/{id}"),
            closed: false,
            _profile: profile,
        };
        session
            .post(
                "/timeouts",
                json!({"pageLoad": 60_000, "script": 60_000, "implicit": 0}),
            )
            .await;
        session
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("WebDriver POST {path}: {e}"));
        answer(res, path).await
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("WebDriver GET {path}: {e}"));
        answer(res, path).await
    }

    /// Opens `url` and waits until the page has loaded.
    pub async fn navigate(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn current_url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_owned()
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page; a returned promise is awaited.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// The PNG of the window as it is.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let encoded = self.get("/screenshot").await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap()
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        Element(found[ELEMENT].as_str().unwrap().to_owned())
    }

    pub async fn type_into(&self, element: &Element, text: &str) {
        self.post(&format!("/element/{}/clear", element.0), json!({}))
            .await;
        self.post(
            &format!("/element/{}/value", element.0),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn click(&self, element: &Element) {
        self.post(&format!("/element/{}/click", element.0), json!({}))
            .await;
    }

    /// The value of the cookie `name` the browser holds for the current page, if any.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let cookies = self.get("/cookie").await;
        cookies
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["value"].as_str().unwrap().to_owned())
    }

    /// Ends the session, which quits its Chromium.
    pub async fn close(mut self) {
        self.closed = true;
        let res = self.http.delete(&self.base).send().await.unwrap();
        answer(res, "delete session").await;
    }
}

impl Drop for Session {
    /// A test that failed before closing still quits its Chromium: one short blocking request on the way out.
    fn drop(&mut self) {
        if !self.closed {
            delete_blocking(&self.base);
        }
    }
}

/// `DELETE {base}` over a plain TCP stream: `drop` cannot await reqwest.
fn delete_blocking(base: &str) {
    use std::io::{Read, Write};
    let Some(rest) = base.strip_prefix("http://") else {
        return;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return;
    };
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_end(&mut Vec::new());
    }
}

/// The `value` of a WebDriver answer, or a failure naming the command and WebDriver's error.
async fn answer(res: reqwest::Response, command: &str) -> Value {
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .unwrap_or_else(|e| panic!("WebDriver {command}: not JSON ({status}): {e}"));
    let value = body["value"].clone();
    if !status.is_success() || value.get("error").is_some_and(Value::is_string) {
        panic!(
            "WebDriver {command} failed ({status}): {} — {}",
            value["error"].as_str().unwrap_or("?"),
            value["message"].as_str().unwrap_or("")
        );
    }
    value
}
