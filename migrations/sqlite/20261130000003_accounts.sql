-- Accounts, browser sessions and API tokens (SQLite). Secrets are stored only as digests.
CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,   -- argon2id, PHC string
    roles         TEXT NOT NULL,   -- JSON array
    scope         TEXT NOT NULL,   -- JSON array of division-code prefixes; empty = everywhere
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id           BLOB PRIMARY KEY,
    user_id      BLOB NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,  -- SHA-256 of the cookie value
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,         -- absolute expiry
    revoked_at   TEXT
);

CREATE TABLE api_tokens (
    id         BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,    -- SHA-256 of the token
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Audit entries about a decision (or its ratings, assessments …) carry its id, so a reader's
-- region scope can be applied to the log.
ALTER TABLE audit_log ADD COLUMN decision_id BLOB;
CREATE INDEX audit_log_decision ON audit_log (decision_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
