-- Petition records partitioned by month of receipt (DESIGN §9): a province holds hundreds of millions of them, and a
-- statistic over one year reads only that year's twelve partitions. Partitions are created by the service: the
-- coming months at start, a month of older history by the import that first brings it
-- (`storage::petition_import`). Rollups are unchanged.

ALTER TABLE petitions RENAME TO petitions_before_months;
ALTER TABLE petitions_before_months RENAME CONSTRAINT petitions_pkey TO petitions_before_months_pkey;

-- No foreign key to petition_imports: it would check every row of a COPY one at a time, and the import that
-- writes a record writes its import row in the same transaction.
CREATE TABLE petitions (
    source_id    TEXT    NOT NULL,
    received_on  DATE    NOT NULL,
    channel      TEXT    NOT NULL,
    region_code  TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    subcategory  TEXT,
    headcount    INTEGER NOT NULL CHECK (headcount >= 1),
    collective   BOOLEAN NOT NULL,
    repeated     BOOLEAN NOT NULL,
    escalated    BOOLEAN NOT NULL,
    status       TEXT    NOT NULL,
    due_on       DATE,
    concluded_on DATE,
    satisfaction TEXT    NOT NULL,
    overdue      BOOLEAN NOT NULL,
    decision_id  UUID,
    import_seq   BIGINT  NOT NULL,
    -- A partitioned table's keys must hold its partition key; a source id alone is kept unique below.
    PRIMARY KEY (source_id, received_on)
) PARTITION BY RANGE (received_on);

-- Every stored source id once, with the month its record lives in: finds a stored record without visiting every
-- partition, and keeps a source id unique across them.
CREATE TABLE petition_sources (
    source_id   TEXT PRIMARY KEY,
    received_on DATE NOT NULL
);

DO $$
DECLARE
    month DATE;
BEGIN
    FOR month IN SELECT DISTINCT date_trunc('month', received_on)::date FROM petitions_before_months LOOP
        EXECUTE format(
            'CREATE TABLE %I PARTITION OF petitions FOR VALUES FROM (%L) TO (%L)',
            'petitions_y' || to_char(month, 'YYYY') || 'm' || to_char(month, 'MM'),
            month,
            (month + INTERVAL '1 month')::date
        );
    END LOOP;
END
$$;

INSERT INTO petitions SELECT * FROM petitions_before_months;
INSERT INTO petition_sources SELECT source_id, received_on FROM petitions_before_months;
DROP TABLE petitions_before_months;
