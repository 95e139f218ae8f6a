//! Pure types and rules of the domain; no IO. Values are parsed into types that can only be valid.

pub mod account;
pub mod assessment;
pub mod attributes;
pub mod audit;
pub mod checklist;
pub mod concern;
pub mod consultation;
pub mod decision;
pub mod gate;
pub mod ledger;
pub mod petition;
pub mod principal;
pub mod ratings;
pub mod region;
pub mod register;
pub mod resolution;
pub mod scenario;
pub mod text;

use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one field of a request, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// All the problems found in one request; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let listed: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&listed.join("; "))
    }
}

impl FieldErrors {
    pub fn from_vec(errors: Vec<FieldError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self(errors))
        }
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, message)])
    }
}
