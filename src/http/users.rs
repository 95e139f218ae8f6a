//! `/api/v1/users`: accounts (administrators) and API tokens (administrators, or users for
//! their own). Passwords and tokens are generated here and shown once.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Authorized;
use super::extract::JsonBody;
use super::{AppState, path_id};
use crate::app::accounts::{self, AccountChange};
use crate::auth::permission::{ManageUsers, SignedIn};
use crate::domain::account::{ApiToken, Role, User};
use crate::error::{ApiError, Problem};

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

fn user_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    path_id(raw, "user").map_err(|_| ApiError::NotFound("no such user".into()))
}

/// All accounts.
#[utoipa::path(tag = "users", responses((status = 200, body = Vec<User>)))]
#[get("/users")]
async fn list_users(
    admin: Authorized<ManageUsers>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(accounts::users(&state.ctx, &admin).await?))
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
    let created =
        accounts::create_user(&state.ctx, &admin, &body.username, &body.roles, &body.scope).await?;
    Ok(HttpResponse::Created().json(UserWithPassword {
        user: created.user,
        password: created.password,
    }))
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
    let body = body.0;
    let change = AccountChange {
        roles: body.roles,
        scope: body.scope,
        disabled: body.disabled,
    };
    let user = accounts::change_user(&state.ctx, &admin, user_id(&id)?, change).await?;
    Ok(HttpResponse::Ok().json(user))
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
    let password = accounts::reset_password(&state.ctx, &admin, user_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(NewPassword { password }))
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
    let tokens = accounts::tokens(&state.ctx, &user, user_id(&id)?).await?;
    Ok(HttpResponse::Ok().json(tokens))
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
    let created = accounts::create_token(
        &state.ctx,
        &user,
        user_id(&id)?,
        &body.name,
        body.expires_in_days,
    )
    .await?;
    Ok(HttpResponse::Created().json(TokenWithSecret {
        token: created.token,
        secret: created.secret,
    }))
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
    let owner = user_id(&id)?;
    let token_id =
        uuid::Uuid::parse_str(&token_id).map_err(|_| ApiError::NotFound("no such token".into()))?;
    accounts::revoke_token(&state.ctx, &user, owner, token_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
