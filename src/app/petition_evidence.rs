//! Petition figures read from the monthly rollups: the statistics of regions a user asks for, and the
//! petition-indicator factors of an assessment with the evidence it records.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::AppError;
use crate::domain::account::Scope;
use crate::domain::petition::{Region, RollupRow, add_months, month_key};
use crate::domain::region::RegionCode;
use crate::petitions::indicators::{PetitionStats, StatsQuery, compute, parent_of, reduce_regions};
use crate::petitions::vocabulary::{PetitionAnalysis, vocabulary};
use crate::scoring::Model;
use crate::scoring::model::EvidenceRule;
use crate::scoring::record::{PetitionEvidence, PetitionMonth};
use crate::storage::Db;

/// The rollups and populations of a set of regions and their parents up to a month, read once: the petition
/// factors of an assessment are all computed from one read, whatever their categories and windows.
pub struct RegionHistory {
    regions: Vec<String>,
    parents: Vec<String>,
    to: i32,
    rows: Vec<RollupRow>,
    population: Option<i64>,
    parent_population: Option<i64>,
    snapshot: i64,
    analysis: PetitionAnalysis,
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
    ) -> Result<Self, AppError> {
        let analysis = vocabulary()
            .map_err(|e| AppError::internal_msg("petition vocabulary", e))?
            .analysis
            .clone();
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
        let population = |found: Vec<Region>, wanted: &[String]| {
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
            analysis,
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
            &self.analysis,
            &query,
            &self.rows,
            self.population,
            &self.parents,
            self.parent_population,
            self.snapshot,
        )
    }
}

/// The model's petition-indicator factors for these regions, each over its own window ending in `today`'s
/// month, and the evidence an assessment records of them; none before the first petition import.
pub async fn petition_indicators(
    db: &Db,
    model: &Model,
    regions: &[RegionCode],
    today: NaiveDate,
) -> Result<(BTreeMap<String, f64>, Option<PetitionEvidence>), AppError> {
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
