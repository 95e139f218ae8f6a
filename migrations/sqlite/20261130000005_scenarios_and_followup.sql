-- Scenarios, the mitigation checklist, the committee's resolutions and follow-up alerts (SQLite).

-- An alternative of one decision. Every decision has exactly one baseline scenario.
CREATE TABLE scenarios (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB    NOT NULL UNIQUE,
    decision_id BLOB    NOT NULL REFERENCES decisions (id),
    baseline    INTEGER NOT NULL DEFAULT 0,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    overrides   TEXT    NOT NULL,  -- JSON object: attribute → value
    ratings     TEXT,              -- JSON object: expert → factor → rating; NULL = the decision's ratings
    measures    TEXT    NOT NULL,  -- JSON array of measure ids
    version     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX scenarios_decision ON scenarios (decision_id, seq);
CREATE UNIQUE INDEX scenarios_one_baseline ON scenarios (decision_id) WHERE baseline = 1;

-- The decisions registered before scenarios existed get their baseline now.
INSERT INTO scenarios (id, decision_id, baseline, name, description, overrides, ratings, measures,
                       version, created_at, updated_at)
SELECT randomblob(16), id, 1, '基准方案', '', '{}', NULL, '[]', 1, created_at, created_at
FROM decisions;

-- Which scenario an assessment was made of (NULL for assessments made before scenarios existed).
ALTER TABLE assessments ADD COLUMN scenario_id BLOB;

CREATE TABLE checklist_items (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            BLOB    NOT NULL UNIQUE,
    decision_id   BLOB    NOT NULL REFERENCES decisions (id),
    measure_id    TEXT    NOT NULL,
    factors       TEXT    NOT NULL,  -- JSON array of factor ids the measure addresses
    owner_unit    TEXT,
    lead_person   TEXT,
    due_date      TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'verified')),
    evidence_note TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (decision_id, measure_id)
);

CREATE TABLE resolutions (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              BLOB    NOT NULL UNIQUE,
    decision_id     BLOB    NOT NULL REFERENCES decisions (id),
    outcome         TEXT    NOT NULL,
    conditions      TEXT    NOT NULL,
    assessment_id   BLOB    NOT NULL REFERENCES assessments (id),
    assessment_hash TEXT    NOT NULL,
    gate_outcome    TEXT    NOT NULL,
    residual_level  TEXT    NOT NULL,
    override_reason TEXT,
    -- The petition categories follow-up watches (the model's petition factors'); empty = all.
    watched_categories TEXT NOT NULL DEFAULT '[]',
    author          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    -- Set when a later material change (attributes, regions, ratings, a petition spike) reopens review.
    needs_review    INTEGER NOT NULL DEFAULT 0,
    review_reasons  TEXT    NOT NULL DEFAULT '[]'  -- JSON array of strings
);
CREATE INDEX resolutions_decision ON resolutions (decision_id, seq);

-- A month after the resolution whose petition count in the decision's regions spiked.
CREATE TABLE alerts (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             BLOB    NOT NULL UNIQUE,
    decision_id    BLOB    NOT NULL REFERENCES decisions (id),
    resolution_id  BLOB    NOT NULL REFERENCES resolutions (id),
    region         TEXT    NOT NULL,
    month          INTEGER NOT NULL,  -- yyyymm
    count          INTEGER NOT NULL,
    baseline_mean  REAL    NOT NULL,
    baseline_sd    REAL    NOT NULL,
    z              REAL    NOT NULL,
    categories     TEXT    NOT NULL,  -- JSON array; empty = all categories
    created_at     TEXT    NOT NULL,
    UNIQUE (resolution_id, region, month)
);
CREATE INDEX alerts_decision ON alerts (decision_id, seq);
