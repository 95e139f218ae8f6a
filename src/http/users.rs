//! `/api/v1/users`: accounts (administrators) and API tokens (administrators, or users for
//! their own). Passwords and tokens are generated here and shown once.

use std::collections::BTreeSet;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::Authorized;
use super::extract::JsonBody;
use crate::auth::permission::{ManageUsers, SignedIn};
use crate::auth::principal::Principal;
use crate::auth::{password, secret};
use crate::domain::FieldErrors;
use crate::domain::account::{ApiToken, Role, Scope, User, parse_username};
use crate::domain::text::clean_line;
use crate::error::{ApiError, Problem};
use crate::storage::accounts::UserChange;
use crate::storage::now;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(change_user)
        .service(reset_password)
        .service(list_tokens)
        .service(create_token)
        .service(revoke_token);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username: String,
    roles: Vec<Role>,
    /// Division-code prefixes the user may see; empty or absent = everywhere.
    #[serde(default)]
    scope: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserWithPassword {
    user: User,
    /// Generated; shown only in this answer.
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    roles: Option<Vec<Role>>,
    scope: Option<Vec<String>>,
    disabled: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. `prometheus` or `gis-sync`.
    name: String,
    /// Days until it stops working, 1 – 3,650; absent = no expiry.
    #[schema(minimum = 1, maximum = 3650)]
    expires_in_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenWithSecret {
    #[serde(flatten)]
    token: ApiToken,
    /// Send as `Authorization: Bearer <token>`; shown only in this answer.
    secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewPassword {
    password: String,
}

fn parse_user_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound("no such user".into()))
}

fn roles_of(roles: &[Role]) -> Result<BTreeSet<Role>, ApiError> {
    if roles.is_empty() {
        return Err(ApiError::invalid("roles", "at least one role is required"));
    }
    Ok(roles.iter().copied().collect())
}

fn scope_of(prefixes: &[String]) -> Result<Scope, ApiError> {
    Scope::parse(prefixes).map_err(|m| ApiError::invalid("scope", m))
}

async fn hash_off_workers(password: String) -> Result<String, ApiError> {
    web::block(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot hash a password: {e}")))
}

/// All accounts.
#[utoipa::path(tag = "users", responses((status = 200, body = Vec<User>)))]
#[get("/users")]
async fn list_users(
    _admin: Authorized<ManageUsers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(state.db.users().await?))
}

/// Create an account; its generated password is shown once in the answer.
#[utoipa::path(
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, body = UserWithPassword),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
async fn create_user(
    admin: Authorized<ManageUsers>,
    state: web::Data<AppState>,
    body: JsonBody<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let username = parse_username(&body.username).map_err(|m| ApiError::invalid("username", m))?;
    let roles = roles_of(&body.roles)?;
    let scope = scope_of(&body.scope)?;
    let password = password::generate();
    let hash = hash_off_workers(password.clone()).await?;
    let user = state
        .db
        .insert_user(&username, &hash, &roles, &scope, &admin.username)
        .await?;
    Ok(HttpResponse::Created().json(UserWithPassword { user, password }))
}

/// Change an account's roles, scope, or disabled flag (disabling ends its sessions).
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path)),
    request_body = UserPatch,
    responses(
        (status = 200, body = User),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would lock yourself out", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
async fn change_user(
    admin: Authorized<ManageUsers>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let current = state.db.user(parse_user_id(&id)?).await?;
    let change = UserChange {
        roles: body.roles.as_deref().map(roles_of).transpose()?,
        scope: body.scope.as_deref().map(scope_of).transpose()?,
        disabled: body.disabled,
        password_hash: None,
    };
    let loses_admin = change.disabled == Some(true)
        || change
            .roles
            .as_ref()
            .is_some_and(|r| !r.contains(&Role::Admin));
    if current.id == admin.user_id && loses_admin {
        return Err(ApiError::Conflict(
            "you cannot disable yourself or give up your own admin role".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(
        state
            .db
            .update_user(&current, &change, &admin.username)
            .await?,
    ))
}

/// Replace an account's password with a generated one, shown once; its sessions end.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = NewPassword),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/password")]
async fn reset_password(
    admin: Authorized<ManageUsers>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let current = state.db.user(parse_user_id(&id)?).await?;
    let password = password::generate();
    let change = UserChange {
        password_hash: Some(hash_off_workers(password.clone()).await?),
        ..UserChange::default()
    };
    state
        .db
        .update_user(&current, &change, &admin.username)
        .await?;
    Ok(HttpResponse::Ok().json(NewPassword { password }))
}

/// The account whose tokens are managed: one's own, or anyone's for an administrator.
async fn token_owner(state: &AppState, raw_id: &str, caller: &Principal) -> Result<User, ApiError> {
    let id = parse_user_id(raw_id)?;
    if id != caller.user_id && !caller.is_admin() {
        return Err(ApiError::Forbidden(
            "only administrators manage other users' tokens".into(),
        ));
    }
    Ok(state.db.user(id).await?)
}

/// An account's API tokens (never the secrets).
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Vec<ApiToken>),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}/tokens")]
async fn list_tokens(
    user: Authorized<SignedIn>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let owner = token_owner(&state, &id, &user).await?;
    Ok(HttpResponse::Ok().json(state.db.tokens_of(owner.id).await?))
}

/// Create an API token; the secret is shown once and stored only as a digest.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path)),
    request_body = NewToken,
    responses(
        (status = 201, body = TokenWithSecret),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/tokens")]
async fn create_token(
    user: Authorized<SignedIn>,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: JsonBody<NewToken>,
) -> Result<HttpResponse, ApiError> {
    let owner = token_owner(&state, &id, &user).await?;
    let name = clean_line(body.name.trim(), 100).map_err(|m| ApiError::invalid("name", m))?;
    if name.is_empty() {
        return Err(FieldErrors::single("name", "must not be empty").into());
    }
    let expires_at: Option<DateTime<Utc>> = match body.expires_in_days {
        Some(0) => return Err(ApiError::invalid("expires_in_days", "must be at least 1")),
        Some(days) if days > 3650 => {
            return Err(ApiError::invalid("expires_in_days", "must be at most 3650"));
        }
        Some(days) => Some(now() + Duration::days(i64::from(days))),
        None => None,
    };
    let secret = secret::new_secret(secret::API_TOKEN_PREFIX);
    let token = state
        .db
        .insert_token(
            &owner,
            name,
            &secret::digest(&secret),
            &secret::display_prefix(&secret),
            expires_at,
            &user.username,
        )
        .await?;
    Ok(HttpResponse::Created().json(TokenWithSecret { token, secret }))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(
    tag = "users",
    params(("id" = Uuid, Path), ("token_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}/tokens/{token_id}")]
async fn revoke_token(
    user: Authorized<SignedIn>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, token_id) = path.into_inner();
    let owner = token_owner(&state, &id, &user).await?;
    let token_id =
        Uuid::parse_str(&token_id).map_err(|_| ApiError::NotFound("no such token".into()))?;
    let token = state.db.token(token_id).await?;
    if token.user_id != owner.id {
        return Err(ApiError::NotFound("no such token".into()));
    }
    state.db.revoke_token(&token, &user.username).await?;
    Ok(HttpResponse::NoContent().finish())
}
