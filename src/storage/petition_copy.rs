//! Petition records into PostgreSQL: monthly partitions made before a batch needs them, stored records found
//! through `petition_sources`, and the batch loaded with `COPY … FROM STDIN` (text format) instead of
//! multi-row INSERTs, which took ten times as long as psql's `\copy` of the same file.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::StorageError;
use super::petition_import::Change;
use super::petitions::{PetitionRow, RECORD_COLUMNS};
use crate::domain::petition::PetitionRecord;

type PgTx<'c> = sqlx::Transaction<'c, sqlx::Postgres>;

/// Bytes of COPY text sent at a time.
const COPY_CHUNK: usize = 1 << 20;

/// Every import takes this transaction-level lock first: an import compares its records with what is stored
/// and adds the difference to the rollups, so two at once would count a record twice.
pub(super) const IMPORT_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('wenping.petition_import'))";

/// The partition holding records received in `month`'s month.
pub(super) fn partition_name(month: NaiveDate) -> String {
    format!("petitions_y{:04}m{:02}", month.year(), month.month())
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

/// Creates the monthly partitions of `months` that do not exist yet. Inside an import this locks the
/// petitions table until the import commits, which is why the coming months are made ahead at start.
pub(super) async fn ensure_months(
    conn: &mut sqlx::PgConnection,
    months: &BTreeSet<NaiveDate>,
) -> Result<usize, StorageError> {
    let names: Vec<String> = months.iter().map(|&m| partition_name(m)).collect();
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL",
    )
    .bind(&names)
    .fetch_all(&mut *conn)
    .await?;
    for &month in months {
        let name = partition_name(month);
        if !missing.contains(&name) {
            continue;
        }
        // Names and bounds come from dates, never from input text.
        let create = format!(
            "CREATE TABLE IF NOT EXISTS {name} PARTITION OF petitions FOR VALUES FROM ('{month}') TO ('{}')",
            next_month(month)
        );
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut *conn)
            .await?;
    }
    Ok(missing.len())
}

/// The months from `today`'s through `ahead` months later.
pub(super) fn months_ahead(today: NaiveDate, ahead: u32) -> BTreeSet<NaiveDate> {
    let mut month = first_of_month(today);
    let mut months = BTreeSet::new();
    for _ in 0..=ahead {
        months.insert(month);
        month = next_month(month);
    }
    months
}

/// Months of petition partitions made ahead at start, so the imports of recent records make none.
const MONTHS_AHEAD: u32 = 12;

impl super::Db {
    /// Makes the monthly petition partitions from `today`'s month through a year ahead (PostgreSQL; SQLite
    /// keeps one table). Returns how many were made.
    pub async fn prepare_petition_months(&self, today: NaiveDate) -> Result<usize, StorageError> {
        match self {
            super::Db::Sqlite(_) => Ok(0),
            super::Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                ensure_months(&mut conn, &months_ahead(today, MONTHS_AHEAD)).await
            }
        }
    }
}

/// The stored records of these source ids, found by their month through `petition_sources`.
pub(super) async fn stored_records(
    tx: &mut PgTx<'_>,
    ids: &[&str],
) -> Result<Vec<PetitionRow>, StorageError> {
    let select = format!(
        "SELECT {RECORD_COLUMNS} FROM petition_sources s JOIN petitions p USING (source_id, received_on) \
         WHERE s.source_id = ANY($1)"
    );
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(select))
        .bind(ids)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows)
}

/// Writes a batch: the months it needs, the stored versions of updated records removed (a new receipt date
/// may move a record to another partition), then every new and updated record and every new source id by COPY.
pub(super) async fn write_changes(
    tx: &mut PgTx<'_>,
    changes: &[Change],
    seq: i64,
) -> Result<(), StorageError> {
    let months: BTreeSet<NaiveDate> = changes
        .iter()
        .map(|(_, r)| first_of_month(r.received_on))
        .collect();
    ensure_months(tx, &months).await?;
    let replaced: Vec<&PetitionRecord> =
        changes.iter().filter_map(|(old, _)| old.as_ref()).collect();
    if !replaced.is_empty() {
        let ids: Vec<&str> = replaced.iter().map(|r| r.source_id.as_str()).collect();
        let days: Vec<NaiveDate> = replaced.iter().map(|r| r.received_on).collect();
        sqlx::query(
            "DELETE FROM petitions p USING unnest($1::text[], $2::date[]) AS old (source_id, received_on) \
             WHERE p.source_id = old.source_id AND p.received_on = old.received_on",
        )
        .bind(&ids)
        .bind(&days)
        .execute(&mut **tx)
        .await?;
        let new_days: Vec<NaiveDate> = changes
            .iter()
            .filter(|(old, _)| old.is_some())
            .map(|(_, r)| r.received_on)
            .collect();
        sqlx::query(
            "UPDATE petition_sources s SET received_on = new.received_on \
             FROM unnest($1::text[], $2::date[]) AS new (source_id, received_on) WHERE s.source_id = new.source_id",
        )
        .bind(&ids)
        .bind(&new_days)
        .execute(&mut **tx)
        .await?;
    }
    let mut sources = String::new();
    for (_, r) in changes.iter().filter(|(old, _)| old.is_none()) {
        copy_text(&mut sources, &r.source_id);
        let _ = writeln!(sources, "\t{}", r.received_on);
    }
    copy(
        tx,
        "COPY petition_sources (source_id, received_on) FROM STDIN",
        sources,
    )
    .await?;
    let mut records = String::with_capacity(changes.len() * 160);
    for (_, r) in changes {
        copy_line(&mut records, r, seq);
    }
    copy(
        tx,
        &format!("COPY petitions ({RECORD_COLUMNS}, import_seq) FROM STDIN"),
        records,
    )
    .await
}

async fn copy(tx: &mut PgTx<'_>, statement: &str, text: String) -> Result<(), StorageError> {
    if text.is_empty() {
        return Ok(());
    }
    let mut sink = tx.copy_in_raw(statement).await?;
    for chunk in text.as_bytes().chunks(COPY_CHUNK) {
        sink.send(chunk).await?;
    }
    sink.finish().await?;
    Ok(())
}

/// A text cell of COPY's text format: backslash, tab and line ends escaped.
fn copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn copy_optional(out: &mut String, value: Option<impl std::fmt::Display>) {
    match value {
        Some(v) => copy_text(out, &v.to_string()),
        None => out.push_str("\\N"),
    }
}

fn flag(value: bool) -> char {
    if value { 't' } else { 'f' }
}

/// One record as a line of COPY text, in `RECORD_COLUMNS` order and then its import.
fn copy_line(out: &mut String, r: &PetitionRecord, seq: i64) {
    copy_text(out, &r.source_id);
    let _ = write!(out, "\t{}\t{}\t", r.received_on, r.channel.as_str());
    copy_text(out, &r.region_code);
    out.push('\t');
    copy_text(out, &r.category);
    out.push('\t');
    copy_optional(out, r.subcategory.as_deref());
    let _ = write!(
        out,
        "\t{}\t{}\t{}\t{}\t{}\t",
        r.headcount,
        flag(r.collective),
        flag(r.repeated),
        flag(r.escalated),
        r.status.as_str()
    );
    copy_optional(out, r.due_on);
    out.push('\t');
    copy_optional(out, r.concluded_on);
    let _ = write!(out, "\t{}\t{}\t", r.satisfaction.as_str(), flag(r.overdue));
    copy_optional(out, r.decision_id);
    let _ = writeln!(out, "\t{seq}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_escape_what_copy_reads_as_structure() {
        let mut out = String::new();
        copy_text(&mut out, "a\tb\\c\nd\re");
        assert_eq!(out, "a\\tb\\\\c\\nd\\re");
    }

    #[test]
    fn months_ahead_run_across_the_year() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 17).unwrap_or_default();
        let months: Vec<String> = months_ahead(day, 2)
            .into_iter()
            .map(partition_name)
            .collect();
        assert_eq!(
            months,
            [
                "petitions_y2026m11",
                "petitions_y2026m12",
                "petitions_y2027m01"
            ]
        );
    }
}
