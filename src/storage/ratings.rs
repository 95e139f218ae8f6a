//! Expert ratings of a decision: one sheet per expert, replaced whole, each replacement audited.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit::append_audit;
use super::resolutions::flag_for_review;
use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::audit::AuditRecord;
use crate::domain::ratings::{ExpertName, ExpertSheet, FactorRating, RatingSheet};

#[derive(sqlx::FromRow)]
struct RatingRow {
    expert: String,
    factor_id: String,
    probability: i16,
    impact: i16,
    low: Option<i16>,
    high: Option<i16>,
    note: Option<String>,
    recorded_by: String,
    recorded_at: DateTime<Utc>,
}

fn grade(value: i16) -> Result<u8, StorageError> {
    u8::try_from(value).map_err(|_| StorageError::Corrupt(format!("rating grade {value}")))
}

/// Groups rows (ordered by expert) into sheets.
fn sheets(rows: Vec<RatingRow>) -> Result<Vec<ExpertSheet>, StorageError> {
    let mut out: Vec<ExpertSheet> = Vec::new();
    for row in rows {
        let rating = FactorRating {
            probability: grade(row.probability)?,
            impact: grade(row.impact)?,
            low: row.low.map(grade).transpose()?,
            high: row.high.map(grade).transpose()?,
            note: row.note,
        };
        match out.last_mut() {
            Some(sheet) if sheet.expert == row.expert => {
                sheet.ratings.insert(row.factor_id, rating);
            }
            _ => out.push(ExpertSheet {
                expert: row.expert,
                ratings: BTreeMap::from([(row.factor_id, rating)]),
                recorded_by: row.recorded_by,
                recorded_at: row.recorded_at,
            }),
        }
    }
    Ok(out)
}

fn sheet_json(expert: &str, ratings: &RatingSheet) -> Result<serde_json::Value, StorageError> {
    Ok(serde_json::json!({
        "expert": expert,
        "ratings": serde_json::to_value(ratings).map_err(|e| StorageError::Corrupt(e.to_string()))?,
    }))
}

const SELECT: &str = "SELECT expert, factor_id, probability, impact, low, high, note, recorded_by, \
     recorded_at FROM decision_ratings WHERE decision_id = $1";

impl Db {
    /// Every expert's sheet for a decision, by expert name.
    pub async fn ratings(&self, decision_id: Uuid) -> Result<Vec<ExpertSheet>, StorageError> {
        let sql = format!("{SELECT} ORDER BY expert, factor_id");
        let rows: Vec<RatingRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(decision_id).fetch_all(pool).await)?;
        sheets(rows)
    }

    /// Replaces one expert's sheet for a decision; an empty sheet withdraws the expert. The audit
    /// entry holds the sheet before and after. In the same transaction the decision's resolution is marked
    /// for review with `review_reasons` (none: no flag).
    pub async fn replace_ratings(
        &self,
        decision_id: Uuid,
        expert: &ExpertName,
        ratings: &RatingSheet,
        actor: &str,
        review_reasons: &[String],
    ) -> Result<ExpertSheet, StorageError> {
        let at = now();
        let after = sheet_json(expert.as_str(), ratings)?;
        let select = format!("{SELECT} AND expert = $2 ORDER BY factor_id");
        const DELETE: &str = "DELETE FROM decision_ratings WHERE decision_id = $1 AND expert = $2";
        const INSERT: &str = "INSERT INTO decision_ratings (decision_id, expert, factor_id, \
             probability, impact, low, high, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        in_write_tx!(self, tx => {
            let rows: Vec<RatingRow> = sqlx::query_as(sqlx::AssertSqlSafe(select.as_str()))
                .bind(decision_id)
                .bind(expert.as_str())
                .fetch_all(&mut *tx)
                .await?;
            let before = sheets(rows)?.pop().map(|s| s.ratings).unwrap_or_default();
            sqlx::query(DELETE)
                .bind(decision_id)
                .bind(expert.as_str())
                .execute(&mut *tx)
                .await?;
            for (factor, r) in ratings {
                sqlx::query(INSERT)
                    .bind(decision_id)
                    .bind(expert.as_str())
                    .bind(factor)
                    .bind(i16::from(r.probability))
                    .bind(i16::from(r.impact))
                    .bind(r.low.map(i16::from))
                    .bind(r.high.map(i16::from))
                    .bind(r.note.as_deref())
                    .bind(actor)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            let record = AuditRecord {
                entity: "decision_ratings",
                entity_id: decision_id,
                decision_id: Some(decision_id),
                action: "replace",
                actor: actor.to_owned(),
                before: Some(sheet_json(expert.as_str(), &before)?),
                after: Some(after),
            };
            append_audit!(tx, &record, at)?;
            flag_for_review!(tx, decision_id, review_reasons, actor, at);
        });
        Ok(ExpertSheet {
            expert: expert.as_str().to_owned(),
            ratings: ratings.clone(),
            recorded_by: actor.to_owned(),
            recorded_at: at,
        })
    }
}
