-- Ranking's small vector (title, tag, question and summary lexemes, see
-- 0008) moves into search_docs as rank_doc. In a table of its own, each
-- candidate cost an index probe (5-9 µs, the larger part of a search
-- ranking 1,000 matches); in the row the bitmap heap scan already visits,
-- it costs nothing more. The table is copied rather than updated in place:
-- an UPDATE of every row would leave half the table dead and re-insert
-- every document into the GIN index. The GIN index is built once, after.
-- The lock keeps writers out meanwhile, so no write lands in the old table
-- after its rows were copied. Nodes of the previous version cannot write
-- or search once this has run: upgrade every node together.
LOCK TABLE search_docs, search_rank IN EXCLUSIVE MODE;
CREATE TABLE search_docs_new (
	article_id   BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	status       TEXT NOT NULL,
	published_at TIMESTAMPTZ,
	lang         TEXT NOT NULL DEFAULT '',
	rank_doc     TSVECTOR NOT NULL,
	doc          TSVECTOR NOT NULL
);
INSERT INTO search_docs_new (article_id, status, published_at, lang, rank_doc, doc)
	SELECT d.article_id, d.status, d.published_at, d.lang, COALESCE(r.doc, ts_filter(d.doc, '{a,b,c}')), d.doc
	FROM search_docs d LEFT JOIN search_rank r ON r.article_id = d.article_id
	ORDER BY d.article_id;
DROP TABLE search_rank;
DROP TABLE search_docs;
ALTER TABLE search_docs_new RENAME TO search_docs;
ALTER TABLE search_docs RENAME CONSTRAINT search_docs_new_pkey TO search_docs_pkey;
ALTER TABLE search_docs RENAME CONSTRAINT search_docs_new_article_id_fkey TO search_docs_article_id_fkey;
-- fastupdate on again (0004 had it off): a write of an article of 900
-- words inserted some 500 entries one by one, 8 ms of a 16 ms write at
-- 100,000 articles. They go to the pending list now, and the job every
-- article write queues merges it into the index in bulk, off the request
-- path (sqlstore.MergeSearchIndex), so searches, which read the whole
-- list, find it nearly empty. 0004 turned it off because the planner then
-- left the index for a scan; the search pool's settings forbid that now
-- (sqlstore.SetSearchPool).
CREATE INDEX search_docs_doc ON search_docs USING GIN (doc);
CREATE INDEX search_docs_public ON search_docs (status, published_at);
-- Statistics now: the search plans (and sqlstore.pgWindow's common words)
-- read them, and autovacuum may take a while to come to a new table.
ANALYZE search_docs;
