-- The browser admin: user activation, sessions, login throttling, invites,
-- pages and the site menu. Times are fixed-width UTC TEXT as in 0001.

ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));

CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	hash       TEXT NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- One row per throttled key ("account:<email>", "address:<ip>"): the
-- failures counted since window_start.
CREATE TABLE login_failures (
	key          TEXT PRIMARY KEY,
	count        INTEGER NOT NULL,
	window_start TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_window ON login_failures (window_start);

CREATE TABLE invites (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	hash       TEXT NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX invites_user ON invites (user_id);

CREATE TABLE pages (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	title      TEXT NOT NULL,
	slug       TEXT NOT NULL UNIQUE,
	body       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE menu_items (
	position INTEGER PRIMARY KEY,
	label    TEXT NOT NULL,
	url      TEXT NOT NULL
) STRICT;
