//! `/api/v1/petitions/stats`: petition indicators of regions in the caller's scope, read from the rollups;
//! and the same figures for the petition factors of an assessment.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::AppState;
use super::auth::Authorized;
use crate::auth::permission::ReadPetitions;
use crate::domain::account::Scope;
use crate::domain::petition::{add_months, month_key, parse_month};
use crate::domain::region::RegionCode;
use crate::error::{ApiError, Problem};
use crate::petitions::indicators::{PetitionStats, StatsQuery, compute, parent_of, reduce_regions};
use crate::petitions::vocabulary;
use crate::scoring::Model;
use crate::scoring::model::EvidenceRule;
use crate::scoring::record::PetitionMonth;
use crate::storage::{Db, StorageError};

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

/// The rollups and populations of a set of regions and their parents up to a month, read once: the petition
/// factors of an assessment are all computed from one read, whatever their categories and windows.
pub struct RegionHistory {
    regions: Vec<String>,
    parents: Vec<String>,
    to: i32,
    rows: Vec<crate::domain::petition::RollupRow>,
    population: Option<i64>,
    parent_population: Option<i64>,
    snapshot: i64,
}

impl RegionHistory {
    /// Reads `regions` (all inside `scope`) up to month `to`, in `categories` (all when None). The parent
    /// baseline is read only when the parents are inside the scope too.
    pub async fn load(
        db: &Db,
        regions: Vec<String>,
        categories: Option<&[String]>,
        to: i32,
        scope: &Scope,
    ) -> Result<Self, StorageError> {
        let regions = reduce_regions(regions);
        let mut parents: Vec<String> = regions.iter().filter_map(|c| parent_of(c)).collect();
        parents.sort();
        parents.dedup();
        if parents
            .iter()
            .any(|p| !scope.covers_code(p) || regions.contains(p))
        {
            parents.clear();
        }
        let mut prefixes = regions.clone();
        prefixes.extend(parents.iter().cloned());
        let snapshot = db.petition_snapshot().await?;
        let rows = db.petition_rollups(&prefixes, categories, to).await?;
        let population = |found: Vec<crate::domain::petition::Region>, wanted: &[String]| {
            (found.len() == wanted.len()).then(|| found.iter().map(|r| r.population).sum::<i64>())
        };
        let own = population(db.regions(&regions).await?, &regions);
        let parent = population(db.regions(&parents).await?, &parents);
        Ok(Self {
            regions,
            parents,
            to,
            rows,
            population: own,
            parent_population: parent,
            snapshot,
        })
    }

    /// The figures for `categories` (all when None; within those read) from month `from` to the month read up to.
    pub fn stats(&self, categories: Option<Vec<String>>, from: i32) -> PetitionStats {
        let query = StatsQuery {
            regions: self.regions.clone(),
            categories,
            from,
            to: self.to,
        };
        compute(
            &query,
            &self.rows,
            self.population,
            &self.parents,
            self.parent_population,
            self.snapshot,
        )
    }
}

/// The figures for regions, categories and window; every region must lie inside `scope`. The parent baseline
/// is used only when the parents are inside the scope too.
pub async fn stats_for(
    db: &Db,
    query: StatsQuery,
    scope: &Scope,
) -> Result<PetitionStats, StorageError> {
    let history = RegionHistory::load(
        db,
        query.regions,
        query.categories.as_deref(),
        query.to,
        scope,
    )
    .await?;
    Ok(history.stats(query.categories, query.from))
}

fn parse_query(
    params: &StatsParams,
    today: NaiveDate,
    scope: &Scope,
) -> Result<StatsQuery, ApiError> {
    let raw = params.regions.as_deref().unwrap_or_default();
    let mut regions = Vec::new();
    for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = RegionCode::parse(code).map_err(|m| ApiError::bad_request("regions", m))?;
        // Outside the scope the region does not exist for this caller.
        if !scope.covers_code(code.as_str()) {
            return Err(ApiError::NotFound(format!(
                "no petition statistics for region {code}"
            )));
        }
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
    let today = chrono::Local::now().date_naive();
    let query = parse_query(&params, today, &user.scope)?;
    let stats = stats_for(&state.db, query, &user.scope).await?;
    Ok(HttpResponse::Ok().json(stats))
}

/// What an assessment records of the petition data it read: the snapshot and each factor's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PetitionEvidence {
    /// Petition-data snapshot (import sequence number) the indicators were computed at.
    pub snapshot: i64,
    /// factor id → {indicator, regions, categories, from, to, value}
    pub factors: BTreeMap<String, serde_json::Value>,
    /// The decision's regions, every category, month by month over the model's longest petition window:
    /// the report's trend chart. Absent in records made before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monthly: Vec<PetitionMonth>,
}

/// The model's petition-indicator factors for these regions, each over its own window ending `today`'s month;
/// none before the first petition import.
pub async fn petition_indicators(
    db: &Db,
    model: &Model,
    regions: &[RegionCode],
    today: NaiveDate,
) -> Result<(BTreeMap<String, f64>, Option<PetitionEvidence>), StorageError> {
    let mut values = BTreeMap::new();
    let mut factors = BTreeMap::new();
    let rules: Vec<_> = model
        .spec()
        .factors
        .iter()
        .filter_map(|f| match &f.evidence {
            EvidenceRule::Petition(rule) => Some((&f.id, rule)),
            _ => None,
        })
        .collect();
    if rules.is_empty() {
        return Ok((values, None));
    }
    let to = month_key(today);
    let codes: Vec<String> = regions.iter().map(|r| r.as_str().to_owned()).collect();
    // One read of every category serves all the model's petition factors and the trend.
    let history = RegionHistory::load(db, codes, None, to, &Scope::everywhere()).await?;
    // No petition data was ever imported: zero petitions would be a guess, so the experts stand in.
    if history.snapshot == 0 {
        return Ok((values, None));
    }
    let mut window = 0;
    for (id, rule) in rules {
        window = window.max(rule.window_months.max(1) as i32);
        let categories =
            (!rule.categories.iter().any(|c| c == "all")).then(|| rule.categories.clone());
        let stats = history.stats(
            categories,
            add_months(to, 1 - rule.window_months.max(1) as i32),
        );
        let value = stats.indicator(rule.indicator);
        if let Some(v) = value {
            values.insert(id.clone(), v);
        }
        factors.insert(
            id.clone(),
            serde_json::json!({
                "indicator": rule.indicator.name(), "regions": stats.regions, "categories": stats.categories,
                "from": stats.from, "to": stats.to, "value": value,
            }),
        );
    }
    let snapshot = history.snapshot;
    let monthly = history
        .stats(None, add_months(to, 1 - window))
        .monthly
        .into_iter()
        .map(|m| PetitionMonth {
            month: m.month,
            petitions: m.petitions,
            by_category: m.by_category,
        })
        .collect();
    Ok((
        values,
        Some(PetitionEvidence {
            snapshot,
            factors,
            monthly,
        }),
    ))
}
