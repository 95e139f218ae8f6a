//! Administration (系统管理): accounts with their roles and scopes, disabling and new passwords (shown once), API
//! tokens, and the audit log with filters. Petition imports are run from the petition page.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use super::error::{PageError, path_id};
use super::i18n::Tr;
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other, url_encode};
use crate::app::accounts::{self, AccountChange};
use crate::app::{AppError, audit};
use crate::auth::permission::{ManageUsers, Permission, ReadAudit};
use crate::domain::account::Role;
use crate::domain::audit::{AuditFilter, AuditVisibility};
use crate::domain::principal::Principal;
use crate::http::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(admin_page))
        .route("/admin/users", web::post().to(create_user))
        .route("/admin/users/{id}", web::post().to(change_user))
        .route("/admin/users/{id}/password", web::post().to(reset_password))
        .route("/admin/users/{id}/tokens", web::post().to(create_token))
        .route("/admin/tokens/{id}/revoke", web::post().to(revoke_token))
        .route("/admin/audit", web::get().to(audit_page));
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub expires: String,
    pub revoked: bool,
}

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub roles: Vec<(String, String, bool)>,
    pub scope: String,
    pub disabled: bool,
    pub created: String,
    pub tokens: Vec<TokenRow>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    /// A secret to show once: (what, for whom, the secret).
    secret: Option<(String, String, String)>,
    error: Option<String>,
    can_manage: bool,
    can_audit: bool,
}

fn role_words(tr: Tr) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), tr.t(&format!("role.{}", r.as_str()))))
        .collect()
}

async fn render(
    viewer: &Viewer,
    state: &AppState,
    principal: &Principal,
    secret: Option<(String, String, String)>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    let can_manage = principal.has_any(ManageUsers::ROLES);
    let mut users = Vec::new();
    if can_manage {
        let fail = |e| PageError::from_app(e, tr);
        for u in accounts::users(&state.ctx, principal).await.map_err(fail)? {
            let tokens = accounts::tokens(&state.ctx, principal, u.id)
                .await
                .map_err(|e| PageError::from_app(e, tr))?;
            users.push(UserRow {
                id: u.id.to_string(),
                roles: Role::ALL
                    .iter()
                    .map(|r| {
                        (
                            r.as_str().to_owned(),
                            tr.t(&format!("role.{}", r.as_str())),
                            u.roles.contains(r),
                        )
                    })
                    .collect(),
                scope: u.scope.prefixes().join(" "),
                disabled: u.disabled,
                created: u.created_at.format("%Y-%m-%d").to_string(),
                tokens: tokens
                    .into_iter()
                    .map(|t| TokenRow {
                        id: t.id.to_string(),
                        name: t.name,
                        prefix: t.prefix,
                        created: t.created_at.format("%Y-%m-%d").to_string(),
                        expires: t
                            .expires_at
                            .map(|e| e.format("%Y-%m-%d").to_string())
                            .unwrap_or_default(),
                        revoked: t.revoked,
                    })
                    .collect(),
                username: u.username,
            });
        }
    }
    let page = AdminPage {
        layout: Layout::new(viewer, tr.t("admin.title"), "nav.admin"),
        users,
        roles: role_words(tr),
        secret,
        error,
        can_manage,
        can_audit: principal.has_any(ReadAudit::ROLES),
    };
    Ok(html(status, page.render()))
}

async fn admin_page(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    if !principal.has_any(ManageUsers::ROLES) && !principal.has_any(ReadAudit::ROLES) {
        return Err(PageError::Forbidden {
            tr: viewer.tr,
            reason: viewer.tr.t("admin.not_allowed"),
        });
    }
    render(&viewer, &state, principal, None, None, StatusCode::OK).await
}

/// Roles ticked (`role.NAME`) and scope prefixes typed (separated by spaces or commas).
#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    disabled: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl AccountForm {
    fn roles(&self) -> Vec<Role> {
        self.rest
            .keys()
            .filter_map(|k| k.strip_prefix("role."))
            .filter_map(Role::parse)
            .collect()
    }

    fn scope(&self) -> Vec<String> {
        self.scope
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A refusal about the form shown on the page; any other is the error page.
fn refusal(error: AppError, tr: Tr) -> Result<String, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(super::refusal::invalid(tr, &errors)),
        AppError::Conflict(reason) => Ok(super::refusal::conflict(tr, &reason)),
        other => Err(PageError::from_app(other, tr)),
    }
}

async fn create_user(
    viewer: Viewer,
    state: web::Data<AppState>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let username = form.username.trim().to_owned();
    match accounts::create_user(
        &state.ctx,
        principal,
        &username,
        &form.roles(),
        &form.scope(),
    )
    .await
    {
        Ok(new) => {
            let secret = (tr.t("admin.password_of"), new.user.username, new.password);
            render(
                &viewer,
                &state,
                principal,
                Some(secret),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let error = refusal(e, tr)?;
            render(
                &viewer,
                &state,
                principal,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn change_user(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AccountForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let change = AccountChange {
        roles: Some(form.roles()),
        scope: Some(form.scope()),
        disabled: Some(form.disabled == "yes"),
    };
    match accounts::change_user(&state.ctx, principal, id, change).await {
        Ok(_) => Ok(see_other("/admin")),
        Err(e) => {
            let error = refusal(e, tr)?;
            render(
                &viewer,
                &state,
                principal,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
}

async fn reset_password(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let password = accounts::reset_password(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let name = accounts::users(&state.ctx, principal)
        .await
        .map_err(|e| PageError::from_app(e, tr))?
        .into_iter()
        .find(|u| u.id == id)
        .map(|u| u.username)
        .unwrap_or_default();
    let secret = (tr.t("admin.password_of"), name, password);
    render(
        &viewer,
        &state,
        principal,
        Some(secret),
        None,
        StatusCode::OK,
    )
    .await
}

async fn create_token(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let days = match form.days.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(d) => Some(d),
            Err(_) => {
                let error = tr.t("form.whole_number");
                return render(
                    &viewer,
                    &state,
                    principal,
                    None,
                    Some(error),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    match accounts::create_token(&state.ctx, principal, id, &form.name, days).await {
        Ok(new) => {
            let secret = (tr.t("admin.token_named"), new.token.name, new.secret);
            render(
                &viewer,
                &state,
                principal,
                Some(secret),
                None,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let error = refusal(e, tr)?;
            render(
                &viewer,
                &state,
                principal,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn revoke_token(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    accounts::revoke_token_by_id(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(see_other("/admin"))
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    entity: String,
    #[serde(default)]
    actor: String,
    /// yyyy-mm-dd, inclusive.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub what: String,
    pub link: Option<String>,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entities: Vec<(String, String, bool)>,
    actor: String,
    from: String,
    to: String,
    rows: Vec<AuditRow>,
    next: Option<String>,
}

/// Audit entities a reader may filter by, in the order of the page's list.
const ENTITIES: [&str; 9] = [
    "decision",
    "decision_ratings",
    "assessment",
    "scenario",
    "checklist_item",
    "resolution",
    "petition_import",
    "user",
    "api_token",
];

/// Entries shown per page.
const AUDIT_PAGE: u32 = 100;

fn day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

async fn audit_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t));
    let filter = AuditFilter {
        visibility: AuditVisibility::DecisionsIn(principal.scope.clone()),
        entity: ENTITIES
            .iter()
            .find(|e| **e == query.entity)
            .map(|e| (*e).to_owned()),
        entity_id: None,
        decision_id: None,
        actor: Some(query.actor.trim().to_owned()).filter(|a| !a.is_empty()),
        from: day(&query.from).and_then(start),
        to: day(&query.to).and_then(|d| d.succ_opt()).and_then(start),
        after_seq: query.after.parse().ok(),
        limit: AUDIT_PAGE,
    };
    let mut entries = audit::entries(&state.ctx, principal, filter)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let more = entries.len() > AUDIT_PAGE as usize;
    entries.truncate(AUDIT_PAGE as usize);
    let rows: Vec<AuditRow> = entries
        .iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            actor: e.actor.clone(),
            what: format!(
                "{}{}",
                tr.t_or(&format!("audit_entity.{}", e.entity), "audit_entity.other"),
                tr.t_or(&format!("audit_action.{}", e.action), "audit_action.other")
            ),
            link: e.decision_id.map(|d| format!("/decisions/{d}")),
            detail: e
                .after
                .as_ref()
                .or(e.before.as_ref())
                .map(|v| v.to_string().chars().take(300).collect())
                .unwrap_or_default(),
        })
        .collect();
    let next = match (more, rows.last()) {
        (true, Some(last)) => Some(format!(
            "/admin/audit?entity={}&actor={}&from={}&to={}&after={}",
            url_encode(&query.entity),
            url_encode(&query.actor),
            url_encode(&query.from),
            url_encode(&query.to),
            last.seq
        )),
        _ => None,
    };
    let page = AuditPage {
        layout: Layout::new(&viewer, tr.t("admin.audit"), "nav.admin"),
        entities: ENTITIES
            .iter()
            .map(|e| {
                (
                    (*e).to_owned(),
                    tr.t(&format!("audit_entity.{e}")),
                    *e == query.entity,
                )
            })
            .collect(),
        actor: query.actor.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        rows,
        next,
    };
    Ok(html(StatusCode::OK, page.render()))
}
