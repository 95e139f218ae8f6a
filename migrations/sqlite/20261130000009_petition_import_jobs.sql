-- Uploads too large to import within the request: queued, then imported in the background one at a time.
-- The import's own row (petition_imports, same id) holds the report once the job has run.
CREATE TABLE petition_import_jobs (
    id         BLOB NOT NULL PRIMARY KEY,
    file_name  TEXT NOT NULL,
    actor      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    created_at TEXT NOT NULL,
    -- Touched as the job makes progress: a queued or running job that stops being touched has died.
    updated_at TEXT NOT NULL,
    error      TEXT
);
