-- How a decision's opinions were heard, and the concern ledger (民情台账) (SQLite).

CREATE TABLE consultations (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB    NOT NULL UNIQUE,
    decision_id BLOB    NOT NULL REFERENCES decisions (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('public_notice', 'questionnaire', 'forum', 'visit', 'hearing')),
    fields      TEXT    NOT NULL,  -- JSON: the record as given, tagged by kind
    version     INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX consultations_decision ON consultations (decision_id, seq);

CREATE TABLE concerns (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              BLOB    NOT NULL UNIQUE,
    number          TEXT    NOT NULL UNIQUE,  -- the ledger's own number; imports are idempotent on it
    channel         TEXT    NOT NULL,
    received_at     TEXT    NOT NULL,
    region_code     TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    -- The resident's name and phone: XChaCha20-Poly1305 under the server's resident key; NULL = anonymous.
    resident_sealed BLOB,
    state           TEXT    NOT NULL CHECK (state IN ('registered', 'assigned', 'accepted', 'answered',
                                                      'called_back', 'closed', 'sent_back', 'reopened')),
    office          TEXT,
    handler         TEXT,
    due_on          TEXT,
    answer          TEXT,
    answered_at     TEXT,
    adopted_measure TEXT,
    satisfaction    TEXT,
    closed_at       TEXT,
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    last_reason     TEXT,
    version         INTEGER NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX concerns_region ON concerns (region_code, received_at);
CREATE INDEX concerns_office ON concerns (office, state);

-- Which decisions a concern is about.
CREATE TABLE concern_decisions (
    concern_id  BLOB NOT NULL REFERENCES concerns (id),
    decision_id BLOB NOT NULL REFERENCES decisions (id),
    PRIMARY KEY (concern_id, decision_id)
);
CREATE INDEX concern_decisions_decision ON concern_decisions (decision_id);
