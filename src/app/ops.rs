//! What operators ask of a running service: is it ready to serve.

use super::Context;

/// Ready means: the database answers, every migration embedded in this binary has been applied, and the read
/// replica, when there is one, answers too (lists and statistics would fail without it).
pub async fn readiness(ctx: &Context) -> Result<(), String> {
    ctx.db.readiness().await?;
    ctx.reader_readiness().await
}
