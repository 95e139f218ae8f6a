//! `/api/v1/assessments/{id}/replay`: recomputing a stored assessment from its own inputs and model
//! snapshot, never from the current model files.

use actix_web::{HttpResponse, post, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Authorized;
use super::{AppState, path_id};
use crate::app::restore;
use crate::auth::permission::ReadDecisions;
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(replay_assessment);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DifferenceView {
    /// JSON path in the result, e.g. `factors[2].initial.degree`.
    path: String,
    #[schema(value_type = Object)]
    stored: Value,
    #[schema(value_type = Object)]
    recomputed: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayAnswer {
    assessment_id: Uuid,
    /// The recomputed result equals the stored one exactly and the stored content still hashes to `content_hash`.
    matches: bool,
    content_hash: String,
    recomputed_hash: Option<String>,
    stored_content_verified: bool,
    /// The first 100 differences.
    differences: Vec<DifferenceView>,
    difference_count: usize,
    /// Why nothing could be recomputed, when that is the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Recompute an assessment from its stored inputs and model snapshot (never the current model
/// files) and say whether the result matches exactly.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "Whether the replay matches, and what differs", body = ReplayAnswer),
        (status = 404, description = "No such assessment", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/assessments/{id}/replay")]
async fn replay_assessment(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let assessment_id = path_id(&id, "assessment")?;
    let report = restore::replay(&state.ctx, &user, assessment_id).await?;
    Ok(HttpResponse::Ok().json(ReplayAnswer {
        assessment_id,
        matches: report.matches,
        content_hash: report.content_hash,
        recomputed_hash: report.recomputed_hash,
        stored_content_verified: report.stored_content_verified,
        differences: report
            .differences
            .into_iter()
            .map(|d| DifferenceView {
                path: d.path,
                stored: d.stored,
                recomputed: d.recomputed,
            })
            .collect(),
        difference_count: report.difference_count,
        error: report.error,
    }))
}
