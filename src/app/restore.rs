//! Restoring a stored assessment, written once for the analyses, the reports, the replay and the command line:
//! its recorded inputs, its result and the model it was computed with — the model in service when its content
//! hash is the one recorded, else the snapshot stored with the assessment. Never the live tables.

use uuid::Uuid;

use super::decisions::in_scope;
use super::{AppError, Context, authorize};
use crate::auth::permission::ReadDecisions;
use crate::domain::principal::Principal;
use crate::scoring::record::{AssessmentRecord, RecordedInputs, ReplayReport, replay as recompute};
use crate::scoring::{Assessment, Model};
use crate::storage::assessments::StoredAssessment;

/// A stored assessment with the model it was computed with.
#[derive(Debug, Clone)]
pub struct Restored {
    pub record: AssessmentRecord,
    pub model: Model,
}

/// The stored assessment, if the caller's scope covers its decision; otherwise 404.
pub(super) async fn stored_in_scope(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<StoredAssessment, AppError> {
    let stored = ctx.db.assessment(id).await?;
    match in_scope(ctx, principal, stored.head.decision_id).await {
        Ok(_) => Ok(stored),
        Err(AppError::NotFound(_)) => Err(AppError::NotFound(format!(
            "no assessment with id {}",
            stored.head.id
        ))),
        Err(other) => Err(other),
    }
}

/// The record's JSON texts parsed (off the async workers: a report's record is large).
pub(super) async fn record(stored: StoredAssessment) -> Result<AssessmentRecord, AppError> {
    tokio::task::spawn_blocking(move || parse(stored))
        .await
        .map_err(|e| AppError::internal_msg("restoring an assessment", e))?
}

fn parse(stored: StoredAssessment) -> Result<AssessmentRecord, AppError> {
    let id = stored.head.id;
    let inputs: RecordedInputs = serde_json::from_str(&stored.inputs)
        .map_err(|e| AppError::internal_msg(&format!("assessment {id}: stored inputs"), e))?;
    let result: Assessment = serde_json::from_str(&stored.result)
        .map_err(|e| AppError::internal_msg(&format!("assessment {id}: stored result"), e))?;
    Ok(AssessmentRecord {
        head: stored.head,
        inputs,
        result,
    })
}

/// The model of a stored assessment: the one in service with the recorded hash, else its stored snapshot.
async fn model_of(ctx: &Context, hash: &str) -> Result<Model, AppError> {
    if let Some(model) = ctx.models().by_hash(hash) {
        return Ok(model.clone());
    }
    let snapshot = ctx.db.model_snapshot(hash).await?;
    let hash = hash.to_owned();
    // Restoring a model re-derives its weights: off the async workers.
    tokio::task::spawn_blocking(move || Model::from_snapshot_json(&snapshot))
        .await
        .map_err(|e| AppError::internal_msg("restoring a model", e))?
        .map_err(|e| AppError::internal_msg(&format!("model snapshot {hash}"), format!("{e:?}")))
}

/// A stored assessment with its model.
pub(super) async fn restore(ctx: &Context, stored: StoredAssessment) -> Result<Restored, AppError> {
    let model = model_of(ctx, &stored.head.model_hash).await?;
    Ok(Restored {
        record: record(stored).await?,
        model,
    })
}

/// An assessment in the caller's scope, restored with its model.
pub(super) async fn restore_in_scope(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<Restored, AppError> {
    let stored = stored_in_scope(ctx, principal, id).await?;
    restore(ctx, stored).await
}

/// Recomputes an assessment from its stored inputs and its stored model snapshot (never the current model
/// files) and says whether the result matches exactly and the stored texts still hash to the content hash.
pub async fn replay(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<ReplayReport, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let stored = stored_in_scope(ctx, principal, id).await?;
    // The replay checks what is stored, so it reads the snapshot even when a model in service has its hash.
    let snapshot = ctx.db.model_snapshot(&stored.head.model_hash).await?;
    tokio::task::spawn_blocking(move || {
        recompute(
            &snapshot,
            &stored.inputs,
            &stored.result,
            &stored.head.content_hash,
        )
    })
    .await
    .map_err(|e| AppError::internal_msg("replaying an assessment", e))
}
