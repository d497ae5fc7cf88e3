-- Media: uploaded images and files. The row is the metadata; the bytes
-- live in the configured BlobStore under key (with SQLite, files under
-- <data>/media by default).
CREATE TABLE media (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	key          TEXT NOT NULL UNIQUE,
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	width        INTEGER NOT NULL DEFAULT 0,
	height       INTEGER NOT NULL DEFAULT 0,
	alt          TEXT NOT NULL DEFAULT '',
	uploaded_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX media_created ON media (created_at DESC, id DESC);
