//! `/api/v1/assessments/{id}/report.{format}` and `/charts/{name}.{format}`: reports and charts
//! of a stored assessment, rendered off the async workers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::assessments::assessment_in_scope;
use super::auth::Authorized;
use crate::auth::permission::ReadReports;
use crate::error::{ApiError, Problem};
use crate::reports::charts::{self, Chart, ChartFormat};
use crate::reports::{Lang, ReportData, docx, html, pdf, table};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(report).service(chart);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// zh (default) or en
    lang: Option<String>,
}

fn lang_of(query: &LangQuery) -> Result<Lang, ApiError> {
    match query.lang.as_deref() {
        None => Ok(Lang::Zh),
        Some(raw) => {
            Lang::parse(raw).ok_or_else(|| ApiError::bad_request("lang", "must be zh or en"))
        }
    }
}

/// The report's facts, from the stored assessment and the immutable records around it only.
async fn report_data(
    state: &AppState,
    id: &str,
    user: &crate::auth::principal::Principal,
) -> Result<ReportData, ApiError> {
    let stored = assessment_in_scope(state, id, user).await?;
    let sources = state.db.report_sources(stored).await?;
    web::block(move || ReportData::from_sources(sources))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))
}

/// `attachment` with an ASCII file name and the RFC 5987 UTF-8 one (the decision's title).
fn disposition(ascii: &str, title: &str, extension: &str) -> HeaderValue {
    let utf8: String = format!("{title}.{extension}")
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{utf8}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The assessment's report: `html` (self-contained, printable), `pdf` (typeset, typst), `docx`
/// (editable Word), `csv` or `json` (the factor table). Chinese by default, English with `lang=en`.
#[utoipa::path(
    tag = "reports",
    params(
        ("id" = Uuid, Path, description = "Assessment id"),
        ("format" = String, Path, description = "html | pdf | docx | csv | json"),
        LangQuery,
    ),
    responses(
        (status = 200, description = "The report as an attachment", content_type = "text/html", body = String),
        (status = 400, description = "Bad lang", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assessment or format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}/report.{format}")]
async fn report(
    user: Authorized<ReadReports>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, format) = path.into_inner();
    let lang = lang_of(&query)?;
    let content_type = match format.as_str() {
        "html" => "text/html; charset=utf-8",
        "docx" => DOCX,
        "pdf" => "application/pdf",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        _ => {
            return Err(ApiError::NotFound(format!(
                "no report format '{}'; available: html, pdf, docx, csv, json",
                format.chars().take(20).collect::<String>()
            )));
        }
    };
    let data = report_data(&state, &id, &user).await?;
    let title = data.inputs.decision.fields.title.clone();
    let ascii = format!("wenping-report-{}", data.meta.assessment_id);
    let body = web::block(move || match format.as_str() {
        "html" => html::render(&data, lang),
        "docx" => docx::render(&data, lang),
        "pdf" => pdf::render(&data, lang),
        "csv" => Ok(table::csv(&data, lang)),
        _ => Ok(table::json(&data, lang)),
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(|e| ApiError::Internal(e.into()))?;
    let extension = content_type_extension(content_type);
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(&ascii, &title, extension),
        ))
        .body(body))
}

fn content_type_extension(content_type: &str) -> &'static str {
    if content_type.starts_with("text/html") {
        "html"
    } else if content_type == "application/pdf" {
        "pdf"
    } else if content_type == DOCX {
        "docx"
    } else if content_type.starts_with("text/csv") {
        "csv"
    } else {
        "json"
    }
}

/// One chart of the assessment, as png or svg: radar, contributions, matrix, tornado, petitions (the
/// petition trend by month and category; 404 when the assessment read no petition data), scenarios (R per
/// scenario of the decision with the level bands) or montecarlo (level distribution of a seeded simulation,
/// 10 000 draws, seed 1).
#[utoipa::path(
    tag = "reports",
    params(
        ("id" = Uuid, Path, description = "Assessment id"),
        ("name" = String, Path, description = "radar | contributions | matrix | tornado | petitions | scenarios | montecarlo"),
        ("format" = String, Path, description = "png | svg"),
        LangQuery,
    ),
    responses(
        (status = 200, description = "The chart", content_type = "image/png", body = Vec<u8>),
        (status = 400, description = "Bad lang", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assessment, chart or format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assessments/{id}/charts/{name}.{format}")]
async fn chart(
    user: Authorized<ReadReports>,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, name, format) = path.into_inner();
    let lang = lang_of(&query)?;
    let chart = Chart::parse(&name).ok_or_else(|| {
        ApiError::NotFound(format!("no such chart; available: {}", Chart::names()))
    })?;
    let (format, content_type) = match format.as_str() {
        "png" => (ChartFormat::Png, "image/png"),
        "svg" => (ChartFormat::Svg, "image/svg+xml"),
        _ => return Err(ApiError::NotFound("charts come as png or svg".into())),
    };
    let data = report_data(&state, &id, &user).await?;
    if !chart.available(&data) {
        return Err(ApiError::NotFound(format!(
            "assessment {id} has no data for the {name} chart"
        )));
    }
    let bytes = web::block(move || charts::render(chart, format, &data, lang))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().content_type(content_type).body(bytes))
}
