//! What a page answers when it cannot show what was asked: the sign-in page for a reader who is not signed in,
//! or an error page in the reader's language with the status the JSON API would give.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::i18n::Tr;
use crate::app::AppError;

#[derive(Debug)]
pub enum PageError {
    /// Not signed in: to the sign-in page, and back to `next` after.
    SignIn {
        next: String,
    },
    Forbidden {
        tr: Tr,
        reason: String,
    },
    NotFound {
        tr: Tr,
        what: String,
    },
    /// A request the page cannot carry out as asked (a conflict, an invalid value not tied to a form field).
    Refused {
        tr: Tr,
        status: StatusCode,
        reason: String,
    },
    Unavailable {
        tr: Tr,
    },
    Internal {
        tr: Tr,
    },
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn { next } => write!(f, "sign in first (then {next})"),
            Self::Forbidden { reason, .. } | Self::Refused { reason, .. } => f.write_str(reason),
            Self::NotFound { what, .. } => f.write_str(what),
            Self::Unavailable { .. } => f.write_str("the database is unavailable"),
            Self::Internal { .. } => f.write_str("an internal error occurred"),
        }
    }
}

/// The id in a page's address; one that is not a UUID names nothing there, so the page is not found.
pub fn path_id(raw: &str, tr: Tr) -> Result<uuid::Uuid, PageError> {
    uuid::Uuid::parse_str(raw).map_err(|_| PageError::not_found(tr))
}

impl PageError {
    pub fn unavailable(tr: Tr) -> Self {
        Self::Unavailable { tr }
    }

    pub fn forbidden(tr: Tr) -> Self {
        Self::Forbidden {
            tr,
            reason: tr.t("error.forbidden_reason"),
        }
    }

    pub fn not_found(tr: Tr) -> Self {
        Self::NotFound {
            tr,
            what: tr.t("error.not_found"),
        }
    }

    /// The use case's refusal as a page; the cause of an internal error goes to the log, not the page.
    pub fn from_app(error: AppError, tr: Tr) -> Self {
        match error {
            AppError::NotFound(_) => Self::not_found(tr),
            // The use case's reason names permissions and roles by id; the page says it in words.
            AppError::Forbidden(reason) => {
                tracing::debug!(%reason, "page refused");
                Self::forbidden(tr)
            }
            AppError::Unauthorized(_) => Self::SignIn { next: "/".into() },
            AppError::Conflict(reason) => Self::Refused {
                tr,
                status: StatusCode::CONFLICT,
                reason: super::refusal::conflict(tr, &reason),
            },
            AppError::Invalid(errors) => Self::Refused {
                tr,
                status: StatusCode::UNPROCESSABLE_ENTITY,
                reason: super::refusal::invalid(tr, &errors),
            },
            AppError::Stale { .. } => Self::Refused {
                tr,
                status: StatusCode::PRECONDITION_FAILED,
                reason: tr.t("error.stale"),
            },
            AppError::VersionRequired => Self::Refused {
                tr,
                status: StatusCode::PRECONDITION_REQUIRED,
                reason: tr.t("error.stale"),
            },
            AppError::TooManyAttempts { .. } => Self::Refused {
                tr,
                status: StatusCode::TOO_MANY_REQUESTS,
                reason: tr.t("login.throttled"),
            },
            AppError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                Self::Unavailable { tr }
            }
            AppError::NoSpace(source) => {
                tracing::error!(error = %source, "no space left for the database");
                Self::Refused {
                    tr,
                    status: StatusCode::INSUFFICIENT_STORAGE,
                    reason: tr.t("error.no_space"),
                }
            }
            AppError::Internal(source) => {
                tracing::error!(error = format!("{source:#}"), "internal error on a page");
                Self::Internal { tr }
            }
        }
    }

    fn tr(&self) -> Tr {
        match self {
            Self::SignIn { .. } => Tr::new(Default::default()),
            Self::Forbidden { tr, .. }
            | Self::NotFound { tr, .. }
            | Self::Refused { tr, .. }
            | Self::Unavailable { tr }
            | Self::Internal { tr } => *tr,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    css_url: String,
    status: u16,
    heading: String,
    reason: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Refused { status, .. } => *status,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::SignIn { next } = self {
            let to = format!("/login?next={}", super::url_encode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, to))
                .finish();
        }
        let tr = self.tr();
        let status = self.status_code();
        let heading = match self {
            Self::Forbidden { .. } => tr.t("error.forbidden"),
            Self::NotFound { .. } => tr.t("error.not_found"),
            Self::Unavailable { .. } => tr.t("error.unavailable"),
            Self::Internal { .. } => tr.t("error.internal"),
            _ => tr.t("error.refused"),
        };
        let reason = match self {
            Self::Forbidden { reason, .. } | Self::Refused { reason, .. } => reason.clone(),
            Self::NotFound { what, .. } => what.clone(),
            Self::Unavailable { .. } => tr.t("error.try_again"),
            _ => String::new(),
        };
        let page = ErrorPage {
            tr,
            css_url: super::assets::url("app.css"),
            status: status.as_u16(),
            heading,
            reason,
        };
        let mut response = super::html(status, page.render());
        if matches!(self, Self::Unavailable { .. }) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// What a browser gets for an address no page has: an error page in the reader's language (the JSON API keeps
/// its problem document for its own paths).
pub async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return crate::http::middleware::not_found(req).await;
    }
    let lang = req
        .cookie(super::viewer::LANG_COOKIE)
        .and_then(|c| super::i18n::Lang::parse(c.value()))
        .unwrap_or_default();
    PageError::not_found(Tr::new(lang)).error_response()
}
