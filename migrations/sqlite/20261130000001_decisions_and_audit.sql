-- The decision register and the append-only audit log (SQLite).
CREATE TABLE decisions (
    -- Creation order; the keyset for sort=created.
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  BLOB    NOT NULL UNIQUE,
    title               TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    description         TEXT    NOT NULL,
    responsible_unit    TEXT    NOT NULL,
    regions             TEXT    NOT NULL,  -- JSON array, in the order given
    affected_households INTEGER NOT NULL CHECK (affected_households >= 0),
    affected_people     INTEGER NOT NULL CHECK (affected_people >= 0),
    affected_workers    INTEGER NOT NULL CHECK (affected_workers >= 0),
    budget_yuan         REAL,
    planned_start       TEXT,
    attributes          TEXT    NOT NULL,  -- JSON object
    status              TEXT    NOT NULL,
    version             INTEGER NOT NULL,
    archived_at         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE INDEX decisions_title ON decisions (title, seq);
CREATE INDEX decisions_kind_status ON decisions (kind, status);

-- One row per affected region, so a region-prefix filter is an index range scan.
CREATE TABLE decision_regions (
    decision_id BLOB    NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT    NOT NULL,
    PRIMARY KEY (decision_id, position)
);
CREATE INDEX decision_regions_code ON decision_regions (code, decision_id);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

-- Append-only for everyone: the database itself refuses edits and deletions.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
