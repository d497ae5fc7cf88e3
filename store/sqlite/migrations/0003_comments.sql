-- Reader comments: threads, moderation, spam defence, reply subscriptions.
-- Times are fixed-width UTC TEXT as in 0001.

-- root_id is the thread's top-level comment (itself at the top) and depth
-- its nesting, both fixed at insert, so a page of threads is two indexed
-- reads. user_id marks replies written by the site's users.
ALTER TABLE comments ADD COLUMN root_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE comments ADD COLUMN spam_score REAL NOT NULL DEFAULT 0;
-- HMAC of the poster's address under the site secret, cleared after 30 days.
ALTER TABLE comments ADD COLUMN addr_hash TEXT NOT NULL DEFAULT '';
UPDATE comments SET root_id = id WHERE parent_id IS NULL;
UPDATE comments SET root_id = parent_id, depth = 1 WHERE parent_id IS NOT NULL;
CREATE INDEX comments_thread ON comments (article_id, status, root_id, created_at);
CREATE INDEX comments_email ON comments (email, status);
CREATE INDEX comments_addr ON comments (created_at) WHERE addr_hash <> '';

ALTER TABLE articles ADD COLUMN comments_closed INTEGER NOT NULL DEFAULT 0 CHECK (comments_closed IN (0, 1));

-- General event counters (comment posts per address), shared by all nodes.
CREATE TABLE rate_counters (
	key          TEXT PRIMARY KEY,
	count        INTEGER NOT NULL,
	window_start TEXT NOT NULL
) STRICT;
CREATE INDEX rate_counters_window ON rate_counters (window_start);

CREATE TABLE comment_subscriptions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	email      TEXT NOT NULL,
	token      TEXT NOT NULL UNIQUE,
	confirmed  INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comment_subscriptions_article ON comment_subscriptions (article_id, email);
CREATE INDEX comment_subscriptions_email ON comment_subscriptions (email);

-- The naive Bayes classifier's word counts; the row ' docs' (no token has
-- a space) counts the documents trained.
CREATE TABLE spam_tokens (
	token TEXT PRIMARY KEY,
	spam  INTEGER NOT NULL DEFAULT 0,
	ham   INTEGER NOT NULL DEFAULT 0
) STRICT;
