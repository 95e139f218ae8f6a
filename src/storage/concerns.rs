//! The concern ledger: concerns with their state in the loop, the decisions they concern, and each step
//! audited. The resident's name and phone arrive sealed (the use case encrypts them) and leave sealed.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::audit::append_audit;
use super::{Db, StorageError, in_write_tx, lost_race, now, with_pool};
use crate::domain::audit::{AuditEntry, AuditRecord};
pub use crate::domain::concern::ConcernFilter;
use crate::domain::concern::{Channel, Concern, ConcernState, Satisfaction, overdue};
use crate::domain::region::RegionCode;

const COLUMNS: &str = "c.id, c.number, c.channel, c.received_at, c.region_code, c.topic, c.content, \
     c.resident_sealed, c.state, c.office, c.handler, c.due_on, c.answer, c.answered_at, c.adopted_measure, \
     c.satisfaction, c.closed_at, c.reopen_count, c.last_reason, c.version, c.created_by, c.created_at, \
     c.updated_at";

/// A concern as stored: its resident still sealed.
#[derive(Debug, Clone)]
pub struct SealedConcern {
    /// `resident` is always `None` here; the use case opens `sealed`.
    pub concern: Concern,
    pub sealed: Option<Vec<u8>>,
}

#[derive(sqlx::FromRow)]
struct ConcernRow {
    id: Uuid,
    number: String,
    channel: String,
    received_at: DateTime<Utc>,
    region_code: String,
    topic: String,
    content: String,
    resident_sealed: Option<Vec<u8>>,
    state: String,
    office: Option<String>,
    handler: Option<String>,
    due_on: Option<NaiveDate>,
    answer: Option<String>,
    answered_at: Option<DateTime<Utc>>,
    adopted_measure: Option<String>,
    satisfaction: Option<String>,
    closed_at: Option<DateTime<Utc>>,
    reopen_count: i64,
    last_reason: Option<String>,
    version: i64,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn corrupt(id: Uuid, what: &str) -> StorageError {
    StorageError::Corrupt(format!("concern {id}: unknown {what}"))
}

impl ConcernRow {
    fn into_sealed(
        self,
        decisions: Vec<Uuid>,
        today: NaiveDate,
    ) -> Result<SealedConcern, StorageError> {
        let id = self.id;
        let state = ConcernState::parse(&self.state).ok_or_else(|| corrupt(id, "state"))?;
        let satisfaction = match self.satisfaction.as_deref() {
            None => None,
            Some(s) => Some(Satisfaction::parse(s).ok_or_else(|| corrupt(id, "satisfaction"))?),
        };
        let concern = Concern {
            id,
            number: self.number,
            channel: Channel::parse(&self.channel).ok_or_else(|| corrupt(id, "channel"))?,
            received_at: self.received_at,
            region: RegionCode::parse(&self.region_code).map_err(|_| corrupt(id, "region"))?,
            topic: self.topic,
            content: self.content,
            resident: None,
            resident_masked: false,
            decisions,
            state,
            office: self.office,
            handler: self.handler,
            due_on: self.due_on,
            answer: self.answer,
            answered_at: self.answered_at,
            adopted_measure: self.adopted_measure,
            satisfaction,
            closed_at: self.closed_at,
            reopen_count: self.reopen_count,
            last_reason: self.last_reason,
            overdue: overdue(state, self.due_on, today),
            allowed: state.allowed().to_vec(),
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        Ok(SealedConcern {
            concern,
            sealed: self.resident_sealed,
        })
    }
}

/// What the audit log keeps of a concern: everything but the resident, who is only said to be there.
pub fn audit_view(c: &Concern, has_resident: bool) -> serde_json::Value {
    let mut value = serde_json::to_value(c).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("resident");
        map.remove("resident_masked");
        map.remove("allowed");
        map.remove("overdue");
        map.insert("resident_recorded".into(), has_resident.into());
    }
    value
}

const INSERT: &str = "INSERT INTO concerns (id, number, channel, received_at, region_code, topic, content, \
     resident_sealed, state, office, handler, due_on, answer, answered_at, adopted_measure, satisfaction, \
     closed_at, reopen_count, last_reason, version, created_by, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)";
const LINK: &str = "INSERT INTO concern_decisions (concern_id, decision_id) VALUES ($1, $2)";
/// Concerns whose decision links are read in one statement.
const LINK_CHUNK: usize = 1000;
const NUMBER_TAKEN: &str = "SELECT COUNT(*) FROM concerns WHERE number = $1";

/// Inserts one concern with its links and its audit entry inside the caller's transaction.
macro_rules! insert_concern {
    ($tx:expr, $c:expr, $sealed:expr, $actor:expr, $at:expr, $action:expr) => {{
        let c: &Concern = $c;
        let sealed: Option<&[u8]> = $sealed;
        sqlx::query(INSERT)
            .bind(c.id)
            .bind(&c.number)
            .bind(c.channel.as_str())
            .bind(c.received_at)
            .bind(c.region.as_str())
            .bind(&c.topic)
            .bind(&c.content)
            .bind(sealed)
            .bind(c.state.as_str())
            .bind(c.office.as_deref())
            .bind(c.handler.as_deref())
            .bind(c.due_on)
            .bind(c.answer.as_deref())
            .bind(c.answered_at)
            .bind(c.adopted_measure.as_deref())
            .bind(c.satisfaction.map(|s| s.as_str()))
            .bind(c.closed_at)
            .bind(c.reopen_count)
            .bind(c.last_reason.as_deref())
            .bind(c.version)
            .bind($actor)
            .bind($at)
            .execute(&mut *$tx)
            .await?;
        for d in &c.decisions {
            sqlx::query(LINK)
                .bind(c.id)
                .bind(*d)
                .execute(&mut *$tx)
                .await?;
        }
        let record = AuditRecord {
            entity: "concern",
            entity_id: c.id,
            decision_id: c.decisions.first().copied(),
            action: $action,
            actor: $actor.to_owned(),
            before: None,
            after: Some(audit_view(c, sealed.is_some())),
        };
        append_audit!($tx, &record, $at)?;
    }};
}

/// On PostgreSQL two writers of one number can both find it free; the second meets the unique key at its
/// insert, and that is the conflict the check would have given, not a 500.
fn number_clash_is_conflict(
    stored: Result<(), StorageError>,
    conflict: impl FnOnce() -> StorageError,
) -> Result<(), StorageError> {
    match stored {
        Err(StorageError::Database(sqlx::Error::Database(db))) if db.is_unique_violation() => {
            Err(conflict())
        }
        other => other,
    }
}

impl Db {
    /// Registers one concern; a number already in the ledger is a 409 and nothing is written.
    pub async fn insert_concern(
        &self,
        concern: &Concern,
        sealed: Option<&[u8]>,
        actor: &str,
    ) -> Result<(), StorageError> {
        let at = now();
        let taken = || {
            StorageError::Conflict(format!(
                "number: concern {} is already in the ledger",
                concern.number
            ))
        };
        let stored: Result<(), StorageError> = async {
            in_write_tx!(self, tx => {
                let count: i64 = sqlx::query_scalar(NUMBER_TAKEN).bind(&concern.number).fetch_one(&mut *tx).await?;
                if count > 0 {
                    return Err(taken());
                }
                insert_concern!(tx, concern, sealed, actor, at, "create");
            });
            Ok(())
        }
        .await;
        number_clash_is_conflict(stored, taken)
    }

    /// Stores an imported ledger in one transaction: concerns whose number is already in the ledger are
    /// left as they are (an import run twice adds nothing). Returns the numbers skipped.
    pub async fn import_concerns(
        &self,
        concerns: &[(Concern, Option<Vec<u8>>)],
        actor: &str,
    ) -> Result<Vec<String>, StorageError> {
        let at = now();
        let mut skipped = Vec::new();
        let stored: Result<(), StorageError> = async {
            in_write_tx!(self, tx => {
                for (concern, sealed) in concerns {
                    let taken: i64 = sqlx::query_scalar(NUMBER_TAKEN).bind(&concern.number).fetch_one(&mut *tx).await?;
                    if taken > 0 {
                        skipped.push(concern.number.clone());
                        continue;
                    }
                    insert_concern!(tx, concern, sealed.as_deref(), actor, at, "import");
                }
            });
            Ok(())
        }
        .await;
        number_clash_is_conflict(stored, || {
            StorageError::Conflict(
                "number: a registration or import stored one of these numbers at the same moment; \
                 import the file again to leave those as they are"
                    .to_owned(),
            )
        })?;
        Ok(skipped)
    }

    pub async fn concern(&self, id: Uuid, today: NaiveDate) -> Result<SealedConcern, StorageError> {
        let filter = ConcernFilter::default();
        let mut found = self.concerns_where(&filter, Some(id), today).await?;
        found
            .pop()
            .ok_or_else(|| StorageError::NotFound(format!("no concern with id {id}")))
    }

    /// Concerns matching `filter`, newest first.
    pub async fn concerns(
        &self,
        filter: &ConcernFilter,
        today: NaiveDate,
    ) -> Result<Vec<SealedConcern>, StorageError> {
        self.concerns_where(filter, None, today).await
    }

    /// How many concerns match `filter` (its limit and offset aside).
    pub async fn count_concerns(&self, filter: &ConcernFilter) -> Result<i64, StorageError> {
        with_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM concerns c WHERE 1 = 1");
            push_filter(&mut q, filter);
            q.build_query_scalar::<i64>().fetch_one(pool).await
        })
        .map_err(StorageError::from)
    }

    async fn concerns_where(
        &self,
        filter: &ConcernFilter,
        id: Option<Uuid>,
        today: NaiveDate,
    ) -> Result<Vec<SealedConcern>, StorageError> {
        let (rows, links): (Vec<ConcernRow>, Vec<(Uuid, Uuid)>) = with_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM concerns c WHERE 1 = 1"));
            if let Some(id) = id {
                q.push(" AND c.id = ").push_bind(id);
            }
            push_filter(&mut q, filter);
            q.push(" ORDER BY c.received_at DESC, c.seq DESC");
            if let Some(limit) = filter.limit {
                q.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(filter.offset);
            }
            let rows: Vec<ConcernRow> = q.build_query_as().fetch_all(pool).await?;
            // In chunks: SQLite takes at most 32 766 bound values in one statement.
            let mut links: Vec<(Uuid, Uuid)> = Vec::new();
            for chunk in rows.chunks(LINK_CHUNK) {
                let mut l = sqlx::QueryBuilder::new(
                    "SELECT concern_id, decision_id FROM concern_decisions WHERE concern_id IN (",
                );
                let mut sep = l.separated(", ");
                for r in chunk {
                    sep.push_bind(r.id);
                }
                l.push(")");
                links.extend(l.build_query_as::<(Uuid, Uuid)>().fetch_all(pool).await?);
            }
            Ok::<_, sqlx::Error>((rows, links))
        })?;
        let mut by_concern: std::collections::HashMap<Uuid, Vec<Uuid>> =
            std::collections::HashMap::new();
        for (concern, decision) in links {
            by_concern.entry(concern).or_default().push(decision);
        }
        rows.into_iter()
            .map(|r| {
                let decisions = by_concern.remove(&r.id).unwrap_or_default();
                r.into_sealed(decisions, today)
            })
            .collect()
    }

    /// Writes one step of the loop, provided nobody moved the concern meanwhile (else 412).
    pub async fn record_concern_step(
        &self,
        current: &Concern,
        next: &Concern,
        has_resident: bool,
        action: &'static str,
        actor: &str,
    ) -> Result<(), StorageError> {
        let at = now();
        let record = AuditRecord {
            entity: "concern",
            entity_id: current.id,
            decision_id: current.decisions.first().copied(),
            action,
            actor: actor.to_owned(),
            before: Some(audit_view(current, has_resident)),
            after: Some(audit_view(next, has_resident)),
        };
        const SQL: &str = "UPDATE concerns SET state = $1, office = $2, handler = $3, due_on = $4, \
             answer = $5, answered_at = $6, adopted_measure = $7, satisfaction = $8, closed_at = $9, \
             reopen_count = $10, last_reason = $11, version = $12, updated_at = $13 \
             WHERE id = $14 AND version = $15";
        let changed = super::audit::audited_write!(
            self,
            sqlx::query(SQL)
                .bind(next.state.as_str())
                .bind(next.office.as_deref())
                .bind(next.handler.as_deref())
                .bind(next.due_on)
                .bind(next.answer.as_deref())
                .bind(next.answered_at)
                .bind(next.adopted_measure.as_deref())
                .bind(next.satisfaction.map(|s| s.as_str()))
                .bind(next.closed_at)
                .bind(next.reopen_count)
                .bind(next.last_reason.as_deref())
                .bind(next.version)
                .bind(at)
                .bind(current.id)
                .bind(current.version),
            &record,
            at
        );
        if changed {
            Ok(())
        } else {
            Err(lost_race(
                self.concern(current.id, at.date_naive()).await,
                |c| c.concern.version,
            ))
        }
    }

    /// A concern's history: every entry the audit log holds for it, oldest first.
    pub async fn concern_history(&self, id: Uuid) -> Result<Vec<AuditEntry>, StorageError> {
        let filter = crate::domain::audit::AuditFilter {
            entity: Some("concern".into()),
            entity_id: Some(id),
            visibility: crate::domain::audit::AuditVisibility::All,
            decision_id: None,
            actor: None,
            from: None,
            to: None,
            after_seq: None,
            limit: 10_000,
        };
        self.audit_entries(&filter).await
    }
}

fn push_filter<DB: sqlx::Database>(q: &mut sqlx::QueryBuilder<DB>, f: &ConcernFilter)
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> Uuid: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> NaiveDate: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> DateTime<Utc>: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let prefix = |q: &mut sqlx::QueryBuilder<DB>, p: &str| {
        // Digits sort before ':', so [prefix, prefix + ':') holds exactly the codes with that prefix.
        q.push("(c.region_code >= ")
            .push_bind(p.to_owned())
            .push(" AND c.region_code < ")
            .push_bind(format!("{p}:"))
            .push(")");
    };
    if let Some(scope) = &f.scope
        && !scope.is_everywhere()
    {
        q.push(" AND (");
        for (i, p) in scope.prefixes().iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            prefix(q, p);
        }
        q.push(")");
    }
    if let Some(region) = &f.region {
        q.push(" AND ");
        prefix(q, region);
    }
    if !f.states.is_empty() {
        q.push(" AND c.state IN (");
        let mut sep = q.separated(", ");
        for s in &f.states {
            sep.push_bind(s.as_str().to_owned());
        }
        q.push(")");
    }
    if let Some(office) = &f.office {
        q.push(" AND c.office = ").push_bind(office.clone());
    }
    if let Some(handler) = &f.handler {
        q.push(" AND c.handler = ").push_bind(handler.clone());
    }
    if let Some(topic) = &f.topic {
        q.push(" AND c.topic = ").push_bind(topic.clone());
    }
    if let Some(channel) = f.channel {
        q.push(" AND c.channel = ")
            .push_bind(channel.as_str().to_owned());
    }
    if let Some(d) = f.decision {
        q.push(" AND EXISTS (SELECT 1 FROM concern_decisions cd WHERE cd.concern_id = c.id AND cd.decision_id = ")
            .push_bind(d)
            .push(")");
    }
    if let Some(from) = f.received_from {
        q.push(" AND c.received_at >= ").push_bind(from);
    }
    if let Some(before) = f.received_before {
        q.push(" AND c.received_at < ").push_bind(before);
    }
    if let Some(day) = f.due_before {
        q.push(" AND c.state IN ('registered', 'assigned', 'accepted', 'sent_back', 'reopened') AND c.due_on < ")
            .push_bind(day);
    }
    if let Some(text) = &f.text {
        let like = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q.push(" AND (c.number LIKE ")
            .push_bind(like.clone())
            .push(" ESCAPE '\\' OR c.content LIKE ")
            .push_bind(like)
            .push(" ESCAPE '\\')");
    }
}
