//! `/api/v1/petitions/stats`: petition indicators of regions in the caller's scope, read from the rollups.

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::auth::Authorized;
use crate::app::petitions;
use crate::auth::permission::ReadPetitions;
use crate::domain::petition::{add_months, month_key, parse_month};
use crate::domain::region::RegionCode;
use crate::error::{ApiError, Problem};
use crate::petitions::indicators::StatsQuery;
use crate::petitions::vocabulary;

/// Regions one request may name.
const MAX_REGIONS: usize = 200;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(petition_stats);
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Division codes, comma-separated (6, 9 or 12 digits), all inside the caller's scope.
    regions: Option<String>,
    /// Canonical categories, comma-separated (default: all).
    categories: Option<String>,
    /// First month, YYYY-MM (default: 11 months before `to`).
    from: Option<String>,
    /// Last month, YYYY-MM (default: the current month).
    to: Option<String>,
}

fn parse_query(params: &StatsParams, today: NaiveDate) -> Result<StatsQuery, ApiError> {
    let raw = params.regions.as_deref().unwrap_or_default();
    let mut regions = Vec::new();
    for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = RegionCode::parse(code).map_err(|m| ApiError::bad_request("regions", m))?;
        regions.push(code.as_str().to_owned());
    }
    if regions.is_empty() || regions.len() > MAX_REGIONS {
        return Err(ApiError::bad_request(
            "regions",
            format!("1 to {MAX_REGIONS} division codes, comma-separated"),
        ));
    }
    let categories = match params
        .categories
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "all")
    {
        None => None,
        Some(list) => {
            let known = &vocabulary()
                .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?
                .category_names;
            let mut out = Vec::new();
            for c in list.split(',').map(str::trim) {
                if !known.iter().any(|k| k == c) {
                    return Err(ApiError::bad_request(
                        "categories",
                        format!(
                            "unknown category '{c}'; the categories are {}",
                            known.join(", ")
                        ),
                    ));
                }
                out.push(c.to_owned());
            }
            Some(out)
        }
    };
    let month = |field: &str, raw: &Option<String>| -> Result<Option<i32>, ApiError> {
        raw.as_deref()
            .map(|m| {
                parse_month(m).ok_or_else(|| ApiError::bad_request(field, "a month as YYYY-MM"))
            })
            .transpose()
    };
    let to = month("to", &params.to)?.unwrap_or(month_key(today));
    let from = month("from", &params.from)?.unwrap_or(add_months(to, -11));
    if from > to || add_months(from, 240) < to {
        return Err(ApiError::bad_request(
            "from",
            "from must not be after to, and the window at most 20 years",
        ));
    }
    Ok(StatsQuery {
        regions,
        categories,
        from,
        to,
    })
}

/// Petition indicators: totals, monthly series by category, rate per 1,000 residents, ratio to the parent
/// region, trend, collective visits, repeat / escalated / overdue / dissatisfied shares and spike months.
#[utoipa::path(
    tag = "petitions",
    params(StatsParams),
    responses(
        (status = 200, description = "The indicators", body = Object),
        (status = 400, description = "Bad region, category or month", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A region outside the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/petitions/stats")]
async fn petition_stats(
    user: Authorized<ReadPetitions>,
    state: web::Data<AppState>,
    params: web::Query<StatsParams>,
) -> Result<HttpResponse, ApiError> {
    let query = parse_query(&params, state.ctx.clock().today())?;
    let stats = petitions::stats_shared(&state.ctx, &user, query).await?;
    let body = state
        .petition_stats_bodies
        .body(&stats, serde_json::to_vec)?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}
