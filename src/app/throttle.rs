//! Sign-in throttling as the use cases see it: is the account or the client address locked, and count a
//! failure or a success. The counts live in the database, so every instance sees the same; the policy (keys,
//! limits, window) is `auth::throttle`'s.

use std::net::IpAddr;
use std::time::Duration;

use super::{AppError, Context};
use crate::auth::throttle::{
    account_key, keys, locked_for, pair_key, slowdown, window_over_if_started_by,
};

/// How long an attempt on the account waits before its password is checked (it failed from many addresses).
pub(super) async fn slowed_by(ctx: &Context, username: &str) -> Result<Option<Duration>, AppError> {
    let key = account_key(username);
    let windows = ctx.db.throttle_windows(&[key.as_str()]).await?;
    Ok(slowdown(windows.first(), ctx.clock().now()))
}

/// How long the caller must wait, when the account is locked for their address or the address is locked.
pub(super) async fn check(
    ctx: &Context,
    username: &str,
    client: Option<IpAddr>,
) -> Result<Option<Duration>, AppError> {
    let keys = keys(username, client);
    let names: Vec<&str> = keys.iter().map(|k| k.key.as_str()).collect();
    let windows = ctx.db.throttle_windows(&names).await?;
    Ok(locked_for(&keys, &windows, ctx.clock().now()))
}

/// Counts a failure against the account and the client; windows that are over are dropped on the way.
pub(super) async fn record_failure(
    ctx: &Context,
    username: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let now = ctx.clock().now();
    let over = window_over_if_started_by(now);
    for key in keys(username, client) {
        ctx.db.count_throttle_failure(&key.key, now, over).await?;
    }
    ctx.db
        .count_throttle_failure(&account_key(username), now, over)
        .await?;
    ctx.db.prune_throttle_windows(over).await?;
    Ok(())
}

/// A successful sign-in clears the account's counts, for this address and everywhere (not the client's).
pub(super) async fn record_success(
    ctx: &Context,
    username: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    ctx.db
        .clear_throttle_key(&pair_key(username, client))
        .await?;
    Ok(ctx.db.clear_throttle_key(&account_key(username)).await?)
}
