-- Expert ratings, model snapshots and immutable assessments (PostgreSQL).

-- One row per expert × factor of a decision; an expert's sheet is replaced as a whole.
CREATE TABLE decision_ratings (
    decision_id UUID     NOT NULL REFERENCES decisions (id),
    expert      TEXT COLLATE "C" NOT NULL,
    factor_id   TEXT COLLATE "C" NOT NULL,
    probability SMALLINT NOT NULL CHECK (probability BETWEEN 1 AND 5),
    impact      SMALLINT NOT NULL CHECK (impact BETWEEN 1 AND 5),
    low         SMALLINT CHECK (low BETWEEN 1 AND 5),
    high        SMALLINT CHECK (high BETWEEN 1 AND 5),
    note        TEXT,
    recorded_by TEXT     NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (decision_id, expert, factor_id),
    CHECK (low IS NULL OR high IS NULL OR low <= high)
);

-- Content-addressed: a model's serialised form, stored once per hash and never changed.
CREATE TABLE model_snapshots (
    hash      TEXT PRIMARY KEY,
    model_id  TEXT NOT NULL,
    version   TEXT NOT NULL,
    snapshot  TEXT NOT NULL,
    stored_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE assessments (
    -- Creation order; the keyset of the newest-first list.
    seq            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id             UUID PRIMARY KEY,
    decision_id    UUID NOT NULL REFERENCES decisions (id),
    model_id       TEXT NOT NULL,
    model_hash     TEXT NOT NULL REFERENCES model_snapshots (hash),
    -- TEXT, not JSONB: the exact JSON that was hashed into content_hash, byte for byte.
    inputs         TEXT NOT NULL,
    result         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    author         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    initial_r      DOUBLE PRECISION NOT NULL,
    initial_level  TEXT NOT NULL,
    residual_r     DOUBLE PRECISION NOT NULL,
    residual_level TEXT NOT NULL,
    measures       JSONB NOT NULL
);
CREATE INDEX assessments_decision ON assessments (decision_id, seq);

-- Assessments and the snapshots they were computed with are immutable.
CREATE FUNCTION assessments_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is immutable', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER assessments_no_update BEFORE UPDATE OR DELETE ON assessments
    FOR EACH ROW EXECUTE FUNCTION assessments_immutable();
CREATE TRIGGER assessments_no_truncate BEFORE TRUNCATE ON assessments
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_immutable();
CREATE TRIGGER model_snapshots_no_update BEFORE UPDATE OR DELETE ON model_snapshots
    FOR EACH ROW EXECUTE FUNCTION assessments_immutable();
CREATE TRIGGER model_snapshots_no_truncate BEFORE TRUNCATE ON model_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_immutable();
