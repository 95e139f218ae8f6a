//! The one place that speaks SQL. A [`Db`] wraps a SQLite or a PostgreSQL pool, chosen by the URL
//! scheme; queries are written once with `$n` placeholders and run on either through [`with_pool!`]. A
//! [`ReadDb`] is where lists and statistics read: a PostgreSQL streaming replica when one is configured.

pub mod accounts;
pub mod assessments;
pub mod audit;
pub mod checklist;
pub mod concerns;
pub mod consultations;
pub mod credentials;
pub mod decisions;
pub mod holdings;
pub mod petition_copy;
pub mod petition_import;
pub mod petition_jobs;
pub mod petitions;
pub mod ratings;
mod reader;
pub mod regions;
pub mod register;
pub mod resolutions;
pub mod scenarios;
pub mod scope;
mod sqlite_bulk;
pub mod throttle;

pub use reader::{ReadDb, ReadPool};

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a request waits for a connection before the database counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long SQLite waits on a lock held by another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("{0}")]
    NotFound(String),
    #[error("version mismatch: the current version is {current}")]
    VersionMismatch { current: i64 },
    #[error("{0}")]
    Conflict(String),
    /// The disk under the database is full: nothing of the change was stored.
    #[error("no space left to store the change: {0}")]
    NoSpace(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// Whoever a streamed read handed its rows to could not take them (an export's disk is full, say).
    #[error("{0}")]
    Halted(String),
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            Self::Unavailable(error)
        } else if is_out_of_space(&error) {
            Self::NoSpace(error)
        } else {
            Self::Database(error)
        }
    }
}

/// Errors that mean "try again later" rather than "this request is wrong".
fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => match sqlite_primary_code(db.as_ref()) {
            // SQLite busy (5) and locked (6), whatever their extended code: a write that finds its snapshot
            // overtaken by another writer's commit is SQLITE_BUSY_SNAPSHOT (517), which waits for nothing.
            Some(primary) => matches!(primary, 5 | 6),
            None => {
                let code = db.code().unwrap_or_default();
                // PostgreSQL connection exceptions (08xxx), shutdown (57P0x), too many connections.
                code.starts_with("08") || code.starts_with("57P0") || code == "53300"
            }
        },
        _ => false,
    }
}

/// A full disk: SQLite's SQLITE_FULL (13), PostgreSQL's disk_full (53100).
fn is_out_of_space(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => match sqlite_primary_code(db.as_ref()) {
            Some(primary) => primary == 13,
            None => db.code().as_deref() == Some("53100"),
        },
        _ => false,
    }
}

/// SQLite's primary result code of an error from SQLite: sqlx reports the extended code, which keeps the
/// primary one in its low byte (SQLITE_BUSY_SNAPSHOT is 5 | 2 << 8).
fn sqlite_primary_code(db: &dyn sqlx::error::DatabaseError) -> Option<i32> {
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    let code = db.code()?.parse::<i32>().ok()?;
    Some(code & 0xff)
}

/// Runs the same body against whichever pool `$db` holds; the body is compiled once per backend.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite($pool) => $body,
            $crate::storage::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Runs `$body` in a write transaction and commits it when the body returns `Ok`. SQLite takes the
/// write lock at BEGIN, so two writers queue on the busy timeout instead of failing to upgrade.
macro_rules! in_write_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::storage::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
}
pub(crate) use in_write_tx;

/// Whether a SQLite connection handed back to the pool may serve the next request. A COMMIT that fails on a full
/// disk has SQLite roll the transaction back on its own; the ROLLBACK sqlx sends after it then fails, and sqlx
/// would count the connection as inside a transaction forever, refusing every `BEGIN` on it even once space
/// returns. Such a connection is closed instead, and the pool opens a fresh one.
async fn still_usable(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    // A dropped transaction's ROLLBACK is queued on the connection; the ping runs after it.
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}

impl Db {
    /// Opens the database named by `url` (`sqlite:` or `postgres:`), creating a SQLite file and its
    /// folder on first use. Migrations are not applied here; see [`Db::migrate`].
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL + NORMAL survives a killed process; only a power loss may drop the last commits.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            if let Some(parent) = Path::new(options.get_filename()).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StorageError::Unavailable(sqlx::Error::Io(e)))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .after_release(|conn, _| Box::pin(still_usable(conn)))
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            Ok(Self::Postgres(pool))
        } else {
            Err(StorageError::Database(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres:".into(),
            )))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self {
            Self::Sqlite(_) => &SQLITE_MIGRATIONS,
            Self::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies the embedded migrations that are not applied yet; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, StorageError> {
        let before = self.applied_migrations().await.unwrap_or_default().len();
        with_pool!(self, pool => self.migrator().run(pool).await)?;
        let after = self.applied_migrations().await?.len();
        Ok(after.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<BTreeSet<i64>, StorageError> {
        const SQL: &str = "SELECT version FROM _sqlx_migrations WHERE success = TRUE";
        let versions: Vec<i64> =
            with_pool!(self, pool => sqlx::query_scalar(SQL).fetch_all(pool).await)?;
        Ok(versions.into_iter().collect())
    }

    /// Ready means: the database answers and every embedded migration has been applied.
    pub async fn readiness(&self) -> Result<(), String> {
        let applied = self
            .applied_migrations()
            .await
            .map_err(|e| format!("database not reachable: {e}"))?;
        let missing: Vec<i64> = self
            .migrator()
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("migrations not applied: {missing:?}"))
        }
    }

    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// The error for a guarded write that lost a race, from re-reading the row: 412 with the version
/// stored now, or the re-read's own error (404 when the row is gone).
pub(crate) fn lost_race<T>(
    reread: Result<T, StorageError>,
    version: impl FnOnce(&T) -> i64,
) -> StorageError {
    match reread {
        Ok(now) => StorageError::VersionMismatch {
            current: version(&now),
        },
        Err(e) => e,
    }
}

/// Timestamps are kept to the microsecond, PostgreSQL's precision, so both backends give back
/// exactly what was stored.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, Executor};

    /// A write in a transaction whose snapshot another writer's commit overtook fails at once with
    /// SQLITE_BUSY_SNAPSHOT (517), an extended code of busy: the request may be tried again, so it is
    /// "unavailable" (503 with Retry-After), not a server fault.
    #[tokio::test]
    async fn a_stale_sqlite_snapshot_is_unavailable_not_a_fault() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("busy.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let mut reader = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let mut writer = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        reader.execute("CREATE TABLE t (n INTEGER)").await.unwrap();
        reader.execute("BEGIN").await.unwrap();
        reader.execute("SELECT COUNT(*) FROM t").await.unwrap();
        writer.execute("INSERT INTO t VALUES (1)").await.unwrap();
        let error = reader
            .execute("INSERT INTO t VALUES (2)")
            .await
            .expect_err("the snapshot is stale");
        let sqlx::Error::Database(db) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(db.code().as_deref(), Some("517"), "{error}");
        assert!(matches!(
            StorageError::from(error),
            StorageError::Unavailable(_)
        ));
    }
}
