-- Scenarios, the mitigation checklist, the committee's resolutions and follow-up alerts (PostgreSQL).

-- An alternative of one decision. Every decision has exactly one baseline scenario.
CREATE TABLE scenarios (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          UUID    PRIMARY KEY,
    decision_id UUID    NOT NULL REFERENCES decisions (id),
    baseline    BOOLEAN NOT NULL DEFAULT FALSE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    overrides   JSONB   NOT NULL,  -- JSON object: attribute → value
    ratings     JSONB,             -- JSON object: expert → factor → rating; NULL = the decision's ratings
    measures    JSONB   NOT NULL,  -- JSON array of measure ids
    version     BIGINT  NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX scenarios_decision ON scenarios (decision_id, seq);
CREATE UNIQUE INDEX scenarios_one_baseline ON scenarios (decision_id) WHERE baseline;

-- The decisions registered before scenarios existed get their baseline now.
INSERT INTO scenarios (id, decision_id, baseline, name, description, overrides, ratings, measures,
                       version, created_at, updated_at)
SELECT gen_random_uuid(), id, TRUE, '基准方案', '', '{}'::jsonb, NULL, '[]'::jsonb, 1, created_at, created_at
FROM decisions;

-- Which scenario an assessment was made of (NULL for assessments made before scenarios existed).
ALTER TABLE assessments ADD COLUMN scenario_id UUID;

CREATE TABLE checklist_items (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id            UUID    PRIMARY KEY,
    decision_id   UUID    NOT NULL REFERENCES decisions (id),
    measure_id    TEXT    NOT NULL,
    factors       JSONB   NOT NULL,  -- JSON array of factor ids the measure addresses
    owner_unit    TEXT,
    lead_person   TEXT,
    due_date      DATE,
    status        TEXT    NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'verified')),
    evidence_note TEXT    NOT NULL,
    version       BIGINT  NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (decision_id, measure_id)
);

CREATE TABLE resolutions (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              UUID    PRIMARY KEY,
    decision_id     UUID    NOT NULL REFERENCES decisions (id),
    outcome         TEXT    NOT NULL,
    conditions      TEXT    NOT NULL,
    assessment_id   UUID    NOT NULL REFERENCES assessments (id),
    assessment_hash TEXT    NOT NULL,
    gate_outcome    TEXT    NOT NULL,
    residual_level  TEXT    NOT NULL,
    override_reason TEXT,
    -- The petition categories follow-up watches (the model's petition factors'); empty = all.
    watched_categories JSONB NOT NULL DEFAULT '[]',
    author          TEXT    NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    -- Set when a later material change (attributes, regions, ratings, a petition spike) reopens review.
    needs_review    BOOLEAN NOT NULL DEFAULT FALSE,
    review_reasons  JSONB   NOT NULL DEFAULT '[]'  -- JSON array of strings
);
CREATE INDEX resolutions_decision ON resolutions (decision_id, seq);

-- A month after the resolution whose petition count in the decision's regions spiked.
CREATE TABLE alerts (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id             UUID    PRIMARY KEY,
    decision_id    UUID    NOT NULL REFERENCES decisions (id),
    resolution_id  UUID    NOT NULL REFERENCES resolutions (id),
    region         TEXT    NOT NULL,
    month          BIGINT  NOT NULL,  -- yyyymm
    count          BIGINT  NOT NULL,
    baseline_mean  DOUBLE PRECISION    NOT NULL,
    baseline_sd    DOUBLE PRECISION    NOT NULL,
    z              DOUBLE PRECISION    NOT NULL,
    categories     JSONB   NOT NULL,  -- JSON array; empty = all categories
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (resolution_id, region, month)
);
CREATE INDEX alerts_decision ON alerts (decision_id, seq);
