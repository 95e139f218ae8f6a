//! Experts' probability and impact grades of a decision's factors: each expert writes their own sheet only.

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::{AppError, Context, authorize};
use crate::auth::permission::{RateFactors, ReadDecisions};
use crate::domain::principal::Principal;
use crate::domain::ratings::{ExpertName, ExpertSheet, RatingSheet, validate_sheet};

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
