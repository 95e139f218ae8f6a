//! Building the server from settings: open the database, apply migrations, bind (port 0 works),
//! wire the state, and run until stopped. SIGTERM and Ctrl-C drain in-flight requests.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::config::Settings;
use crate::http::auth::authenticate_requests;
use crate::http::extract::query_error;
use crate::http::middleware::{not_found, observe, problem_fallback};
use crate::http::{self, AppState};
use crate::petitions::jobs::ImportWorker;
use crate::scoring;
use crate::storage::{Db, redact};

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
    db: Db,
    import_worker: ImportWorker,
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        // An invalid model is refused before anything else starts, with every error named.
        let models = load_models(&settings.models_dir)?;
        crate::reports::fonts::init(settings.font.as_deref())?;
        let db = Db::connect(&settings.database_url)
            .await
            .with_context(|| format!("cannot open database {}", redact(&settings.database_url)))?;
        let applied = db
            .migrate()
            .await
            .context("cannot apply database migrations")?;
        if applied > 0 {
            tracing::info!(
                applied,
                backend = db.backend(),
                "database migrations applied"
            );
        }
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let addr = listener.local_addr()?;
        let openapi = http::openapi();
        // Every instance imports queued uploads, its own and those of the other instances on the database.
        let import_worker = ImportWorker::start(
            db.clone(),
            Duration::from_secs(settings.petitions_job_stalled_after_seconds),
        );
        let state = web::Data::new(AppState {
            db: db.clone(),
            models,
            metrics: Default::default(),
            openapi_json: openapi.to_string(),
            petitions_async_threshold_bytes: settings.petitions_async_threshold_bytes,
            import_waker: import_worker.waker(),
        });
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .configure(http::routes)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .service(
                    SwaggerUi::new("/api/docs/{_:.*}").config(Config::new(["/api/openapi.json"])),
                )
                .default_service(web::to(not_found))
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
            db,
            import_worker,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish, hands a running background import
    /// back to the queue, and closes the pool.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.import_worker.stop().await;
        self.db.close().await;
        result
    }
}

/// Every model of the folder, or an error listing every problem found in it.
pub fn load_models(dir: &Path) -> anyhow::Result<Vec<scoring::Model>> {
    let (models, errors) = scoring::load_dir(dir);
    if !errors.is_empty() {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "the risk models in {} are invalid:\n  {}",
            dir.display(),
            list.join("\n  ")
        );
    }
    if models.is_empty() {
        anyhow::bail!("no risk models (*.toml) found in {}", dir.display());
    }
    Ok(models)
}
