//! Background petition imports: a job row per large upload, from queued to succeeded or failed. The import
//! itself is stored as any other (petitions.rs) under the job's id.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Db, StorageError, now, with_pool};

/// A background import as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredImportJob {
    pub id: Uuid,
    pub file_name: String,
    pub actor: String,
    /// queued | running | succeeded | failed
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub error: Option<String>,
}

impl Db {
    pub async fn insert_import_job(
        &self,
        id: Uuid,
        file_name: &str,
        actor: &str,
    ) -> Result<(), StorageError> {
        let at = now();
        with_pool!(self, pool => sqlx::query(
            "INSERT INTO petition_import_jobs (id, file_name, actor, status, created_at, updated_at) \
             VALUES ($1, $2, $3, 'queued', $4, $4)",
        )
        .bind(id)
        .bind(file_name)
        .bind(actor)
        .bind(at)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Marks a waiting or running job alive.
    pub async fn touch_import_job(&self, id: Uuid) -> Result<(), StorageError> {
        with_pool!(self, pool => sqlx::query(
            "UPDATE petition_import_jobs SET updated_at = $1 WHERE id = $2 AND status IN ('queued', 'running')",
        )
        .bind(now())
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Moves a job on: running, succeeded, failed.
    pub async fn set_import_job_status(
        &self,
        id: Uuid,
        status: &str,
        error: Option<&str>,
    ) -> Result<(), StorageError> {
        with_pool!(self, pool => sqlx::query(
            "UPDATE petition_import_jobs SET status = $1, error = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(error)
        .bind(now())
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    pub async fn import_job(&self, id: Uuid) -> Result<Option<StoredImportJob>, StorageError> {
        Ok(with_pool!(self, pool => sqlx::query_as(
            "SELECT id, file_name, actor, status, created_at, updated_at, error \
             FROM petition_import_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?)
    }
}
