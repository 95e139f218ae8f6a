//! Who the caller is: signing in with a password (a session, with repeated failures throttled per account and
//! per client address), signing out, changing one's own password, and recognising a session or an API token
//! on every request.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::credential_cache::{CredentialKind, Recognised};
use super::{AppError, Context, authorize, throttle};
use crate::auth::permission::SignedIn;
use crate::auth::{password, secret};
use crate::domain::account::UserChange;
use crate::domain::audit::AuditRecord;
use crate::domain::principal::{Credential, Principal};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// And after this long in any case.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, so reads do not each cost a write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

const BAD_CREDENTIALS: &str = "invalid username or password";

/// The credentials a request carries.
pub enum Presented<'a> {
    /// `Authorization: Bearer …`
    Token(&'a str),
    /// The session cookie's value.
    SessionCookie(&'a str),
}

/// A new session: the caller, the cookie's secret value (shown once) and when it ends at the latest.
pub struct Session {
    pub principal: Principal,
    pub cookie_value: String,
    pub expires_at: DateTime<Utc>,
}

/// Runs argon2 (slow by design) off the async workers.
async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::internal_msg("password hashing", e))
}

/// The login name as given, trimmed, without control characters, at most 64 characters.
fn clean_username(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}

/// 429 while the account or the client address is locked.
async fn check_throttle(
    ctx: &Context,
    username: &str,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    match throttle::check(ctx, username, client).await? {
        None => Ok(()),
        Some(wait) => Err(AppError::TooManyAttempts {
            retry_after_seconds: wait.as_secs().max(1),
        }),
    }
}

/// Signs in with a username and password. Repeated failures for one account or from one address are refused
/// for a while, with the same answers whether or not the account exists.
pub async fn sign_in(
    ctx: &Context,
    username: &str,
    password: String,
    client: Option<IpAddr>,
) -> Result<Session, AppError> {
    let username = clean_username(username);
    check_throttle(ctx, &username, client).await?;
    if let Some(wait) = throttle::slowed_by(ctx, &username).await? {
        tokio::time::sleep(wait).await;
    }
    let candidate = ctx.db.login_candidate(&username).await?;
    let hash = candidate
        .as_ref()
        .filter(|(user, _)| !user.disabled)
        .map(|(_, h)| h.clone());
    let verified = off_workers(move || match hash {
        Some(hash) => password::verify(&password, &hash),
        None => {
            password::verify_against_dummy(&password);
            false
        }
    })
    .await?;
    let client_text = client.map(|c| c.to_string()).unwrap_or_default();
    let user = match (verified, candidate) {
        (true, Some((user, _))) => user,
        (_, candidate) => {
            throttle::record_failure(ctx, &username, client).await?;
            let record = AuditRecord {
                entity: "user",
                entity_id: candidate.map(|(u, _)| u.id).unwrap_or_else(Uuid::nil),
                decision_id: None,
                action: "login_failed",
                actor: username.clone(),
                before: None,
                after: Some(serde_json::json!({ "username": username, "client": client_text })),
            };
            ctx.db.append_audit(&record).await?;
            return Err(AppError::Unauthorized(BAD_CREDENTIALS.into()));
        }
    };
    throttle::record_success(ctx, &username, client).await?;
    let cookie_value = secret::new_secret("wps_");
    let csrf_token = secret::new_secret("");
    let expires_at = ctx.clock().now() + SESSION_ABSOLUTE;
    let session_id = ctx
        .db
        .insert_session(
            &user,
            &secret::digest(&cookie_value),
            &csrf_token,
            expires_at,
            &client_text,
        )
        .await?;
    Ok(Session {
        principal: Principal {
            user_id: user.id,
            username: user.username.clone(),
            roles: user.roles.clone(),
            scope: user.scope.clone(),
            credential: Credential::Session {
                session_id,
                csrf_token,
            },
        },
        cookie_value,
        expires_at,
    })
}

/// Ends the caller's cookie session (API tokens are revoked through the token routes).
pub async fn sign_out(ctx: &Context, principal: &Principal) -> Result<(), AppError> {
    authorize::<SignedIn>(principal)?;
    if let Credential::Session { session_id, .. } = &principal.credential {
        ctx.db.end_session(*session_id, principal, "logout").await?;
        ctx.credentials.forget_user(principal.user_id);
    }
    Ok(())
}

/// Changes the caller's own password; every session of the account ends. A wrong current password counts as a
/// failed sign-in for throttling.
pub async fn change_password(
    ctx: &Context,
    principal: &Principal,
    current_password: String,
    new_password: String,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    authorize::<SignedIn>(principal)?;
    password::check_strength(&new_password).map_err(|m| AppError::invalid("new_password", m))?;
    check_throttle(ctx, &principal.username, client).await?;
    let (account, hash) = ctx
        .db
        .login_candidate(&principal.username)
        .await?
        .ok_or_else(|| AppError::Unauthorized("the account no longer exists".into()))?;
    let checked = off_workers(move || {
        password::verify(&current_password, &hash).then(|| password::hash(&new_password))
    })
    .await?;
    let Some(new_hash) = checked else {
        throttle::record_failure(ctx, &principal.username, client).await?;
        return Err(AppError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    };
    let new_hash = new_hash.map_err(|e| AppError::internal_msg("cannot hash a password", e))?;
    let change = UserChange {
        password_hash: Some(new_hash),
        ..Default::default()
    };
    ctx.db
        .update_user(&account, &change, &principal.username)
        .await?;
    ctx.credentials.forget_user(account.id);
    Ok(())
}

/// The caller behind the credentials a request presents: a live API token, or a session neither ended, past
/// its absolute end, nor idle too long (an idle one is ended now). 401 otherwise. A credential recognised less
/// than a second ago is not looked up again (`credential_cache`).
pub async fn authenticate(ctx: &Context, presented: Presented<'_>) -> Result<Principal, AppError> {
    let (kind, digest) = match presented {
        Presented::Token(token) => (CredentialKind::Token, secret::digest(token)),
        Presented::SessionCookie(value) => (CredentialKind::Session, secret::digest(value)),
    };
    // A session due for its `last_seen_at` write (or, on a clock that moved on, idle) takes the full path.
    let fresh = |known: &Recognised| {
        known
            .last_seen_at
            .is_none_or(|seen| ctx.clock().now() - seen <= TOUCH_EVERY)
    };
    if let Some(known) = ctx.credentials.recognised(kind, &digest)
        && fresh(&known)
    {
        return Ok(known.principal);
    }
    // Of the requests that find this credential expired at once, one reads it; the others take its answer.
    let turn = ctx.credentials.turn(&digest).await;
    if turn.is_some()
        && let Some(known) = ctx.credentials.recognised(kind, &digest)
        && fresh(&known)
    {
        return Ok(known.principal);
    }
    let reading = ctx.credentials.begin_read();
    let recognised = match kind {
        CredentialKind::Token => Recognised {
            principal: ctx.db.token_principal(&digest).await?.ok_or_else(|| {
                AppError::Unauthorized("the API token is unknown, revoked or expired".into())
            })?,
            last_seen_at: None,
        },
        CredentialKind::Session => session_in_use(ctx, &digest).await?,
    };
    ctx.credentials
        .remember(kind, &digest, reading, recognised.clone());
    Ok(recognised.principal)
}

/// The live session with this digest, its use written down when the last write is [`TOUCH_EVERY`] old.
async fn session_in_use(ctx: &Context, digest: &str) -> Result<Recognised, AppError> {
    let expired = || AppError::Unauthorized("the session has ended; sign in again".into());
    let session = ctx.db.session(digest).await?.ok_or_else(expired)?;
    let now = ctx.clock().now();
    let mut last_seen_at = session.last_seen_at;
    if let Credential::Session { session_id, .. } = &session.principal.credential {
        let idle = now - session.last_seen_at;
        if idle > SESSION_IDLE {
            ctx.db
                .end_session(*session_id, &session.principal, "session_expired")
                .await?;
            ctx.credentials.forget_user(session.principal.user_id);
            return Err(expired());
        }
        if idle > TOUCH_EVERY {
            ctx.db.touch_session(*session_id).await?;
            last_seen_at = now;
        }
    }
    Ok(Recognised {
        principal: session.principal,
        last_seen_at: Some(last_seen_at),
    })
}
