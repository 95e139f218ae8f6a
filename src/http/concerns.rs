//! `/api/v1/concerns`: the concern ledger (民情台账), scoped by region like decisions. A concern moves through the
//! closed loop by `POST /concerns/{id}/steps` with `If-Match`; a step its state does not allow is 409 naming the
//! allowed ones. Residents' names and phones are masked for roles that do not need the person.

use actix_multipart::Multipart;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Authorized;
use super::extract::{IfMatch, JsonBody, decode_value, with_etag};
use super::upload::read_form;
use super::{AppState, path_id};
use crate::app::concern_import::{self, LedgerUpload};
use crate::app::concerns::{self, ConcernPage, ConcernQuery, LedgerStats};
use crate::auth::permission::{KeepLedger, ReadConcerns, RegisterConcerns};
use crate::domain::audit::AuditEntry;
use crate::domain::concern::{Concern, ConcernAction, ConcernFields, ConcernStep};
use crate::error::{ApiError, Problem};
use crate::ledger::export;
use crate::ledger::import::LedgerImportReport;

/// Largest ledger upload: a township's ledger of some years is a few megabytes.
pub const MAX_LEDGER_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // The fixed paths first: `/concerns/stats` and `/concerns/export.csv` are not concern ids.
    cfg.service(concern_stats)
        .service(office_queue)
        .service(export_csv)
        .service(export_xlsx)
        .service(import_ledger)
        .service(list_concerns)
        .service(register_concern)
        .service(get_concern)
        .service(step_concern);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernDetail {
    #[serde(flatten)]
    concern: Concern,
    /// Every step, oldest first, with who and when.
    history: Vec<AuditEntry>,
    /// The steps the caller may take now.
    your_actions: Vec<ConcernAction>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernQueue {
    handler: String,
    items: Vec<Concern>,
}

fn filter_of(
    query: &ConcernQuery,
    state: &AppState,
) -> Result<crate::domain::concern::ConcernFilter, ApiError> {
    query
        .to_filter(state.ctx.clock().today())
        .map_err(|e| ApiError::bad_request(e.field, e.message))
}

/// Register a concern heard from a resident.
#[utoipa::path(
    tag = "concerns",
    request_body(content = ConcernFields, example = json!({"channel": "contact_card", "received_at": "2026-11-20T09:00:00+08:00", "region": "330199001001", "topic": "compensation", "content": "青苗补偿标准比邻村低", "resident": {"name": "王秀英", "phone": "13912345678"}})),
    responses(
        (status = 201, description = "Registered", body = Concern, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Region outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The number is already in the ledger", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/concerns")]
async fn register_concern(
    user: Authorized<RegisterConcerns>,
    state: web::Data<AppState>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let concern =
        concerns::register(&state.ctx, &user, || decode_value::<ConcernFields>(body.0)).await?;
    let response = HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/concerns/{}", concern.id)))
        .json(&concern);
    Ok(with_etag(response, &concern.etag()))
}

/// The ledger, filtered, newest first, a page at a time.
#[utoipa::path(
    tag = "concerns",
    params(ConcernQuery),
    responses(
        (status = 200, description = "One page", body = ConcernPage),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/concerns")]
async fn list_concerns(
    user: Authorized<ReadConcerns>,
    state: web::Data<AppState>,
    query: web::Query<ConcernQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_of(&query, &state)?;
    let page = concerns::list(&state.ctx, &user, filter).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The ledger's measures over the filter and per month, office, region, decision or topic: response,
/// on-time, satisfaction and reopen rates, median days to close, share adopted, open and overdue counts.
#[utoipa::path(
    tag = "concerns",
    params(ConcernQuery),
    responses(
        (status = 200, description = "The measures", body = LedgerStats),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/concerns/stats")]
async fn concern_stats(
    user: Authorized<ReadConcerns>,
    state: web::Data<AppState>,
    query: web::Query<ConcernQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_of(&query, &state)?;
    let group_by = query
        .group_by()
        .map_err(|e| ApiError::bad_request(e.field, e.message))?;
    let stats = concerns::stats(&state.ctx, &user, filter, group_by).await?;
    Ok(HttpResponse::Ok().json(stats))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// The handler whose queue to show; default: the caller.
    handler: Option<String>,
}

/// An office handler's queue: the concerns they must accept or answer, due first.
#[utoipa::path(
    tag = "concerns",
    params(QueueQuery),
    responses(
        (status = 200, description = "The queue", body = ConcernQueue),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/concerns/queue")]
async fn office_queue(
    user: Authorized<ReadConcerns>,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let handler = query
        .handler
        .clone()
        .unwrap_or_else(|| user.username.clone());
    let items = concerns::queue(&state.ctx, &user, Some(&handler)).await?;
    Ok(HttpResponse::Ok().json(ConcernQueue { handler, items }))
}

/// One concern with its history and the steps the caller may take.
#[utoipa::path(
    tag = "concerns",
    params(("id" = Uuid, Path, description = "Concern id")),
    responses(
        (status = 200, description = "The concern", body = ConcernDetail, headers(("ETag" = String))),
        (status = 404, description = "No such concern in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/concerns/{id}")]
async fn get_concern(
    user: Authorized<ReadConcerns>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = concerns::get(&state.ctx, &user, path_id(&id, "concern")?).await?;
    let etag = found.concern.etag();
    Ok(with_etag(
        HttpResponse::Ok().json(ConcernDetail {
            concern: found.concern,
            history: found.history,
            your_actions: found.actions,
        }),
        &etag,
    ))
}

/// Take one step of the loop: assign (office, handler, due_on), accept, send_back (reason), answer (answer,
/// adopted_measure), call_back (satisfaction), close (reason when the resident is not satisfied), reopen
/// (reason). Needs `If-Match` with the concern's ETag.
#[utoipa::path(
    tag = "concerns",
    params(
        ("id" = Uuid, Path, description = "Concern id"),
        ("If-Match" = String, Header, description = "The ETag the step is based on"),
    ),
    request_body(content = ConcernStep, example = json!({"action": "assign", "office": "城关镇农业农村办", "handler": "liu.fang", "due_on": "2026-12-12"})),
    responses(
        (status = 200, description = "The concern after the step", body = Concern, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the caller's step (role, or not the concern's handler)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such concern in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The state does not allow the step; the allowed ones are named", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/concerns/{id}/steps")]
async fn step_concern(
    user: Authorized<RegisterConcerns>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let based_on = IfMatch::optional(&req)?;
    let concern = concerns::step(
        &state.ctx,
        &user,
        path_id(&id, "concern")?,
        based_on.as_ref(),
        || decode_value::<ConcernStep>(body.0),
    )
    .await?;
    Ok(with_etag(
        HttpResponse::Ok().json(&concern),
        &concern.etag(),
    ))
}

/// The multipart form of a ledger import, for the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LedgerImportForm {
    /// The ledger: XLSX, or CSV in UTF-8 or GBK (detected), with Chinese headers (台账编号, 登记时间, 区划代码 …)
    /// or their variants listed in assets/concern-vocabulary.toml.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerImportQuery {
    /// true: import the valid rows and report the others; false (default): all or nothing.
    skip_invalid: Option<bool>,
}

/// Import a ledger a township keeps (民情台账). Every row is checked (its cells, its state's fields, the region
/// in the caller's scope, the decisions); the file imports whole or not at all unless `skip_invalid`. Rows
/// whose number the ledger already holds are left as they are, so a file imported twice adds nothing.
#[utoipa::path(
    tag = "concerns",
    params(LedgerImportQuery),
    request_body(content = LedgerImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Imported: concerns new and already present, and the rows refused (with skip_invalid)", body = LedgerImportReport),
        (status = 400, description = "Malformed multipart body or query", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Upload over 16 MiB; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The ledger was refused, every error named by row and column; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/concerns/imports")]
async fn import_ledger(
    user: Authorized<KeepLedger>,
    state: web::Data<AppState>,
    query: web::Query<LedgerImportQuery>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let form = read_form(form, MAX_LEDGER_UPLOAD_BYTES).await?;
    if let Some((name, _)) = form.fields.first() {
        return Err(ApiError::invalid(
            name.clone(),
            "unknown field; the form has one field, file (skip_invalid is a query parameter)",
        ));
    }
    let Some((file_name, bytes)) = form.file else {
        return Err(ApiError::invalid(
            "file",
            "a multipart field `file` with the ledger is required",
        ));
    };
    let upload = LedgerUpload {
        file_name: file_name.unwrap_or_else(|| "ledger.csv".into()),
        bytes,
        skip_invalid: query.skip_invalid.unwrap_or(false),
    };
    let report = concern_import::import(&state.ctx, &user, upload).await?;
    Ok(HttpResponse::Created().json(report))
}

fn attachment(name: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name.to_owned())],
    }
}

/// The filtered ledger as CSV (UTF-8 with a byte-order mark) under Chinese headers, values in Chinese words,
/// residents masked whoever asks. `limit` and `offset` are not read: the export holds every concern found.
#[utoipa::path(
    tag = "concerns",
    params(ConcernQuery),
    responses(
        (status = 200, description = "The ledger; text cells that a spreadsheet would run as a formula begin with a single quote", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"concerns.csv\""))),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/concerns/export.csv")]
async fn export_csv(
    user: Authorized<ReadConcerns>,
    state: web::Data<AppState>,
    query: web::Query<ConcernQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_of(&query, &state)?;
    let ledger = concerns::export(&state.ctx, &user, filter).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, attachment("concerns.csv")))
        .body(export::csv(&ledger)))
}

/// The filtered ledger as an XLSX workbook: the CSV export's rows, every cell text.
#[utoipa::path(
    tag = "concerns",
    params(ConcernQuery),
    responses(
        (status = 200, description = "The ledger", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"concerns.xlsx\""))),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/concerns/export.xlsx")]
async fn export_xlsx(
    user: Authorized<ReadConcerns>,
    state: web::Data<AppState>,
    query: web::Query<ConcernQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter_of(&query, &state)?;
    let ledger = concerns::export(&state.ctx, &user, filter).await?;
    let bytes = export::xlsx(&ledger)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("the ledger's workbook")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, attachment("concerns.xlsx")))
        .body(bytes))
}
