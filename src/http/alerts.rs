//! `/api/v1/alerts`: petition spikes in the regions of decisions that went ahead.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Authorized;
use super::{AppState, cursor, path_id};
use crate::app::resolutions;
use crate::auth::permission::ReadDecisions;
use crate::domain::resolution::Alert;
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_alerts).service(decision_alerts);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    /// Newest first.
    items: Vec<Alert>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// How many, 1–500 (default 100).
    limit: Option<String>,
}

/// Follow-up alerts of the decisions in the caller's scope, newest first.
#[utoipa::path(
    tag = "resolutions",
    params(AlertQuery),
    responses(
        (status = 200, description = "The alerts", body = AlertList),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/alerts")]
async fn list_alerts(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    query: web::Query<AlertQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = cursor::limit(query.limit.as_deref(), 100, 500)?;
    let items = resolutions::alerts(&state.ctx, &user, None, limit).await?;
    Ok(HttpResponse::Ok().json(AlertList { items }))
}

/// The follow-up alerts of one decision.
#[utoipa::path(
    tag = "resolutions",
    params(("id" = Uuid, Path, description = "Decision id"), AlertQuery),
    responses(
        (status = 200, description = "The alerts", body = AlertList),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/alerts")]
async fn decision_alerts(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<AlertQuery>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    let limit = cursor::limit(query.limit.as_deref(), 100, 500)?;
    let items = resolutions::alerts(&state.ctx, &user, Some(decision_id), limit).await?;
    Ok(HttpResponse::Ok().json(AlertList { items }))
}
