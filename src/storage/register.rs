//! The register's views over decisions: how many pass a filter (the dashboard's cards), the breakdown by kind,
//! status and level, and what a list shows beside each decision (its newest assessment, review, overdue items,
//! alerts).

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::decisions::{CURRENT_RESOLUTION, latest_assessment, push_filters};
use super::scope::push_in_scope;
use super::{Db, StorageError, with_pool};
use crate::domain::account::Scope;
use crate::domain::decision::DecisionFilter;
use crate::domain::register::{Breakdown, RegisterExtras};

#[derive(sqlx::FromRow)]
struct ExtrasRow {
    id: Uuid,
    assessment_id: Option<Uuid>,
    initial_level: Option<String>,
    residual_level: Option<String>,
    residual_r: Option<f64>,
    needs_review: Option<bool>,
    outcome: Option<String>,
    overdue: i64,
    alerts: i64,
}

#[derive(sqlx::FromRow)]
struct BreakdownRow {
    kind: String,
    status: String,
    residual_level: Option<String>,
    decisions: i64,
}

impl Db {
    /// How many decisions pass the filter (its position and page size are ignored).
    pub async fn count_decisions(&self, filter: &DecisionFilter) -> Result<i64, StorageError> {
        Ok(with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM decisions d WHERE 1 = 1");
            push_filters(&mut query, filter);
            query.build_query_scalar::<i64>().fetch_one(pool).await
        })?)
    }

    /// For each of these decisions: its newest assessment's levels, its resolution in force, its checklist items
    /// past due on `today` and its follow-up alerts.
    pub async fn register_extras(
        &self,
        ids: &[Uuid],
        today: NaiveDate,
    ) -> Result<HashMap<Uuid, RegisterExtras>, StorageError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = format!(
            "SELECT d.id, {} AS assessment_id, {} AS initial_level, {} AS residual_level, {} AS residual_r, \
             (SELECT r.needs_review FROM resolutions r WHERE {CURRENT_RESOLUTION}) AS needs_review, \
             (SELECT r.outcome FROM resolutions r WHERE {CURRENT_RESOLUTION}) AS outcome, \
             (SELECT COUNT(*) FROM checklist_items c WHERE c.decision_id = d.id \
               AND c.status NOT IN ('done', 'verified') AND c.due_date < ",
            latest_assessment("id"),
            latest_assessment("initial_level"),
            latest_assessment("residual_level"),
            latest_assessment("residual_r"),
        );
        let alerts = format!(
            ") AS overdue, (SELECT COUNT(*) FROM resolutions r JOIN alerts al ON al.resolution_id = r.id \
             WHERE {CURRENT_RESOLUTION}) AS alerts FROM decisions d WHERE d.id IN ("
        );
        let rows: Vec<ExtrasRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(select.as_str());
            query.push_bind(today).push(alerts.as_str());
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let extras = RegisterExtras {
                    latest_assessment: r.assessment_id,
                    initial_level: r.initial_level,
                    residual_level: r.residual_level,
                    residual_r: r.residual_r,
                    needs_review: r.needs_review.unwrap_or(false),
                    outcome: r.outcome,
                    overdue_items: r.overdue,
                    alerts: r.alerts,
                };
                (r.id, extras)
            })
            .collect())
    }

    /// The decisions of the scope (not archived) counted by kind, status and the newest residual level.
    pub async fn register_breakdown(&self, scope: &Scope) -> Result<Vec<Breakdown>, StorageError> {
        let select = format!(
            "SELECT kind, status, residual_level, COUNT(*) AS decisions FROM \
             (SELECT d.kind, d.status, {} AS residual_level FROM decisions d WHERE d.archived_at IS NULL AND",
            latest_assessment("residual_level")
        );
        let rows: Vec<BreakdownRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(select.as_str());
            push_in_scope(&mut query, "d.id", scope);
            query.push(") x GROUP BY kind, status, residual_level ORDER BY kind, status, residual_level");
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| Breakdown {
                kind: r.kind,
                status: r.status,
                residual_level: r.residual_level,
                decisions: r.decisions,
            })
            .collect())
    }
}
