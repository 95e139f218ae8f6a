-- State that several instances on one database share: the sign-in throttle and the leases of background imports.

-- Failed sign-ins per key ('account:NAME' or 'client:ADDRESS') within the window that started at window_started.
CREATE TABLE login_throttle (
    key            TEXT    NOT NULL PRIMARY KEY,
    window_started TEXT    NOT NULL,
    failures       INTEGER NOT NULL
);
-- Pruning finds the windows that are over.
CREATE INDEX login_throttle_window_started ON login_throttle (window_started);

-- A job carries its upload and options, so any instance can run it; the instance holding the lease runs it and
-- renews the lease while it does. A running job whose lease expired lost its holder and may be claimed again.
ALTER TABLE petition_import_jobs ADD COLUMN upload BLOB;
ALTER TABLE petition_import_jobs ADD COLUMN options TEXT;
-- A new token per claim: only its holder may renew the lease or finish the job.
ALTER TABLE petition_import_jobs ADD COLUMN lease_token BLOB;
ALTER TABLE petition_import_jobs ADD COLUMN lease_expires_at TEXT;
-- The instance holding the lease (host:pid), for operators.
ALTER TABLE petition_import_jobs ADD COLUMN lease_holder TEXT;
-- Claims so far: a job whose holder died too often fails instead of looping.
ALTER TABLE petition_import_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX petition_import_jobs_open ON petition_import_jobs (created_at)
    WHERE status IN ('queued', 'running');

-- Jobs of the previous version kept their upload in the memory of a server that is gone.
UPDATE petition_import_jobs
SET status = 'failed',
    error = 'the import stopped when its server was upgraded: nothing of it was stored; upload the file again'
WHERE status IN ('queued', 'running');
