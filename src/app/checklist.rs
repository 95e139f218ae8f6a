//! The mitigation checklist (防范化解措施清单): accepting a plan puts its measures here; each item then gets its
//! owner unit, lead person and due date. A new assessment's residual level counts a measure only once its item
//! has an owner unit and a due date.

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::{AppError, Context, Precondition, authorize};
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::FieldErrors;
use crate::domain::checklist::{ChecklistItem, ItemFields, validate_items};
use crate::domain::decision::Decision;
use crate::domain::principal::Principal;

const ARCHIVED: &str = "an archived decision's checklist cannot be changed";

/// A decision's checklist with its tallies.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub decision_id: Uuid,
    pub items: Vec<ChecklistItem>,
}

impl Checklist {
    /// Items past their due date and not done.
    pub fn overdue(&self) -> usize {
        self.items.iter().filter(|i| i.overdue).count()
    }

    /// Items without an owner unit or a due date: their measures do not count yet.
    pub fn unassigned(&self) -> usize {
        self.items.iter().filter(|i| !i.assigned).count()
    }
}

fn known_measure<'c>(ctx: &'c Context, decision: &Decision) -> impl Fn(&str) -> bool + 'c {
    let kind = decision.fields.kind;
    move |id: &str| ctx.models().knows_measure(kind, id)
}

/// A decision's checklist, with overdue items flagged as of today.
pub async fn list(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<Checklist, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let items = ctx.db.checklist(decision.id, ctx.clock().today()).await?;
    Ok(Checklist {
        decision_id: decision.id,
        items,
    })
}

/// Puts measures on the checklist, all or none; `items` are decoded by the caller after the scope check.
pub async fn add(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    items: impl FnOnce() -> Result<Vec<ItemFields>, AppError>,
) -> Result<Checklist, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    not_archived(&decision, ARCHIVED)?;
    let items = items()?;
    validate_items(&items, known_measure(ctx, &decision))?;
    let kind = decision.fields.kind;
    let with_factors: Vec<(ItemFields, Vec<String>)> = items
        .into_iter()
        .map(|i| {
            let factors = ctx.models().factors_of_measure(kind, &i.measure);
            (i, factors)
        })
        .collect();
    let created = ctx
        .db
        .insert_checklist_items(
            decision.id,
            &with_factors,
            &principal.username,
            ctx.clock().today(),
        )
        .await?;
    // The list's overdue filter reads the checklist.
    ctx.decisions_changed();
    Ok(Checklist {
        decision_id: decision.id,
        items: created,
    })
}

/// Changes an item (owner unit, lead person, due date, status, evidence note); the measure itself cannot
/// change. The change names the item's version.
pub async fn change(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    item_id: Uuid,
    based_on: Option<&Precondition>,
    edit: impl FnOnce(&ItemFields) -> Result<ItemFields, AppError>,
) -> Result<ChecklistItem, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let today = ctx.clock().today();
    let current = ctx.db.checklist_item(decision.id, item_id, today).await?;
    Precondition::required(based_on, &current.etag())?;
    not_archived(&decision, ARCHIVED)?;
    let fields = edit(&current.fields)?;
    if fields.measure != current.fields.measure {
        return Err(AppError::invalid(
            "measure",
            "an item's measure cannot change; add an item for the other measure",
        ));
    }
    FieldErrors::from_vec(fields.validate("", known_measure(ctx, &decision)))?;
    let changed = ctx
        .db
        .update_checklist_item(&current, &fields, &principal.username, today)
        .await?;
    ctx.decisions_changed();
    Ok(changed)
}

/// What the checklist page shows: the decision, its checklist, and the measures of the model for its kind
/// that a planner may put on it.
pub struct ChecklistSheet {
    pub decision: Decision,
    pub checklist: Checklist,
    pub catalogue: Vec<crate::scoring::spec::MeasureSpec>,
}

/// The checklist of a decision in scope with the measures it may take.
pub async fn sheet(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<ChecklistSheet, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let items = ctx.db.checklist(decision.id, ctx.clock().today()).await?;
    let catalogue = ctx
        .models()
        .default_for(decision.fields.kind)?
        .spec()
        .measures
        .clone();
    Ok(ChecklistSheet {
        checklist: Checklist {
            decision_id: decision.id,
            items,
        },
        decision,
        catalogue,
    })
}
