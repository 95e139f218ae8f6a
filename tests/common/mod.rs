//! The test harness: a real server on port 0 with a fresh database per test — a temporary SQLite
//! file, or a new database in the PostgreSQL named by `WENPING_TEST_POSTGRES_URL`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use tempfile::TempDir;
use wenping::config::Settings;
use wenping::startup::Application;
use wenping::storage::Db;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: Db,
    pub database_url: String,
    _dir: Option<TempDir>,
}

pub struct FreshDatabase {
    pub url: String,
    pub dir: Option<TempDir>,
}

/// A database nobody else uses: a new SQLite file, or a new database in the test PostgreSQL.
pub async fn fresh_database() -> FreshDatabase {
    match std::env::var("WENPING_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
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
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/wenping.db", dir.path().display());
            FreshDatabase {
                url,
                dir: Some(dir),
            }
        }
    }
}

pub async fn spawn_app() -> TestApp {
    let database = fresh_database().await;
    let settings = Settings {
        database_url: database.url.clone(),
        bind: "127.0.0.1:0".into(),
        models_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/models").into(),
        ..Settings::default()
    };
    let app = Application::build(&settings)
        .await
        .expect("the server builds");
    let base = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: Client::new(),
        db,
        database_url: database.url,
        _dir: database.dir,
    }
}

impl TestApp {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
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
        models_dir: models_dir.to_path_buf(),
        ..Settings::default()
    };
    let app = Application::build(&settings)
        .await
        .expect("the server builds");
    let base = format!("http://{}", app.local_addr());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: Client::new(),
        db,
        database_url: database_url.to_owned(),
        _dir: None,
    }
}

impl TestApp {
    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PUT, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}
