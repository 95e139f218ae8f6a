//! `/api/v1/decisions`: the decision register.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::auth::Authorized;
use super::cursor;
use super::extract::{self, IfMatch, JsonBody, merge_patched};
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::auth::principal::Principal;
use crate::domain::account::Scope;
use crate::domain::decision::{Decision, DecisionFields, DecisionKind, DecisionStatus};
use crate::domain::region::parse_prefix;
use crate::domain::text::clean_line;
use crate::error::{ApiError, Problem};
use crate::storage::decisions::{DecisionFilter, DecisionPosition, DecisionSort};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_decision)
        .service(list_decisions)
        .service(get_decision)
        .service(patch_decision)
        .service(archive_decision);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionPage {
    pub items: Vec<Decision>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionListQuery {
    /// land_requisition | house_expropriation | enterprise_restructuring | major_project | other
    kind: Option<String>,
    /// draft | assessing | assessed | decided | implementing | closed
    status: Option<String>,
    /// Division-code prefix: decisions with an affected region starting with it.
    region: Option<String>,
    /// Text contained in the title (case-insensitive).
    q: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// created (default) | title
    sort: Option<String>,
    /// asc (default) | desc
    order: Option<String>,
    /// true also lists archived decisions.
    archived: Option<String>,
}

/// Where a page ended, inside the opaque cursor; the sort is kept so a cursor is not reused
/// with another order.
#[derive(Debug, Serialize, Deserialize)]
struct ListPosition {
    sort: String,
    desc: bool,
    seq: i64,
    title: String,
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::NotFound(format!(
            "no decision with id '{}'",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

/// The decision, if the caller's scope covers it; otherwise 404, so its existence is not revealed.
pub async fn decision_in_scope(
    state: &AppState,
    raw_id: &str,
    user: &Principal,
) -> Result<Decision, ApiError> {
    let id = parse_id(raw_id)?;
    match state.db.decision(id).await {
        Ok(decision) if user.scope.covers(&decision.fields.regions) => Ok(decision),
        Ok(_) => Err(ApiError::NotFound(format!("no decision with id {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// Refuses, with 409, a write to an archived decision; `refusal` says what cannot be done to it.
pub fn not_archived(decision: &Decision, refusal: &str) -> Result<(), ApiError> {
    if decision.archived {
        return Err(ApiError::Conflict(refusal.to_owned()));
    }
    Ok(())
}

/// A user may not register or move a decision outside their own region scope.
fn check_regions_in_scope(user: &Principal, fields: &DecisionFields) -> Result<(), ApiError> {
    match fields
        .regions
        .iter()
        .position(|r| !user.scope.covers_code(r.as_str()))
    {
        Some(i) => Err(ApiError::Forbidden(format!(
            "regions[{i}]: region {} lies outside your region scope",
            fields.regions[i]
        ))),
        None => Ok(()),
    }
}

fn with_etag(response: HttpResponse, decision: &Decision) -> HttpResponse {
    extract::with_etag(response, &decision.etag())
}

/// Register a proposed decision.
#[utoipa::path(
    tag = "decisions",
    request_body = DecisionFields,
    responses(
        (status = 201, description = "Created", body = Decision,
            headers(("Location" = String, description = "URL of the new decision"), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/decisions")]
async fn create_decision(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    body: JsonBody<DecisionFields>,
) -> Result<HttpResponse, ApiError> {
    let fields = body.0;
    fields.validate()?;
    if fields.status != DecisionStatus::Draft {
        return Err(ApiError::invalid(
            "status",
            "a new decision starts as draft",
        ));
    }
    check_regions_in_scope(&user, &fields)?;
    let decision = state.db.insert_decision(&fields, &user.username).await?;
    let response = HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/decisions/{}", decision.id),
        ))
        .json(&decision);
    Ok(with_etag(response, &decision))
}

/// List decisions, filtered and paginated.
#[utoipa::path(
    tag = "decisions",
    params(DecisionListQuery),
    responses(
        (status = 200, description = "One page", body = DecisionPage),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions")]
async fn list_decisions(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    query: web::Query<DecisionListQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut filter = query.to_filter()?;
    filter.scope = user.scope.clone();
    let (items, last) = state.db.decisions(&filter).await?;
    let next_cursor = last.map(|p| {
        cursor::encode(&ListPosition {
            sort: sort_name(filter.sort).to_owned(),
            desc: filter.descending,
            seq: p.seq,
            title: p.title,
        })
    });
    Ok(HttpResponse::Ok().json(DecisionPage { items, next_cursor }))
}

fn sort_name(sort: DecisionSort) -> &'static str {
    match sort {
        DecisionSort::Created => "created",
        DecisionSort::Title => "title",
    }
}

impl DecisionListQuery {
    fn to_filter(&self) -> Result<DecisionFilter, ApiError> {
        let kind = self
            .kind
            .as_deref()
            .map(|k| {
                DecisionKind::parse(k).ok_or_else(|| {
                    ApiError::bad_request("kind", "must be land_requisition, house_expropriation, enterprise_restructuring, major_project or other")
                })
            })
            .transpose()?;
        let status = self
            .status
            .as_deref()
            .map(|s| {
                DecisionStatus::parse(s).ok_or_else(|| {
                    ApiError::bad_request(
                        "status",
                        "must be draft, assessing, assessed, decided, implementing or closed",
                    )
                })
            })
            .transpose()?;
        let region_prefix = self
            .region
            .as_deref()
            .map(|r| parse_prefix(r).map_err(|m| ApiError::bad_request("region", m)))
            .transpose()?;
        let title_contains = self
            .q
            .as_deref()
            .map(|q| {
                clean_line(q, 200)
                    .map(str::to_owned)
                    .map_err(|m| ApiError::bad_request("q", m))
            })
            .transpose()?
            .filter(|q| !q.is_empty());
        let sort = match self.sort.as_deref() {
            None | Some("created") => DecisionSort::Created,
            Some("title") => DecisionSort::Title,
            Some(_) => return Err(ApiError::bad_request("sort", "must be created or title")),
        };
        let descending = match self.order.as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(ApiError::bad_request("order", "must be asc or desc")),
        };
        let include_archived = match self.archived.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::bad_request("archived", "must be true or false")),
        };
        let after = match self.cursor.as_deref() {
            None => None,
            Some(raw) => {
                let position: ListPosition = cursor::decode(raw)?;
                if position.sort != sort_name(sort) || position.desc != descending {
                    return Err(ApiError::bad_request(
                        "cursor",
                        "this cursor belongs to another sort order",
                    ));
                }
                Some(DecisionPosition {
                    seq: position.seq,
                    title: position.title,
                })
            }
        };
        Ok(DecisionFilter {
            kind,
            status,
            region_prefix,
            title_contains,
            include_archived,
            scope: Scope::everywhere(),
            sort,
            descending,
            after,
            limit: cursor::limit(self.limit.as_deref(), 50, 200)?,
        })
    }
}

/// Fetch one decision; archived ones too.
#[utoipa::path(
    tag = "decisions",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses(
        (status = 200, description = "The decision", body = Decision, headers(("ETag" = String))),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/decisions/{id}")]
async fn get_decision(
    user: Authorized<ReadDecisions>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let decision = decision_in_scope(&state, &id, &user).await?;
    Ok(with_etag(HttpResponse::Ok().json(&decision), &decision))
}

/// Change a decision with a JSON merge patch (RFC 7396); needs `If-Match` with the current ETag.
#[utoipa::path(
    tag = "decisions",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("If-Match" = String, Header, description = "The ETag the change is based on"),
    ),
    request_body(content = serde_json::Value, description = "Fields to change; null clears an optional field",
        content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed", body = Decision, headers(("ETag" = String))),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Archived", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/decisions/{id}")]
async fn patch_decision(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let current = decision_in_scope(&state, &id, &user).await?;
    let if_match = IfMatch::required(&req)?;
    if_match.check(&current.etag())?;
    not_archived(&current, "an archived decision cannot be changed")?;
    let fields: DecisionFields = merge_patched(&current.fields, body.0)?;
    fields.validate()?;
    check_regions_in_scope(&user, &fields)?;
    if !current.fields.status.may_become(fields.status) {
        return Err(ApiError::invalid(
            "status",
            format!(
                "a decision cannot move from {} to {}",
                current.fields.status.as_str(),
                fields.status.as_str()
            ),
        ));
    }
    if fields == current.fields {
        return Ok(with_etag(HttpResponse::Ok().json(&current), &current));
    }
    let updated = state
        .db
        .update_decision(&current, &fields, &user.username)
        .await?;
    let material = [
        (fields.attributes != current.fields.attributes, "attributes"),
        (fields.regions != current.fields.regions, "regions"),
    ];
    for (changed, what) in material {
        if changed {
            let reason = format!("the decision's {what} changed after the resolution");
            state
                .db
                .flag_resolution_for_review(current.id, &reason, &user.username)
                .await?;
        }
    }
    Ok(with_etag(HttpResponse::Ok().json(&updated), &updated))
}

/// Archive a decision: kept for the audit log, hidden from lists unless `archived=true`.
#[utoipa::path(
    tag = "decisions",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("If-Match" = Option<String>, Header, description = "When given, the ETag the archive is based on"),
    ),
    responses(
        (status = 204, description = "Archived (or already archived)"),
        (status = 404, description = "No such decision", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/decisions/{id}")]
async fn archive_decision(
    user: Authorized<WriteDecisions>,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let current = decision_in_scope(&state, &id, &user).await?;
    if let Some(if_match) = IfMatch::optional(&req)? {
        if_match.check(&current.etag())?;
    }
    state.db.archive_decision(&current, &user.username).await?;
    Ok(HttpResponse::NoContent().finish())
}
