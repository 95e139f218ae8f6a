//! The one error of the use cases. Every way in maps it to its own answer in one place (`crate::error` for the
//! JSON API: status codes and problem documents); the source chain of an internal or unavailable error is kept
//! for the log.

use crate::domain::{FieldError, FieldErrors};
use crate::scoring::{InputError, InputErrors};
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request names a field whose value is wrong; every problem found is listed.
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    NotFound(String),
    /// The change conflicts with the state of what it changes (archived, the gate forbids it, taken …).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    /// The caller could not be identified (a failed sign-in, an ended session).
    #[error("{0}")]
    Unauthorized(String),
    #[error("too many failed attempts; try again in {retry_after_seconds} seconds")]
    TooManyAttempts { retry_after_seconds: u64 },
    /// A change must say which version of the resource it is based on.
    #[error("this change must name the version it is based on (its ETag)")]
    VersionRequired,
    /// The resource changed since the version the change was based on.
    #[error("the resource has changed since it was read; its current ETag is {current_etag}")]
    Stale { current_etag: String },
    /// The database cannot be reached now; the same request may succeed shortly.
    #[error("the database is unavailable")]
    Unavailable(#[source] StorageError),
    /// The disk under the database is full: the change was not stored, and will not be until space is freed.
    #[error("the database has no space left")]
    NoSpace(#[source] StorageError),
    #[error("an internal error occurred")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::single(field, message))
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }

    /// An internal error from something that only displays (a task join error, a snapshot that will not parse).
    pub fn internal_msg(context: &str, error: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{context}: {error}"))
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Unavailable(_) => Self::Unavailable(error),
            StorageError::NoSpace(_) => Self::NoSpace(error),
            StorageError::NotFound(what) => Self::NotFound(what),
            StorageError::VersionMismatch { current } => Self::Stale {
                current_etag: format!("\"{current}\""),
            },
            StorageError::Conflict(what) => Self::Conflict(what),
            other => Self::Internal(other.into()),
        }
    }
}

/// The engine's input errors, each named by where the input lives in the request or the stored record.
impl From<InputErrors> for AppError {
    fn from(errors: InputErrors) -> Self {
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
        Self::Invalid(FieldErrors(fields))
    }
}

/// The version a change is based on: any (`*`), or one of these ETags. Compared strongly (RFC 9110).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    Any,
    Etags(Vec<String>),
}

impl Precondition {
    /// Ok when `current_etag` is among those named; else the current one, for the caller to re-read.
    pub fn check(&self, current_etag: &str) -> Result<(), AppError> {
        match self {
            Self::Any => Ok(()),
            Self::Etags(tags) if tags.iter().any(|t| t == current_etag) => Ok(()),
            Self::Etags(_) => Err(AppError::Stale {
                current_etag: current_etag.to_owned(),
            }),
        }
    }

    /// A required precondition: none given is [`AppError::VersionRequired`].
    pub fn required(given: Option<&Self>, current_etag: &str) -> Result<(), AppError> {
        given.ok_or(AppError::VersionRequired)?.check(current_etag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preconditions_compare_strongly() {
        let tags = Precondition::Etags(vec!["\"3\"".into(), "\"4\"".into()]);
        assert!(tags.check("\"4\"").is_ok());
        assert!(matches!(tags.check("\"5\""), Err(AppError::Stale { .. })));
        assert!(
            Precondition::Etags(vec!["W/\"5\"".into()])
                .check("\"5\"")
                .is_err()
        );
        assert!(Precondition::Any.check("\"9\"").is_ok());
        assert!(matches!(
            Precondition::required(None, "\"1\""),
            Err(AppError::VersionRequired)
        ));
    }

    #[test]
    fn an_unreachable_database_stays_unavailable_and_keeps_its_source() {
        let error = AppError::from(StorageError::Unavailable(sqlx::Error::PoolTimedOut));
        assert!(matches!(error, AppError::Unavailable(_)));
        assert!(std::error::Error::source(&error).is_some());
    }
}
