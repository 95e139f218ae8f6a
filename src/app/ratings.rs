//! Experts' probability and impact grades of a decision's factors: each expert writes their own sheet only.

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::{AppError, Context, authorize};
use crate::auth::permission::{RateFactors, ReadDecisions};
use crate::domain::decision::Decision;
use crate::domain::principal::Principal;
use crate::domain::ratings::{ExpertName, ExpertSheet, RatingSheet, validate_sheet};
use crate::scoring::Model;

/// Replaces the caller's sheet for a decision (an empty sheet withdraws them). After the committee resolved,
/// the change marks the resolution for review, in the same transaction.
pub async fn rate(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    expert: &str,
    sheet: RatingSheet,
) -> Result<ExpertSheet, AppError> {
    authorize::<RateFactors>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let expert = ExpertName::parse(expert).map_err(|m| AppError::invalid("expert", m))?;
    // Experts write their own ratings only: the sheet's name is the signed-in user's.
    if expert.as_str() != principal.username {
        return Err(AppError::Forbidden(format!(
            "{} may only write their own ratings, not {}'s",
            principal.username,
            expert.as_str()
        )));
    }
    not_archived(&decision, "an archived decision cannot be rated")?;
    let kind = decision.fields.kind;
    ctx.models().default_for(kind)?;
    validate_sheet(&sheet, |factor| ctx.models().knows_factor(kind, factor))?;
    let reason = format!("{}'s ratings changed after the resolution", expert.as_str());
    Ok(ctx
        .db
        .replace_ratings(decision.id, &expert, &sheet, &principal.username, &[reason])
        .await?)
}

/// Every expert's sheet for a decision in scope.
pub async fn sheets(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<Vec<ExpertSheet>, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    Ok(ctx.db.ratings(decision.id).await?)
}

/// What an expert's rating sheet shows: the decision, the factors of the model its kind is rated on, and the
/// expert's own sheet so far (empty before the first save).
pub struct SheetToFill {
    pub decision: Decision,
    pub model: Model,
    pub current: RatingSheet,
}

/// The caller's own sheet for a decision in scope, with the factors to rate.
pub async fn sheet_to_fill(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<SheetToFill, AppError> {
    authorize::<RateFactors>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    not_archived(&decision, "an archived decision cannot be rated")?;
    let model = ctx.models().default_for(decision.fields.kind)?.clone();
    let current = ctx
        .db
        .ratings(decision.id)
        .await?
        .into_iter()
        .find(|s| s.expert == principal.username)
        .map(|s| s.ratings)
        .unwrap_or_default();
    Ok(SheetToFill {
        decision,
        model,
        current,
    })
}
