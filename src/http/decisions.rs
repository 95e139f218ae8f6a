//! `/api/v1/decisions`: the decision register.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Authorized;
use super::extract::{self, IfMatch, JsonBody, merge_patched};
use super::{AppState, cursor, path_id};
use crate::app::decisions;
use crate::auth::permission::{ReadDecisions, WriteDecisions};
use crate::domain::account::Scope;
use crate::domain::decision::{
    Decision, DecisionFields, DecisionFilter, DecisionKind, DecisionPosition, DecisionSort,
    DecisionStatus,
};
use crate::domain::region::parse_prefix;
use crate::domain::text::clean_line;
use crate::error::{ApiError, Problem};

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
    let decision = decisions::register(&state.ctx, &user, body.0).await?;
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
    let filter = query.to_filter()?;
    let (sort, descending) = (filter.sort, filter.descending);
    let page = decisions::list_shared(&state.ctx, &user, filter).await?;
    // The page's body depends on the page and on the sort, which is part of the filter that found the page.
    let body = state.decision_page_bodies.body(&page, |(items, last)| {
        let next_cursor = last.as_ref().map(|p| {
            cursor::encode(&ListPosition {
                sort: sort_name(sort).to_owned(),
                desc: descending,
                seq: p.seq,
                title: p.title.clone(),
            })
        });
        serde_json::to_vec(&DecisionPageView { items, next_cursor })
    })?;
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .body(body))
}

/// A page of decisions as [`list_decisions`] finds them, shared by the callers of one read.
pub type SharedPage = (Vec<Decision>, Option<DecisionPosition>);

/// [`DecisionPage`] written from a shared page without copying it.
#[derive(Serialize)]
struct DecisionPageView<'a> {
    items: &'a [Decision],
    next_cursor: Option<String>,
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
            statuses: status.into_iter().collect(),
            region_prefix,
            title_contains,
            include_archived,
            scope: Scope::everywhere(),
            sort,
            descending,
            after,
            limit: cursor::limit(self.limit.as_deref(), 50, 200)?,
            ..DecisionFilter::all(50)
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
    let decision = decisions::get(&state.ctx, &user, path_id(&id, "decision")?).await?;
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
    let id = path_id(&id, "decision")?;
    let based_on = IfMatch::optional(&req)?;
    let patch = body.0;
    let updated = decisions::change(&state.ctx, &user, id, based_on.as_ref(), |current| {
        merge_patched(current, patch)
    })
    .await?;
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
    let id = path_id(&id, "decision")?;
    let based_on = IfMatch::optional(&req)?;
    decisions::archive(&state.ctx, &user, id, based_on.as_ref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
