-- Effects of background jobs that must happen once across retries and
-- nodes (a mail to one address about one comment): a job claims the key
-- before acting and releases it when the act fails.
CREATE TABLE job_effects (
	key        TEXT PRIMARY KEY,
	created_at TEXT NOT NULL
);
