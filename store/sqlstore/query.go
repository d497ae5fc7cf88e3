package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"folio"
)

// Listing limits for FindArticles.
const (
	defaultLimit = 20
	maxLimit     = 100
)

const articleColumns = `a.id, a.title, a.slug, a.question, a.body, a.summary, a.lang,
	a.interviewee_name, a.interviewee_bio, a.status, a.published_at, a.modified_at,
	a.created_at, a.updated_at, a.series_id, a.series_position, a.translation_group`

// publicCond is the SQL for "readers may see it at $n", as in
// folio.Article.IsPublic.
func publicCond(param int) string {
	return fmt.Sprintf(`a.status IN ('published', 'scheduled') AND a.published_at IS NOT NULL AND a.published_at <= $%d`, param)
}

// scanArticle reads articleColumns plus extra destinations. The series is
// left as a stub holding only its ID, for loadRelations to fill.
func scanArticle(row interface{ Scan(...any) error }, extra ...any) (*folio.Article, error) {
	var a folio.Article
	var status string
	var published, modified, created, updated nullTime
	var seriesID, group sql.NullInt64
	dest := []any{&a.ID, &a.Title, &a.Slug, &a.Question, &a.Body, &a.Summary, &a.Lang,
		&a.Interviewee.Name, &a.Interviewee.Bio, &status, &published, &modified,
		&created, &updated, &seriesID, &a.SeriesPosition, &group}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.Status = folio.Status(status)
	a.PublishedAt, a.ModifiedAt = published.Ptr(), modified.Ptr()
	a.CreatedAt, a.UpdatedAt = created.Time, updated.Time
	a.TranslationGroup = group.Int64
	if seriesID.Valid {
		a.Series = &folio.Series{ID: seriesID.Int64}
	}
	return &a, nil
}

// loadRelations fills the authors, tags, series and comment counts of
// arts with one query each, whatever the number of articles.
func loadRelations(ctx context.Context, q querier, arts []*folio.Article) error {
	if len(arts) == 0 {
		return nil
	}
	byID := make(map[int64]*folio.Article, len(arts))
	ids := make([]any, 0, len(arts))
	var seriesIDs []any
	seen := map[int64]bool{}
	for _, a := range arts {
		byID[a.ID] = a
		ids = append(ids, a.ID)
		if a.Series != nil && !seen[a.Series.ID] {
			seen[a.Series.ID] = true
			seriesIDs = append(seriesIDs, a.Series.ID)
		}
	}
	in := placeholders(1, len(ids))

	err := eachRow(ctx, q, `SELECT aa.article_id, u.id, u.name, u.slug, u.email, u.bio
		FROM article_authors aa JOIN users u ON u.id = aa.user_id
		WHERE aa.article_id IN (`+in+`) ORDER BY aa.article_id, aa.position`, ids, func(rows *sql.Rows) error {
		var aid int64
		var au folio.Author
		if err := rows.Scan(&aid, &au.ID, &au.Name, &au.Slug, &au.Email, &au.Bio); err != nil {
			return err
		}
		byID[aid].Authors = append(byID[aid].Authors, au)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load authors: %w", err)
	}

	err = eachRow(ctx, q, `SELECT at.article_id, t.id, t.name, t.slug
		FROM article_tags at JOIN tags t ON t.id = at.tag_id
		WHERE at.article_id IN (`+in+`) ORDER BY at.article_id, at.position`, ids, func(rows *sql.Rows) error {
		var aid int64
		var t folio.Tag
		if err := rows.Scan(&aid, &t.ID, &t.Name, &t.Slug); err != nil {
			return err
		}
		byID[aid].Tags = append(byID[aid].Tags, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load tags: %w", err)
	}

	err = eachRow(ctx, q, `SELECT article_id, COUNT(*) FROM comments
		WHERE status = 'approved' AND article_id IN (`+in+`) GROUP BY article_id`, ids, func(rows *sql.Rows) error {
		var aid int64
		var n int
		if err := rows.Scan(&aid, &n); err != nil {
			return err
		}
		byID[aid].CommentCount = n
		return nil
	})
	if err != nil {
		return fmt.Errorf("load comment counts: %w", err)
	}

	if len(seriesIDs) == 0 {
		return nil
	}
	series := map[int64]*folio.Series{}
	err = eachRow(ctx, q, `SELECT id, slug, title, description FROM series WHERE id IN (`+placeholders(1, len(seriesIDs))+`)`,
		seriesIDs, func(rows *sql.Rows) error {
			var sr folio.Series
			if err := rows.Scan(&sr.ID, &sr.Slug, &sr.Title, &sr.Description); err != nil {
				return err
			}
			series[sr.ID] = &sr
			return nil
		})
	if err != nil {
		return fmt.Errorf("load series: %w", err)
	}
	for _, a := range arts {
		if a.Series != nil {
			if sr, ok := series[a.Series.ID]; ok {
				c := *sr
				a.Series = &c
			}
		}
	}
	return nil
}

// eachRow runs query and calls fn for every row.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// loadArticle reads one article with its relations through q.
func loadArticle(ctx context.Context, q querier, what, where string, arg any) (*folio.Article, error) {
	if text, ok := arg.(string); ok && !storable(text) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound) // no such value is stored
	}
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := loadRelations(ctx, q, []*folio.Article{a}); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

// FindArticleByID implements folio.Store.
func (s *Store) FindArticleByID(ctx context.Context, id int64) (*folio.Article, error) {
	return loadArticle(ctx, s.reader, fmt.Sprintf("find article %d", id), `a.id = $1`, id)
}

// FindArticleBySlug implements folio.Store.
func (s *Store) FindArticleBySlug(ctx context.Context, slug string) (*folio.Article, error) {
	what := fmt.Sprintf("find article %q", slug)
	if !storable(slug) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	a, err := loadArticle(ctx, s.reader, what, `a.slug = $1`, slug)
	if !errors.Is(err, folio.ErrNotFound) {
		return a, err
	}
	var current string
	err = s.reader.QueryRowContext(ctx, `SELECT a.slug FROM slug_redirects r JOIN articles a ON a.id = r.article_id
		WHERE r.old_slug = $1`, slug).Scan(&current)
	if err == nil {
		return nil, fmt.Errorf("%s: %w", what, &folio.RedirectError{Slug: current})
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: redirect: %w", what, err)
	}
	var one int
	err = s.reader.QueryRowContext(ctx, `SELECT 1 FROM tombstones WHERE slug = $1`, slug).Scan(&one)
	if err == nil {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrGone)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: tombstone: %w", what, err)
	}
	return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
}

// FindArticles implements folio.Store. Limit defaults to 20 and is capped
// at 100.
func (s *Store) FindArticles(ctx context.Context, f folio.ArticleFilter) ([]*folio.Article, int, error) {
	const what = "find articles"
	var conds []string
	var args []any
	arg := func(v any) int {
		args = append(args, v)
		return len(args)
	}
	if f.Public {
		conds = append(conds, publicCond(arg(s.bindTime(s.now()))))
	} else if len(f.Statuses) > 0 {
		from := len(args) + 1
		for _, st := range f.Statuses {
			arg(string(st))
		}
		conds = append(conds, `a.status IN (`+placeholders(from, len(f.Statuses))+`)`)
	}
	if f.AuthorID != 0 {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.user_id = $%d)`, arg(f.AuthorID)))
	}
	if f.TagID != 0 {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = $%d)`, arg(f.TagID)))
	}
	if f.TranslationGroup != 0 {
		conds = append(conds, fmt.Sprintf(`a.translation_group = $%d`, arg(f.TranslationGroup)))
	}
	if f.SeriesID != 0 {
		conds = append(conds, fmt.Sprintf(`a.series_id = $%d`, arg(f.SeriesID)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if !storable(q) {
			return []*folio.Article{}, 0, nil // no stored title contains it
		}
		pattern := "%" + escapeLike(strings.ToLower(q)) + "%"
		conds = append(conds, fmt.Sprintf(`%s(a.title) LIKE $%d ESCAPE '\'`, s.dialect.Lower, arg(pattern)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	order := ` ORDER BY COALESCE(a.published_at, a.created_at) DESC, a.id DESC`
	if f.BySeries {
		order = ` ORDER BY a.series_position, COALESCE(a.published_at, a.created_at), a.id`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	offset := max(f.Offset, 0)
	filterArgs := len(args)
	query := `SELECT ` + articleColumns + `, COUNT(*) OVER () FROM articles a` + where + order +
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, arg(limit), arg(offset))

	var arts []*folio.Article
	total := 0
	err := eachRow(ctx, s.reader, query, args, func(rows *sql.Rows) error {
		a, err := scanArticle(rows, &total)
		if err != nil {
			return err
		}
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	if len(arts) == 0 && offset > 0 {
		// A page past the end still reports how many there are.
		err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM articles a`+where, args[:filterArgs]...).Scan(&total)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: count: %w", what, err)
		}
	}
	if err := loadRelations(ctx, s.reader, arts); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	if arts == nil {
		arts = []*folio.Article{}
	}
	return arts, total, nil
}

// FindRevisions implements folio.Store. An unknown article has none.
func (s *Store) FindRevisions(ctx context.Context, articleID int64) ([]*folio.Revision, error) {
	revs := []*folio.Revision{}
	err := eachRow(ctx, s.reader, `SELECT id, article_id, title, question, body, summary, editor_id, created_at
		FROM revisions WHERE article_id = $1 ORDER BY created_at DESC, id DESC`, []any{articleID}, func(rows *sql.Rows) error {
		var r folio.Revision
		var editor sql.NullInt64
		var created nullTime
		if err := rows.Scan(&r.ID, &r.ArticleID, &r.Title, &r.Question, &r.Body, &r.Summary, &editor, &created); err != nil {
			return err
		}
		r.EditorID, r.CreatedAt = editor.Int64, created.Time
		revs = append(revs, &r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find revisions of article %d: %w", articleID, err)
	}
	return revs, nil
}

// PublishDue implements folio.Store. The UPDATE changes each row once even
// when several nodes run it at the same moment.
func (s *Store) PublishDue(ctx context.Context) (int, error) {
	const what = "publish due articles"
	now := s.bindTime(s.now())
	var n int64
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'published', updated_at = $1
			WHERE status = 'scheduled' AND published_at <= $1`, now)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if n == 0 {
			return nil
		}
		if err := s.searchPublishDue(ctx, tx, now); err != nil {
			return err
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// NextScheduled implements folio.Store.
func (s *Store) NextScheduled(ctx context.Context) (*time.Time, error) {
	var t nullTime
	err := s.reader.QueryRowContext(ctx, `SELECT MIN(published_at) FROM articles WHERE status = 'scheduled'`).Scan(&t)
	if err != nil {
		return nil, fmt.Errorf("next scheduled: %w", err)
	}
	return t.Ptr(), nil
}

// FindTagBySlug implements folio.Store. Count is left zero.
func (s *Store) FindTagBySlug(ctx context.Context, slug string) (*folio.Tag, error) {
	if !storable(slug) {
		return nil, fmt.Errorf("find tag %q: %w", slug, folio.ErrNotFound)
	}
	var t folio.Tag
	err := s.reader.QueryRowContext(ctx, `SELECT id, name, slug FROM tags WHERE slug = $1`, slug).Scan(&t.ID, &t.Name, &t.Slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find tag %q: %w", slug, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find tag %q: %w", slug, err)
	}
	return &t, nil
}

// FindTags implements folio.Store. Names sort case-blind, the same on both
// engines whatever the database collation.
func (s *Store) FindTags(ctx context.Context) ([]*folio.Tag, error) {
	tags := []*folio.Tag{}
	err := eachRow(ctx, s.reader, `SELECT t.id, t.name, t.slug, COUNT(*)
		FROM tags t JOIN article_tags at ON at.tag_id = t.id JOIN articles a ON a.id = at.article_id
		WHERE `+publicCond(1)+` GROUP BY t.id, t.name, t.slug`, []any{s.bindTime(s.now())}, func(rows *sql.Rows) error {
		var t folio.Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Slug, &t.Count); err != nil {
			return err
		}
		tags = append(tags, &t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find tags: %w", err)
	}
	slices.SortFunc(tags, func(a, b *folio.Tag) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return tags, nil
}

// FindSeriesBySlug implements folio.Store.
func (s *Store) FindSeriesBySlug(ctx context.Context, slug string) (*folio.Series, error) {
	if !storable(slug) {
		return nil, fmt.Errorf("find series %q: %w", slug, folio.ErrNotFound)
	}
	var sr folio.Series
	err := s.reader.QueryRowContext(ctx, `SELECT id, slug, title, description FROM series WHERE slug = $1`, slug).
		Scan(&sr.ID, &sr.Slug, &sr.Title, &sr.Description)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find series %q: %w", slug, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find series %q: %w", slug, err)
	}
	return &sr, nil
}

// FindAuthors implements folio.Store. Authors sort by name, case-blind.
func (s *Store) FindAuthors(ctx context.Context) ([]*folio.Author, error) {
	authors := []*folio.Author{}
	err := eachRow(ctx, s.reader, `SELECT u.id, u.name, u.slug, u.email, u.bio FROM users u
		WHERE EXISTS (SELECT 1 FROM article_authors aa JOIN articles a ON a.id = aa.article_id
			WHERE aa.user_id = u.id AND `+publicCond(1)+`)`, []any{s.bindTime(s.now())}, func(rows *sql.Rows) error {
		var au folio.Author
		if err := rows.Scan(&au.ID, &au.Name, &au.Slug, &au.Email, &au.Bio); err != nil {
			return err
		}
		authors = append(authors, &au)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find authors: %w", err)
	}
	slices.SortFunc(authors, func(a, b *folio.Author) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return authors, nil
}
