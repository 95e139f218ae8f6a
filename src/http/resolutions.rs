//! `/api/v1/decisions/{id}/resolution`: the committee's outcome, signed against one assessment.
//! The decision gate may forbid an outcome; only a recorded override reason gets past it.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::assessments::internal;
use super::auth::Authorized;
use super::decisions::{decision_in_scope, not_archived};
use super::extract::{JsonBody, decode_value};
use crate::auth::permission::{ReadDecisions, Resolve};
use crate::domain::FieldError;
use crate::domain::decision::{Decision, DecisionStatus};
use crate::domain::resolution::{Resolution, ResolutionRequest};
use crate::domain::text::{check_line, check_text};
use crate::error::{ApiError, Problem};
use crate::scoring::model::EvidenceRule;
use crate::scoring::{Assessment, GateOutcome, Model};
use crate::storage::StorageError;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(resolve).service(get_resolution);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResolutionView {
    /// The resolution in force.
    current: Resolution,
    /// Earlier resolutions of the decision, newest first.
    earlier: Vec<Resolution>,
}

/// The decision after a resolution: `decided`, when its lifecycle allows it.
fn decided(decision: &Decision) -> Option<Decision> {
    let from = decision.fields.status;
    (from != DecisionStatus::Decided && from.may_become(DecisionStatus::Decided)).then(|| {
        let mut next = decision.clone();
        next.fields.status = DecisionStatus::Decided;
        next.version += 1;
        next
    })
}

/// The petition categories the model's petition factors read (empty = all), which follow-up watches.
fn watched_categories(model_snapshot: &str) -> Result<Vec<String>, ApiError> {
    let model =
        Model::from_snapshot_json(model_snapshot).map_err(|e| internal(format!("{e:?}")))?;
    let mut categories = Vec::new();
    for factor in &model.spec().factors {
        if let EvidenceRule::Petition(rule) = &factor.evidence {
            if rule.categories.iter().any(|c| c == "all") {
                return Ok(Vec::new());
            }
            categories.extend(rule.categories.iter().cloned());
        }
    }
    categories.sort();
    categories.dedup();
    Ok(categories)
}

/// Record the committee's resolution. Refused with 409 when the gate forbids the outcome (e.g.
/// `implement` on a high residual level), unless `override_reason` says why; an override is kept
/// and shown prominently in reports.
#[utoipa::path(
    tag = "resolutions",
    params(("id" = Uuid, Path, description = "Decision id")),
    request_body(content = ResolutionRequest, example = json!({"outcome": "implement", "conditions": "按清单落实措施", "assessment_id": "00000000-0000-0000-0000-000000000000"})),
    responses(
        (status = 201, description = "Recorded", body = Resolution,
            headers(("Location" = String, description = "URL of the decision's resolution"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The gate forbids the outcome (the detail says why), or the decision is archived or changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, e.g. an assessment of another decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions/{id}/resolution")]
async fn resolve(
    user: Authorized<Resolve>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let decision = decision_in_scope(&state, &id, &user).await?;
    not_archived(&decision, "an archived decision cannot be resolved")?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let request: ResolutionRequest = decode_value(body.0)?;
    let mut errors = Vec::new();
    check_text(&mut errors, "conditions", &request.conditions, 5_000);
    if let Some(reason) = &request.override_reason {
        check_line(&mut errors, "override_reason", reason, 1, 2_000);
    }
    crate::domain::FieldErrors::from_vec(errors)?;
    let stored = match state.db.assessment(request.assessment_id).await {
        Ok(s) if s.head.decision_id == decision.id => s,
        Ok(_) | Err(StorageError::NotFound(_)) => {
            return Err(ApiError::invalid(
                "assessment_id",
                format!(
                    "no assessment with id {} of this decision",
                    request.assessment_id
                ),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let result: Assessment = serde_json::from_str(&stored.result).map_err(internal)?;
    let snapshot = state.db.model_snapshot(&stored.head.model_hash).await?;
    let watched_categories = web::block(move || watched_categories(&snapshot))
        .await
        .map_err(internal)??;
    let gate: GateOutcome = result.gate.outcome;
    let forbidden = request.outcome.forbidden_by(gate);
    match (forbidden, &request.override_reason) {
        (Some(why), None) => {
            return Err(ApiError::Conflict(format!(
                "the decision gate forbids `{}` on assessment {} (residual level {}): {why}. \
                 Choose another outcome, or give `override_reason`, which is recorded and shown in every report",
                request.outcome.as_str(),
                stored.head.id,
                stored.head.residual_level
            )));
        }
        (None, Some(_)) => {
            return Err(ApiError::Validation(crate::domain::FieldErrors(vec![
                FieldError::new(
                    "override_reason",
                    "the gate allows this outcome, so there is nothing to override; leave it out",
                ),
            ])));
        }
        _ => {}
    }
    let resolution = Resolution {
        id: Uuid::new_v4(),
        decision_id: decision.id,
        outcome: request.outcome,
        conditions: request.conditions,
        assessment_id: stored.head.id,
        assessment_hash: stored.head.content_hash.clone(),
        gate_outcome: gate,
        residual_level: stored.head.residual_level.clone(),
        override_reason: request.override_reason,
        watched_categories,
        author: user.username.clone(),
        created_at: crate::storage::now(),
        needs_review: false,
        review_reasons: Vec::new(),
    };
    state
        .db
        .insert_resolution(&resolution, decided(&decision).as_ref())
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/decisions/{}/resolution", decision.id),
        ))
        .json(resolution))
}

/// The resolution in force and the earlier ones.
#[utoipa::path(
    tag = "resolutions",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The resolutions", body = ResolutionView),
        (status = 404, description = "No such decision, or not resolved yet", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/resolution")]
async fn get_resolution(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let decision = decision_in_scope(&state, &id, &user).await?;
    let mut all = state.db.resolutions(decision.id).await?.into_iter();
    let current = all.next().ok_or_else(|| {
        ApiError::NotFound(format!("decision {} has no resolution yet", decision.id))
    })?;
    Ok(HttpResponse::Ok().json(ResolutionView {
        current,
        earlier: all.collect(),
    }))
}
