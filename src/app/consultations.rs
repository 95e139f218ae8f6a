//! Recording how a decision's opinions were heard (征求意见), and the attributes those records give the models:
//! `public_notice_days`, `support_rate`, `survey_margin`, `oppose_rate`, `hearing_held`. A value from a record
//! wins over one typed on the decision, and the assessment names the record it came from.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::decisions::{in_scope, not_archived};
use super::{AppError, Context, Precondition, authorize};
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::attributes::AttributeValue;
use crate::domain::consultation::{Consultation, ConsultationFields};
use crate::domain::decision::Decision;
use crate::domain::principal::Principal;
use crate::scoring::record::AttributeSource;

const ARCHIVED: &str = "an archived decision's consultations cannot be changed";

/// A decision's consultation records, oldest first.
pub async fn list(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
) -> Result<(Decision, Vec<Consultation>), AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let records = ctx.db.consultations(decision.id).await?;
    Ok((decision, records))
}

pub async fn get(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
) -> Result<Consultation, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    Ok(ctx.db.consultation(decision.id, id).await?)
}

/// Records a consultation; `fields` are decoded by the caller after the scope check.
pub async fn record(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    fields: impl FnOnce() -> Result<ConsultationFields, AppError>,
) -> Result<Consultation, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    not_archived(&decision, ARCHIVED)?;
    let fields = fields()?;
    fields.validate(ctx.clock().today())?;
    Ok(ctx
        .db
        .insert_consultation(decision.id, &fields, &principal.username)
        .await?)
}

/// Replaces a record, based on the version named (If-Match).
pub async fn change(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
    based_on: Option<&Precondition>,
    fields: impl FnOnce() -> Result<ConsultationFields, AppError>,
) -> Result<Consultation, AppError> {
    authorize::<WriteDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let current = ctx.db.consultation(decision.id, id).await?;
    Precondition::required(based_on, &current.etag())?;
    not_archived(&decision, ARCHIVED)?;
    let fields = fields()?;
    fields.validate(ctx.clock().today())?;
    Ok(ctx
        .db
        .update_consultation(&current, &fields, &principal.username)
        .await?)
}

/// Removes a record (the audit log keeps it), based on the version named (If-Match).
pub async fn remove(
    ctx: &Context,
    principal: &Principal,
    decision_id: Uuid,
    id: Uuid,
    based_on: Option<&Precondition>,
) -> Result<(), AppError> {
    authorize::<WriteDecisions>(principal)?;
    let decision = in_scope(ctx, principal, decision_id).await?;
    let current = ctx.db.consultation(decision.id, id).await?;
    Precondition::required(based_on, &current.etag())?;
    not_archived(&decision, ARCHIVED)?;
    Ok(ctx
        .db
        .delete_consultation(&current, &principal.username)
        .await?)
}

/// The attributes the records give, each with the record it came from. Of several records of one kind the
/// latest (by the day it speaks for, then by when it was recorded) gives the value; a notice gives its
/// calendar days, or its working days where the model says the law counts those.
pub fn derived_attributes(
    records: &[Consultation],
    notice_in_working_days: bool,
) -> BTreeMap<String, (AttributeValue, AttributeSource)> {
    let mut out = BTreeMap::new();
    let latest = |kind: &str| {
        records
            .iter()
            .filter(|c| c.fields.kind() == kind)
            .max_by_key(|c| (c.day(), c.created_at))
    };
    let source = |c: &Consultation| AttributeSource::Consultation {
        consultation_id: c.id,
        kind: c.fields.kind().to_owned(),
        day: c.day(),
    };
    if let Some(c) = latest("public_notice") {
        let days = if notice_in_working_days {
            c.figures.notice_working_days
        } else {
            c.figures.notice_days
        };
        if let Some(days) = days {
            out.insert(
                "public_notice_days".to_owned(),
                (AttributeValue::Number(days as f64), source(c)),
            );
        }
    }
    if let Some(c) = latest("questionnaire")
        && let Some(s) = c.figures.survey
    {
        for (name, value) in [
            ("support_rate", s.support_share),
            ("oppose_rate", s.oppose_share),
            ("survey_margin", s.margin_95),
        ] {
            out.insert(name.to_owned(), (AttributeValue::Number(value), source(c)));
        }
    }
    if let Some(c) = latest("hearing") {
        out.insert(
            "hearing_held".to_owned(),
            (AttributeValue::Flag(true), source(c)),
        );
    }
    out
}
