//! Sign-in throttling as the use cases see it: is the account or the client address locked, and count a
//! failure or a success.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::{AppError, Context};

/// How long the caller must wait, when the account or the client address is locked.
pub(super) async fn check(
    ctx: &Context,
    username: &str,
    client: Option<IpAddr>,
) -> Result<Option<Duration>, AppError> {
    Ok(ctx.throttle.check(username, client, Instant::now()).err())
}

pub(super) async fn record_failure(
    ctx: &Context,
    username: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    ctx.throttle
        .record_failure(username, client, Instant::now());
    Ok(())
}

/// A successful sign-in clears the account's count (not the client's).
pub(super) async fn record_success(ctx: &Context, username: &str) -> Result<(), AppError> {
    ctx.throttle.record_success(username);
    Ok(())
}
