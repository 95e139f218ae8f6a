//! Importing the ledger a township keeps today (民情台账, XLSX or CSV): every row checked — its cells and the
//! loop's consistency (`ledger/`), then what only the caller and the database can say: the region in the
//! caller's scope, the decisions in it, the handler of an open assignment, the adopted measure — and stored in
//! one transaction, all or nothing unless told to skip invalid rows. Idempotent on the ledger's own numbers: a
//! file imported twice adds nothing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::concerns::{check_adopted, check_handler, new_concern, seal};
use super::decisions::in_scope;
use super::{AppError, Context, authorize};
use crate::auth::permission::KeepLedger;
use crate::domain::concern::{Concern, ConcernState, overdue};
use crate::domain::principal::Principal;
use crate::domain::{FieldError, FieldErrors};
use crate::ledger::columns::Column;
use crate::ledger::import::{CheckedRow, LedgerImportReport, LedgerRowError, check_rows};
use crate::ledger::rows::{CellError, LedgerEntry};
use crate::ledger::sheet::read_sheet;
use crate::ledger::vocabulary::VOCABULARY;

/// Row errors a refusal lists; past them it says how many more there are.
const ERRORS_LISTED: usize = 1000;

/// A ledger file as uploaded or read from disk.
pub struct LedgerUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// Import the valid rows and report the rest; otherwise the file imports whole or not at all.
    pub skip_invalid: bool,
}

/// What the database said of the names rows share, asked once per name.
#[derive(Default)]
struct Known {
    /// Decision id → whether it is a decision in the caller's scope.
    decisions: HashMap<Uuid, bool>,
    /// Handler → why they cannot be one (none when they can).
    handlers: HashMap<String, Option<String>>,
}

/// The message of a field error of a check the loop's steps make too; any other error stops the import.
fn refusal_of(error: AppError) -> Result<String, AppError> {
    match error {
        AppError::Invalid(FieldErrors(errors)) => Ok(errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; ")),
        other => Err(other),
    }
}

/// Imports a ledger as the caller. Refused (422, every error named by row and column, nothing stored) when a
/// row is invalid and `skip_invalid` is not set.
pub async fn import(
    ctx: &Context,
    principal: &Principal,
    upload: LedgerUpload,
) -> Result<LedgerImportReport, AppError> {
    authorize::<KeepLedger>(principal)?;
    let (now, today) = (ctx.clock().now(), ctx.clock().today());
    let sheet = read_sheet(&upload.file_name, &upload.bytes, &VOCABULARY)
        .map_err(|e| AppError::invalid("file", e.to_string()))?;
    let mut rows = check_rows(&sheet, &VOCABULARY, now);
    let mut known = Known::default();
    let mut batch = Vec::new();
    for row in &mut rows {
        check_with_context(ctx, principal, row, &mut known).await?;
        let Some(entry) = &row.entry else { continue };
        let sealed = match seal(ctx, entry.fields.resident.as_ref()) {
            Ok(sealed) => sealed,
            Err(e) => {
                let column = match &entry.fields.resident {
                    Some(r) if r.name.is_none() => Column::ResidentPhone,
                    _ => Column::ResidentName,
                };
                row.refuse(CellError::new(column, "", refusal_of(e)?));
                continue;
            }
        };
        let concern = recorded(entry, &principal.username, now, today);
        if let Some(measure) = &concern.adopted_measure
            && let Err(e) = check_adopted(ctx, principal, &concern, measure).await
        {
            row.refuse(CellError::new(
                Column::AdoptedMeasure,
                measure,
                refusal_of(e)?,
            ));
            continue;
        }
        batch.push((concern, sealed));
    }
    let errors: Vec<LedgerRowError> = rows
        .iter()
        .flat_map(|r| {
            r.errors
                .iter()
                .map(|e| LedgerRowError::new(&sheet, r.row, e))
        })
        .collect();
    let rejected_rows = rows.iter().filter(|r| !r.errors.is_empty()).count();
    if rejected_rows > 0 && !upload.skip_invalid {
        return Err(refused(&errors, rejected_rows, rows.len()));
    }
    let already = if batch.is_empty() {
        Vec::new()
    } else {
        ctx.db.import_concerns(&batch, &principal.username).await?
    };
    Ok(LedgerImportReport {
        file_name: upload.file_name,
        format: sheet.format.as_str().to_owned(),
        encoding: sheet.encoding.map(|e| e.as_str().to_owned()),
        rows: rows.len(),
        imported: batch.len() - already.len(),
        already_present: already.len(),
        rejected_rows,
        errors,
        ignored_columns: sheet.ignored,
    })
}

/// The checks of a valid row that need the caller or the database.
async fn check_with_context(
    ctx: &Context,
    principal: &Principal,
    row: &mut CheckedRow,
    known: &mut Known,
) -> Result<(), AppError> {
    let Some(entry) = row.entry.clone() else {
        return Ok(());
    };
    let region = entry.fields.region.as_str();
    if !principal.scope.covers_code(region) {
        row.refuse(CellError::new(
            Column::RegionCode,
            region,
            format!(
                "region {region} lies outside your region scope ({}): a township imports its own ledger",
                principal.scope.prefixes().join(", ")
            ),
        ));
    }
    for id in &entry.fields.decisions {
        let found = match known.decisions.get(id) {
            Some(&found) => found,
            None => {
                let found = match in_scope(ctx, principal, *id).await {
                    Ok(_) => true,
                    Err(AppError::NotFound(_)) => false,
                    Err(e) => return Err(e),
                };
                known.decisions.insert(*id, found);
                found
            }
        };
        if !found {
            row.refuse(CellError::new(
                Column::DecisionId,
                &id.to_string(),
                format!("no decision with id {id} in your scope"),
            ));
        }
    }
    // An assigned or accepted concern waits for its handler alone (only they may accept, send back or answer
    // it), so the handler must be an office account that can; in the other states the name is history.
    let progress = &entry.progress;
    if matches!(
        progress.state,
        ConcernState::Assigned | ConcernState::Accepted
    ) && let Some(handler) = &progress.handler
    {
        let why = match known.handlers.get(handler) {
            Some(why) => why.clone(),
            None => {
                let why = match check_handler(ctx, handler).await {
                    Ok(()) => None,
                    Err(e) => Some(refusal_of(e)?),
                };
                known.handlers.insert(handler.clone(), why.clone());
                why
            }
        };
        if let Some(why) = why {
            row.refuse(CellError::new(
                Column::Handler,
                handler,
                format!(
                    "{why}: an open assignment waits for its handler, who signs in to take it on"
                ),
            ));
        }
    }
    Ok(())
}

/// The concern as the ledger records it: registered, then at the row's state with the fields its steps set.
fn recorded(entry: &LedgerEntry, actor: &str, now: DateTime<Utc>, today: NaiveDate) -> Concern {
    let p = &entry.progress;
    let concern = new_concern(&entry.fields, actor, now, today);
    Concern {
        state: p.state,
        office: p.office.clone(),
        handler: p.handler.clone(),
        due_on: p.due_on,
        answer: p.answer.clone(),
        answered_at: p.answered_at,
        adopted_measure: p.adopted_measure.clone(),
        satisfaction: p.satisfaction,
        closed_at: p.closed_at,
        // A reopened row has been reopened once at least; the ledger does not say how often.
        reopen_count: i64::from(p.state == ConcernState::Reopened),
        last_reason: p.reason.clone(),
        overdue: overdue(p.state, p.due_on, today),
        allowed: p.state.allowed().to_vec(),
        ..concern
    }
}

/// The refusal: the file's verdict first, then each row error named by row and column.
fn refused(errors: &[LedgerRowError], rejected_rows: usize, rows: usize) -> AppError {
    let mut listed = vec![FieldError::new(
        "file",
        format!(
            "the ledger was refused and nothing was stored: {rejected_rows} of {rows} rows are invalid; correct \
             them, or import the valid rows with skip_invalid"
        ),
    )];
    listed.extend(errors.iter().take(ERRORS_LISTED).map(|e| {
        FieldError::new(
            format!("row {}, column {}", e.row, e.field),
            format!("“{}” '{}': {}", e.column, e.value, e.message),
        )
    }));
    if errors.len() > ERRORS_LISTED {
        listed.push(FieldError::new(
            "file",
            format!("… and {} more errors", errors.len() - ERRORS_LISTED),
        ));
    }
    AppError::Invalid(FieldErrors(listed))
}
