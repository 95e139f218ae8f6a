//! `/api/v1/decisions/{id}/assessments` and `/api/v1/assessments`: assessing a decision with its
//! stored ratings, reading the immutable records back, and replaying them from their own snapshots.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::auth::Authorized;
use super::cursor;
use super::decisions::{decision_in_scope, not_archived};
use super::evaluation::{
    checklist_entry, chosen_scenario, counted_measures, scenario_ratings, scenario_record,
    stored_ratings,
};
use super::extract::JsonBody;
use super::petition_stats::petition_indicators;
use super::ratings::models_for;
use crate::auth::permission::{Assess, ReadDecisions};
use crate::auth::principal::Principal;
use crate::domain::decision::{Decision, DecisionStatus};
use crate::domain::{FieldError, FieldErrors};
use crate::error::{ApiError, Problem};
use crate::scoring::record::{RecordedInputs, seal};
use crate::scoring::{self, InputError, InputErrors, Model};
use crate::storage::assessments::{AssessmentHead, NewAssessment, StoredAssessment};

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
    inputs: Value,
    /// The engine's assessment: per-factor evidence, grades, degrees, weights, contributions and
    /// levels; dimension scores; initial and residual outcome; gate recommendation; quality findings.
    #[schema(value_type = Object)]
    result: Value,
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
        measures: head.measures.0,
        scenario_id: head.scenario_id,
    }
}

pub(crate) fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{error}"))
}

/// The pinned model, or the decision kind's model.
pub(crate) fn choose_model<'m>(
    models: &'m [Model],
    pinned: Option<&str>,
    decision: &Decision,
) -> Result<&'m Model, ApiError> {
    match pinned {
        Some(id) => models.iter().find(|m| m.id() == id).ok_or_else(|| {
            ApiError::invalid(
                "model",
                format!(
                    "no model with id '{}' is loaded",
                    id.chars().take(60).collect::<String>()
                ),
            )
        }),
        None => models_for(models, decision.fields.kind)
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::Conflict(format!(
                    "no risk model is loaded for decisions of kind {}",
                    decision.fields.kind.as_str()
                ))
            }),
    }
}

/// Unknown and repeated measure ids, each named by its position.
fn check_measures(model: &Model, measures: &[String]) -> Result<(), FieldErrors> {
    let mut errors = Vec::new();
    for (k, id) in measures.iter().enumerate() {
        let shown: String = id.chars().take(60).collect();
        if model.measure(id).is_none() {
            errors.push(FieldError::new(
                format!("measures[{k}]"),
                format!("'{shown}' is not a measure of model {}", model.id()),
            ));
        } else if measures[..k].contains(id) {
            errors.push(FieldError::new(
                format!("measures[{k}]"),
                format!("'{shown}' is chosen more than once"),
            ));
        }
    }
    FieldErrors::from_vec(errors)
}

/// The engine's input errors, each named by where the input lives.
pub(crate) fn input_problem(errors: InputErrors) -> ApiError {
    let fields = errors
        .0
        .iter()
        .map(|e| {
            let field = match e {
                InputError::UnknownRatedFactor { expert, factor } => {
                    format!("ratings.{expert}.{factor}")
                }
                InputError::GradeOutOfRange {
                    expert,
                    factor,
                    field,
                    ..
                } => format!("ratings.{expert}.{factor}.{field}"),
                InputError::RangeInverted { expert, factor, .. } => {
                    format!("ratings.{expert}.{factor}.low")
                }
                InputError::UnknownIndicatorFactor { factor } => format!("indicators.{factor}"),
                InputError::UnknownMeasure { .. } | InputError::DuplicateMeasure { .. } => {
                    "measures".into()
                }
                InputError::NotFinite { .. } => "attributes".into(),
                InputError::EmptyExpert => "ratings".into(),
            };
            FieldError::new(field, e.to_string())
        })
        .collect();
    ApiError::Validation(FieldErrors(fields))
}

/// The decision after an assessment: `assessed` when the lifecycle leads there (from draft by way
/// of assessing), unchanged once the committee has decided.
fn assessed(decision: &Decision) -> Option<Decision> {
    use DecisionStatus::{Assessed, Assessing};
    let from = decision.fields.status;
    let reachable =
        from.may_become(Assessed) || (from.may_become(Assessing) && Assessing.may_become(Assessed));
    (from != Assessed && reachable).then(|| {
        let mut next = decision.clone();
        next.fields.status = Assessed;
        next.version += 1;
        next
    })
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
    let author = user.username.clone();
    let decision = decision_in_scope(&state, &id, &user).await?;
    not_archived(&decision, "an archived decision cannot be assessed")?;
    let request = body.0;
    let model = choose_model(&state.models, request.model.as_deref(), &decision)?;
    let scenario = chosen_scenario(&state, &decision, request.scenario_id, "scenario_id").await?;
    let proposed = request
        .measures
        .unwrap_or_else(|| scenario.fields.measures.clone());
    check_measures(model, &proposed)?;
    let stored = stored_ratings(&state, decision.id).await?;
    let today = chrono::Local::now().date_naive();
    let checklist = state.db.checklist(decision.id, today).await?;
    let (counted, uncounted) = counted_measures(&proposed, &checklist);
    let (indicators, evidence) =
        petition_indicators(&state.db, model, &decision.fields.regions, today).await?;
    let inputs = RecordedInputs {
        attributes: scenario.fields.attributes(&decision.fields.attributes),
        decision: decision.clone(),
        ratings: scenario_ratings(&scenario, &stored),
        indicators,
        measures: counted,
        petition_evidence: evidence
            .map(serde_json::to_value)
            .transpose()
            .map_err(internal)?,
        scenario: Some(scenario_record(&scenario, &proposed, uncounted)),
        checklist: checklist.iter().map(checklist_entry).collect(),
    };
    let result = scoring::assess(model, &inputs.engine_inputs()).map_err(input_problem)?;
    let sealed = seal(&inputs, model.hash(), &result).map_err(internal)?;
    let snapshot = serde_json::to_string(model).map_err(internal)?;
    let new = NewAssessment {
        id: Uuid::new_v4(),
        decision_id: decision.id,
        model_id: model.id(),
        model_version: &model.spec().version,
        model_hash: model.hash(),
        model_snapshot: &snapshot,
        inputs: &sealed.inputs,
        result: &sealed.result,
        content_hash: &sealed.content_hash,
        author: &author,
        initial_r: result.initial.r,
        initial_level: result.initial.level.as_str(),
        residual_r: result.residual.outcome.r,
        residual_level: result.residual.outcome.level.as_str(),
        measures: &inputs.measures,
        scenario_id: Some(scenario.id),
    };
    let head = state
        .db
        .insert_assessment(&new, &decision, assessed(&decision).as_ref())
        .await?;
    let record = AssessmentRecord {
        summary: summary(head),
        inputs: serde_json::to_value(&inputs).map_err(internal)?,
        result: serde_json::to_value(&result).map_err(internal)?,
    };
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
    let decision = decision_in_scope(&state, &id, &user).await?;
    let limit = cursor::limit(query.limit.as_deref(), 50, 200)?;
    let before = query
        .cursor
        .as_deref()
        .map(cursor::decode::<ListPosition>)
        .transpose()?
        .map(|p| p.seq);
    let mut rows = state.db.assessments_of(decision.id, before, limit).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(cursor::encode(&ListPosition { seq: last.seq })),
        _ => None,
    };
    let items = rows.into_iter().map(summary).collect();
    Ok(HttpResponse::Ok().json(AssessmentPage { items, next_cursor }))
}

/// The assessment, if the caller's scope covers its decision; otherwise 404.
pub(crate) async fn assessment_in_scope(
    state: &AppState,
    raw_id: &str,
    user: &Principal,
) -> Result<StoredAssessment, ApiError> {
    let stored = state.db.assessment(assessment_id(raw_id)?).await?;
    decision_in_scope(state, &stored.head.decision_id.to_string(), user)
        .await
        .map_err(|_| ApiError::NotFound(format!("no assessment with id {}", stored.head.id)))?;
    Ok(stored)
}

pub(crate) fn assessment_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::NotFound(format!(
            "no assessment with id '{}'",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

fn record_of(stored: StoredAssessment) -> Result<AssessmentRecord, ApiError> {
    Ok(AssessmentRecord {
        inputs: serde_json::from_str(&stored.inputs).map_err(internal)?,
        result: serde_json::from_str(&stored.result).map_err(internal)?,
        summary: summary(stored.head),
    })
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
    let stored = assessment_in_scope(&state, &id, &user).await?;
    Ok(HttpResponse::Ok().json(record_of(stored)?))
}
