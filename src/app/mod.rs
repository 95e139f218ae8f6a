//! The use cases: one function per thing a user does — register a decision, rate it, assess it, compare its
//! scenarios, resolve it, import petitions, produce a report, manage accounts. Each takes the [`Context`]
//! (database, model registry, clock) and the caller's [`Principal`], applies scope and rules, commits what it
//! changes (derived writes in the same transaction), and returns domain values or one [`AppError`].
//!
//! The transports (JSON routes in `http`, the command line in `cli`, the web pages) parse, call one function
//! here, and respond; none of them reaches storage. Data flows one way: transports → app → {storage, scoring,
//! petitions, reports} → domain (docs/architecture.md).

pub mod accounts;
pub mod analysis;
pub mod assessments;
pub mod audit;
pub mod checklist;
mod clock;
pub mod comparison;
pub mod concern_import;
pub mod concern_query;
pub mod concerns;
pub mod consultations;
mod context;
mod credential_cache;
pub mod decisions;
pub mod demo;
mod error;
pub mod followup;
pub mod inputs;
pub mod ledger_evidence;
pub(crate) mod memo;
pub mod models;
pub mod ops;
pub mod overview;
pub mod petition_evidence;
pub mod petitions;
pub mod ratings;
pub mod register;
pub mod reports;
pub mod resolutions;
pub mod restore;
pub mod scenarios;
pub mod sessions;
mod throttle;

pub use clock::{Clock, FixedClock, SystemClock};
pub use context::{Context, PetitionSettings};
pub use error::{AppError, Precondition};
pub use models::{ModelRegistry, ModelSource};

use crate::auth::permission::Permission;
use crate::domain::principal::Principal;

/// Refuses a caller whose roles lack permission `P`. The transports check the same permission before reading
/// a request body; this check makes every way in (JSON, pages, command line) hold the same line.
pub fn authorize<P: Permission>(principal: &Principal) -> Result<(), AppError> {
    if principal.has_any(P::ROLES) {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "this needs the {} permission, held by the roles {}",
        P::NAME,
        P::ROLES
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}
