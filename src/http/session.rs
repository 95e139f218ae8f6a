//! `/api/v1/session`: password sign-in issuing a session cookie, who-am-I, and sign-out.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::{Authorized, SESSION_COOKIE};
use super::extract::JsonBody;
use crate::app::sessions::{self, SESSION_ABSOLUTE};
use crate::auth::permission::SignedIn;
use crate::domain::account::{Role, Scope};
use crate::domain::principal::{Credential, Principal};
use crate::error::{ApiError, Problem};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(sign_in)
        .service(who_am_i)
        .service(sign_out)
        .service(change_password);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub user_id: Uuid,
    pub username: String,
    pub roles: Vec<Role>,
    pub scope: Scope,
    /// `session` (cookie) or `token` (API token).
    pub via: &'static str,
    /// Send this back as `X-CSRF-Token` on every change made with the session cookie.
    pub csrf_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl SessionInfo {
    fn of(principal: &Principal, expires_at: Option<DateTime<Utc>>) -> Self {
        let (via, csrf_token) = match &principal.credential {
            Credential::Session { csrf_token, .. } => ("session", Some(csrf_token.clone())),
            Credential::Token { .. } => ("token", None),
            Credential::Operator => ("operator", None),
        };
        Self {
            user_id: principal.user_id,
            username: principal.username.clone(),
            roles: principal.roles.iter().copied().collect(),
            scope: principal.scope.clone(),
            via,
            csrf_token,
            expires_at,
        }
    }
}

/// Sign in with a username and password; sets an HttpOnly, SameSite=Strict session cookie.
/// Repeated failures for one account or from one address are refused with 429 for a while,
/// whether or not the account exists.
#[utoipa::path(
    tag = "session",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = SessionInfo),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed credentials", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/session")]
async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let Credentials { username, password } = body.0;
    let client = req.peer_addr().map(|a| a.ip());
    let session = sessions::sign_in(&state.ctx, &username, password, client).await?;
    let cookie = Cookie::build(SESSION_COOKIE, session.cookie_value)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .path("/")
        .max_age(time::Duration::seconds(SESSION_ABSOLUTE.num_seconds()))
        .finish();
    Ok(HttpResponse::Ok().cookie(cookie).json(SessionInfo::of(
        &session.principal,
        Some(session.expires_at),
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    /// At least 12 characters.
    new_password: String,
}

/// Change one's own password; every session of the account ends (sign in again). A wrong current password
/// counts as a failed sign-in for throttling.
#[utoipa::path(
    tag = "session",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 422, description = "Wrong current password, or the new one too short", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/session/password")]
async fn change_password(
    user: Authorized<SignedIn>,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChange {
        current_password,
        new_password,
    } = body.0;
    let client = req.peer_addr().map(|a| a.ip());
    sessions::change_password(&state.ctx, &user, current_password, new_password, client).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who the caller is, with the CSRF token of a cookie session.
#[utoipa::path(tag = "session", responses((status = 200, description = "The caller", body = SessionInfo)))]
#[get("/session")]
async fn who_am_i(user: Authorized<SignedIn>) -> HttpResponse {
    HttpResponse::Ok().json(SessionInfo::of(&user, None))
}

/// Sign out: ends the cookie session (API tokens are revoked through the token routes).
#[utoipa::path(tag = "session", responses((status = 204, description = "Signed out")))]
#[delete("/session")]
async fn sign_out(
    user: Authorized<SignedIn>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    sessions::sign_out(&state.ctx, &user).await?;
    let mut expired = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    expired.make_removal();
    Ok(HttpResponse::NoContent().cookie(expired).finish())
}
