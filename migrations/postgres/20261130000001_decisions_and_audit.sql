-- The decision register and the append-only audit log (PostgreSQL).
CREATE TABLE decisions (
    -- Creation order; the keyset for sort=created.
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                  UUID PRIMARY KEY,
    -- Byte order, as on SQLite, so title pagination behaves the same on both backends.
    title               TEXT COLLATE "C" NOT NULL,
    kind                TEXT NOT NULL,
    description         TEXT NOT NULL,
    responsible_unit    TEXT NOT NULL,
    regions             JSONB NOT NULL,
    affected_households BIGINT NOT NULL CHECK (affected_households >= 0),
    affected_people     BIGINT NOT NULL CHECK (affected_people >= 0),
    affected_workers    BIGINT NOT NULL CHECK (affected_workers >= 0),
    budget_yuan         DOUBLE PRECISION,
    planned_start       DATE,
    attributes          JSONB NOT NULL,
    status              TEXT NOT NULL,
    version             BIGINT NOT NULL,
    archived_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX decisions_title ON decisions (title, seq);
CREATE INDEX decisions_kind_status ON decisions (kind, status);

CREATE TABLE decision_regions (
    decision_id UUID   NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    code        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (decision_id, position)
);
CREATE INDEX decision_regions_code ON decision_regions (code, decision_id);

CREATE TABLE audit_log (
    seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id UUID NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    before    JSONB,
    after     JSONB
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, seq);

-- Append-only for everyone: the database itself refuses edits and deletions.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
