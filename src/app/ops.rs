//! What operators ask of a running service: is it ready to serve.

use super::Context;

/// Ready means: the database answers and every migration embedded in this binary has been applied.
pub async fn readiness(ctx: &Context) -> Result<(), String> {
    ctx.db.readiness().await
}
