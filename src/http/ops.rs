//! Operations endpoints: liveness, readiness, Prometheus metrics, and the OpenAPI document.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Authorized;
use super::metrics::render_reads;
use crate::app::ops;
use crate::auth::permission::ReadMetrics;
use crate::error::{Problem, problem, problem_response};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz)
        .service(readyz)
        .service(metrics)
        .service(openapi_json);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    status: &'static str,
    database: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers and its migrations are current.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Readiness),
        (status = 503, description = "Not ready", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match ops::readiness(&state.ctx).await {
        Ok(()) => HttpResponse::Ok().json(Readiness {
            status: "ready",
            database: state.ctx.backend(),
        }),
        Err(reason) => {
            let mut response = problem_response(&problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                reason,
                vec![],
            ));
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

/// Request counts and latency histograms by route and status, the lists and statistics read by the database
/// that served them, and the heap in use beside the resident set, in Prometheus text format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus exposition", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
async fn metrics(_admin: Authorized<ReadMetrics>, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(
            state.metrics.render()
                + &render_reads(state.ctx.reads_served())
                + &crate::memory::render(),
        )
}

/// This OpenAPI 3.1 document.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "OpenAPI document", content_type = "application/json", body = Object))
)]
#[get("/api/openapi.json")]
async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi_json.clone())
}
