//! One error type for the HTTP surface. Every 4xx and 5xx body is `application/problem+json`
//! (RFC 9457) with a stable machine-readable `code`; the use cases' one error converts into it here, and only
//! here, so the same failure always gets the same status.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppError;
use crate::domain::{FieldError, FieldErrors};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying while the database is unreachable.
const RETRY_AFTER_SECONDS: &str = "5";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, the last segment of `type`.
    pub code: String,
    /// Field-level problems, for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("the request is not valid")]
    Validation(FieldErrors),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many failed attempts; try again in {retry_after_seconds} seconds")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("this change needs an If-Match header with the resource's current ETag")]
    PreconditionRequired,
    #[error("the resource has changed since it was read; its current ETag is {current_etag}")]
    PreconditionFailed { current_etag: String },
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("the request body must be {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    #[error(
        "the server has no storage space left, so this change was not stored; try again once an operator has freed space"
    )]
    InsufficientStorage,
    #[error("an internal error occurred")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        Self::BadRequest {
            detail: format!("{}: {}", error.field, error.message),
            errors: vec![error],
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::single(field, message))
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "bad-request",
            Self::Validation(_) => "validation",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::TooManyRequests { .. } => "too-many-requests",
            Self::NotFound(_) => "not-found",
            Self::Conflict(_) => "conflict",
            Self::PreconditionRequired => "precondition-required",
            Self::PreconditionFailed { .. } => "precondition-failed",
            Self::PayloadTooLarge { .. } => "payload-too-large",
            Self::UnsupportedMediaType { .. } => "unsupported-media-type",
            Self::Unavailable => "unavailable",
            Self::InsufficientStorage => "insufficient-storage",
            Self::Internal(_) => "internal",
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::BadRequest { errors, .. } => errors.clone(),
            Self::Validation(FieldErrors(errors)) => errors.clone(),
            _ => Vec::new(),
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Validation(FieldErrors(errors)) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        problem(status, self.code(), self.detail(), self.field_errors())
    }
}

/// Builds a problem document; also used for errors raised outside handlers (unknown routes …).
pub fn problem(status: StatusCode, code: &str, detail: String, errors: Vec<FieldError>) -> Problem {
    Problem {
        kind: format!("/problems/{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
    }
}

pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .body(body)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(source) = self {
            // The client sees a generic message; the cause goes to the log with the request id.
            tracing::error!(error = format!("{source:#}"), "internal error");
        }
        let mut response = problem_response(&self.problem());
        match self {
            Self::Unavailable => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
            }
            Self::Unauthorized(_) => {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"wenping\""),
                );
            }
            Self::TooManyRequests {
                retry_after_seconds,
            } => {
                if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            Self::PreconditionFailed { current_etag } => {
                if let Ok(value) = HeaderValue::from_str(current_etag) {
                    response.headers_mut().insert(header::ETAG, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(errors) => Self::Validation(errors),
            AppError::NotFound(what) => Self::NotFound(what),
            AppError::Conflict(what) => Self::Conflict(what),
            AppError::Forbidden(why) => Self::Forbidden(why),
            AppError::Unauthorized(why) => Self::Unauthorized(why),
            AppError::TooManyAttempts {
                retry_after_seconds,
            } => Self::TooManyRequests {
                retry_after_seconds,
            },
            AppError::VersionRequired => Self::PreconditionRequired,
            AppError::Stale { current_etag } => Self::PreconditionFailed { current_etag },
            AppError::Unavailable(source) => {
                // The client is told to retry; the cause, with its whole chain, goes to the log.
                let source = anyhow::Error::from(source);
                tracing::warn!(error = format!("{source:#}"), "database unavailable");
                Self::Unavailable
            }
            AppError::NoSpace(source) => {
                // Not the client's doing and not over by itself: an operator must free space.
                let source = anyhow::Error::from(source);
                tracing::error!(
                    error = format!("{source:#}"),
                    "no space left for the database"
                );
                Self::InsufficientStorage
            }
            AppError::Internal(source) => Self::Internal(source),
        }
    }
}
