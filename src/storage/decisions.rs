//! The decision register: decisions, their affected regions, and the audit entries of each change.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::{append_audit, audited_write};
use super::resolutions::flag_for_review;
use super::scenarios::insert_scenario;
use super::scope::push_in_scope;
use super::{Db, StorageError, in_write_tx, lost_race, now, with_pool};
use crate::domain::attributes::AttributeValue;
use crate::domain::audit::AuditRecord;
use crate::domain::decision::{
    Affected, Decision, DecisionFields, DecisionFilter, DecisionKind, DecisionPosition,
    DecisionSort, DecisionStatus,
};
use crate::domain::region::RegionCode;
use crate::domain::scenario::{Scenario, ScenarioFields};

const COLUMNS: &str = "seq, id, title, kind, description, responsible_unit, regions, \
     affected_households, affected_people, affected_workers, budget_yuan, planned_start, \
     attributes, status, version, archived_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct DecisionRow {
    seq: i64,
    id: Uuid,
    title: String,
    kind: String,
    description: String,
    responsible_unit: String,
    regions: Json<Vec<RegionCode>>,
    affected_households: i64,
    affected_people: i64,
    affected_workers: i64,
    budget_yuan: Option<f64>,
    planned_start: Option<NaiveDate>,
    attributes: Json<BTreeMap<String, AttributeValue>>,
    status: String,
    version: i64,
    archived_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl DecisionRow {
    pub(crate) fn into_decision(self) -> Result<(i64, Decision), StorageError> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("decision {}: {what}", self.id));
        let kind = DecisionKind::parse(&self.kind).ok_or_else(|| corrupt("unknown kind"))?;
        let status =
            DecisionStatus::parse(&self.status).ok_or_else(|| corrupt("unknown status"))?;
        let count = |n: i64| u32::try_from(n).map_err(|_| corrupt("count out of range"));
        let affected = Affected {
            households: count(self.affected_households)?,
            people: count(self.affected_people)?,
            workers: count(self.affected_workers)?,
        };
        let decision = Decision {
            id: self.id,
            fields: DecisionFields {
                title: self.title,
                kind,
                description: self.description,
                responsible_unit: self.responsible_unit,
                regions: self.regions.0,
                affected,
                budget_yuan: self.budget_yuan,
                planned_start: self.planned_start,
                attributes: self.attributes.0,
                status,
            },
            version: self.version,
            archived: self.archived_at.is_some(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        Ok((self.seq, decision))
    }
}

/// The latest assessment of decision `d`, one column of it.
pub(crate) fn latest_assessment(column: &str) -> String {
    format!(
        "(SELECT la.{column} FROM assessments la WHERE la.decision_id = d.id ORDER BY la.seq DESC LIMIT 1)"
    )
}

/// The resolution in force of decision `d` is `r`.
pub(crate) const CURRENT_RESOLUTION: &str = "r.decision_id = d.id AND r.seq = (SELECT MAX(cr.seq) FROM resolutions cr WHERE cr.decision_id = d.id)";

/// Appends the filter's conditions (all but the keyset position) on decisions `d` to a query ending in WHERE ….
pub(crate) fn push_filters<DB: sqlx::Database>(
    query: &mut sqlx::QueryBuilder<DB>,
    filter: &DecisionFilter,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> NaiveDate: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> DateTime<Utc>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if !filter.include_archived {
        query.push(" AND d.archived_at IS NULL");
    }
    if !filter.scope.is_everywhere() {
        query.push(" AND");
        push_in_scope(query, "d.id", &filter.scope);
    }
    if let Some(kind) = filter.kind {
        query.push(" AND d.kind = ").push_bind(kind.as_str());
    }
    if !filter.statuses.is_empty() {
        query.push(" AND d.status IN (");
        let mut list = query.separated(", ");
        for status in &filter.statuses {
            list.push_bind(status.as_str());
        }
        query.push(")");
    }
    if let Some(prefix) = &filter.region_prefix {
        // Digits sort before ':', so [prefix, prefix + ':') holds exactly the codes with that prefix.
        query
            .push(" AND EXISTS (SELECT 1 FROM decision_regions rg WHERE rg.decision_id = d.id AND rg.code >= ")
            .push_bind(prefix.clone())
            .push(" AND rg.code < ")
            .push_bind(format!("{prefix}:"))
            .push(")");
    }
    if let Some(text) = &filter.title_contains {
        query
            .push(" AND LOWER(d.title) LIKE ")
            .push_bind(like_pattern(text))
            .push(" ESCAPE '\\'");
    }
    if let Some(level) = filter.residual_level {
        query
            .push(format!(" AND {} = ", latest_assessment("residual_level")))
            .push_bind(level.as_str());
    }
    if filter.needs_review {
        query.push(format!(
            " AND EXISTS (SELECT 1 FROM resolutions r WHERE {CURRENT_RESOLUTION} AND r.needs_review = TRUE)"
        ));
    }
    if let Some(today) = filter.overdue_on {
        query
            .push(
                " AND EXISTS (SELECT 1 FROM checklist_items c WHERE c.decision_id = d.id \
                   AND c.status NOT IN ('done', 'verified') AND c.due_date < ",
            )
            .push_bind(today)
            .push(")");
    }
    if filter.alerted {
        query.push(format!(
            " AND EXISTS (SELECT 1 FROM resolutions r JOIN alerts al ON al.resolution_id = r.id \
             WHERE {CURRENT_RESOLUTION})"
        ));
    }
    if let Some(since) = filter.resolved_since {
        query
            .push(" AND EXISTS (SELECT 1 FROM resolutions rs WHERE rs.decision_id = d.id AND rs.created_at >= ")
            .push_bind(since)
            .push(")");
    }
}

/// `%`, `_` and `\` are literal in a title search.
fn like_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Binds the planner-editable fields as the next twelve parameters, in column order.
macro_rules! bind_fields {
    ($query:expr, $fields:expr) => {{
        let fields: &DecisionFields = $fields;
        $query
            .bind(&fields.title)
            .bind(fields.kind.as_str())
            .bind(&fields.description)
            .bind(&fields.responsible_unit)
            .bind(Json(&fields.regions))
            .bind(i64::from(fields.affected.households))
            .bind(i64::from(fields.affected.people))
            .bind(i64::from(fields.affected.workers))
            .bind(fields.budget_yuan)
            .bind(fields.planned_start)
            .bind(Json(&fields.attributes))
            .bind(fields.status.as_str())
    }};
}

/// Writes one `decision_regions` row per affected region, for indexed region-prefix filters.
macro_rules! insert_regions {
    ($tx:expr, $id:expr, $regions:expr) => {
        for (position, code) in $regions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO decision_regions (decision_id, position, code) VALUES ($1, $2, $3)",
            )
            .bind($id)
            .bind(position as i64)
            .bind(code.as_str())
            .execute(&mut *$tx)
            .await?;
        }
    };
}

fn decision_json(decision: &Decision) -> Result<serde_json::Value, StorageError> {
    serde_json::to_value(decision).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// One decision by its id.
pub(crate) fn decision_sql() -> String {
    format!("SELECT {COLUMNS} FROM decisions WHERE id = $1")
}

impl Db {
    pub async fn insert_decision(
        &self,
        fields: &DecisionFields,
        actor: &str,
    ) -> Result<Decision, StorageError> {
        let at = now();
        let decision = Decision {
            id: Uuid::new_v4(),
            fields: fields.clone(),
            version: 1,
            archived: false,
            created_at: at,
            updated_at: at,
        };
        let record = AuditRecord {
            entity: "decision",
            entity_id: decision.id,
            decision_id: Some(decision.id),
            action: "create",
            actor: actor.to_owned(),
            before: None,
            after: Some(decision_json(&decision)?),
        };
        const SQL: &str = "INSERT INTO decisions (title, kind, description, responsible_unit, \
             regions, affected_households, affected_people, affected_workers, budget_yuan, \
             planned_start, attributes, status, id, version, archived_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $15)";
        in_write_tx!(self, tx => {
            bind_fields!(sqlx::query(SQL), fields)
                .bind(decision.id)
                .bind(decision.version)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            insert_regions!(tx, decision.id, fields.regions);
            append_audit!(tx, &record, at)?;
            // Every decision has its baseline scenario from the start.
            let baseline = Scenario {
                id: Uuid::new_v4(),
                decision_id: decision.id,
                baseline: true,
                fields: ScenarioFields::baseline(),
                version: 1,
                created_at: at,
                updated_at: at,
            };
            insert_scenario!(tx, &baseline)?;
        });
        Ok(decision)
    }

    pub async fn decision(&self, id: Uuid) -> Result<Decision, StorageError> {
        let sql = decision_sql();
        let row: Option<DecisionRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await)?;
        match row {
            Some(row) => Ok(row.into_decision()?.1),
            None => Err(StorageError::NotFound(format!("no decision with id {id}"))),
        }
    }

    /// One page of decisions plus, when more follow, the position to continue from.
    pub async fn decisions(
        &self,
        filter: &DecisionFilter,
    ) -> Result<(Vec<Decision>, Option<DecisionPosition>), StorageError> {
        let rows: Vec<DecisionRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM decisions d WHERE 1 = 1"));
            push_filters(&mut query, filter);
            let (cmp, dir) = if filter.descending { ("<", "DESC") } else { (">", "ASC") };
            if let Some(after) = &filter.after {
                match filter.sort {
                    DecisionSort::Created => {
                        query.push(format!(" AND d.seq {cmp} ")).push_bind(after.seq);
                    }
                    DecisionSort::Title => {
                        query
                            .push(format!(" AND (d.title {cmp} "))
                            .push_bind(after.title.clone())
                            .push(" OR (d.title = ")
                            .push_bind(after.title.clone())
                            .push(format!(" AND d.seq {cmp} "))
                            .push_bind(after.seq)
                            .push("))");
                    }
                }
            }
            match filter.sort {
                DecisionSort::Created => query.push(format!(" ORDER BY d.seq {dir}")),
                DecisionSort::Title => query.push(format!(" ORDER BY d.title {dir}, d.seq {dir}")),
            };
            query.push(" LIMIT ").push_bind(i64::from(filter.limit) + 1);
            query.build_query_as().fetch_all(pool).await
        })?;
        // One row more than the page was fetched: its presence says another page follows.
        let more = rows.len() > filter.limit as usize;
        let mut page = Vec::with_capacity(rows.len());
        let mut last = None;
        for row in rows.into_iter().take(filter.limit as usize) {
            let (seq, decision) = row.into_decision()?;
            last = Some(DecisionPosition {
                seq,
                title: decision.fields.title.clone(),
            });
            page.push(decision);
        }
        Ok((page, if more { last } else { None }))
    }

    /// Replaces the planner-editable fields of `current`, provided nobody changed it meanwhile, and in the same
    /// transaction marks its resolution for review with `review_reasons` (none: no flag).
    pub async fn update_decision(
        &self,
        current: &Decision,
        fields: &DecisionFields,
        actor: &str,
        review_reasons: &[String],
    ) -> Result<Decision, StorageError> {
        let at = now();
        let updated = Decision {
            fields: fields.clone(),
            version: current.version + 1,
            updated_at: at,
            ..current.clone()
        };
        let record = AuditRecord {
            entity: "decision",
            entity_id: current.id,
            decision_id: Some(current.id),
            action: "update",
            actor: actor.to_owned(),
            before: Some(decision_json(current)?),
            after: Some(decision_json(&updated)?),
        };
        // The version check is the first statement, so a concurrent writer queues on the lock and
        // then finds the version moved on.
        const SQL: &str = "UPDATE decisions SET title = $1, kind = $2, description = $3, \
             responsible_unit = $4, regions = $5, affected_households = $6, affected_people = $7, \
             affected_workers = $8, budget_yuan = $9, planned_start = $10, attributes = $11, \
             status = $12, version = $13, updated_at = $14 WHERE id = $15 AND version = $16";
        let changed = in_write_tx!(self, tx => {
            let changed = bind_fields!(sqlx::query(SQL), fields)
                .bind(updated.version)
                .bind(at)
                .bind(current.id)
                .bind(current.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 1 {
                if fields.regions != current.fields.regions {
                    sqlx::query("DELETE FROM decision_regions WHERE decision_id = $1")
                        .bind(current.id)
                        .execute(&mut *tx)
                        .await?;
                    insert_regions!(tx, current.id, fields.regions);
                }
                append_audit!(tx, &record, at)?;
                flag_for_review!(tx, current.id, review_reasons, actor, at);
            }
            changed
        });
        if changed == 1 {
            Ok(updated)
        } else {
            Err(self.stale(current.id).await)
        }
    }

    /// Archives a decision: it stays stored and audited but leaves the default lists. Archiving
    /// an archived decision changes nothing.
    pub async fn archive_decision(
        &self,
        current: &Decision,
        actor: &str,
    ) -> Result<Decision, StorageError> {
        if current.archived {
            return Ok(current.clone());
        }
        let at = now();
        let archived = Decision {
            archived: true,
            version: current.version + 1,
            updated_at: at,
            ..current.clone()
        };
        let record = AuditRecord {
            entity: "decision",
            entity_id: current.id,
            decision_id: Some(current.id),
            action: "archive",
            actor: actor.to_owned(),
            before: Some(decision_json(current)?),
            after: Some(decision_json(&archived)?),
        };
        const SQL: &str = "UPDATE decisions SET archived_at = $1, version = $2, updated_at = $1 \
             WHERE id = $3 AND version = $4";
        let changed = audited_write!(
            self,
            sqlx::query(SQL)
                .bind(at)
                .bind(archived.version)
                .bind(current.id)
                .bind(current.version),
            &record,
            at
        );
        if changed {
            Ok(archived)
        } else {
            Err(self.stale(current.id).await)
        }
    }

    /// The error for a write that lost a race: 412 with the current version, or 404 if gone.
    async fn stale(&self, id: Uuid) -> StorageError {
        lost_race(self.decision(id).await, |d| d.version)
    }
}
