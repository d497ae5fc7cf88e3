package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"folio"
)

// Full-text search: every article write re-indexes the article in the same
// transaction (indexArticle), with text stemmed in Go (folio.StemText) so
// both engines find the same words. SQLite keeps the stems in an FTS5 table
// ranked by bm25; PostgreSQL in a weighted tsvector (config 'simple', as
// the stemming is done) ranked by ts_rank_cd. search_docs holds what the
// visibility rule needs (status, published_at) and the language, so the
// query never touches the wide articles rows. Everything is indexed; only
// public articles are found, decided at query time as in publicCond,
// because scheduled articles become public by time alone.

// bm25 weights of the FTS5 columns: title, tags, question, summary, body.
const fts5Rank = `bm25(search_fts, 10.0, 5.0, 2.0, 2.0, 1.0)`

// ts_rank_cd weights for D (body), C (question, summary), B (tags), A
// (title), over search_docs.rank_doc, which holds A to C only: the body
// decides what matches, not the order (0008_search_rank.sql,
// 0011_search_rank_inline.sql). Where rank_doc does not match, ts_rank_cd
// is 0 anyway; testing that first costs half as much.
const tsRank = `CASE WHEN m.rank_doc @@ q.q THEN ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', m.rank_doc, q.q, 1) ELSE 0 END`

// searchPublicCond is publicCond over search_docs d.
func searchPublicCond(param int) string {
	return searchPublicCondOn(fmt.Sprintf("$%d", param))
}

// searchDB is what searches read through: on SQLite the reader's cached
// statements; on PostgreSQL the search pool (SetSearchPool), whose
// connections carry the planner settings searches need.
func (s *Store) searchDB() querier {
	if s.dialect.FTS5 || s.search == nil {
		return cachedReader{s}
	}
	return s.search
}

// SetSearchPool makes PostgreSQL searches run on db, whose connections
// should be read-only and set (at connect time, so a search costs no
// statement to set them) enable_seqscan and enable_indexscan off,
// max_parallel_workers_per_gather 0 and jit off. The planner does not
// count the cost of reading each TOASTed tsvector, so for a common word it
// chose to test every document in a (parallel) sequential scan, or the
// newest ones walking the primary key, instead of using the GIN index: one
// second at 100,000 articles instead of a few milliseconds. With only
// bitmap scans left, every plan, generic ones included, reads the GIN
// index (ANDed with the primary key for pgWindow). Parallel workers and
// JIT compilation only add latency to a query this short.
func (s *Store) SetSearchPool(db *sql.DB) { s.search = db }

// pgWindow returns how many of the newest ids should hold SearchRankCap+1
// matches of q, for a PostgreSQL search to look there first, or 0 to read
// every match. Only a query without filters whose words are in at least
// pgCommonShare of the articles (the most common elements of
// search_docs.doc that ANALYZE keeps) gets one.
func (s *Store) pgWindow(ctx context.Context, q *folio.SearchQuery, conds int) int64 {
	if conds > 2 || s.search == nil {
		// Without the search pool's settings the branches could run
		// in parallel, out of order.
		return 0
	}
	freqs := s.pgLexemeFreqs(ctx)
	share := 1.0
	for _, t := range q.Terms {
		f := 1.0 // a phrase is at most as common as its rarest word
		for _, w := range t {
			f = min(f, freqs[w])
		}
		share *= f
	}
	if share < pgCommonShare {
		return 0
	}
	return int64(float64(folio.SearchRankCap+1) / share)
}

// pgCommonShare is the share of articles from which a query counts as common.
const pgCommonShare = 0.1

// lexemeFreqs caches, per Store, the shares of PostgreSQL's most common
// lexemes for five minutes.
type lexemeFreqs struct {
	mu      sync.Mutex
	freq    map[string]float64
	fetched time.Time
}

// pgLexemeFreqs reads the shares of PostgreSQL's most common lexemes.
func (s *Store) pgLexemeFreqs(ctx context.Context) map[string]float64 {
	lf := &s.lexemes
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if lf.freq != nil && time.Since(lf.fetched) < 5*time.Minute {
		return lf.freq
	}
	lf.freq, lf.fetched = map[string]float64{}, time.Now()
	err := eachRow(ctx, s.reader, `SELECT x.e, x.f FROM pg_stats st,
		unnest(CAST(CAST(st.most_common_elems AS TEXT) AS TEXT[]), st.most_common_elem_freqs) AS x(e, f)
		WHERE st.schemaname = current_schema() AND st.tablename = 'search_docs' AND st.attname = 'doc'
		AND x.e IS NOT NULL AND x.f IS NOT NULL`, nil, func(rows *sql.Rows) error {
		var e string
		var f float64
		if err := rows.Scan(&e, &f); err != nil {
			return err
		}
		lf.freq[e] = f
		return nil
	})
	if err != nil {
		lf.freq = map[string]float64{} // every query reads all its matches
	}
	return lf.freq
}

// hiddenDocs selects the search_docs not public at now, the negation of
// searchPublicCond written as ranges of the index search_docs_public.
func hiddenDocs(now string) string {
	return `SELECT article_id FROM search_docs WHERE status < 'published' OR status > 'scheduled'
		OR (status > 'published' AND status < 'scheduled')
		UNION ALL SELECT article_id FROM search_docs WHERE status IN ('published', 'scheduled')
		AND (published_at IS NULL OR published_at > ` + now + `)`
}

// searchPublicCondOn is searchPublicCond with the time's SQL given.
func searchPublicCondOn(now string) string {
	return `d.status IN ('published', 'scheduled') AND d.published_at IS NOT NULL AND d.published_at <= ` + now
}

// indexArticle (re)writes article id's search entries, term vector and
// related-list mark inside tx. Every article write calls it before commit.
func (s *Store) indexArticle(ctx context.Context, tx *sql.Tx, id int64) error {
	a, err := scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = $1`, id))
	if err != nil {
		return fmt.Errorf("index article %d: %w", id, err)
	}
	err = eachRow(ctx, tx, `SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.article_id = $1 ORDER BY at.position`, []any{id}, func(rows *sql.Rows) error {
		var t folio.Tag
		if err := rows.Scan(&t.Name); err != nil {
			return err
		}
		a.Tags = append(a.Tags, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("index article %d: tags: %w", id, err)
	}
	doc := folio.NewSearchDoc(a)
	published := s.bindNullTime(a.PublishedAt)
	if s.dialect.FTS5 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (article_id, status, published_at, lang) VALUES ($1, $2, $3, $4)
			ON CONFLICT (article_id) DO UPDATE SET status = excluded.status, published_at = excluded.published_at, lang = excluded.lang`,
			id, string(a.Status), published, a.Lang); err != nil {
			return fmt.Errorf("index article %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = $1`, id); err != nil {
			return fmt.Errorf("index article %d: drop old entry: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts (rowid, title, tags, question, summary, body)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, doc.Title, doc.Tags, doc.Question, doc.Summary, doc.Body); err != nil {
			return fmt.Errorf("index article %d: %w", id, err)
		}
	} else {
		// rank_doc is what ranking reads: doc less the body (0011).
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (article_id, status, published_at, lang, rank_doc, doc)
			SELECT CAST($1 AS BIGINT), $2, CAST($3 AS TIMESTAMPTZ), $4, ts_filter(v.doc, '{a,b,c}'), v.doc FROM (SELECT
				setweight(to_tsvector('simple', $5), 'A') || setweight(to_tsvector('simple', $6), 'B') ||
				setweight(to_tsvector('simple', $7), 'C') || setweight(to_tsvector('simple', $8), 'C') ||
				to_tsvector('simple', $9) AS doc) v
			ON CONFLICT (article_id) DO UPDATE SET status = excluded.status, published_at = excluded.published_at,
				lang = excluded.lang, rank_doc = excluded.rank_doc, doc = excluded.doc`,
			id, string(a.Status), published, a.Lang, doc.Title, doc.Tags, doc.Question, doc.Summary, doc.Body); err != nil {
			return s.mapErr(fmt.Sprintf("index article %d", id), err)
		}
	}
	if err := s.setTerms(ctx, tx, id, doc); err != nil {
		return fmt.Errorf("index article %d: %w", id, err)
	}
	return markRelated(ctx, tx, `SELECT CAST($1 AS BIGINT) AS id`, id)
}

// unindexArticle runs before article id is deleted: the FTS5 entry goes
// (the other rows cascade) and the articles whose related lists show it are
// marked for recomputation.
func (s *Store) unindexArticle(ctx context.Context, tx *sql.Tx, id int64) error {
	if s.dialect.FTS5 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = $1`, id); err != nil {
			return fmt.Errorf("unindex article %d: %w", id, err)
		}
	}
	return markRelated(ctx, tx, `SELECT article_id AS id FROM related_articles WHERE related_id = $1`, id)
}

// searchPublishDue mirrors PublishDue's status change in search_docs and
// marks the newly published articles' related lists.
func (s *Store) searchPublishDue(ctx context.Context, tx *sql.Tx, now any) error {
	if err := markRelated(ctx, tx, `SELECT article_id AS id FROM search_docs WHERE status = 'scheduled' AND published_at <= $1`, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_docs SET status = 'published'
		WHERE status = 'scheduled' AND published_at <= $1`, now); err != nil {
		return fmt.Errorf("index published articles: %w", err)
	}
	return nil
}

// markRelated queues the articles query (one argument, a column named id) returns for
// RefreshRelated. Each mark carries a fresh token, so a refresh that read
// an older mark does not clear a newer one.
func markRelated(ctx context.Context, tx *sql.Tx, query string, arg any) error {
	// The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
	if _, err := tx.ExecContext(ctx, `INSERT INTO related_dirty (article_id, token) SELECT DISTINCT x.id, CAST($2 AS BIGINT) FROM (`+
		query+`) x WHERE x.id IS NOT NULL
		ON CONFLICT (article_id) DO UPDATE SET token = excluded.token`, arg, rand.Int64()); err != nil {
		return fmt.Errorf("mark related lists: %w", err)
	}
	return nil
}

// IndexPending indexes the articles that have no search entry yet: those
// written before search existed (the 0004 migration) or bulk-loaded by a
// tool. Open calls it; it returns how many it indexed.
func (s *Store) IndexPending(ctx context.Context) (_ int, ret error) {
	if err := s.dropFTSStat4(ctx); err != nil {
		return 0, err
	}
	if !s.dialect.FTS5 {
		// A bulk load is indexed with the GIN index dropped and built
		// again after: updating it article by article made 100,000
		// articles take over half an hour. Searches scan meanwhile. The
		// index is made again whatever happened, so a start after a
		// crash mid-way restores it.
		var pending int
		if err := s.writer.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles a
			WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.article_id = a.id)`).Scan(&pending); err != nil {
			return 0, fmt.Errorf("index pending articles: %w", err)
		}
		if pending >= bulkIndexAfter {
			if _, err := s.writer.ExecContext(ctx, `DROP INDEX IF EXISTS search_docs_doc`); err != nil {
				return 0, fmt.Errorf("index pending articles: %w", err)
			}
		}
		defer func() {
			if _, err := s.writer.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS search_docs_doc
				ON search_docs USING GIN (doc)`); err != nil && ret == nil {
				ret = fmt.Errorf("index pending articles: build index: %w", err)
			}
		}()
	}
	total := 0
	for {
		var ids []int64
		err := eachRow(ctx, s.writer, `SELECT a.id FROM articles a
			WHERE NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.article_id = a.id) ORDER BY a.id LIMIT 200`, nil,
			func(rows *sql.Rows) error {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
				return nil
			})
		if err != nil {
			return total, fmt.Errorf("index pending articles: %w", err)
		}
		if len(ids) == 0 {
			if total >= optimizeAfter {
				if err := s.OptimizeSearch(ctx); err != nil {
					return total, err
				}
			}
			return total, nil
		}
		err = s.inTx(ctx, "index pending articles", func(tx *sql.Tx) error {
			for _, id := range ids {
				if err := s.indexArticle(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(ids)
	}
}

// bulkIndexAfter is how many articles waiting to be indexed make
// IndexPending build PostgreSQL's GIN index afresh instead of updating it.
const bulkIndexAfter = 5000

// optimizeAfter is how many articles IndexPending must have indexed to
// optimize the index after: a bulk load leaves FTS5 with dozens of
// segments, each of which every query seeks in.
const optimizeAfter = 1000

// OptimizeSearch compacts the full-text index after a bulk load. On SQLite
// it merges FTS5's segments into one (a fifth of a search's CPU went to
// seeking in each segment after a 20,000-article load); on PostgreSQL it
// refreshes the planner's statistics of search_docs. It can take seconds
// on a large site and blocks writes meanwhile.
func (s *Store) OptimizeSearch(ctx context.Context) error {
	q := `ANALYZE search_docs`
	if s.dialect.FTS5 {
		q = `INSERT INTO search_fts (search_fts) VALUES ('optimize')`
	}
	if _, err := s.writer.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("optimize search index: %w", err)
	}
	return s.dropFTSStat4(ctx)
}

// dropFTSStat4 deletes the sqlite_stat4 samples that ANALYZE keeps of
// FTS5's own tables. FTS5 looks each term up in search_fts_idx with a
// prepared statement of its own; with samples of that index, SQLite plans
// it with the bound term, so every lookup prepared it again: a simple
// search took four times as long. Open and OptimizeSearch call it, so a
// later ANALYZE costs until the next start.
func (s *Store) dropFTSStat4(ctx context.Context) error {
	if !s.dialect.FTS5 {
		return nil
	}
	var n int
	if err := s.writer.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	res, err := s.writer.ExecContext(ctx, `DELETE FROM sqlite_stat4 WHERE tbl LIKE 'search_fts%'`)
	if err != nil {
		return fmt.Errorf("drop search index statistics: %w", err)
	}
	if k, _ := res.RowsAffected(); k > 0 {
		// Reload the statistics (documented as what makes edits of the
		// sqlite_stat tables count).
		if _, err := s.writer.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
			return fmt.Errorf("reload statistics: %w", err)
		}
	}
	return nil
}

// Search implements folio.Store.
func (s *Store) Search(ctx context.Context, q *folio.SearchQuery) (*folio.SearchResults, error) {
	const what = "search"
	res := &folio.SearchResults{Hits: []*folio.SearchHit{}}
	if q == nil || len(q.Terms) == 0 {
		return res, nil
	}
	var args []any
	arg := func(v any) int {
		args = append(args, v)
		return len(args)
	}
	var match, qsub, matchAll, matchBody string
	if s.dialect.FTS5 {
		// Two tiers (see below): the query with a searched word in a
		// heading column, and the query without.
		base, heads := fts5Query(q), fts5Headings(q)
		matchAll = fmt.Sprintf(`search_fts MATCH $%d`, arg(base))
		match = fmt.Sprintf(`search_fts MATCH $%d`, arg(base+` AND `+heads))
		matchBody = fmt.Sprintf(`search_fts MATCH $%d`, arg(base+` NOT `+heads))
	} else {
		parts := make([]string, 0, len(q.Terms)+len(q.Exclude))
		for _, t := range q.Terms {
			parts = append(parts, fmt.Sprintf(`phraseto_tsquery('simple', $%d)`, arg(strings.Join(t, " "))))
		}
		for _, t := range q.Exclude {
			parts = append(parts, fmt.Sprintf(`!! phraseto_tsquery('simple', $%d)`, arg(strings.Join(t, " "))))
		}
		tsq := strings.Join(parts, " && ")
		qsub = `(SELECT ` + tsq + ` AS q) q`
		// A subquery hides the words from the planner, which then
		// takes every query for rare (0.5%); told "the" is in every
		// article, it would test the newest ones by reading their
		// TOASTed docs rather than AND the GIN index with the window
		// of ids (pgWindow).
		match = `d.doc @@ (SELECT ` + tsq + `)`
	}
	// Values the planner must not plan with (opaqueParams): the time
	// changes every call.
	param := func(v any) string { return s.opaqueParams(arg(v), 1) }
	now := param(s.bindTime(s.now()))
	conds := []string{match, searchPublicCondOn(now)}
	if q.Tag != "" {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id
			WHERE x.article_id = d.article_id AND t.slug = %s)`, param(q.Tag)))
	}
	if q.Author != "" {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM article_authors x JOIN users u ON u.id = x.user_id
			WHERE x.article_id = d.article_id AND u.slug = %s)`, param(q.Author)))
	}
	if q.Series != "" {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM articles x JOIN series sr ON sr.id = x.series_id
			WHERE x.id = d.article_id AND sr.slug = %s)`, param(q.Series)))
	}
	if len(q.Langs) > 0 {
		ph := make([]string, len(q.Langs))
		for i, l := range q.Langs {
			ph[i] = param(l)
		}
		conds = append(conds, `d.lang IN (`+strings.Join(ph, ", ")+`)`)
	}
	if q.From != nil {
		conds = append(conds, `d.published_at >= `+param(s.bindTime(*q.From)))
	}
	if q.To != nil {
		conds = append(conds, `d.published_at < `+param(s.bindTime(*q.To)))
	}
	for _, v := range args {
		if t, ok := v.(string); ok && !storable(t) {
			return res, nil // nothing stored matches such text
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = folio.SearchPerPage
	}
	limit = min(limit, maxLimit)
	offset := max(q.Offset, 0)
	// Rank at most SearchRankCap matches, the newest, so a word found in
	// every article costs what a rarer one does; the order within them is
	// by relevance.
	var inner, order string
	if s.dialect.FTS5 {
		// Two tiers, as WordPress orders its results and as PostgreSQL
		// ranks (rank_doc): first the articles with a searched word in
		// the title, tags, question or summary, by bm25 over all their
		// text; then those that have the words in the body only, newest
		// first. bm25 reads each ranked article's column sizes, which
		// was half of a search's CPU when every match was ranked, and
		// body-only matches are most of a rare word's.
		//
		// Both tiers hold only the newest SearchRankCap+1 matches: low
		// is the oldest of them, found walking the index newest first,
		// so "the" reads a thousand articles' entries, not 100,000.
		source := func(match string) (src string, where []string) {
			if len(conds) == 2 {
				// No filter but visibility: rather than look each
				// match up in search_docs (a seventh of the CPU at
				// 100,000 articles), leave out the few articles not
				// public, found through their index.
				return `search_fts f`, []string{match, `f.rowid NOT IN (` + hiddenDocs(now) + `)`}
			}
			return `search_fts f JOIN search_docs d ON d.article_id = f.rowid`, append([]string{match}, conds[1:]...)
		}
		src, where := source(matchAll)
		low := fmt.Sprintf(`WITH low (id) AS (SELECT COALESCE((SELECT f.rowid FROM %s WHERE %s ORDER BY f.rowid DESC LIMIT 1 OFFSET $%d), 0)) `,
			src, strings.Join(where, " AND "), arg(folio.SearchRankCap))
		tier := func(t int, match, rank string) string {
			src, where := source(match)
			return fmt.Sprintf(`SELECT f.rowid AS article_id, %s AS r, %d AS t FROM %s WHERE %s AND f.rowid >= (SELECT id FROM low)`,
				rank, t, src, strings.Join(where, " AND "))
		}
		inner = low + tier(0, match, fts5Rank) + ` UNION ALL ` + tier(1, matchBody, `0`)
		order = `t, r, article_id DESC`
	}
	if !s.dialect.FTS5 {
		// Rank only the capped matches, with the small vector in the
		// row (rank_doc): reading a whole TOASTed doc costs 35 µs. "+ 0"
		// keeps the planner from walking the primary key backwards and
		// testing every document against a rare term.
		capArg := arg(folio.SearchRankCap + 1)
		cands := `SELECT d.article_id, d.rank_doc FROM search_docs d WHERE ` + strings.Join(conds, " AND ") +
			fmt.Sprintf(` ORDER BY d.article_id + 0 DESC LIMIT $%d`, capArg)
		if span := s.pgWindow(ctx, q, len(conds)); span > 0 {
			// A query found in a large share of the articles (by
			// PostgreSQL's statistics) reads the newest ids first,
			// where the cap is very likely filled, ANDing the GIN
			// index with the primary key: "sea" (half the articles)
			// then costs 1,500 rows read and sorted, not 50,000. Should
			// the first window fall short, a wider one follows, then
			// the rest. Append runs its branches in order (no parallel
			// workers: SetSearchPool), so the LIMIT stops at the first
			// that fills it. Whatever the bounds, the matches are the
			// same: they only decide how fast.
			// The window ends at the newest id, read on the main pool:
			// the search pool's settings would have MAX read every row.
			var newest int64
			if err := s.reader.QueryRowContext(ctx, `SELECT COALESCE(MAX(article_id), 0) FROM search_docs`).Scan(&newest); err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			near, far := arg(newest-span*3/2), arg(newest-span*6)
			branch := func(cond string) string {
				return `(SELECT d.article_id, d.rank_doc FROM search_docs d WHERE ` + strings.Join(conds, " AND ") + ` AND ` + cond +
					fmt.Sprintf(` ORDER BY d.article_id + 0 DESC LIMIT $%d)`, capArg)
			}
			cands = `SELECT article_id, rank_doc FROM (` + branch(fmt.Sprintf(`d.article_id > $%d`, near)) +
				` UNION ALL ` + branch(fmt.Sprintf(`d.article_id <= $%d AND d.article_id > $%d`, near, far)) +
				` UNION ALL ` + branch(fmt.Sprintf(`d.article_id <= $%d`, far)) + fmt.Sprintf(`) c LIMIT $%d`, capArg)
		}
		inner = `SELECT m.article_id, ` + tsRank + ` AS r FROM (` + cands + `) m, ` + qsub
		order = `r DESC, article_id DESC`
	}
	query := `SELECT article_id, r, COUNT(*) OVER () FROM (` + inner + `) m ORDER BY ` + order +
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, arg(limit), arg(offset))
	var ids []int64
	scores := map[int64]float64{}
	total := 0
	db := s.searchDB()
	err := eachRow(ctx, db, query, args, func(rows *sql.Rows) error {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r, &total); err != nil {
			return err
		}
		ids = append(ids, id)
		if s.dialect.FTS5 {
			r = -r // bm25 is lower for better matches
		}
		scores[id] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(ids) == 0 && offset > 0 {
		count := `SELECT COUNT(*) FROM (` + inner + `) m`
		if err := db.QueryRowContext(ctx, count, args[:len(args)-2]...).Scan(&total); err != nil { // less limit and offset
			return nil, fmt.Errorf("%s: count: %w", what, err)
		}
	}
	if total > folio.SearchRankCap {
		total, res.More = folio.SearchRankCap, true
	}
	res.Total = total
	arts, err := s.searchHits(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	stems := q.Stems()
	for _, a := range arts {
		sn := snippetOf(a, stems)
		a.Body = "" // read for the snippet only; a list has no use for it
		res.Hits = append(res.Hits, &folio.SearchHit{Article: a, Score: scores[a.ID], Snippet: sn})
	}
	return res, nil
}

// snippetOf picks the article text that best shows the query's words.
func snippetOf(a *folio.Article, stems map[string]bool) folio.Snippet {
	sn, found := folio.SnippetOf(a.Question+"\n\n"+a.Body, stems)
	if found > 0 {
		return sn
	}
	if a.Summary != "" {
		if ssn, sfound := folio.SnippetOf(a.Summary, stems); sfound > 0 {
			return ssn
		}
		return folio.Snippet{{Text: a.Summary}}
	}
	return sn
}

// fts5Query builds an FTS5 MATCH expression from stems, each quoted
// (fts5Quote).
func fts5Query(q *folio.SearchQuery) string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		parts[i] = fts5Quote(t)
	}
	out := "(" + strings.Join(parts, " AND ") + ")"
	for _, t := range q.Exclude {
		out += " NOT " + fts5Quote(t)
	}
	return "(" + out + ")"
}

// fts5Headings is an FTS5 expression matching the articles with any of q's
// words or phrases in the title, tags, question or summary.
func fts5Headings(q *folio.SearchQuery) string {
	parts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		parts[i] = fts5Quote(t)
	}
	return "({title tags question summary} : (" + strings.Join(parts, " OR ") + "))"
}

// fts5Quote quotes words as one FTS5 string, a phrase when they are
// several, so nothing a reader typed is FTS5 syntax.
func fts5Quote(words []string) string {
	return `"` + strings.ReplaceAll(strings.Join(words, " "), `"`, `""`) + `"`
}

// articlesByID loads articles with their relations, in the order of ids.
func (s *Store) articlesByID(ctx context.Context, ids []int64) ([]*folio.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := idArgs(ids)
	byID := map[int64]*folio.Article{}
	err := eachRow(ctx, cachedReader{s}, `SELECT `+articleColumns+` FROM articles a WHERE a.id IN (`+placeholders(1, len(ids))+`)`, args,
		func(rows *sql.Rows) error {
			a, err := scanArticle(rows)
			if err != nil {
				return err
			}
			byID[a.ID] = a
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := inIDOrder(ids, byID)
	if err := loadRelations(ctx, cachedReader{s}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// searchHits loads what a result list shows of the articles ids, in their
// order: the article's own columns, its series' slug and title, authors'
// names and slugs, tags. No comment counts, series descriptions or author
// e-mails: two queries, whatever the number of hits.
func (s *Store) searchHits(ctx context.Context, ids []int64) ([]*folio.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := idArgs(ids)
	in := s.opaqueParams(1, len(ids))
	db := cachedReader{s}
	byID := make(map[int64]*folio.Article, len(ids))
	err := eachRow(ctx, db, `SELECT a.id, a.title, a.slug, a.question, a.body, a.summary, a.lang, a.status,
		a.published_at, a.modified_at, a.series_id, sr.slug, sr.title
		FROM articles a LEFT JOIN series sr ON sr.id = a.series_id WHERE a.id IN (`+in+`)`, args,
		func(rows *sql.Rows) error {
			var a folio.Article
			var status string
			var published, modified nullTime
			var seriesID sql.NullInt64
			var seriesSlug, seriesTitle sql.NullString
			if err := rows.Scan(&a.ID, &a.Title, &a.Slug, &a.Question, &a.Body, &a.Summary, &a.Lang, &status,
				&published, &modified, &seriesID, &seriesSlug, &seriesTitle); err != nil {
				return err
			}
			a.Status = folio.Status(status)
			a.PublishedAt, a.ModifiedAt = published.Ptr(), modified.Ptr()
			if seriesID.Valid {
				a.Series = &folio.Series{ID: seriesID.Int64, Slug: seriesSlug.String, Title: seriesTitle.String}
			}
			byID[a.ID] = &a
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load hits: %w", err)
	}
	err = eachRow(ctx, db, `SELECT 0, aa.article_id, aa.position, u.id, u.name, u.slug
		FROM article_authors aa JOIN users u ON u.id = aa.user_id WHERE aa.article_id IN (`+in+`)
		UNION ALL SELECT 1, at.article_id, at.position, t.id, t.name, t.slug
		FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (`+in+`)
		ORDER BY 1, 2, 3`, args, func(rows *sql.Rows) error {
		var kind, aid, id int64
		var pos int
		var name, slug string
		if err := rows.Scan(&kind, &aid, &pos, &id, &name, &slug); err != nil {
			return err
		}
		a := byID[aid]
		if a == nil {
			return nil
		}
		if kind == 0 {
			a.Authors = append(a.Authors, folio.Author{ID: id, Name: name, Slug: slug})
		} else {
			a.Tags = append(a.Tags, folio.Tag{ID: id, Name: name, Slug: slug})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load hits' authors and tags: %w", err)
	}
	return inIDOrder(ids, byID), nil
}

// opaqueParams is placeholders for values the query planner should not
// look at. SQLite, when ANALYZE has left sqlite_stat4 samples of an index,
// plans with a value bound against its column and so prepares the
// statement again at every rebinding (a new time, new ids every search);
// FTS5's own term lookup did that, a fifth of the CPU (dropFTSStat4). A
// unary plus hides the value and leaves the index usable.
func (s *Store) opaqueParams(from, n int) string {
	if !s.dialect.FTS5 {
		return placeholders(from, n)
	}
	return paramList("+$", from, n)
}

// AllTags implements folio.Store.
func (s *Store) AllTags(ctx context.Context) ([]*folio.Tag, error) {
	tags := []*folio.Tag{}
	err := eachRow(ctx, s.reader, `SELECT t.id, t.name, t.slug, COUNT(at.article_id) FROM tags t
		LEFT JOIN article_tags at ON at.tag_id = t.id GROUP BY t.id, t.name, t.slug ORDER BY t.id`, nil, func(rows *sql.Rows) error {
		var t folio.Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Slug, &t.Count); err != nil {
			return err
		}
		tags = append(tags, &t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("all tags: %w", err)
	}
	return tags, nil
}

// Related articles. Each article keeps a term vector of its keywords
// (article_terms: the relatedTerms most frequent stems, stop words left
// out), written with the search entry. RefreshRelated, run off the request
// path by the server's tick, scores candidates sharing keywords, tags or
// the series by TF-IDF cosine (document frequencies counted over the
// keyword vectors) plus bonuses for shared tags and series, and keeps the
// best relatedKeep. A newly public article is offered to its candidates'
// lists too, so it shows up under older articles without recomputing them.
const (
	relatedTerms      = 24
	relatedKeep       = 5
	relatedCandidates = 60
	tagBonus          = 0.08
	seriesBonus       = 0.2
	minRelatedScore   = 0.02
)

// setTerms replaces article id's keyword vector.
func (s *Store) setTerms(ctx context.Context, tx *sql.Tx, id int64, doc folio.SearchDoc) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_terms WHERE article_id = $1`, id); err != nil {
		return fmt.Errorf("clear terms: %w", err)
	}
	terms := folio.Keywords(doc, relatedTerms)
	if len(terms) == 0 {
		return nil
	}
	values := make([]string, 0, len(terms))
	args := []any{id}
	for _, t := range terms {
		values = append(values, fmt.Sprintf("($1, $%d, $%d)", len(args)+1, len(args)+2))
		args = append(args, t.Term, t.Weight)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_terms (article_id, term, weight) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return fmt.Errorf("set terms: %w", err)
	}
	return nil
}

// RelatedArticles implements folio.Store.
func (s *Store) RelatedArticles(ctx context.Context, id int64, limit int) ([]*folio.Article, error) {
	if limit <= 0 {
		limit = relatedKeep
	}
	var ids []int64
	err := eachRow(ctx, s.reader, `SELECT r.related_id FROM related_articles r JOIN search_docs d ON d.article_id = r.related_id
		WHERE r.article_id = $1 AND `+searchPublicCond(2)+` ORDER BY r.score DESC, r.related_id DESC LIMIT $3`,
		[]any{id, s.bindTime(s.now()), limit}, func(rows *sql.Rows) error {
			var rid int64
			if err := rows.Scan(&rid); err != nil {
				return err
			}
			ids = append(ids, rid)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("related articles of %d: %w", id, err)
	}
	arts, err := s.articlesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("related articles of %d: %w", id, err)
	}
	if arts == nil {
		arts = []*folio.Article{}
	}
	return arts, nil
}

// dfCache remembers how many keyword vectors hold a term, for IDF. The
// counts drift slowly, so a few minutes' staleness only nudges scores.
type dfCache struct {
	mu      sync.Mutex
	df      map[string]int
	n       int
	fetched time.Time
}

func (s *Store) dfs() *dfCache { return &s.docFreq }

// docFreqs returns the document frequency of terms and the number of
// articles with a vector.
func (s *Store) docFreqs(ctx context.Context, terms []string) (map[string]int, int, error) {
	c := s.dfs()
	c.mu.Lock()
	if time.Since(c.fetched) > 5*time.Minute || len(c.df) > 200_000 {
		c.df, c.fetched = map[string]int{}, time.Now()
		if err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs`).Scan(&c.n); err != nil {
			c.mu.Unlock()
			return nil, 0, fmt.Errorf("count documents: %w", err)
		}
	}
	out := make(map[string]int, len(terms))
	var missing []any
	for _, t := range terms {
		if n, ok := c.df[t]; ok {
			out[t] = n
		} else {
			missing = append(missing, t)
		}
	}
	n := c.n
	c.mu.Unlock()
	for len(missing) > 0 {
		batch := missing[:min(len(missing), 200)]
		missing = missing[len(batch):]
		got := map[string]int{}
		err := eachRow(ctx, s.reader, `SELECT term, COUNT(*) FROM article_terms WHERE term IN (`+placeholders(1, len(batch))+`) GROUP BY term`,
			batch, func(rows *sql.Rows) error {
				var t string
				var k int
				if err := rows.Scan(&t, &k); err != nil {
					return err
				}
				got[t] = k
				return nil
			})
		if err != nil {
			return nil, 0, fmt.Errorf("document frequencies: %w", err)
		}
		c.mu.Lock()
		for _, t := range batch {
			c.df[t.(string)] = got[t.(string)]
			out[t.(string)] = got[t.(string)]
		}
		c.mu.Unlock()
	}
	return out, max(n, 1), nil
}

// relDoc is what scoring needs of one article.
type relDoc struct {
	id     int64
	lang   string
	series int64
	public bool
	terms  map[string]float64
	tags   map[int64]bool
}

// MergeSearchIndex merges what article writes left in PostgreSQL's GIN
// pending list into the index proper, in bulk (0011): searches read the
// whole list, and a write that finds it full merges it itself.
// RefreshRelated, which the job every article write queues runs, calls it
// first. SQLite's FTS5 merges its segments as it writes; nothing to do.
func (s *Store) MergeSearchIndex(ctx context.Context) error {
	if s.dialect.FTS5 {
		return nil
	}
	// The index is missing while IndexPending rebuilds it after a bulk load.
	if _, err := s.writer.ExecContext(ctx, `SELECT gin_clean_pending_list(i)
		FROM (SELECT to_regclass('search_docs_doc') AS i) x WHERE i IS NOT NULL`); err != nil {
		return fmt.Errorf("merge pending search entries: %w", err)
	}
	return nil
}

// RefreshRelated implements folio.Store.
func (s *Store) RefreshRelated(ctx context.Context, max int) (int, error) {
	type mark struct {
		id    int64
		token int64
	}
	var marks []mark
	err := eachRow(ctx, s.reader, `SELECT article_id, token FROM related_dirty ORDER BY article_id LIMIT $1`, []any{max},
		func(rows *sql.Rows) error {
			var m mark
			if err := rows.Scan(&m.id, &m.token); err != nil {
				return err
			}
			marks = append(marks, m)
			return nil
		})
	if err != nil {
		return 0, fmt.Errorf("refresh related: %w", err)
	}
	var merge error
	if len(marks) > 0 {
		// Every index write marks the article, so here is where the
		// writes' index entries are merged, off the request path. A
		// failure (a role that does not own the index) is reported
		// after the lists are refreshed, not instead.
		merge = s.MergeSearchIndex(ctx)
	}
	changed := 0
	for _, m := range marks {
		n, err := s.refreshOne(ctx, m.id, m.token)
		if err != nil {
			return changed, errors.Join(err, merge)
		}
		changed += n
	}
	if merge != nil {
		return changed, fmt.Errorf("refresh related: %w", merge)
	}
	return changed, nil
}

// refreshOne recomputes article id's related list and offers id to its
// candidates' lists, in one transaction that also clears the mark.
func (s *Store) refreshOne(ctx context.Context, id, token int64) (int, error) {
	what := fmt.Sprintf("refresh related of article %d", id)
	now := s.bindTime(s.now())
	docs, err := s.loadRelDocs(ctx, []int64{id}, now)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	type scored struct {
		id    int64
		score float64
	}
	var best []scored
	x := docs[id]
	if x != nil && x.public {
		cands, err := s.relatedCandidates(ctx, x, now)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		cdocs, err := s.loadRelDocs(ctx, cands, now)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		vocab := slices.Collect(func(yield func(string) bool) {
			for t := range x.terms {
				if !yield(t) {
					return
				}
			}
			for _, d := range cdocs {
				for t := range d.terms {
					if !yield(t) {
						return
					}
				}
			}
		})
		df, n, err := s.docFreqs(ctx, vocab)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		for _, c := range cdocs {
			if c.id == id || !c.public || c.lang != x.lang {
				continue
			}
			if sc := relatedScore(x, c, df, n); sc >= minRelatedScore {
				best = append(best, scored{c.id, sc})
			}
		}
		sort.Slice(best, func(i, j int) bool {
			if best[i].score != best[j].score {
				return best[i].score > best[j].score
			}
			return best[i].id > best[j].id
		})
	}
	changed := 0
	err = s.inTx(ctx, what, func(tx *sql.Tx) error {
		var cur []int64
		err := eachRow(ctx, tx, `SELECT related_id FROM related_articles WHERE article_id = $1 ORDER BY score DESC, related_id DESC`,
			[]any{id}, func(rows *sql.Rows) error {
				var rid int64
				if err := rows.Scan(&rid); err != nil {
					return err
				}
				cur = append(cur, rid)
				return nil
			})
		if err != nil {
			return err
		}
		var next []int64
		for i := 0; i < len(best) && i < relatedKeep; i++ {
			next = append(next, best[i].id)
		}
		if !slices.Equal(cur, next) {
			changed++
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM related_articles WHERE article_id = $1`, id); err != nil {
			return err
		}
		for i := 0; i < len(best) && i < relatedKeep; i++ {
			// ON CONFLICT: another node may be refreshing the same list.
			if _, err := tx.ExecContext(ctx, `INSERT INTO related_articles (article_id, related_id, score) VALUES ($1, $2, $3)
				ON CONFLICT (article_id, related_id) DO UPDATE SET score = excluded.score`,
				id, best[i].id, best[i].score); err != nil {
				return s.mapErr(what, err)
			}
		}
		if x == nil || !x.public {
			// No longer public: leave every list it was in, and have
			// those lists filled up again.
			if err := markRelated(ctx, tx, `SELECT article_id AS id FROM related_articles WHERE related_id = $1`, id); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM related_articles WHERE related_id = $1`, id)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				changed++
			}
		}
		// Offer id to its candidates' lists: symmetric scores mean a new
		// article belongs under the older ones it is close to.
		for i := 0; i < len(best) && i < 3*relatedKeep; i++ {
			c := best[i]
			var k int
			var low sql.NullFloat64
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(score) FROM related_articles WHERE article_id = $1`, c.id).
				Scan(&k, &low); err != nil {
				return err
			}
			if k >= relatedKeep && low.Float64 >= c.score {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO related_articles (article_id, related_id, score) VALUES ($1, $2, $3)
				ON CONFLICT (article_id, related_id) DO UPDATE SET score = excluded.score`, c.id, id, c.score); err != nil {
				return s.mapErr(what, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM related_articles WHERE article_id = $1 AND related_id NOT IN (
				SELECT related_id FROM related_articles WHERE article_id = $1 ORDER BY score DESC, related_id DESC LIMIT $2)`,
				c.id, relatedKeep); err != nil {
				return err
			}
			changed++
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM related_dirty WHERE article_id = $1 AND token = $2`, id, token); err != nil {
			return err
		}
		if changed > 0 {
			return bumpVersion(ctx, tx)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return 0, err
		}
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return changed, nil
}

// maxCandidateTermDF is how many articles a keyword may be in at most to
// find related candidates by.
const maxCandidateTermDF = 2000

// relatedCandidates returns articles that share x's rarer keywords, its
// tags or its series.
func (s *Store) relatedCandidates(ctx context.Context, x *relDoc, now any) ([]int64, error) {
	terms := make([]string, 0, len(x.terms))
	for t := range x.terms {
		terms = append(terms, t)
	}
	df, n, err := s.docFreqs(ctx, terms)
	if err != nil {
		return nil, err
	}
	// The keywords that say most about x: weight × IDF, leaving out those
	// in more than a fifth of the articles or in more than
	// maxCandidateTermDF (slow to scan, say little): at 100,000 articles,
	// summing the weights of ten keywords in up to 20,000 articles each
	// took a tenth of a second per refresh.
	sort.Slice(terms, func(i, j int) bool {
		wi := x.terms[terms[i]] * idf(df[terms[i]], n)
		wj := x.terms[terms[j]] * idf(df[terms[j]], n)
		if wi != wj {
			return wi > wj
		}
		return terms[i] < terms[j]
	})
	var pick []any
	for _, t := range terms {
		if df[t] <= max(50, min(n/5, maxCandidateTermDF)) {
			pick = append(pick, t)
		}
		if len(pick) == 10 {
			break
		}
	}
	seen := map[int64]bool{x.id: true}
	var out []int64
	add := func(query string, args []any) error {
		return eachRow(ctx, s.reader, query, args, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
			return nil
		})
	}
	if len(pick) > 0 {
		args := append([]any{x.lang, now}, pick...)
		if err := add(`SELECT t.article_id FROM article_terms t JOIN search_docs d ON d.article_id = t.article_id
			WHERE t.term IN (`+placeholders(3, len(pick))+`) AND d.lang = $1 AND `+searchPublicCond(2)+`
			GROUP BY t.article_id ORDER BY SUM(t.weight) DESC, t.article_id DESC LIMIT `+fmt.Sprint(relatedCandidates), args); err != nil {
			return nil, fmt.Errorf("candidates by terms: %w", err)
		}
	}
	if err := add(`SELECT DISTINCT at.article_id FROM article_tags at
		WHERE at.tag_id IN (SELECT tag_id FROM article_tags WHERE article_id = $1) ORDER BY at.article_id DESC LIMIT 30`, []any{x.id}); err != nil {
		return nil, fmt.Errorf("candidates by tags: %w", err)
	}
	if x.series != 0 {
		if err := add(`SELECT id FROM articles WHERE series_id = $1 ORDER BY series_position LIMIT 20`, []any{x.series}); err != nil {
			return nil, fmt.Errorf("candidates by series: %w", err)
		}
	}
	return out, nil
}

// loadRelDocs reads the vectors, tags, series and visibility of ids.
func (s *Store) loadRelDocs(ctx context.Context, ids []int64, now any) (map[int64]*relDoc, error) {
	out := map[int64]*relDoc{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{now}
	for _, id := range ids {
		args = append(args, id)
	}
	in := placeholders(2, len(ids))
	err := eachRow(ctx, s.reader, `SELECT d.article_id, d.lang, COALESCE(a.series_id, 0), CASE WHEN `+searchPublicCond(1)+` THEN 1 ELSE 0 END
		FROM search_docs d JOIN articles a ON a.id = d.article_id WHERE d.article_id IN (`+in+`)`, args, func(rows *sql.Rows) error {
		d := &relDoc{terms: map[string]float64{}, tags: map[int64]bool{}}
		var public int
		if err := rows.Scan(&d.id, &d.lang, &d.series, &public); err != nil {
			return err
		}
		d.public = public == 1
		out[d.id] = d
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load documents: %w", err)
	}
	in = placeholders(1, len(ids))
	err = eachRow(ctx, s.reader, `SELECT article_id, term, weight FROM article_terms WHERE article_id IN (`+in+`)`, args[1:],
		func(rows *sql.Rows) error {
			var id int64
			var t string
			var w float64
			if err := rows.Scan(&id, &t, &w); err != nil {
				return err
			}
			if d := out[id]; d != nil {
				d.terms[t] = w
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load terms: %w", err)
	}
	err = eachRow(ctx, s.reader, `SELECT article_id, tag_id FROM article_tags WHERE article_id IN (`+in+`)`, args[1:],
		func(rows *sql.Rows) error {
			var id, tag int64
			if err := rows.Scan(&id, &tag); err != nil {
				return err
			}
			if d := out[id]; d != nil {
				d.tags[tag] = true
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load tags: %w", err)
	}
	return out, nil
}

func idf(df, n int) float64 { return math.Log(1 + float64(n)/float64(max(df, 1))) }

// relatedScore is the TF-IDF cosine of x and c plus bonuses for shared
// tags (at most three count) and a shared series. It is symmetric.
func relatedScore(x, c *relDoc, df map[string]int, n int) float64 {
	var dot, nx, nc float64
	for t, w := range x.terms {
		v := w * idf(df[t], n)
		nx += v * v
		if cw, ok := c.terms[t]; ok {
			dot += v * cw * idf(df[t], n)
		}
	}
	for t, w := range c.terms {
		v := w * idf(df[t], n)
		nc += v * v
	}
	score := 0.0
	if nx > 0 && nc > 0 {
		score = dot / math.Sqrt(nx*nc)
	}
	shared := 0
	for t := range x.tags {
		if c.tags[t] {
			shared++
		}
	}
	score += tagBonus * float64(min(shared, 3))
	if x.series != 0 && x.series == c.series {
		score += seriesBonus
	}
	return score
}
