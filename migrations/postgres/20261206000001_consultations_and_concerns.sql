-- How a decision's opinions were heard, and the concern ledger (民情台账) (PostgreSQL).

CREATE TABLE consultations (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          UUID    PRIMARY KEY,
    decision_id UUID    NOT NULL REFERENCES decisions (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('public_notice', 'questionnaire', 'forum', 'visit', 'hearing')),
    fields      JSONB   NOT NULL,  -- the record as given, tagged by kind
    version     BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    deleted_at  TIMESTAMPTZ
);
CREATE INDEX consultations_decision ON consultations (decision_id, seq);

CREATE TABLE concerns (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              UUID    PRIMARY KEY,
    number          TEXT    NOT NULL UNIQUE,  -- the ledger's own number; imports are idempotent on it
    channel         TEXT    NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    region_code     TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    -- The resident's name and phone: XChaCha20-Poly1305 under the server's resident key; NULL = anonymous.
    resident_sealed BYTEA,
    state           TEXT    NOT NULL CHECK (state IN ('registered', 'assigned', 'accepted', 'answered',
                                                      'called_back', 'closed', 'sent_back', 'reopened')),
    office          TEXT,
    handler         TEXT,
    due_on          DATE,
    answer          TEXT,
    answered_at     TIMESTAMPTZ,
    adopted_measure TEXT,
    satisfaction    TEXT,
    closed_at       TIMESTAMPTZ,
    reopen_count    BIGINT  NOT NULL DEFAULT 0,
    last_reason     TEXT,
    version         BIGINT  NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX concerns_region ON concerns (region_code, received_at);
CREATE INDEX concerns_office ON concerns (office, state);

-- Which decisions a concern is about.
CREATE TABLE concern_decisions (
    concern_id  UUID NOT NULL REFERENCES concerns (id),
    decision_id UUID NOT NULL REFERENCES decisions (id),
    PRIMARY KEY (concern_id, decision_id)
);
CREATE INDEX concern_decisions_decision ON concern_decisions (decision_id);
