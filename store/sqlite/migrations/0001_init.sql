-- Folio's schema on SQLite. Times are fixed-width UTC TEXT
-- ("2006-01-02T15:04:05.000000Z") so they sort and compare as text.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL,
	slug          TEXT NOT NULL UNIQUE,
	email         TEXT NOT NULL UNIQUE,
	bio           TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author')),
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         TEXT NOT NULL DEFAULT '',
	hash         TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	last_used_at TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE series (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	slug        TEXT NOT NULL UNIQUE,
	title       TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE articles (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	title            TEXT NOT NULL,
	slug             TEXT NOT NULL UNIQUE,
	question         TEXT NOT NULL DEFAULT '',
	body             TEXT NOT NULL DEFAULT '',
	summary          TEXT NOT NULL DEFAULT '',
	lang             TEXT NOT NULL DEFAULT '',
	interviewee_name TEXT NOT NULL DEFAULT '',
	interviewee_bio  TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL CHECK (status IN ('draft', 'published', 'scheduled', 'trashed')),
	published_at     TEXT,
	modified_at      TEXT,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL,
	series_id        INTEGER REFERENCES series (id) ON DELETE SET NULL,
	series_position  INTEGER NOT NULL DEFAULT 0
) STRICT;
-- Listings: newest first, the public ones filtered by status and time.
CREATE INDEX articles_newest ON articles (COALESCE(published_at, created_at) DESC, id DESC);
CREATE INDEX articles_status ON articles (status, published_at);
CREATE INDEX articles_series ON articles (series_id, series_position);

CREATE TABLE article_authors (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, user_id)
) STRICT;
CREATE INDEX article_authors_user ON article_authors (user_id, article_id);

CREATE TABLE tags (
	id   INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL,
	slug TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE article_tags (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	PRIMARY KEY (article_id, tag_id)
) STRICT;
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE revisions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	title      TEXT NOT NULL,
	question   TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL DEFAULT '',
	summary    TEXT NOT NULL DEFAULT '',
	editor_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX revisions_article ON revisions (article_id, created_at);

CREATE TABLE slug_redirects (
	old_slug   TEXT PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX slug_redirects_article ON slug_redirects (article_id);

CREATE TABLE tombstones (
	slug       TEXT PRIMARY KEY,
	deleted_at TEXT NOT NULL
) STRICT;

CREATE TABLE comments (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	parent_id  INTEGER REFERENCES comments (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL DEFAULT '',
	website    TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comments_article ON comments (article_id, status, created_at);
CREATE INDEX comments_status ON comments (status, created_at);
CREATE INDEX comments_parent ON comments (parent_id);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE site_state (
	id              INTEGER PRIMARY KEY CHECK (id = 1),
	content_version INTEGER NOT NULL
) STRICT;
INSERT INTO site_state (id, content_version) VALUES (1, 0);
