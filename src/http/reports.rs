//! `/api/v1/assessments/{id}/report.{format}` and `/charts/{name}.{format}`: reports and charts
//! of a stored assessment, rendered off the async workers.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Authorized;
use super::{AppState, path_id};
use crate::app::reports::{self, ReportFormat};
use crate::auth::permission::ReadReports;
use crate::error::{ApiError, Problem};
use crate::reports::Lang;
use crate::reports::charts::{Chart, ChartFormat};

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
    let format = ReportFormat::parse(&format).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no report format '{}'; available: html, pdf, docx, csv, json",
            format.chars().take(20).collect::<String>()
        ))
    })?;
    let id = path_id(&id, "assessment")?;
    let rendered = reports::report(&state.ctx, &user, id, format, lang).await?;
    let ascii = format!("wenping-report-{}", rendered.assessment_id);
    Ok(HttpResponse::Ok()
        .content_type(content_type(format))
        .insert_header((
            header::CONTENT_DISPOSITION,
            disposition(&ascii, &rendered.title, format.extension()),
        ))
        .body(rendered.bytes))
}

fn content_type(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Html => "text/html; charset=utf-8",
        ReportFormat::Docx => DOCX,
        ReportFormat::Pdf => "application/pdf",
        ReportFormat::Csv => "text/csv; charset=utf-8",
        ReportFormat::Json => "application/json",
    }
}

/// One chart of the assessment, as png or svg: radar, contributions, matrix, tornado, petitions (the
/// petition trend by month and category; 404 when the assessment read no petition data), scenarios (R per
/// scenario of the decision with the level bands) or montecarlo (level distribution of a seeded simulation
/// with the report_draws and report_seed of the assessment's model).
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
    let id = path_id(&id, "assessment")?;
    let bytes = reports::chart(&state.ctx, &user, id, chart, format, lang).await?;
    Ok(HttpResponse::Ok().content_type(content_type).body(bytes))
}
