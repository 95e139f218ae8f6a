//! Credentials: browser sessions and API tokens, stored only as SHA-256 digests of their
//! secrets. Looking one up yields the [`Principal`] acting with it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use super::audit::append_audit;
use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::account::{ApiToken, Role, Scope, User};
use crate::domain::audit::AuditRecord;
use crate::domain::principal::{Credential, Principal};

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    prefix: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(row: TokenRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked: row.revoked_at.is_some(),
        }
    }
}

/// The user behind a presented secret, with what the check needs.
#[derive(sqlx::FromRow)]
struct CredentialRow {
    credential_id: Uuid,
    user_id: Uuid,
    username: String,
    roles: Json<BTreeSet<Role>>,
    scope: Json<Scope>,
    csrf_token: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

/// A session that is valid now, with when it was last used.
pub struct SessionLookup {
    pub principal: Principal,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Db {
    pub async fn insert_session(
        &self,
        user: &User,
        token_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        client: &str,
    ) -> Result<Uuid, StorageError> {
        let at = now();
        let id = Uuid::new_v4();
        let record = AuditRecord {
            entity: "user",
            entity_id: user.id,
            decision_id: None,
            action: "login",
            actor: user.username.clone(),
            before: None,
            after: Some(serde_json::json!({ "session": id, "client": client })),
        };
        const SQL: &str = "INSERT INTO sessions (id, user_id, token_hash, csrf_token, created_at, \
             last_seen_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $5, $6, NULL)";
        in_write_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(id)
                .bind(user.id)
                .bind(token_hash)
                .bind(csrf_token)
                .bind(at)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &record, at)?;
        });
        Ok(id)
    }

    /// The live session with this digest: not revoked, not past its absolute expiry, its user
    /// not disabled. The idle limit is the caller's to apply.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionLookup>, StorageError> {
        const SQL: &str = "SELECT s.id AS credential_id, u.id AS user_id, u.username, u.roles, \
             u.scope, s.csrf_token, s.last_seen_at, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.disabled_at IS NULL \
             AND s.expires_at > $2";
        let row: Option<CredentialRow> = with_pool!(self, pool =>
            sqlx::query_as(SQL).bind(token_hash).bind(now()).fetch_optional(pool).await)?;
        Ok(row.map(|r| SessionLookup {
            last_seen_at: r.last_seen_at.unwrap_or_else(now),
            expires_at: r.expires_at.unwrap_or_else(now),
            principal: Principal {
                user_id: r.user_id,
                username: r.username,
                roles: r.roles.0,
                scope: r.scope.0,
                credential: Credential::Session {
                    session_id: r.credential_id,
                    csrf_token: r.csrf_token.unwrap_or_default(),
                },
            },
        }))
    }

    pub async fn touch_session(&self, session_id: Uuid) -> Result<(), StorageError> {
        with_pool!(self, pool => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now())
            .bind(session_id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn end_session(
        &self,
        session_id: Uuid,
        principal: &Principal,
        reason: &'static str,
    ) -> Result<(), StorageError> {
        let at = now();
        let record = AuditRecord {
            entity: "user",
            entity_id: principal.user_id,
            decision_id: None,
            action: reason,
            actor: principal.username.clone(),
            before: None,
            after: Some(serde_json::json!({ "session": session_id })),
        };
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &record, at)?;
        });
        Ok(())
    }

    pub async fn insert_token(
        &self,
        user: &User,
        name: &str,
        token_hash: &str,
        prefix: &str,
        expires_at: Option<DateTime<Utc>>,
        actor: &str,
    ) -> Result<ApiToken, StorageError> {
        let at = now();
        let token = ApiToken {
            id: Uuid::new_v4(),
            user_id: user.id,
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            created_at: at,
            expires_at,
            revoked: false,
        };
        let record = AuditRecord {
            entity: "api_token",
            entity_id: token.id,
            decision_id: None,
            action: "create",
            actor: actor.to_owned(),
            before: None,
            after: Some(
                serde_json::to_value(&token).map_err(|e| StorageError::Corrupt(e.to_string()))?,
            ),
        };
        const SQL: &str = "INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, created_at, \
             expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)";
        in_write_tx!(self, tx => {
            sqlx::query(SQL)
                .bind(token.id)
                .bind(user.id)
                .bind(name)
                .bind(prefix)
                .bind(token_hash)
                .bind(at)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &record, at)?;
        });
        Ok(token)
    }

    /// The principal of a live API token: not revoked, not expired, its user not disabled.
    pub async fn token_principal(
        &self,
        token_hash: &str,
    ) -> Result<Option<Principal>, StorageError> {
        const SQL: &str = "SELECT t.id AS credential_id, u.id AS user_id, u.username, u.roles, \
             u.scope, NULL AS csrf_token, NULL AS last_seen_at, t.expires_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL \
             AND (t.expires_at IS NULL OR t.expires_at > $2)";
        let row: Option<CredentialRow> = with_pool!(self, pool =>
            sqlx::query_as(SQL).bind(token_hash).bind(now()).fetch_optional(pool).await)?;
        Ok(row.map(|r| Principal {
            user_id: r.user_id,
            username: r.username,
            roles: r.roles.0,
            scope: r.scope.0,
            credential: Credential::Token {
                token_id: r.credential_id,
            },
        }))
    }

    pub async fn tokens_of(&self, user_id: Uuid) -> Result<Vec<ApiToken>, StorageError> {
        const SQL: &str = "SELECT id, user_id, name, prefix, created_at, expires_at, revoked_at \
             FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id";
        let rows: Vec<TokenRow> = with_pool!(self, pool =>
            sqlx::query_as(SQL).bind(user_id).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    pub async fn token(&self, id: Uuid) -> Result<ApiToken, StorageError> {
        const SQL: &str = "SELECT id, user_id, name, prefix, created_at, expires_at, revoked_at \
             FROM api_tokens WHERE id = $1";
        let row: Option<TokenRow> = with_pool!(self, pool =>
            sqlx::query_as(SQL).bind(id).fetch_optional(pool).await)?;
        row.map(ApiToken::from)
            .ok_or_else(|| StorageError::NotFound(format!("no API token with id {id}")))
    }

    pub async fn revoke_token(&self, token: &ApiToken, actor: &str) -> Result<(), StorageError> {
        if token.revoked {
            return Ok(());
        }
        let at = now();
        let record = AuditRecord {
            entity: "api_token",
            entity_id: token.id,
            decision_id: None,
            action: "revoke",
            actor: actor.to_owned(),
            before: None,
            after: Some(serde_json::json!({ "user_id": token.user_id, "name": token.name })),
        };
        in_write_tx!(self, tx => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(token.id)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &record, at)?;
        });
        Ok(())
    }
}
