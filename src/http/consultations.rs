//! `/api/v1/decisions/{id}/consultations`: how the decision's opinions were heard — public notice,
//! questionnaire, forum, visit, hearing — versioned with `If-Match` and audited. The figures (days of notice,
//! the survey's support share and its 95 % margin of error) are computed, never typed.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Authorized;
use super::extract::{IfMatch, JsonBody, decode_value, with_etag};
use super::{AppState, path_id};
use crate::app::consultations;
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::consultation::{Consultation, ConsultationFields};
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_consultations)
        .service(record_consultation)
        .service(get_consultation)
        .service(replace_consultation)
        .service(delete_consultation);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationList {
    decision_id: Uuid,
    items: Vec<Consultation>,
}

fn ids(path: (String, String)) -> Result<(Uuid, Uuid), ApiError> {
    let decision = path_id(&path.0, "decision")?;
    let id =
        Uuid::parse_str(&path.1).map_err(|_| ApiError::NotFound("no such consultation".into()))?;
    Ok((decision, id))
}

/// A decision's consultation records with their computed figures.
#[utoipa::path(
    tag = "consultations",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The records, oldest first", body = ConsultationList),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/consultations")]
async fn list_consultations(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (decision, items) =
        consultations::list(&state.ctx, &user, path_id(&id, "decision")?).await?;
    Ok(HttpResponse::Ok().json(ConsultationList {
        decision_id: decision.id,
        items,
    }))
}

/// Record a consultation: `kind` is public_notice, questionnaire, forum, visit or hearing.
#[utoipa::path(
    tag = "consultations",
    params(("id" = Uuid, Path, description = "Decision id")),
    request_body(content = ConsultationFields, example = json!({"kind": "questionnaire", "held_on": "2026-11-20", "population": 1530, "sample_planned": 320, "returned": 300, "support": 231, "neutral": 42, "oppose": 27})),
    responses(
        (status = 201, description = "Recorded", body = Consultation, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field, e.g. returned", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions/{id}/consultations")]
async fn record_consultation(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let decision_id = path_id(&id, "decision")?;
    // Decoded after the scope check, so an out-of-scope caller learns nothing from the errors.
    let created = consultations::record(&state.ctx, &user, decision_id, || {
        decode_value::<ConsultationFields>(body.0)
    })
    .await?;
    Ok(with_etag(
        HttpResponse::Created().json(&created),
        &created.etag(),
    ))
}

/// One consultation record.
#[utoipa::path(
    tag = "consultations",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("cid" = Uuid, Path, description = "Consultation id"),
    ),
    responses(
        (status = 200, description = "The record", body = Consultation, headers(("ETag" = String))),
        (status = 404, description = "No such decision or record", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}/consultations/{cid}")]
async fn get_consultation(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (decision, id) = ids(path.into_inner())?;
    let record = consultations::get(&state.ctx, &user, decision, id).await?;
    Ok(with_etag(HttpResponse::Ok().json(&record), &record.etag()))
}

/// Replace a consultation record; needs `If-Match` with its ETag.
#[utoipa::path(
    tag = "consultations",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("cid" = Uuid, Path, description = "Consultation id"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    request_body = ConsultationFields,
    responses(
        (status = 200, description = "Replaced", body = Consultation, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision or record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/decisions/{id}/consultations/{cid}")]
async fn replace_consultation(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (decision, id) = ids(path.into_inner())?;
    let based_on = IfMatch::optional(&req)?;
    let updated = consultations::change(&state.ctx, &user, decision, id, based_on.as_ref(), || {
        decode_value::<ConsultationFields>(body.0)
    })
    .await?;
    Ok(with_etag(
        HttpResponse::Ok().json(&updated),
        &updated.etag(),
    ))
}

/// Remove a consultation record (the audit log keeps it); needs `If-Match` with its ETag.
#[utoipa::path(
    tag = "consultations",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("cid" = Uuid, Path, description = "Consultation id"),
        ("If-Match" = String, Header, description = "The ETag the removal is based on"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such decision or record", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived decision", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/decisions/{id}/consultations/{cid}")]
async fn delete_consultation(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (decision, id) = ids(path.into_inner())?;
    let based_on = IfMatch::optional(&req)?;
    consultations::remove(&state.ctx, &user, decision, id, based_on.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
