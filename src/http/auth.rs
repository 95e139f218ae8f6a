//! Authentication and authorisation. A middleware authenticates the caller (session cookie or
//! API token); the `Authorized<P>` extractor, declared in each handler's signature, checks the
//! CSRF token of cookie-authenticated writes and permission `P`. Every denial is audited.

use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::ops::Deref;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::AppState;
use crate::app::audit;
use crate::app::sessions::{self, Presented};
use crate::auth::permission::Permission;
use crate::domain::principal::{Credential, Principal};
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "wenping_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The outcome of authentication, left in the request's extensions by [`authenticate_requests`].
#[derive(Clone)]
enum Authentication {
    Authenticated(Principal),
    Refused(String),
    Unavailable,
}

/// Middleware: authenticates any credentials the request carries before extractors run, so the
/// permission check can answer before a body is even read; afterwards audits every 403.
pub async fn authenticate_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let has_credentials =
        req.headers().contains_key(header::AUTHORIZATION) || req.cookie(SESSION_COOKIE).is_some();
    if let (Some(state), true) = (&state, has_credentials) {
        let outcome = match authenticate(req.request(), state).await {
            Ok(principal) => Authentication::Authenticated(principal),
            Err(ApiError::Unauthorized(reason)) => Authentication::Refused(reason),
            Err(error) => {
                tracing::warn!(%error, "credentials could not be checked");
                Authentication::Unavailable
            }
        };
        req.extensions_mut().insert(outcome);
    }
    let res = next.call(req).await?;
    let denial = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
        .and_then(|e| match e {
            ApiError::Forbidden(reason) => Some(reason.clone()),
            _ => None,
        });
    if let (Some(reason), Some(state)) = (denial, state) {
        let principal = match res.request().extensions().get::<Authentication>() {
            Some(Authentication::Authenticated(p)) => Some(p.clone()),
            _ => None,
        };
        if let Some(principal) = principal {
            let request = res.request();
            let what = serde_json::json!({
                "method": request.method().as_str(),
                "path": request.path(),
            });
            audit::record_denial(&state.ctx, &principal, &reason, what).await;
        }
    }
    Ok(res)
}

/// Who a request comes from, as the middleware found it; the web pages redirect to the sign-in page instead of
/// answering 401.
pub(crate) enum Caller {
    SignedIn(Principal),
    /// No credentials, or ones that no longer work (an ended session).
    Anonymous,
    /// The credentials could not be checked: the database is unreachable.
    Unavailable,
}

pub(crate) fn caller(req: &HttpRequest) -> Caller {
    match req.extensions().get::<Authentication>() {
        Some(Authentication::Authenticated(principal)) => Caller::SignedIn(principal.clone()),
        Some(Authentication::Unavailable) => Caller::Unavailable,
        Some(Authentication::Refused(_)) | None => Caller::Anonymous,
    }
}

/// A caller holding permission `P`.
pub struct Authorized<P: Permission> {
    pub principal: Principal,
    permission: PhantomData<P>,
}

impl<P: Permission> Deref for Authorized<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<P: Permission> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    /// Synchronous, so a refusal is answered before any other extractor (a body, say) is.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize::<P>(req).map(|principal| Self {
            principal,
            permission: PhantomData,
        }))
    }
}

fn authorize<P: Permission>(req: &HttpRequest) -> Result<Principal, ApiError> {
    let principal = match req.extensions().get::<Authentication>() {
        Some(Authentication::Authenticated(principal)) => principal.clone(),
        Some(Authentication::Refused(reason)) => {
            return Err(ApiError::Unauthorized(reason.clone()));
        }
        Some(Authentication::Unavailable) => return Err(ApiError::Unavailable),
        None => {
            return Err(ApiError::Unauthorized(
                "sign in (POST /api/v1/session) or send an API token".into(),
            ));
        }
    };
    if let Credential::Session { csrf_token, .. } = &principal.credential
        && !is_safe(req.method())
        && !csrf_matches(req, csrf_token)
    {
        return Err(ApiError::Forbidden(
            "changes made with the session cookie need its X-CSRF-Token header".into(),
        ));
    }
    crate::app::authorize::<P>(&principal)?;
    Ok(principal)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn csrf_matches(req: &HttpRequest, expected: &str) -> bool {
    let given = req.headers().get(CSRF_HEADER).map(|v| v.as_bytes());
    // Compared without early exit, so timing reveals nothing of the token.
    given.is_some_and(|g| {
        g.len() == expected.len()
            && g.iter()
                .zip(expected.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

/// The caller, from `Authorization: Bearer …` or else the session cookie; 401 otherwise.
pub async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Principal, ApiError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
            })?;
        return Ok(sessions::authenticate(&state.ctx, Presented::Token(token)).await?);
    }
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Err(ApiError::Unauthorized(
            "sign in (POST /api/v1/session) or send an API token".into(),
        ));
    };
    sessions::authenticate(&state.ctx, Presented::SessionCookie(cookie.value()))
        .await
        .map_err(ApiError::from)
}
