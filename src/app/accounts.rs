//! Accounts and API tokens. Administrators manage users, roles and scopes; everyone manages their own tokens.
//! Passwords and token secrets are generated here and shown once; only their digests are stored.

use std::collections::BTreeSet;

use chrono::Duration;
use uuid::Uuid;

use super::{AppError, Context, authorize};
use crate::auth::permission::{ManageUsers, SignedIn};
use crate::auth::{password, secret};
use crate::domain::FieldErrors;
use crate::domain::account::{ApiToken, Role, Scope, User, UserChange, parse_username};
use crate::domain::principal::Principal;
use crate::domain::text::clean_line;

/// A token's lifetime may not pass ten years.
const MAX_TOKEN_DAYS: u32 = 3650;

/// A new account and its generated password, shown once.
pub struct NewAccount {
    pub user: User,
    pub password: String,
}

/// A new API token and its secret, shown once.
pub struct NewToken {
    pub token: ApiToken,
    pub secret: String,
}

/// What an administrator may change about an account.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub roles: Option<Vec<Role>>,
    pub scope: Option<Vec<String>>,
    pub disabled: Option<bool>,
}

fn roles_of(roles: &[Role]) -> Result<BTreeSet<Role>, AppError> {
    if roles.is_empty() {
        return Err(AppError::invalid("roles", "at least one role is required"));
    }
    Ok(roles.iter().copied().collect())
}

fn scope_of(prefixes: &[String]) -> Result<Scope, AppError> {
    Scope::parse(prefixes).map_err(|m| AppError::invalid("scope", m))
}

async fn hash_off_workers(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AppError::internal_msg("password hashing", e))?
        .map_err(|e| AppError::internal_msg("cannot hash a password", e))
}

pub async fn users(ctx: &Context, principal: &Principal) -> Result<Vec<User>, AppError> {
    authorize::<ManageUsers>(principal)?;
    Ok(ctx.db.users().await?)
}

/// An account by name, for the command line.
pub async fn user_named(
    ctx: &Context,
    principal: &Principal,
    name: &str,
) -> Result<User, AppError> {
    authorize::<ManageUsers>(principal)?;
    ctx.db
        .user_by_name(name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no user named {name}")))
}

/// Creates an account with a generated password.
pub async fn create_user(
    ctx: &Context,
    principal: &Principal,
    username: &str,
    roles: &[Role],
    scope: &[String],
) -> Result<NewAccount, AppError> {
    authorize::<ManageUsers>(principal)?;
    let username = parse_username(username).map_err(|m| AppError::invalid("username", m))?;
    let roles = roles_of(roles)?;
    let scope = scope_of(scope)?;
    let password = password::generate();
    let hash = hash_off_workers(password.clone()).await?;
    let user = ctx
        .db
        .insert_user(&username, &hash, &roles, &scope, &principal.username)
        .await?;
    Ok(NewAccount { user, password })
}

/// Changes an account's roles, scope or disabled flag (disabling ends its sessions). An administrator cannot
/// lock themselves out.
pub async fn change_user(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
    change: AccountChange,
) -> Result<User, AppError> {
    authorize::<ManageUsers>(principal)?;
    let current = ctx.db.user(id).await?;
    let change = UserChange {
        roles: change.roles.as_deref().map(roles_of).transpose()?,
        scope: change.scope.as_deref().map(scope_of).transpose()?,
        disabled: change.disabled,
        password_hash: None,
    };
    let loses_admin = change.disabled == Some(true)
        || change
            .roles
            .as_ref()
            .is_some_and(|r| !r.contains(&Role::Admin));
    if current.id == principal.user_id && loses_admin {
        return Err(AppError::Conflict(
            "you cannot disable yourself or give up your own admin role".into(),
        ));
    }
    let changed = ctx
        .db
        .update_user(&current, &change, &principal.username)
        .await?;
    ctx.credentials.forget_user(current.id);
    Ok(changed)
}

/// Replaces an account's password with a generated one, shown once; its sessions end.
pub async fn reset_password(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<String, AppError> {
    authorize::<ManageUsers>(principal)?;
    let current = ctx.db.user(id).await?;
    let password = password::generate();
    let change = UserChange {
        password_hash: Some(hash_off_workers(password.clone()).await?),
        ..UserChange::default()
    };
    ctx.db
        .update_user(&current, &change, &principal.username)
        .await?;
    ctx.credentials.forget_user(current.id);
    Ok(password)
}

/// The account whose tokens are managed: one's own, or anyone's for an administrator.
async fn token_owner(ctx: &Context, principal: &Principal, id: Uuid) -> Result<User, AppError> {
    authorize::<SignedIn>(principal)?;
    if id != principal.user_id && !principal.is_admin() {
        return Err(AppError::Forbidden(
            "only administrators manage other users' tokens".into(),
        ));
    }
    Ok(ctx.db.user(id).await?)
}

/// An account's API tokens (never the secrets).
pub async fn tokens(
    ctx: &Context,
    principal: &Principal,
    user_id: Uuid,
) -> Result<Vec<ApiToken>, AppError> {
    let owner = token_owner(ctx, principal, user_id).await?;
    Ok(ctx.db.tokens_of(owner.id).await?)
}

/// Creates an API token, optionally expiring after some days; the secret is shown once.
pub async fn create_token(
    ctx: &Context,
    principal: &Principal,
    user_id: Uuid,
    name: &str,
    expires_in_days: Option<u32>,
) -> Result<NewToken, AppError> {
    let owner = token_owner(ctx, principal, user_id).await?;
    let name = clean_line(name.trim(), 100).map_err(|m| AppError::invalid("name", m))?;
    if name.is_empty() {
        return Err(FieldErrors::single("name", "must not be empty").into());
    }
    let expires_at = match expires_in_days {
        Some(0) => return Err(AppError::invalid("expires_in_days", "must be at least 1")),
        Some(days) if days > MAX_TOKEN_DAYS => {
            return Err(AppError::invalid(
                "expires_in_days",
                format!("must be at most {MAX_TOKEN_DAYS}"),
            ));
        }
        Some(days) => Some(ctx.clock().now() + Duration::days(i64::from(days))),
        None => None,
    };
    let secret = secret::new_secret(secret::API_TOKEN_PREFIX);
    let token = ctx
        .db
        .insert_token(
            &owner,
            name,
            &secret::digest(&secret),
            &secret::display_prefix(&secret),
            expires_at,
            &principal.username,
        )
        .await?;
    Ok(NewToken { token, secret })
}

/// Revokes a token of the account; it stops working at once.
pub async fn revoke_token(
    ctx: &Context,
    principal: &Principal,
    user_id: Uuid,
    token_id: Uuid,
) -> Result<(), AppError> {
    let owner = token_owner(ctx, principal, user_id).await?;
    let token = ctx.db.token(token_id).await?;
    if token.user_id != owner.id {
        return Err(AppError::NotFound("no such token".into()));
    }
    ctx.db.revoke_token(&token, &principal.username).await?;
    ctx.credentials.forget_user(token.user_id);
    Ok(())
}

/// Revokes a token by its id alone, for administrators (the command line).
pub async fn revoke_token_by_id(
    ctx: &Context,
    principal: &Principal,
    token_id: Uuid,
) -> Result<(), AppError> {
    authorize::<ManageUsers>(principal)?;
    let token = ctx.db.token(token_id).await?;
    ctx.db.revoke_token(&token, &principal.username).await?;
    ctx.credentials.forget_user(token.user_id);
    Ok(())
}

/// How many accounts exist: none means the first administrator is still to be created.
pub async fn count(ctx: &Context) -> Result<i64, AppError> {
    Ok(ctx.db.count_users().await?)
}
