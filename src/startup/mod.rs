//! Building the server from settings: load the risk models, open the database, apply migrations, bind (port 0
//! works), wire the use cases' context into the state, and run until stopped. SIGTERM and Ctrl-C drain
//! in-flight requests.

pub mod models;

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::app::{Context as UseCases, PetitionSettings};
use crate::auth::residents::ResidentKey;
use crate::config::{Settings, redact};
use crate::http::auth::authenticate_requests;
use crate::http::extract::query_error;
use crate::http::middleware::{observe, problem_fallback};
use crate::http::{self, AppState};
use crate::petitions::jobs::ImportWorker;
use crate::storage::{Db, ReadDb};

/// How long a stopping server waits for in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Headers on every response: no inline script, no framing, no sniffing, no referrer, no caching
/// of answers that may hold restricted data.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cache-Control", "no-store"))
}

pub struct Application {
    server: Server,
    addr: SocketAddr,
    ctx: UseCases,
    db: Db,
    import_worker: ImportWorker,
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let models = models::load(settings.models_dir.as_deref())?;
        let db = connect(settings).await?;
        let reader = connect_reader(settings).await?;
        // Every instance imports queued uploads, its own and those of the other instances on the database.
        let import_worker = ImportWorker::start(
            db.clone(),
            Duration::from_secs(settings.petitions_job_stalled_after_seconds),
            std::sync::Arc::new(crate::app::petitions::follow_up_rule()?),
        );
        let ctx =
            context(settings, db.clone(), reader, models)?.with_import_waker(import_worker.waker());
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let addr = listener.local_addr()?;
        let openapi = http::openapi();
        let state = web::Data::new(AppState {
            ctx: ctx.clone(),
            metrics: Default::default(),
            openapi_json: openapi.to_string(),
            assessment_bodies: crate::app::memo::Memo::new(http::ASSESSMENT_BODIES_KEPT),
            decision_page_bodies: http::bodies::SharedBodies::new(http::SHARED_BODIES_KEPT),
            petition_stats_bodies: http::bodies::SharedBodies::new(http::SHARED_BODIES_KEPT),
        });
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(http::routes)
                .split_for_parts();
            app.configure(crate::web::routes)
                .app_data(state.clone())
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}").config(Config::new(["/api/openapi.json"])),
                )
                .route("/api/docs", web::get().to(docs_with_slash))
                .default_service(web::to(crate::web::error::not_found))
                .wrap(from_fn(authenticate_requests))
                .wrap(ErrorHandlers::new().default_handler(problem_fallback))
                .wrap(from_fn(observe))
                .wrap(security_headers())
        })
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs())
        .listen(listener)?
        .run();
        Ok(Self {
            server,
            addr,
            ctx,
            db,
            import_worker,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The use cases' context the server runs on.
    pub fn context(&self) -> &UseCases {
        &self.ctx
    }

    /// The database itself, for tests that check what was stored.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish, hands a running background import
    /// back to the queue, and closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.import_worker.stop().await;
        // The context holds the primary and, when set, the read replica.
        self.ctx.close().await;
        result
    }
}

/// `/api/docs` is the documentation page's folder; its page lives at `/api/docs/`.
async fn docs_with_slash() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/api/docs/"))
        .finish()
}

/// The use cases' context from the settings: the risk models (an invalid one is refused before anything else
/// starts, with every error named), the report fonts, and the database with its migrations applied.
pub async fn open(settings: &Settings) -> anyhow::Result<UseCases> {
    let models = models::load(settings.models_dir.as_deref())?;
    let db = connect(settings).await?;
    let reader = connect_reader(settings).await?;
    context(settings, db, reader, models)
}

/// The configured database, with its pending migrations applied.
async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {}", redact(&settings.database_url)))?;
    let applied = db
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    db.prepare_petition_months(chrono::Utc::now().date_naive())
        .await
        .context("cannot prepare the coming months' petition partitions")?;
    if applied > 0 {
        tracing::info!(
            applied,
            backend = db.backend(),
            "database migrations applied"
        );
    }
    Ok(db)
}

/// The streaming replica lists and statistics read from, when `database_read_url` is set. Refused beside SQLite,
/// which has no replica; its migrations are the primary's, replayed.
async fn connect_reader(settings: &Settings) -> anyhow::Result<Option<ReadDb>> {
    let Some(url) = &settings.database_read_url else {
        return Ok(None);
    };
    if settings.database_url.starts_with("sqlite:") {
        anyhow::bail!(
            "database_read_url is set, but the database is SQLite: a read replica needs PostgreSQL \
             (unset database_read_url, or set database_url to the PostgreSQL primary)"
        );
    }
    let reader = ReadDb::connect_replica(url)
        .await
        .with_context(|| format!("cannot open read database {}", redact(url)))?;
    let standby = reader
        .is_standby()
        .await
        .with_context(|| format!("cannot query read database {}", redact(url)))?;
    if standby {
        tracing::info!(read_database = %redact(url), "lists and statistics read from the replica");
    } else {
        tracing::warn!(
            read_database = %redact(url),
            "database_read_url is not a standby (pg_is_in_recovery() is false); lists and statistics read from it"
        );
    }
    Ok(Some(reader))
}

fn context(
    settings: &Settings,
    db: Db,
    reader: Option<ReadDb>,
    models: crate::app::ModelRegistry,
) -> anyhow::Result<UseCases> {
    crate::reports::fonts::init(settings.font.as_deref())?;
    let mut ctx = UseCases::new(db, models);
    if let Some(reader) = reader {
        ctx = ctx.with_read_replica(reader);
    }
    let ctx = ctx.with_petition_settings(PetitionSettings {
        async_threshold_bytes: settings.petitions_async_threshold_bytes,
        job_stalled_after: Duration::from_secs(settings.petitions_job_stalled_after_seconds),
    });
    Ok(match resident_key(settings)? {
        Some(key) => ctx.with_resident_key(key),
        None => {
            tracing::warn!(
                "no resident key (resident_key or resident_key_file): concerns are taken only anonymously"
            );
            ctx
        }
    })
}

/// The key residents' data is sealed with: the setting, else the key file (beside a SQLite database by default,
/// made there on first start, readable by its owner only).
fn resident_key(settings: &Settings) -> anyhow::Result<Option<ResidentKey>> {
    if let Some(text) = &settings.resident_key {
        return Ok(Some(
            ResidentKey::from_base64(text).context("setting resident_key")?,
        ));
    }
    let file = settings.resident_key_file.clone().or_else(|| {
        let path = settings.database_url.strip_prefix("sqlite:")?;
        let path = path.trim_start_matches("//");
        let path = path.split('?').next()?;
        (!path.is_empty() && path != ":memory:")
            .then(|| std::path::Path::new(path).with_file_name("resident.key"))
    });
    let Some(file) = file else { return Ok(None) };
    if !file.exists() {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        write_private(&file, &ResidentKey::generate())
            .with_context(|| format!("cannot write the resident key {}", file.display()))?;
        tracing::info!(file = %file.display(), "made a new resident key; keep it with the database's backups");
    }
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read the resident key {}", file.display()))?;
    Ok(Some(ResidentKey::from_base64(&text).with_context(
        || format!("the resident key {}", file.display()),
    )?))
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// Applies the pending migrations of the configured database; returns how many ran and the backend's name.
pub async fn migrate(settings: &Settings) -> anyhow::Result<(usize, &'static str)> {
    let db = Db::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {}", redact(&settings.database_url)))?;
    let applied = db.migrate().await?;
    let backend = db.backend();
    db.close().await;
    Ok((applied, backend))
}
