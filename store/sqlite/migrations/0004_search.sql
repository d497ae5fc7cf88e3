-- Full-text search, related articles. The indexed text is stemmed in Go
-- (folio.StemText), so FTS5 only splits words; its categories match
-- folio.Tokenize's idea of a word (letters, digits, combining marks).
-- Existing articles are indexed by Open (sqlstore.IndexPending), as
-- stemming needs Go.

-- What the visibility rule and the language filter need, apart from the
-- wide articles rows.
CREATE TABLE search_docs (
	article_id   INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	status       TEXT NOT NULL,
	published_at TEXT,
	lang         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX search_docs_public ON search_docs (status, published_at);

-- rowid is the article id. Contentless: the text lives in articles.
CREATE VIRTUAL TABLE search_fts USING fts5 (
	title, tags, question, summary, body,
	content = '', contentless_delete = 1,
	tokenize = "unicode61 remove_diacritics 0 categories 'L* N* M* Co'"
);

-- Each article's keyword vector, for related articles.
CREATE TABLE article_terms (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	term       TEXT NOT NULL,
	weight     REAL NOT NULL,
	PRIMARY KEY (article_id, term)
) STRICT, WITHOUT ROWID;
CREATE INDEX article_terms_term ON article_terms (term, article_id);

CREATE TABLE related_articles (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	related_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	score      REAL NOT NULL,
	PRIMARY KEY (article_id, related_id)
) STRICT;
CREATE INDEX related_articles_related ON related_articles (related_id);

-- Articles whose related lists need recomputing; no foreign key, as a
-- deleted article's neighbours are marked through it.
CREATE TABLE related_dirty (
	article_id INTEGER PRIMARY KEY,
	token      INTEGER NOT NULL
) STRICT;
