-- Ranking reads a small vector per article: the title, tag, question and
-- summary lexemes (weights A, B, C) of search_docs.doc, ts_filter'ed. The
-- whole doc of a long article is TOASTed and compressed (10 KB at 900
-- words), and reading it back was nine tenths of a search's time: 11 ms
-- to rank a word found in 300 articles, 35 ms for the 1,000 that
-- folio.SearchRankCap allows. This one stays in the row (130 bytes on
-- average). Body-only matches rank 0 and so come newest first.
-- sqlstore.indexArticle writes it with search_docs; the backfill reads
-- every doc once (seconds at 100,000 articles, no GIN work).
CREATE TABLE search_rank (
	article_id BIGINT PRIMARY KEY REFERENCES search_docs (article_id) ON DELETE CASCADE,
	doc        TSVECTOR NOT NULL
);
INSERT INTO search_rank (article_id, doc) SELECT article_id, ts_filter(doc, '{a,b,c}') FROM search_docs;
