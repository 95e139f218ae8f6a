//! `/api/v1/petitions/imports`: uploading petition exports (multipart) and reading import reports.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use uuid::Uuid;

use super::auth::Authorized;
use super::upload::{UploadForm, read_form};
use super::{AppState, path_id};
use crate::app::petitions::{self, Submitted, Upload};
use crate::auth::permission::ImportPetitions;
use crate::domain::{FieldError, FieldErrors};
use crate::error::{ApiError, Problem};
use crate::petitions::encoding::TextEncoding;
use crate::petitions::import::{ColumnMapping, ImportOptions, ImportReport};
use crate::petitions::jobs::ImportStatus;
use crate::petitions::table::FileFormat;

/// Largest upload accepted, file and fields together.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
/// Row errors listed in a refusal's problem document; the stored report holds them all.
const ERRORS_IN_PROBLEM: usize = 200;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_import)
        .service(get_import)
        .service(get_rejects);
}

/// The multipart form, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The export: CSV (UTF-8 or GBK/GB18030), Parquet or XLSX, by its file name's extension.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// utf-8 | gbk (CSV only; detected when absent)
    encoding: Option<String>,
    /// csv | parquet | xlsx (default: from the file name)
    format: Option<String>,
    /// XLSX sheet name (default: the first)
    sheet: Option<String>,
    /// A mapping file: `[columns]` field = "header"
    mapping: Option<String>,
    /// true: import the valid rows and return the rejects; false (default): all or nothing
    skip_invalid: Option<bool>,
}

/// Reads the whole form, refusing it once it passes the limit (the rest is drained, nothing is stored).
async fn read_upload(form: Multipart) -> Result<Upload, ApiError> {
    read_upload_form(form).await.map(|(upload, _)| upload)
}

/// The upload and the form's `csrf_token` field, which a web page's form sends in the body (the JSON API reads
/// it from a header instead).
pub(crate) async fn read_upload_form(
    form: Multipart,
) -> Result<(Upload, Option<String>), ApiError> {
    let UploadForm {
        file,
        fields,
        csrf_token,
    } = read_form(form, MAX_UPLOAD_BYTES).await?;
    let Some((file_name, bytes)) = file else {
        return Err(ApiError::invalid(
            "file",
            "a multipart field `file` with the export is required",
        ));
    };
    let file_name = file_name.unwrap_or_else(|| "upload.csv".into());
    let mut options = ImportOptions::default();
    let mut skip_invalid = false;
    for (name, value) in fields {
        let value = value.trim().to_owned();
        match name.as_str() {
            "encoding" => {
                options.encoding = Some(
                    TextEncoding::parse(&value).map_err(|m| ApiError::invalid("encoding", m))?,
                )
            }
            "format" => {
                options.format = Some(match value.as_str() {
                    "csv" => FileFormat::Csv,
                    "parquet" => FileFormat::Parquet,
                    "xlsx" => FileFormat::Xlsx,
                    _ => return Err(ApiError::invalid("format", "csv, parquet or xlsx")),
                })
            }
            "sheet" => options.sheet = Some(value),
            "mapping" => {
                options.mapping = Some(
                    ColumnMapping::parse(&value)
                        .map_err(|e| ApiError::invalid("mapping", e.to_string()))?,
                )
            }
            "skip_invalid" => {
                skip_invalid = match value.as_str() {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => return Err(ApiError::invalid("skip_invalid", "true or false")),
                }
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown field; the fields are file, encoding, format, sheet, mapping, skip_invalid",
                ));
            }
        }
    }
    Ok((
        Upload {
            file_name,
            source: bytes.into(),
            options,
            skip_invalid,
        },
        csrf_token,
    ))
}

/// A refused file as a problem document: each row error becomes a field error named by row and column.
fn refusal(report: &ImportReport) -> ApiError {
    let mut errors: Vec<FieldError> = report
        .errors
        .iter()
        .take(ERRORS_IN_PROBLEM)
        .map(|e| {
            FieldError::new(
                format!("row {}: {}", e.row, e.column),
                format!("'{}': {}", e.value, e.reason),
            )
        })
        .collect();
    if let Some(file_error) = &report.file_error {
        errors.insert(0, FieldError::new("file", file_error.clone()));
    }
    errors.insert(
        0,
        FieldError::new(
            "report",
            format!(
                "the file was refused and nothing was stored: {} of {} rows are invalid; the full report is at /api/v1/petitions/imports/{}",
                report.rejected, report.rows, report.id
            ),
        ),
    );
    ApiError::Validation(FieldErrors(errors))
}

fn import_url(id: Uuid) -> String {
    format!("/api/v1/petitions/imports/{id}")
}

/// Import a petition export. The file imports whole or not at all, unless `skip_invalid` is set. A file
/// larger than the configured threshold (`petitions_async_threshold_bytes`) imports in the background:
/// 202 with the import id, whose status is then read at the Location.
#[utoipa::path(
    tag = "petitions",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Imported: counts of new, updated and unchanged records, and any rejects", body = ImportReport,
            headers(("Location" = String, description = "URL of the import report"))),
        (status = 202, description = "A large file, queued for import in the background", body = ImportStatus,
            headers(("Location" = String, description = "URL of the import's status and, once it has run, its report"))),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Upload over 64 MiB; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file was refused (every row error is listed, and the report kept); nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/petitions/imports")]
async fn create_import(
    user: Authorized<ImportPetitions>,
    state: web::Data<AppState>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let upload = read_upload(form).await?;
    match petitions::submit(&state.ctx, &user, upload).await? {
        Submitted::Queued(status) => Ok(HttpResponse::Accepted()
            .insert_header((header::LOCATION, import_url(status.id)))
            .json(status)),
        Submitted::Done(report) if !report.accepted() => Err(refusal(&report)),
        Submitted::Done(report) => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, import_url(report.id)))
            .json(report)),
    }
}

/// An import's status (queued, running, succeeded, failed) and, once it has run, its report: counts, every
/// row error, the link to its rejects.
#[utoipa::path(
    tag = "petitions",
    params(("id" = Uuid, Path, description = "Import id")),
    responses(
        (status = 200, description = "The status and report", body = ImportStatus),
        (status = 404, description = "No such import", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/petitions/imports/{id}")]
async fn get_import(
    user: Authorized<ImportPetitions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = petitions::status(&state.ctx, &user, path_id(&id, "petition import")?).await?;
    Ok(HttpResponse::Ok().json(status))
}

/// The rows an import rejected, as they were in the file, with their row number and reasons (CSV, UTF-8).
#[utoipa::path(
    tag = "petitions",
    params(("id" = Uuid, Path, description = "Import id")),
    responses(
        (status = 200, description = "The rejected rows; text cells that a spreadsheet would run as a formula begin with a single quote", body = String, content_type = "text/csv",
            headers(("Content-Disposition" = String, description = "attachment; filename=\"petition-import-{id}-rejects.csv\""))),
        (status = 404, description = "No such import, or it rejected no rows", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/petitions/imports/{id}/rejects")]
async fn get_rejects(
    user: Authorized<ImportPetitions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&id, "petition import")?;
    let csv = petitions::rejects(&state.ctx, &user, id).await?;
    // A download to save, never a page to render; named by the import, not by the uploaded file's name.
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"petition-import-{id}-rejects.csv\""),
        ))
        .body(csv))
}
