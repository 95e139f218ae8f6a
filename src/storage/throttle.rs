//! Failed sign-ins counted per key within a window, shared by every instance on the database. The keys,
//! limits and window length are the caller's: here they are plain strings and instants.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, with_pool};
use crate::domain::account::ThrottleWindow;

#[derive(sqlx::FromRow)]
struct WindowRow {
    key: String,
    window_started: DateTime<Utc>,
    failures: i32,
}

impl From<WindowRow> for ThrottleWindow {
    fn from(r: WindowRow) -> Self {
        Self {
            key: r.key,
            started: r.window_started,
            failures: r.failures,
        }
    }
}

impl Db {
    /// The windows stored for these keys (none for a key never counted or pruned).
    pub async fn throttle_windows(
        &self,
        keys: &[&str],
    ) -> Result<Vec<ThrottleWindow>, StorageError> {
        let mut windows = Vec::with_capacity(keys.len());
        for key in keys {
            let window: Option<WindowRow> = with_pool!(self, pool => sqlx::query_as(
                "SELECT key, window_started, failures FROM login_throttle WHERE key = $1",
            )
            .bind(*key)
            .fetch_optional(pool)
            .await)?;
            windows.extend(window.map(ThrottleWindow::from));
        }
        Ok(windows)
    }

    /// Counts one failure against `key` in one statement, so concurrent failures all count: a window that
    /// started at or before `over_if_started_by` is over, and a new one starts at `at` with this failure.
    pub async fn count_throttle_failure(
        &self,
        key: &str,
        at: DateTime<Utc>,
        over_if_started_by: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO login_throttle (key, window_started, failures) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN login_throttle.window_started <= $3 THEN 1 \
                        ELSE login_throttle.failures + 1 END, \
             window_started = CASE WHEN login_throttle.window_started <= $3 THEN excluded.window_started \
                              ELSE login_throttle.window_started END",
        )
        .bind(key)
        .bind(at)
        .bind(over_if_started_by)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Forgets the failures counted against `key`.
    pub async fn clear_throttle_key(&self, key: &str) -> Result<(), StorageError> {
        with_pool!(self, pool => sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Drops the windows that started at or before `over_if_started_by`; returns how many.
    pub async fn prune_throttle_windows(
        &self,
        over_if_started_by: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        Ok(with_pool!(self, pool => sqlx::query(
            "DELETE FROM login_throttle WHERE window_started <= $1",
        )
        .bind(over_if_started_by)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }
}
