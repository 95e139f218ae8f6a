//! Petition records written to SQLite through its C API, one prepared single-row statement stepped per record —
//! the way `sqlite3 .import` loads a file. Through sqlx, a million records cost 17 million bound arguments
//! built, sent to the connection's worker thread and copied again by SQLite, and the multi-row statements
//! that amortise this need a statement journal: a million records took 3.0–3.8 s to store that way and take
//! 1.8 s this way (docs/benchmarks.md). It is the only unsafe code in wenping, and it runs inside the caller's
//! transaction on a handle sqlx has locked out for it.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_char, c_int};
use std::ptr::NonNull;

use chrono::{Datelike, NaiveDate};
use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;

use super::StorageError;
use crate::domain::petition::PetitionRecord;

/// Records stepped between two yields to the async runtime (about 10 ms), so a large import on a server's
/// worker thread does not stall the requests queued behind it.
const RECORDS_PER_YIELD: usize = 5_000;

/// Same columns and value encodings as the sqlx path (TEXT dates as `%F`, booleans as 0/1, the decision id as
/// its 16 bytes), so either path reads back identically. New records are plainly inserted and changed ones
/// updated, rather than upserted: an upsert on a table with a foreign key makes SQLite keep a statement journal,
/// a copy of every page each row touches, which costs a third of the writing. The caller knows which records
/// are new, and holds the write lock, so nothing can come between.
const INSERT: &CStr = c"INSERT INTO petitions (source_id, received_on, channel, region_code, category, \
    subcategory, headcount, collective, repeated, escalated, status, due_on, concluded_on, satisfaction, overdue, \
    decision_id, import_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
const UPDATE: &CStr = c"UPDATE petitions SET received_on = ?2, channel = ?3, region_code = ?4, category = ?5, \
    subcategory = ?6, headcount = ?7, collective = ?8, repeated = ?9, escalated = ?10, status = ?11, due_on = ?12, \
    concluded_on = ?13, satisfaction = ?14, overdue = ?15, decision_id = ?16, import_seq = ?17 WHERE source_id = ?1";

/// Writes `changes` under import `seq` on `conn`, which must be inside the caller's write transaction: a
/// change with no stored record is inserted, the others are updated.
pub(super) async fn write_changes(
    conn: &mut SqliteConnection,
    changes: &[(Option<PetitionRecord>, PetitionRecord)],
    seq: i64,
) -> Result<(), StorageError> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    let mut insert = Statement::prepare(db, INSERT)?;
    let mut update = Statement::prepare(db, UPDATE)?;
    for (n, (stored, record)) in changes.iter().enumerate() {
        match stored {
            None => insert.write(record, seq)?,
            Some(_) => update.write(record, seq)?,
        }
        if n % RECORDS_PER_YIELD == RECORDS_PER_YIELD - 1 {
            tokio::task::yield_now().await;
        }
    }
    // The statements are finalized before the handle goes back to sqlx's worker.
    drop((insert, update));
    drop(handle);
    Ok(())
}

/// A prepared statement taking a record's 17 values; finalized on drop.
struct Statement {
    db: NonNull<ffi::sqlite3>,
    stmt: NonNull<ffi::sqlite3_stmt>,
}

// SAFETY: sqlx opens connections in SQLite's multi-thread mode, where a connection and its statements may move
// between threads as long as only one uses them at a time; the locked handle guarantees that for as long as
// a `Statement` lives (it is dropped before the lock), so the future holding both may move between workers.
unsafe impl Send for Statement {}

impl Statement {
    fn prepare(db: NonNull<ffi::sqlite3>, sql: &CStr) -> Result<Self, StorageError> {
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `db` is a live connection locked for us; `sql` is NUL-terminated (-1: read to the NUL).
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db.as_ptr(),
                sql.as_ptr(),
                -1,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        match NonNull::new(stmt) {
            Some(stmt) if rc == ffi::SQLITE_OK => Ok(Self { db, stmt }),
            _ => Err(error(db, rc, "preparing a petition statement")),
        }
    }

    /// Binds one record and steps the statement once.
    fn write(&mut self, r: &PetitionRecord, seq: i64) -> Result<(), StorageError> {
        let mut received = [0u8; 10];
        let mut due = [0u8; 10];
        let mut concluded = [0u8; 10];
        let decision = r.decision_id.map(|id| *id.as_bytes());
        let s = self.stmt.as_ptr();
        // SAFETY: every text and blob bound here (the record's strings, the date buffers, `decision`) outlives
        // the step below, and the statement is reset before this function returns, so SQLITE_STATIC (no copy)
        // is sound; lengths are passed explicitly, so no NUL terminator is needed. When a bind fails, the
        // statement is not stepped again: the error ends the import, and the statement is finalized unread.
        let rc = unsafe {
            let text = |i: c_int, v: &str| {
                ffi::sqlite3_bind_text(
                    s,
                    i,
                    v.as_ptr().cast::<c_char>(),
                    len(v.len()),
                    ffi::SQLITE_STATIC(),
                )
            };
            let date = |i: c_int, d: Option<NaiveDate>, buf: &mut [u8; 10]| match d {
                Some(d) => {
                    format_date(d, buf);
                    ffi::sqlite3_bind_text(
                        s,
                        i,
                        buf.as_ptr().cast::<c_char>(),
                        10,
                        ffi::SQLITE_STATIC(),
                    )
                }
                None => ffi::sqlite3_bind_null(s, i),
            };
            let flag = |i: c_int, b: bool| ffi::sqlite3_bind_int(s, i, c_int::from(b));
            let binds = [
                text(1, &r.source_id),
                date(2, Some(r.received_on), &mut received),
                text(3, r.channel.as_str()),
                text(4, &r.region_code),
                text(5, &r.category),
                match &r.subcategory {
                    Some(v) => text(6, v),
                    None => ffi::sqlite3_bind_null(s, 6),
                },
                ffi::sqlite3_bind_int(s, 7, r.headcount),
                flag(8, r.collective),
                flag(9, r.repeated),
                flag(10, r.escalated),
                text(11, r.status.as_str()),
                date(12, r.due_on, &mut due),
                date(13, r.concluded_on, &mut concluded),
                text(14, r.satisfaction.as_str()),
                flag(15, r.overdue),
                match &decision {
                    Some(bytes) => ffi::sqlite3_bind_blob(
                        s,
                        16,
                        bytes.as_ptr().cast(),
                        16,
                        ffi::SQLITE_STATIC(),
                    ),
                    None => ffi::sqlite3_bind_null(s, 16),
                },
                ffi::sqlite3_bind_int64(s, 17, seq),
            ];
            match binds.into_iter().find(|&rc| rc != ffi::SQLITE_OK) {
                Some(rc) => rc,
                None => {
                    let rc = ffi::sqlite3_step(s);
                    // Reset whatever the step did, so nothing keeps pointing at this record's buffers.
                    ffi::sqlite3_reset(s);
                    rc
                }
            }
        };
        if rc == ffi::SQLITE_DONE {
            Ok(())
        } else {
            Err(error(
                self.db,
                rc,
                &format!("storing petition {}", r.source_id),
            ))
        }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared on this locked connection and is finalized exactly once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

fn len(n: usize) -> c_int {
    // Record fields are validated cells, far below 2 GiB; saturating keeps the FFI call defined regardless.
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

/// `YYYY-MM-DD`, as chrono's `%F` writes the years 1949–9999 that validation admits.
fn format_date(d: NaiveDate, buf: &mut [u8; 10]) {
    let digits = |n: u32, out: &mut [u8]| {
        let mut n = n;
        for b in out.iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    digits(d.year().unsigned_abs(), &mut buf[0..4]);
    buf[4] = b'-';
    digits(d.month(), &mut buf[5..7]);
    buf[7] = b'-';
    digits(d.day(), &mut buf[8..10]);
}

/// SQLite's own message for a failed call, e.g. a constraint the record broke.
fn error(db: NonNull<ffi::sqlite3>, rc: c_int, doing: &str) -> StorageError {
    // SAFETY: sqlite3_errmsg returns a NUL-terminated string owned by the connection, copied out at once.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) }
        .to_string_lossy()
        .into_owned();
    StorageError::Database(sqlx::Error::Protocol(format!(
        "{doing}: SQLite error {rc}: {message}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (y, m, d) in [(1949, 1, 1), (2024, 2, 29), (2026, 11, 30), (9999, 12, 31)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut buf = [0u8; 10];
            format_date(date, &mut buf);
            assert_eq!(
                std::str::from_utf8(&buf).unwrap(),
                date.format("%F").to_string()
            );
        }
    }
}
