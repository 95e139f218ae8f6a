//! Signing in and out, the language switch, and the reader's own account (changing the password).

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::PageError;
use super::i18n::{Lang, Tr};
use super::layout::Layout;
use super::viewer::{LANG_COOKIE, Viewer, local_path};
use super::{html, see_other};
use crate::app::AppError;
use crate::app::sessions::{self, SESSION_ABSOLUTE};
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/lang/{code}", web::get().to(switch_language))
        .route("/account", web::get().to(account_page))
        .route("/account/password", web::post().to(change_password));
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(viewer: Viewer, query: web::Query<NextQuery>) -> HttpResponse {
    let next = local_path(query.next.as_deref());
    if viewer.principal.is_some() {
        return see_other(&next);
    }
    let page = LoginPage {
        layout: Layout::new(&viewer, viewer.tr.t("login.title"), ""),
        next,
        username: String::new(),
        error: None,
    };
    html(StatusCode::OK, page.render())
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    viewer: Viewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let LoginForm {
        username,
        password,
        next,
    } = form.into_inner();
    let next = local_path(next.as_deref());
    let client = req.peer_addr().map(|a| a.ip());
    let refused = |status: StatusCode, key: &str| {
        let page = LoginPage {
            layout: Layout::new(&viewer, viewer.tr.t("login.title"), ""),
            next: next.clone(),
            username: username.clone(),
            error: Some(viewer.tr.t(key)),
        };
        html(status, page.render())
    };
    match sessions::sign_in(&state.ctx, &username, password, client).await {
        Ok(session) => {
            let cookie = Cookie::build(SESSION_COOKIE, session.cookie_value)
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(req.connection_info().scheme() == "https")
                .path("/")
                .max_age(time::Duration::seconds(SESSION_ABSOLUTE.num_seconds()))
                .finish();
            let mut response = see_other(&next);
            response
                .add_cookie(&cookie)
                .map_err(|_| PageError::Internal { tr: viewer.tr })?;
            Ok(response)
        }
        Err(AppError::Unauthorized(_)) => Ok(refused(StatusCode::UNAUTHORIZED, "login.failed")),
        Err(AppError::TooManyAttempts { .. }) => {
            Ok(refused(StatusCode::TOO_MANY_REQUESTS, "login.throttled"))
        }
        Err(other) => Err(PageError::from_app(other, viewer.tr)),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf_token: String,
}

async fn logout(
    viewer: Viewer,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    sessions::sign_out(&state.ctx, principal)
        .await
        .map_err(|e| PageError::from_app(e, viewer.tr))?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    let mut response = see_other("/login");
    response
        .add_cookie(&gone)
        .map_err(|_| PageError::Internal { tr: viewer.tr })?;
    Ok(response)
}

/// Remembers the language for a year and returns to the page the reader was on.
async fn switch_language(code: web::Path<String>, query: web::Query<NextQuery>) -> HttpResponse {
    let lang = Lang::parse(&code).unwrap_or_default();
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::days(365))
        .finish();
    let mut response = see_other(&local_path(query.next.as_deref()));
    // A plain name and value never fail to become a header.
    let _ = response.add_cookie(&cookie);
    response
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    error: Option<String>,
}

fn account(
    viewer: &Viewer,
    notice: Option<(&'static str, String)>,
    error: Option<String>,
) -> Result<AccountPage, PageError> {
    let principal = viewer.signed_in()?;
    let mut layout = Layout::new(viewer, viewer.tr.t("account.title"), "nav.account");
    if let Some((kind, text)) = notice {
        layout = layout.with_notice(kind, text);
    }
    Ok(AccountPage {
        layout,
        username: principal.username.clone(),
        error,
    })
}

async fn account_page(viewer: Viewer) -> Result<HttpResponse, PageError> {
    let page = account(&viewer, None, None)?;
    Ok(html(StatusCode::OK, page.render()))
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
}

/// Changing the password ends every session of the account, this one too: the reader signs in again.
async fn change_password(
    viewer: Viewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?.clone();
    let form = form.into_inner();
    let client = req.peer_addr().map(|a| a.ip());
    match sessions::change_password(
        &state.ctx,
        &principal,
        form.current_password,
        form.new_password,
        client,
    )
    .await
    {
        Ok(()) => Ok(see_other("/login?next=%2Faccount")),
        Err(AppError::Invalid(errors)) => {
            let tr: Tr = viewer.tr;
            let message = errors
                .0
                .iter()
                .map(|e| match e.field.as_str() {
                    "current_password" => tr.t("account.wrong_password"),
                    "new_password" => tr.t("account.weak_password"),
                    _ => super::refusal::field(tr, e),
                })
                .collect::<Vec<_>>()
                .join(" ");
            let page = account(&viewer, None, Some(message))?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()))
        }
        Err(other) => Err(PageError::from_app(other, viewer.tr)),
    }
}
