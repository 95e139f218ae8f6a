//! The pool for reads that tolerate a streaming replica's lag — lists and statistics — and the count of what
//! each pool served. Everything else (writes, reads inside a write, a read right after its write, sign-in and
//! sessions, job claims, the throttle) stays on the primary [`Db`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Db, StorageError, with_pool};

/// Which database served a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPool {
    Primary,
    Replica,
}

impl ReadPool {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Replica => "replica",
        }
    }
}

/// A [`Db`] for lag-tolerant reads: the replica named by `database_read_url`, else the primary itself. Cheap to
/// clone; the clones share the count of reads handed out.
#[derive(Debug, Clone)]
pub struct ReadDb {
    db: Db,
    pool: ReadPool,
    served: Arc<AtomicU64>,
}

impl ReadDb {
    /// Reads go to the primary: no replica is configured.
    pub fn primary(db: Db) -> Self {
        Self {
            db,
            pool: ReadPool::Primary,
            served: Arc::default(),
        }
    }

    /// Opens the replica at `url`. PostgreSQL only: SQLite has no streaming replica, and a copy of its file
    /// would be a second database, not a replica.
    pub async fn connect_replica(url: &str) -> Result<Self, StorageError> {
        if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            return Err(StorageError::Database(sqlx::Error::Configuration(
                "the read database must be a PostgreSQL streaming replica (postgres:…)".into(),
            )));
        }
        Ok(Self {
            db: Db::connect(url).await?,
            pool: ReadPool::Replica,
            served: Arc::default(),
        })
    }

    /// The database for the lag-tolerant reads of one use case (a list, a statistic), counted as one read served
    /// by this pool.
    pub fn db(&self) -> &Db {
        // Relaxed: a monotonic counter for metrics orders nothing else.
        self.served.fetch_add(1, Ordering::Relaxed);
        &self.db
    }

    pub fn pool(&self) -> ReadPool {
        self.pool
    }

    /// How many use cases this pool has served reads since start.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Whether the database is a standby replaying the primary's WAL (`pg_is_in_recovery()`); a read database
    /// that is not one is a configuration mistake worth a warning, not a refusal.
    pub async fn is_standby(&self) -> Result<bool, StorageError> {
        let Db::Postgres(pool) = &self.db else {
            return Ok(false);
        };
        Ok(sqlx::query_scalar("SELECT pg_is_in_recovery()")
            .fetch_one(pool)
            .await?)
    }

    /// The replica answers; the primary's readiness is checked on its own.
    pub async fn readiness(&self) -> Result<(), String> {
        if self.pool == ReadPool::Primary {
            return Ok(());
        }
        with_pool!(&self.db, pool => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await)
            .map(|_| ())
            .map_err(|e| format!("read replica not reachable: {e}"))
    }

    /// Closes the replica's connections; the primary's are the primary's to close.
    pub async fn close(&self) {
        if self.pool == ReadPool::Replica {
            self.db.close().await
        }
    }
}
