//! The test harness: a real server on port 0 with a fresh database per test — a temporary SQLite
//! file, or a new database in the PostgreSQL named by `WENPING_TEST_POSTGRES_URL`.

pub mod browser;
pub mod cli;
pub mod hand_model;
pub mod page_checks;
pub mod panels;
pub mod petitions;
pub mod webdriver;

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use wenping::auth::secret;
use wenping::config::Settings;
use wenping::domain::account::{Role, Scope, User};
use wenping::startup::Application;
use wenping::storage::Db;

pub struct TestApp {
    pub base: String,
    /// Sends the token of `tester`, who holds every role everywhere.
    pub client: Client,
    /// Sends no credentials.
    pub anonymous: Client,
    pub db: Db,
    pub database_url: String,
    /// Clients of users created on demand by name (experts of `put_rating`, say).
    pub clients: std::sync::Mutex<std::collections::HashMap<String, Client>>,
    _dir: Option<TempDir>,
}

pub struct FreshDatabase {
    pub url: String,
    pub dir: Option<TempDir>,
}

/// A database nobody else uses: a new SQLite file, or a new database in the test PostgreSQL.
pub async fn fresh_database() -> FreshDatabase {
    // An empty variable is as good as none: `WENPING_TEST_POSTGRES_URL= scripts/test` must not mean "a URL".
    match std::env::var("WENPING_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin_url) => {
            use sqlx::Connection;
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("test PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .unwrap();
            let (base, _) = admin_url.rsplit_once('/').unwrap();
            FreshDatabase {
                url: format!("{base}/{name}"),
                dir: None,
            }
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/wenping.db", dir.path().display());
            FreshDatabase {
                url,
                dir: Some(dir),
            }
        }
    }
}

/// The key the test servers seal residents' names and phones with (32 bytes of 0x2a).
pub const TEST_RESIDENT_KEY: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// [`spawn_app`] with some settings changed (a low threshold, say).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let database = fresh_database().await;
    let mut settings = Settings {
        database_url: database.url.clone(),
        bind: "127.0.0.1:0".into(),
        models_dir: Some(cli::MODELS_DIR.into()),
        resident_key: Some(TEST_RESIDENT_KEY.into()),
        ..Settings::default()
    };
    adjust(&mut settings);
    serve(&settings, "tester", database.dir).await
}

/// A client that sends `Authorization: Bearer <token>` on every request.
pub fn client_with(token: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    Client::builder()
        .default_headers(headers)
        // Below actix's 5 s keep-alive, so the client never sends on a connection the server is closing.
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap()
}

/// Creates a user straight in the database (no password: they can only use the returned API
/// token) and returns the token.
pub async fn create_user(db: &Db, name: &str, roles: &[Role], scope: &[&str]) -> String {
    let roles: BTreeSet<Role> = roles.iter().copied().collect();
    let scope = Scope::parse(&scope.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let user = db
        .insert_user(name, "!no-password", &roles, &scope, "test")
        .await
        .unwrap();
    new_token(db, &user).await
}

/// A new API token of `user`, stored as its digest; returns the secret.
async fn new_token(db: &Db, user: &User) -> String {
    let token = secret::new_secret(secret::API_TOKEN_PREFIX);
    db.insert_token(
        user,
        "test",
        &secret::digest(&token),
        "wpt_test",
        None,
        "test",
    )
    .await
    .unwrap();
    token
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// A request with another client (another user's token, or none).
    pub fn request_with(&self, client: &Client, method: Method, path: &str) -> RequestBuilder {
        client.request(method, format!("{}{path}", self.base))
    }

    /// A client acting as a new user with these roles and scope.
    pub async fn client_for(&self, name: &str, roles: &[Role], scope: &[&str]) -> Client {
        client_with(Some(&create_user(&self.db, name, roles, scope).await))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_json(&self, path: &str, if_match: Option<&str>, body: &Value) -> Response {
        let mut req = self.request(Method::PATCH, path).json(body);
        if let Some(tag) = if_match {
            req = req.header("If-Match", tag);
        }
        req.send().await.unwrap()
    }

    /// Registers a decision and returns its JSON and ETag.
    pub async fn create_decision(&self, body: &Value) -> (Value, String) {
        let res = self.post_json("/api/v1/decisions", body).await;
        assert_eq!(res.status(), 201, "creating {body}");
        let etag = header(&res, "etag");
        (res.json().await.unwrap(), etag)
    }
}

pub fn header(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("missing header {name}"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// A valid land-requisition decision; tests change what they need.
pub fn land_requisition(title: &str) -> Value {
    serde_json::json!({
        "title": title,
        "kind": "land_requisition",
        "description": "城关镇东片区集体土地征收，用于产业园区建设。",
        "responsible_unit": "示范县自然资源局",
        "regions": ["330199001", "330199001002"],
        "affected": {"households": 412, "people": 1530, "workers": 0},
        "budget_yuan": 186000000.0,
        "planned_start": "2027-03-01",
        "attributes": {
            "compensation_ratio": 0.8,
            "signing_rate": 0.62,
            "support_rate": 0.55,
            "public_notice_days": 30,
            "hearing_held": false,
            "funds_in_place": true
        }
    })
}

/// The JSON body of an answer that must have `status` (the body is shown when it has not).
pub async fn json_of(res: Response, status: u16) -> Value {
    let code = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(code, status, "{body}");
    body
}

/// A number a test compares: an `f64`, or a JSON number of an answer.
pub trait Number {
    fn number(&self, what: &str) -> f64;
}

impl Number for f64 {
    fn number(&self, _: &str) -> f64 {
        *self
    }
}

impl Number for Value {
    fn number(&self, what: &str) -> f64 {
        self.as_f64()
            .unwrap_or_else(|| panic!("{what} is not a number: {self}"))
    }
}

/// Asserts that `actual` is within `tolerance` of `expected`.
pub fn assert_close(actual: &impl Number, expected: f64, tolerance: f64, what: &str) {
    let actual = actual.number(what);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} is not within {tolerance} of {expected}"
    );
}

/// Asserts a problem+json answer with `status`, naming `field` when given; returns the body.
pub async fn expect_problem(res: Response, status: u16, field: Option<&str>) -> Value {
    assert_eq!(res.status(), status, "status of {}", res.url());
    let content_type = header(&res, "content-type");
    assert!(
        content_type.starts_with("application/problem+json"),
        "{content_type}"
    );
    let body: Value = res.json().await.unwrap();
    for key in ["type", "title", "status", "detail"] {
        assert!(body.get(key).is_some(), "problem without {key}: {body}");
    }
    assert_eq!(body["status"], status);
    if let Some(field) = field {
        let named = body["errors"]
            .as_array()
            .is_some_and(|errors| errors.iter().any(|e| e["field"] == field));
        assert!(named, "expected an error naming {field}: {body}");
    }
    body
}

/// Another server on an existing database with its own models folder: a restart after the
/// model files were edited. The caller keeps the database (and its folder) alive.
pub async fn spawn_app_on(database_url: &str, models_dir: &std::path::Path) -> TestApp {
    let settings = Settings {
        database_url: database_url.to_owned(),
        bind: "127.0.0.1:0".into(),
        models_dir: Some(models_dir.to_path_buf()),
        ..Settings::default()
    };
    // The first server's `tester` exists already; this one acts through a new all-roles user.
    let tester = format!("tester-{}", uuid::Uuid::new_v4().simple());
    serve(&settings, &tester, None).await
}

async fn serve(settings: &Settings, tester: &str, dir: Option<TempDir>) -> TestApp {
    let app = Application::build(settings)
        .await
        .expect("the server builds");
    let base = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    let token = create_user(&db, tester, &Role::ALL, &[]).await;
    TestApp {
        base,
        client: client_with(Some(&token)),
        anonymous: client_with(None),
        db,
        database_url: settings.database_url.clone(),
        clients: Default::default(),
        _dir: dir,
    }
}

/// Decodes the %XX escapes of a path segment.
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Ok(b) = u8::from_str_radix(&segment[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

impl TestApp {
    /// A client acting as the user `name`: created with `roles` on first use, or given a new
    /// token when the account exists already (a server restarted on the same database).
    pub async fn client_named(&self, name: &str, roles: &[Role]) -> Client {
        if let Some(client) = self.clients.lock().unwrap().get(name) {
            return client.clone();
        }
        let client = match self.db.user_by_name(name).await.unwrap() {
            Some(user) => client_with(Some(&new_token(&self.db, &user).await)),
            None => self.client_for(name, roles, &[]).await,
        };
        self.clients
            .lock()
            .unwrap()
            .insert(name.to_owned(), client.clone());
        client
    }

    /// PUTs a rating sheet as the expert the path names (experts write only their own ratings),
    /// creating that expert's account on first use.
    pub async fn put_rating(&self, path: &str, body: &Value) -> Response {
        let expert = percent_decode(path.rsplit('/').next().unwrap());
        let client = self.client_named(&expert, &[Role::Expert]).await;
        self.request_with(&client, Method::PUT, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}

/// Asks `shows` until it answers true and returns how long after `since` the question that did was asked.
/// Fails when a question asked `within` or more after `since` still answers false. Each question is timed from
/// when it was asked, not answered, so a slow answer on a busy machine is not held against the server: what was
/// asked after the bound must show the change, whenever its answer arrives.
pub async fn shown_within<F, Fut>(
    since: Instant,
    within: Duration,
    what: &str,
    mut shows: F,
) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    loop {
        let asked = since.elapsed();
        if shows().await {
            return asked;
        }
        assert!(asked < within, "{what}: not yet {asked:?} after the change");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
