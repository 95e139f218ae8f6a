//! The HTTP surface: one module per resource, each exporting `configure`, mounted under `/api/v1`.
//! The OpenAPI document is collected from the same registrations, so it cannot drift.

pub mod assessments;
pub mod audit;
pub mod cursor;
pub mod decisions;
pub mod extract;
pub mod methods;
pub mod metrics;
pub mod middleware;
pub mod models;
pub mod numbers;
pub mod ops;
pub mod ratings;
pub mod replay;

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use crate::scoring::Model;
use crate::storage::Db;

/// What every handler may reach.
pub struct AppState {
    pub db: Db,
    /// The validated risk models of the models folder, loaded once at start.
    pub models: Vec<Model>,
    pub metrics: metrics::Metrics,
    /// The OpenAPI document, serialised once at start.
    pub openapi_json: String,
}

/// Every route of the service.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(ops::configure).service(
        scope::scope("/api/v1")
            .configure(decisions::configure)
            .configure(ratings::configure)
            .configure(assessments::configure)
            .configure(replay::configure)
            .configure(models::configure)
            .configure(methods::configure)
            .configure(audit::configure),
    );
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "wenping (稳评)",
        description = "Social-stability risk assessment of major decisions. Errors are application/problem+json (RFC 9457).",
    ),
    tags(
        (name = "decisions", description = "The decision register"),
        (name = "audit", description = "The append-only audit log"),
        (name = "ratings", description = "Experts' probability and impact grades of a decision's risk factors"),
        (name = "assessments", description = "Immutable assessments of decisions, and their replay"),
        (name = "models", description = "The risk models in service"),
        (name = "methods", description = "Calculators for building models: AHP, fuzzy evaluation, entropy weights"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
struct ApiInfo;

/// The OpenAPI 3.1 document of [`routes`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiInfo::openapi())
        .configure(routes)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}
