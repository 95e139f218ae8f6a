-- Expert ratings, model snapshots and immutable assessments (SQLite).

-- One row per expert × factor of a decision; an expert's sheet is replaced as a whole.
CREATE TABLE decision_ratings (
    decision_id BLOB    NOT NULL REFERENCES decisions (id),
    expert      TEXT    NOT NULL,
    factor_id   TEXT    NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 1 AND 5),
    impact      INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    low         INTEGER CHECK (low BETWEEN 1 AND 5),
    high        INTEGER CHECK (high BETWEEN 1 AND 5),
    note        TEXT,
    recorded_by TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (decision_id, expert, factor_id),
    CHECK (low IS NULL OR high IS NULL OR low <= high)
);

-- Content-addressed: a model's serialised form, stored once per hash and never changed.
CREATE TABLE model_snapshots (
    hash      TEXT PRIMARY KEY,
    model_id  TEXT NOT NULL,
    version   TEXT NOT NULL,
    snapshot  TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE assessments (
    -- Creation order; the keyset of the newest-first list.
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             BLOB    NOT NULL UNIQUE,
    decision_id    BLOB    NOT NULL REFERENCES decisions (id),
    model_id       TEXT    NOT NULL,
    model_hash     TEXT    NOT NULL REFERENCES model_snapshots (hash),
    -- The exact JSON text hashed into content_hash, so replay reads back what was hashed.
    inputs         TEXT    NOT NULL,
    result         TEXT    NOT NULL,
    content_hash   TEXT    NOT NULL,
    author         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    initial_r      REAL    NOT NULL,
    initial_level  TEXT    NOT NULL,
    residual_r     REAL    NOT NULL,
    residual_level TEXT    NOT NULL,
    measures       TEXT    NOT NULL  -- JSON array of measure ids
);
CREATE INDEX assessments_decision ON assessments (decision_id, seq);

-- Assessments and the snapshots they were computed with are immutable.
CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
BEGIN
    SELECT RAISE(ABORT, 'assessments are immutable');
END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
BEGIN
    SELECT RAISE(ABORT, 'assessments are immutable');
END;
CREATE TRIGGER model_snapshots_no_update BEFORE UPDATE ON model_snapshots
BEGIN
    SELECT RAISE(ABORT, 'model snapshots are immutable');
END;
CREATE TRIGGER model_snapshots_no_delete BEFORE DELETE ON model_snapshots
BEGIN
    SELECT RAISE(ABORT, 'model snapshots are immutable');
END;
