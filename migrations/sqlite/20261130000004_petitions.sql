-- Petition (信访) records without personal data, their monthly rollups, regions and imports (SQLite).

-- Administrative divisions with the population that petition rates are computed against.
CREATE TABLE regions (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    population INTEGER NOT NULL CHECK (population >= 0),
    households INTEGER NOT NULL CHECK (households >= 0),
    updated_at TEXT    NOT NULL
);

-- One row per import attempt; a rejected file leaves only this row behind.
CREATE TABLE petition_imports (
    -- Commit order of imports: the petition-data snapshot an assessment records.
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          BLOB    NOT NULL UNIQUE,
    file_name   TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('imported', 'rejected')),
    actor       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    report      TEXT    NOT NULL,
    rejects_csv TEXT
);

CREATE TABLE petitions (
    source_id    TEXT    PRIMARY KEY,
    received_on  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    region_code  TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    subcategory  TEXT,
    headcount    INTEGER NOT NULL CHECK (headcount >= 1),
    collective   BOOLEAN NOT NULL,
    repeated     BOOLEAN NOT NULL,
    escalated    BOOLEAN NOT NULL,
    status       TEXT    NOT NULL,
    due_on       TEXT,
    concluded_on TEXT,
    satisfaction TEXT    NOT NULL,
    overdue      BOOLEAN NOT NULL,
    decision_id  BLOB,
    import_seq   INTEGER NOT NULL REFERENCES petition_imports (seq)
);

-- Per region prefix (6, 9 and 12 digits) × category × month (yyyymm): any region query is a key lookup.
CREATE TABLE petition_rollups (
    region_prefix        TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    month                INTEGER NOT NULL,
    petitions            INTEGER NOT NULL,
    collective           INTEGER NOT NULL,
    headcount            INTEGER NOT NULL,
    collective_headcount INTEGER NOT NULL,
    repeated             INTEGER NOT NULL,
    escalated            INTEGER NOT NULL,
    overdue              INTEGER NOT NULL,
    dissatisfied         INTEGER NOT NULL,
    PRIMARY KEY (region_prefix, category, month)
);
