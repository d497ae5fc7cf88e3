-- Full-text search, related articles. The indexed text is stemmed in Go
-- (folio.StemText), so the tsvector uses the 'simple' configuration, which
-- only lowercases: both engines stem alike, in any language Go stems.
-- Weights: A title, B tags, C question and summary, D body. Existing
-- articles are indexed by Open (sqlstore.IndexPending).

CREATE TABLE search_docs (
	article_id   BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	status       TEXT NOT NULL,
	published_at TIMESTAMPTZ,
	lang         TEXT NOT NULL DEFAULT '',
	doc          TSVECTOR NOT NULL
);
-- fastupdate off: with a pending list, every search scans all documents
-- written since the last vacuum, and the planner, seeing that cost, turns
-- to a sequential scan that detoasts every tsvector (10x slower searches).
CREATE INDEX search_docs_doc ON search_docs USING GIN (doc) WITH (fastupdate = off);
CREATE INDEX search_docs_public ON search_docs (status, published_at);

CREATE TABLE article_terms (
	article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	term       TEXT NOT NULL,
	weight     DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (article_id, term)
);
CREATE INDEX article_terms_term ON article_terms (term, article_id);

CREATE TABLE related_articles (
	article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	related_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	score      DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (article_id, related_id)
);
CREATE INDEX related_articles_related ON related_articles (related_id);

CREATE TABLE related_dirty (
	article_id BIGINT PRIMARY KEY,
	token      BIGINT NOT NULL
);
