//! `/api/v1/decisions/{id}/assessments` and `/api/v1/assessments`: assessing a decision with its
//! stored ratings, reading the immutable records back, and replaying them from their own snapshots.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Authorized;
use super::extract::JsonBody;
use super::{AppState, cursor, path_id};
use crate::app::assessments::{self, AssessRequest as Request};
use crate::auth::permission::{Assess, ReadDecisions};
use crate::domain::assessment::AssessmentHead;
use crate::error::{ApiError, Problem};
use crate::scoring::Assessment;
use crate::scoring::record::{AssessmentRecord as Record, RecordedInputs};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_assessment)
        .service(list_assessments)
        .service(get_assessment);
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessRequest {
    /// The scenario to assess; by default the decision's baseline.
    #[serde(default)]
    scenario_id: Option<Uuid>,
    /// Proposed mitigation measures (ids from the model's catalogue); by default the scenario's.
    /// The residual level counts only those whose checklist item has an owner unit and a due date;
    /// the others are listed in `inputs.scenario.uncounted_measures`.
    #[serde(default)]
    measures: Option<Vec<String>>,
    /// A model id; by default the model for the decision's kind.
    #[serde(default)]
    model: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LevelSummary {
    /// R = Σ wᵢ rᵢ
    r: f64,
    /// low | medium | high (after veto factors)
    level: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSummary {
    id: Uuid,
    decision_id: Uuid,
    model_id: String,
    model_version: String,
    model_hash: String,
    /// SHA-256 (hex) of the canonical JSON of {inputs, model_hash, result}.
    content_hash: String,
    author: String,
    created_at: DateTime<Utc>,
    initial: LevelSummary,
    /// With the chosen measures; the decision gate reads this.
    residual: LevelSummary,
    /// The measures the residual level counts.
    measures: Vec<String>,
    /// The scenario assessed (absent for assessments made before scenarios existed).
    scenario_id: Option<Uuid>,
}

/// A stored assessment: every input as it was and every output of the engine.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentRecord {
    #[serde(flatten)]
    summary: AssessmentSummary,
    /// {decision (as it was), attributes, ratings (expert → factor → grades), indicators, measures}
    #[schema(value_type = Object)]
    inputs: RecordedInputs,
    /// The engine's assessment: per-factor evidence, grades, degrees, weights, contributions and
    /// levels; dimension scores; initial and residual outcome; gate recommendation; quality findings.
    #[schema(value_type = Object)]
    result: Assessment,
}

/// An [`AssessmentRecord`] written from a shared record without copying it; the same JSON.
#[derive(Serialize)]
struct RecordView<'a> {
    #[serde(flatten)]
    summary: AssessmentSummary,
    inputs: &'a RecordedInputs,
    result: &'a Assessment,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentPage {
    /// Newest first.
    items: Vec<AssessmentSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentListQuery {
    /// Page size, 1–200 (default 50).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ListPosition {
    seq: i64,
}

fn summary(head: AssessmentHead) -> AssessmentSummary {
    AssessmentSummary {
        id: head.id,
        decision_id: head.decision_id,
        model_id: head.model_id,
        model_version: head.model_version,
        model_hash: head.model_hash,
        content_hash: head.content_hash,
        author: head.author,
        created_at: head.created_at,
        initial: LevelSummary {
            r: head.initial_r,
            level: head.initial_level,
        },
        residual: LevelSummary {
            r: head.residual_r,
            level: head.residual_level,
        },
        measures: head.measures,
        scenario_id: head.scenario_id,
    }
}

impl From<Record> for AssessmentRecord {
    fn from(record: Record) -> Self {
        Self {
            summary: summary(record.head),
            inputs: record.inputs,
            result: record.result,
        }
    }
}

/// Assess a decision with its stored ratings and the chosen measures; the record is immutable.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Decision id")),
    request_body = AssessRequest,
    responses(
        (status = 201, description = "The stored assessment", body = AssessmentRecord,
            headers(("Location" = String, description = "URL of the assessment"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision, changed meanwhile, or no model for its kind", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown model or measure, or inputs the model cannot accept; the field names them", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions/{id}/assessments")]
async fn create_assessment(
    user: Authorized<Assess>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<AssessRequest>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    let request = body.0;
    let request = Request {
        scenario_id: request.scenario_id,
        measures: request.measures,
        model: request.model,
    };
    let record =
        AssessmentRecord::from(assessments::assess(&state.ctx, &user, decision_id, request).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/assessments/{}", record.summary.id),
        ))
        .json(record))
}

/// A decision's assessments, newest first.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Decision id"), AssessmentListQuery),
    responses(
        (status = 200, description = "One page", body = AssessmentPage),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/assessments")]
async fn list_assessments(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<AssessmentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    let limit = cursor::limit(query.limit.as_deref(), 50, 200)?;
    let before = query
        .cursor
        .as_deref()
        .map(cursor::decode::<ListPosition>)
        .transpose()?
        .map(|p| p.seq);
    let (rows, more) = assessments::list(&state.ctx, &user, decision_id, before, limit).await?;
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(cursor::encode(&ListPosition { seq: last.seq })),
        _ => None,
    };
    let items = rows.into_iter().map(summary).collect();
    Ok(HttpResponse::Ok().json(AssessmentPage { items, next_cursor }))
}

/// One stored assessment with every input and output.
#[utoipa::path(
    tag = "assessments",
    params(("id" = Uuid, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "The assessment", body = AssessmentRecord),
        (status = 404, description = "No such assessment", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}")]
async fn get_assessment(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "assessment")?;
    let record = assessments::get(&state.ctx, &user, id).await?;
    let body = match state.assessment_bodies.get(&id) {
        Some(body) => body,
        None => {
            let view = RecordView {
                summary: summary(record.head.clone()),
                inputs: &record.inputs,
                result: &record.result,
            };
            let body = web::Bytes::from(
                serde_json::to_vec(&view)
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("assessment {id}: {e}")))?,
            );
            state.assessment_bodies.insert(id, body.clone());
            body
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .body(body))
}
