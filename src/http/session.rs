//! `/api/v1/session`: password sign-in issuing a session cookie, who-am-I, and sign-out.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::auth::{Authorized, SESSION_ABSOLUTE, SESSION_COOKIE};
use super::extract::JsonBody;
use crate::auth::password;
use crate::auth::permission::SignedIn;
use crate::auth::principal::{Credential, Principal};
use crate::auth::secret;
use crate::auth::throttle;
use crate::domain::account::{Role, Scope};
use crate::domain::audit::AuditRecord;
use crate::error::{ApiError, Problem};
use crate::storage::now;

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

const BAD_CREDENTIALS: &str = "invalid username or password";

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
    let username: String = username
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    let client = req.peer_addr().map(|a| a.ip());
    if let Err(wait) = throttle::check(&state.db, &username, client).await? {
        return Err(ApiError::TooManyRequests {
            retry_after_seconds: wait.as_secs().max(1),
        });
    }
    let candidate = state.db.login_candidate(&username).await?;
    let hash = candidate
        .as_ref()
        .filter(|(user, _)| !user.disabled)
        .map(|(_, h)| h.clone());
    // argon2 is deliberately slow: it runs on the blocking pool, never on the async workers.
    let verified = web::block(move || match hash {
        Some(hash) => password::verify(&password, &hash),
        None => {
            password::verify_against_dummy(&password);
            false
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let client_text = client.map(|c| c.to_string()).unwrap_or_default();
    let user = match (verified, candidate) {
        (true, Some((user, _))) => user,
        (_, candidate) => {
            throttle::record_failure(&state.db, &username, client).await?;
            let record = AuditRecord {
                entity: "user",
                entity_id: candidate.map(|(u, _)| u.id).unwrap_or_else(Uuid::nil),
                decision_id: None,
                action: "login_failed",
                actor: username.clone(),
                before: None,
                after: Some(serde_json::json!({ "username": username, "client": client_text })),
            };
            state.db.append_audit(&record).await?;
            return Err(ApiError::Unauthorized(BAD_CREDENTIALS.into()));
        }
    };
    throttle::record_success(&state.db, &username).await?;
    let token = secret::new_secret("wps_");
    let csrf_token = secret::new_secret("");
    let expires_at = now() + SESSION_ABSOLUTE;
    let session_id = state
        .db
        .insert_session(
            &user,
            &secret::digest(&token),
            &csrf_token,
            expires_at,
            &client_text,
        )
        .await?;
    let principal = Principal {
        user_id: user.id,
        username: user.username.clone(),
        roles: user.roles.clone(),
        scope: user.scope.clone(),
        credential: Credential::Session {
            session_id,
            csrf_token,
        },
    };
    let cookie = Cookie::build(SESSION_COOKIE, token)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(req.connection_info().scheme() == "https")
        .path("/")
        .max_age(time::Duration::seconds(SESSION_ABSOLUTE.num_seconds()))
        .finish();
    Ok(HttpResponse::Ok()
        .cookie(cookie)
        .json(SessionInfo::of(&principal, Some(expires_at))))
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
    password::check_strength(&new_password).map_err(|m| ApiError::invalid("new_password", m))?;
    let client = req.peer_addr().map(|a| a.ip());
    if let Err(wait) = throttle::check(&state.db, &user.username, client).await? {
        return Err(ApiError::TooManyRequests {
            retry_after_seconds: wait.as_secs().max(1),
        });
    }
    let (account, hash) = state
        .db
        .login_candidate(&user.username)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the account no longer exists".into()))?;
    let checked = web::block(move || {
        password::verify(&current_password, &hash).then(|| password::hash(&new_password))
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    let Some(new_hash) = checked else {
        throttle::record_failure(&state.db, &user.username, client).await?;
        return Err(ApiError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    };
    let new_hash = new_hash.map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot hash: {e}")))?;
    let change = crate::storage::accounts::UserChange {
        password_hash: Some(new_hash),
        ..Default::default()
    };
    state
        .db
        .update_user(&account, &change, &user.username)
        .await?;
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
    if let Credential::Session { session_id, .. } = &user.credential {
        state.db.end_session(*session_id, &user, "logout").await?;
    }
    let mut expired = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    expired.make_removal();
    Ok(HttpResponse::NoContent().cookie(expired).finish())
}
