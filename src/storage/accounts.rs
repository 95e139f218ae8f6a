//! User accounts: roles, region scopes, the disabled flag and argon2id password hashes.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::append_audit;
use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::account::{Role, Scope, User, UserChange};
use crate::domain::audit::AuditRecord;

const USER_COLUMNS: &str = "id, username, roles, scope, disabled_at, created_at";

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    roles: Json<BTreeSet<Role>>,
    scope: Json<Scope>,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id,
            username: row.username,
            roles: row.roles.0,
            scope: row.scope.0,
            disabled: row.disabled_at.is_some(),
            created_at: row.created_at,
        }
    }
}

fn user_audit(user: &User, action: &'static str, actor: &str) -> Result<AuditRecord, StorageError> {
    Ok(AuditRecord {
        entity: "user",
        entity_id: user.id,
        decision_id: None,
        action,
        actor: actor.to_owned(),
        before: None,
        after: Some(serde_json::to_value(user).map_err(|e| StorageError::Corrupt(e.to_string()))?),
    })
}

impl Db {
    pub async fn count_users(&self) -> Result<i64, StorageError> {
        Ok(with_pool!(self, pool =>
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)?)
    }

    pub async fn insert_user(
        &self,
        username: &str,
        password_hash: &str,
        roles: &BTreeSet<Role>,
        scope: &Scope,
        actor: &str,
    ) -> Result<User, StorageError> {
        if self.user_by_name(username).await?.is_some() {
            return Err(StorageError::Conflict(format!(
                "a user named {username} exists already"
            )));
        }
        let at = now();
        let user = User {
            id: Uuid::new_v4(),
            username: username.to_owned(),
            roles: roles.clone(),
            scope: scope.clone(),
            disabled: false,
            created_at: at,
        };
        let record = user_audit(&user, "create", actor)?;
        const SQL: &str = "INSERT INTO users (id, username, password_hash, roles, scope, disabled_at, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, $6)";
        in_write_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(user.id)
                .bind(username)
                .bind(password_hash)
                .bind(Json(roles))
                .bind(Json(scope))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &record, at)?;
        });
        Ok(user)
    }

    pub async fn users(&self) -> Result<Vec<User>, StorageError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows: Vec<UserRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    pub async fn user(&self, id: Uuid) -> Result<User, StorageError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await)?;
        row.map(User::from)
            .ok_or_else(|| StorageError::NotFound(format!("no user with id {id}")))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StorageError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row: Option<UserRow> = with_pool!(self, pool =>
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(username).fetch_optional(pool).await)?;
        Ok(row.map(User::from))
    }

    /// The account and its password hash, for a login attempt.
    pub async fn login_candidate(
        &self,
        username: &str,
    ) -> Result<Option<(User, String)>, StorageError> {
        let Some(user) = self.user_by_name(username).await? else {
            return Ok(None);
        };
        let hash: String = with_pool!(self, pool =>
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user.id)
                .fetch_one(pool)
                .await)?;
        Ok(Some((user, hash)))
    }

    /// Changes roles, scope, the disabled flag or the password hash; each change is audited
    /// (never with the hash). Disabling also ends the user's sessions.
    pub async fn update_user(
        &self,
        current: &User,
        change: &UserChange,
        actor: &str,
    ) -> Result<User, StorageError> {
        let at = now();
        let updated = User {
            roles: change
                .roles
                .clone()
                .unwrap_or_else(|| current.roles.clone()),
            scope: change
                .scope
                .clone()
                .unwrap_or_else(|| current.scope.clone()),
            disabled: change.disabled.unwrap_or(current.disabled),
            ..current.clone()
        };
        let action = match (change.password_hash.is_some(), change.disabled) {
            (true, _) => "reset_password",
            (false, Some(true)) if !current.disabled => "disable",
            (false, Some(false)) if current.disabled => "enable",
            _ => "update",
        };
        let mut record = user_audit(&updated, action, actor)?;
        record.before = user_audit(current, action, actor)?.after;
        const SQL: &str = "UPDATE users SET roles = $1, scope = $2, \
             disabled_at = CASE WHEN $3 THEN COALESCE(disabled_at, $4) ELSE NULL END, \
             password_hash = COALESCE($5, password_hash), updated_at = $4 WHERE id = $6";
        in_write_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(Json(&updated.roles))
                .bind(Json(&updated.scope))
                .bind(updated.disabled)
                .bind(at)
                .bind(change.password_hash.as_deref())
                .bind(current.id)
                .execute(&mut *tx)
                .await?;
            if updated.disabled || change.password_hash.is_some() {
                sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(at)
                    .bind(current.id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, &record, at)?;
        });
        Ok(updated)
    }
}
