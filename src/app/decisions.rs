//! The decision register: register, read, list, change and archive decisions inside the caller's region scope.

use std::sync::Arc;

use uuid::Uuid;

use super::context::DecisionPage;
use super::{AppError, Context, Precondition, authorize};
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::decision::{
    Decision, DecisionFields, DecisionFilter, DecisionPosition, DecisionStatus,
};
use crate::domain::principal::Principal;

/// The decision, if the caller's scope covers it; otherwise 404, so its existence is not revealed.
pub(super) async fn in_scope(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<Decision, AppError> {
    match ctx.db.decision(id).await {
        Ok(decision) if principal.scope.covers(&decision.fields.regions) => Ok(decision),
        Ok(_) => Err(AppError::NotFound(format!("no decision with id {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// Refuses, with 409, a write to an archived decision; `refusal` says what cannot be done to it.
pub(super) fn not_archived(decision: &Decision, refusal: &str) -> Result<(), AppError> {
    if decision.archived {
        return Err(AppError::Conflict(refusal.to_owned()));
    }
    Ok(())
}

/// A user may not register or move a decision outside their own region scope.
fn check_regions_in_scope(principal: &Principal, fields: &DecisionFields) -> Result<(), AppError> {
    match fields
        .regions
        .iter()
        .position(|r| !principal.scope.covers_code(r.as_str()))
    {
        Some(i) => Err(AppError::Forbidden(format!(
            "regions[{i}]: region {} lies outside your region scope",
            fields.regions[i]
        ))),
        None => Ok(()),
    }
}

/// Registers a proposed decision (with its baseline scenario), as a draft.
pub async fn register(
    ctx: &Context,
    principal: &Principal,
    fields: DecisionFields,
) -> Result<Decision, AppError> {
    authorize::<WriteDecisions>(principal)?;
    fields.validate()?;
    if fields.status != DecisionStatus::Draft {
        return Err(AppError::invalid(
            "status",
            "a new decision starts as draft",
        ));
    }
    check_regions_in_scope(principal, &fields)?;
    let decision = ctx.db.insert_decision(&fields, &principal.username).await?;
    ctx.decisions_changed();
    Ok(decision)
}

/// One decision in scope; archived ones too.
pub async fn get(ctx: &Context, principal: &Principal, id: Uuid) -> Result<Decision, AppError> {
    authorize::<ReadDecisions>(principal)?;
    in_scope(ctx, principal, id).await
}

/// One page of the decisions in the caller's scope that pass the filter, and where the next page starts.
pub async fn list(
    ctx: &Context,
    principal: &Principal,
    filter: DecisionFilter,
) -> Result<(Vec<Decision>, Option<DecisionPosition>), AppError> {
    Ok(DecisionPage::clone(
        &*list_shared(ctx, principal, filter).await?,
    ))
}

/// The page [`list`] returns, as the instance keeps it: callers within [`super::memo::FRESH_FOR`] of one read
/// get the same `Arc`, so a transport may keep what it made of the page (its JSON) by that `Arc`.
pub async fn list_shared(
    ctx: &Context,
    principal: &Principal,
    mut filter: DecisionFilter,
) -> Result<Arc<(Vec<Decision>, Option<DecisionPosition>)>, AppError> {
    authorize::<ReadDecisions>(principal)?;
    filter.scope = principal.scope.clone();
    // A page depends on the filter (cursor and limit included) and the scope in it, nothing else of the
    // caller: every role that may read decisions sees the same ones. So callers of the same scope share a
    // page, and one whose scope differs, even narrower, never gets another's. A background import finished
    // here may have raised alerts, so pages read before it are not looked up again.
    let key = format!("{}|{filter:?}", ctx.background_imports_finished());
    // A list may lag on a replica; the decision a caller just registered is read by id, from the primary.
    let read = async || Ok::<_, AppError>(Arc::new(ctx.reader().decisions(&filter).await?));
    let page = if ctx.background_import_running() {
        read().await?
    } else {
        ctx.decision_pages.get_or_read(key, read).await?
    };
    Ok(page)
}

/// Changes a decision: `edit` turns the current fields into the new ones (a JSON merge patch, a form). The
/// change must name the version it is based on. A change of attributes or regions after the committee resolved
/// marks the resolution for review, in the same transaction.
pub async fn change(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
    based_on: Option<&Precondition>,
    edit: impl FnOnce(&DecisionFields) -> Result<DecisionFields, AppError>,
) -> Result<Decision, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let current = in_scope(ctx, principal, id).await?;
    Precondition::required(based_on, &current.etag())?;
    not_archived(&current, "an archived decision cannot be changed")?;
    let fields = edit(&current.fields)?;
    fields.validate()?;
    check_regions_in_scope(principal, &fields)?;
    if !current.fields.status.may_become(fields.status) {
        return Err(AppError::invalid(
            "status",
            format!(
                "a decision cannot move from {} to {}",
                current.fields.status.as_str(),
                fields.status.as_str()
            ),
        ));
    }
    if fields == current.fields {
        return Ok(current);
    }
    let review_reasons: Vec<String> = [
        (fields.attributes != current.fields.attributes, "attributes"),
        (fields.regions != current.fields.regions, "regions"),
    ]
    .into_iter()
    .filter(|(changed, _)| *changed)
    .map(|(_, what)| format!("the decision's {what} changed after the resolution"))
    .collect();
    let changed = ctx
        .db
        .update_decision(&current, &fields, &principal.username, &review_reasons)
        .await?;
    ctx.decision_moved(id);
    Ok(changed)
}

/// Archives a decision: kept for the audit log, hidden from lists unless asked for. Archiving an archived
/// decision changes nothing.
pub async fn archive(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
    based_on: Option<&Precondition>,
) -> Result<(), AppError> {
    authorize::<WriteDecisions>(principal)?;
    let current = in_scope(ctx, principal, id).await?;
    if let Some(precondition) = based_on {
        precondition.check(&current.etag())?;
    }
    ctx.db
        .archive_decision(&current, &principal.username)
        .await?;
    ctx.decision_moved(id);
    Ok(())
}
