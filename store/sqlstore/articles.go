package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"folio"
)

// errSlugRace means a derived slug was taken by a concurrent transaction
// between the check and the insert; CreateArticle then tries again.
var errSlugRace = errors.New("derived slug taken concurrently")

// articleSlugsQuery returns the candidates (an IN list) that an article,
// a redirect or a tombstone holds.
const articleSlugsQuery = `SELECT slug FROM articles WHERE slug IN (%[1]s)
	UNION SELECT old_slug FROM slug_redirects WHERE old_slug IN (%[1]s)
	UNION SELECT slug FROM tombstones WHERE slug IN (%[1]s)`

// CreateArticle implements folio.Store. Status and PublishedAt go through
// folio.ApplySchedule, so a published article without a time gets Now.
func (s *Store) CreateArticle(ctx context.Context, in folio.ArticleInput) (*folio.Article, error) {
	for attempt := 1; ; attempt++ {
		a, err := s.createArticle(ctx, in)
		if errors.Is(err, errSlugRace) && attempt < 10 {
			continue
		}
		return a, err
	}
}

func (s *Store) createArticle(ctx context.Context, in folio.ArticleInput) (*folio.Article, error) {
	const what = "create article"
	now := s.now()
	if err := checkText("title", in.Title, "slug", in.Slug, "question", in.Question, "body", in.Body,
		"summary", in.Summary, "lang", in.Lang, "interviewee", in.Interviewee.Name, "interviewee", in.Interviewee.Bio); err != nil {
		return nil, err
	}
	if in.Series != nil {
		if err := checkText("series", in.Series.Slug, "series", in.Series.Title); err != nil {
			return nil, err
		}
	}
	authors := uniqueIDs(in.AuthorIDs)
	if len(authors) == 0 {
		return nil, folio.Invalid("author_email", "an article needs at least one author")
	}
	status := in.Status
	if status == "" {
		status = folio.StatusDraft
	}
	status, publishedAt, err := folio.ApplySchedule(status, in.PublishedAt, now)
	if err != nil {
		return nil, err
	}
	tags, err := folio.NormalizeTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var a *folio.Article
	err = s.inTx(ctx, what, func(tx *sql.Tx) error {
		if err := checkAuthors(ctx, tx, authors); err != nil {
			return err
		}
		slug, derived := in.Slug, in.Slug == ""
		if derived {
			base := folio.Slugify(in.Title)
			if base == "" {
				base = "article"
			}
			if err := s.xactLock(ctx, tx, "article-slug:"+base); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if slug, err = freeSlug(ctx, tx, base, true, articleSlugsQuery); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		} else if err := s.claimSlug(ctx, tx, slug, 0); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		seriesID, position, err := s.upsertSeries(ctx, tx, in.Series)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO articles (title, slug, question, body, summary, lang,
			interviewee_name, interviewee_bio, status, published_at, modified_at, created_at, updated_at,
			series_id, series_position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $11, $12, $13) RETURNING id`,
			in.Title, slug, in.Question, in.Body, in.Summary, in.Lang, in.Interviewee.Name, in.Interviewee.Bio,
			string(status), s.bindNullTime(publishedAt), s.bindTime(now), seriesID, position).Scan(&id)
		if err != nil {
			err = s.mapErr(what, err)
			var ce *folio.ConflictError
			if derived && errors.As(err, &ce) && ce.Field == "slug" {
				return errSlugRace
			}
			return err
		}
		if err := setAuthors(ctx, tx, id, authors); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := setTags(ctx, tx, id, tags); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if in.TranslationOf != 0 {
			if err := joinTranslation(ctx, tx, id, in.TranslationOf); err != nil {
				return err
			}
		}
		if err := s.addRevision(ctx, tx, id, in.Title, in.Question, in.Body, in.Summary, in.EditorID, now); err != nil {
			return s.mapErr(what, err)
		}
		if err := s.indexArticle(ctx, tx, id); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		a, err = loadArticle(ctx, tx, what, `a.id = $1`, id)
		return err
	})
	return a, err
}

// UpdateArticle implements folio.Store. A slug change of a public article
// leaves a redirect from the old slug; redirects the article left before
// keep pointing at it, so they follow to the new slug. Taking back one of
// its own old slugs drops that redirect.
func (s *Store) UpdateArticle(ctx context.Context, id int64, upd folio.ArticleUpdate) (*folio.Article, error) {
	what := fmt.Sprintf("update article %d", id)
	now := s.now()
	for _, f := range []struct {
		name string
		v    *string
	}{{"title", upd.Title}, {"slug", upd.Slug}, {"question", upd.Question}, {"body", upd.Body},
		{"summary", upd.Summary}, {"lang", upd.Lang}} {
		if f.v != nil && !storable(*f.v) {
			return nil, checkText(f.name, *f.v)
		}
	}
	if upd.Interviewee != nil {
		if err := checkText("interviewee", upd.Interviewee.Name, "interviewee", upd.Interviewee.Bio); err != nil {
			return nil, err
		}
	}
	if upd.Series != nil {
		if err := checkText("series", upd.Series.Slug, "series", upd.Series.Title); err != nil {
			return nil, err
		}
	}
	if upd.Status != nil && !upd.Status.Valid() {
		return nil, folio.Invalid("status", "must be draft, published, scheduled or trashed")
	}
	var tags []string
	if upd.Tags != nil {
		var err error
		if tags, err = folio.NormalizeTags(*upd.Tags); err != nil {
			return nil, err
		}
	}
	var authors []int64
	if upd.AuthorIDs != nil {
		if authors = uniqueIDs(upd.AuthorIDs); len(authors) == 0 {
			return nil, folio.Invalid("author_email", "an article needs at least one author")
		}
	}
	var a *folio.Article
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		cur, err := scanArticle(tx.QueryRowContext(ctx,
			`SELECT `+articleColumns+` FROM articles a WHERE a.id = $1`+s.dialect.ForUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		wasPublic := cur.IsPublic(now)
		next := *cur
		setIf(&next.Title, upd.Title)
		setIf(&next.Question, upd.Question)
		setIf(&next.Body, upd.Body)
		setIf(&next.Summary, upd.Summary)
		setIf(&next.Lang, upd.Lang)
		setIf(&next.Interviewee, upd.Interviewee)
		contentChanged := next.Title != cur.Title || next.Question != cur.Question ||
			next.Body != cur.Body || next.Summary != cur.Summary
		if upd.Status != nil || upd.PublishedAt != nil {
			setIf(&next.Status, upd.Status)
			if upd.PublishedAt != nil {
				next.PublishedAt = upd.PublishedAt
			}
			if next.Status, next.PublishedAt, err = folio.ApplySchedule(next.Status, next.PublishedAt, now); err != nil {
				return err
			}
		}
		if upd.Slug != nil && *upd.Slug != cur.Slug {
			if err := s.claimSlug(ctx, tx, *upd.Slug, id); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if wasPublic {
				if _, err := tx.ExecContext(ctx, `INSERT INTO slug_redirects (old_slug, article_id) VALUES ($1, $2)
					ON CONFLICT (old_slug) DO UPDATE SET article_id = excluded.article_id`, cur.Slug, id); err != nil {
					return s.mapErr(what+": redirect", err)
				}
			}
			next.Slug = *upd.Slug
		}
		if wasPublic && contentChanged {
			next.ModifiedAt = &now
		}
		var seriesID any
		if cur.Series != nil {
			seriesID = cur.Series.ID
		}
		switch {
		case upd.ClearSeries:
			seriesID, next.SeriesPosition = nil, 0
		case upd.Series != nil:
			if seriesID, next.SeriesPosition, err = s.upsertSeries(ctx, tx, upd.Series); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET title = $2, slug = $3, question = $4, body = $5,
			summary = $6, lang = $7, interviewee_name = $8, interviewee_bio = $9, status = $10,
			published_at = $11, modified_at = $12, updated_at = $13, series_id = $14, series_position = $15
			WHERE id = $1`,
			id, next.Title, next.Slug, next.Question, next.Body, next.Summary, next.Lang,
			next.Interviewee.Name, next.Interviewee.Bio, string(next.Status), s.bindNullTime(next.PublishedAt),
			s.bindNullTime(next.ModifiedAt), s.bindTime(now), seriesID, next.SeriesPosition)
		if err != nil {
			return s.mapErr(what, err)
		}
		if upd.AuthorIDs != nil {
			if err := checkAuthors(ctx, tx, authors); err != nil {
				return err
			}
			if err := setAuthors(ctx, tx, id, authors); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		if upd.Tags != nil {
			if err := setTags(ctx, tx, id, tags); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		if upd.TranslationOf != nil {
			if err := joinTranslation(ctx, tx, id, *upd.TranslationOf); err != nil {
				return err
			}
		}
		if contentChanged || upd.ForceRevision {
			if err := s.saveRevision(ctx, tx, id, &next, upd, now); err != nil {
				return s.mapErr(what, err)
			}
		}
		if err := s.indexArticle(ctx, tx, id); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		a, err = loadArticle(ctx, tx, what, `a.id = $1`, id)
		return err
	})
	return a, err
}

// DeleteArticle implements folio.Store. The article's slug and the slugs it
// redirected from are tombstoned, so all its old URLs answer 410.
func (s *Store) DeleteArticle(ctx context.Context, id int64) error {
	what := fmt.Sprintf("delete article %d", id)
	now := s.bindTime(s.now())
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		var slug string
		err := tx.QueryRowContext(ctx, `SELECT slug FROM articles WHERE id = $1`+s.dialect.ForUpdate, id).Scan(&slug)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		slugs := []string{slug}
		err = eachRow(ctx, tx, `SELECT old_slug FROM slug_redirects WHERE article_id = $1`, []any{id}, func(rows *sql.Rows) error {
			var old string
			if err := rows.Scan(&old); err != nil {
				return err
			}
			slugs = append(slugs, old)
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: redirects: %w", what, err)
		}
		if err := s.unindexArticle(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = $1`, id); err != nil {
			return s.mapErr(what, err)
		}
		for _, sl := range slugs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tombstones (slug, deleted_at) VALUES ($1, $2)
				ON CONFLICT (slug) DO UPDATE SET deleted_at = excluded.deleted_at`, sl, now); err != nil {
				return s.mapErr(what+": tombstone", err)
			}
		}
		return bumpVersion(ctx, tx)
	})
}

// claimSlug makes slug free for article self (0 for a new article): it
// fails with a *folio.ConflictError when another article or another
// article's redirect holds it, and drops self's own redirect and any
// tombstone on it.
func (s *Store) claimSlug(ctx context.Context, tx *sql.Tx, slug string, self int64) error {
	if folio.IsReservedSlug(slug) {
		return folio.Invalid("slug", "%q is reserved for a site route; choose another slug", slug)
	}
	taken := &folio.ConflictError{Field: "slug", Message: fmt.Sprintf("slug %q is already taken", slug)}
	var owner int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE slug = $1`, slug).Scan(&owner)
	switch {
	case err == nil && owner != self:
		return taken
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("check slug: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT article_id FROM slug_redirects WHERE old_slug = $1`, slug).Scan(&owner)
	switch {
	case err == nil && owner != self:
		return taken
	case err == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM slug_redirects WHERE old_slug = $1`, slug); err != nil {
			return fmt.Errorf("drop own redirect: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("check slug redirects: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tombstones WHERE slug = $1`, slug); err != nil {
		return fmt.Errorf("drop tombstone: %w", err)
	}
	return nil
}

// upsertSeries creates the series ref names, or updates its title when ref
// has one, and returns its ID (nil without a ref) and the position.
func (s *Store) upsertSeries(ctx context.Context, tx *sql.Tx, ref *folio.SeriesRef) (any, int, error) {
	if ref == nil {
		return nil, 0, nil
	}
	slug, title := strings.TrimSpace(ref.Slug), strings.TrimSpace(ref.Title)
	if slug == "" {
		slug = folio.Slugify(title)
	}
	if slug == "" {
		return nil, 0, folio.Invalid("series", "needs a slug or a title")
	}
	q := `INSERT INTO series (slug, title, description) VALUES ($1, $2, '')
		ON CONFLICT (slug) DO UPDATE SET title = excluded.title RETURNING id`
	if title == "" {
		title = slug
		q = `INSERT INTO series (slug, title, description) VALUES ($1, $2, '')
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id`
	}
	var id int64
	if err := tx.QueryRowContext(ctx, q, slug, title).Scan(&id); err != nil {
		return nil, 0, s.mapErr("save series", err)
	}
	return id, ref.Position, nil
}

// checkAuthors fails with a *folio.ValidationError for "author_email"
// unless every id is a user.
func checkAuthors(ctx context.Context, tx *sql.Tx, ids []int64) error {
	args := idArgs(ids)
	found := map[int64]bool{}
	err := eachRow(ctx, tx, `SELECT id FROM users WHERE id IN (`+placeholders(1, len(ids))+`)`, args, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		found[id] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("check authors: %w", err)
	}
	for _, id := range ids {
		if !found[id] {
			return folio.Invalid("author_email", "no user has id %d", id)
		}
	}
	return nil
}

// setAuthors replaces the byline of article id, in order.
func setAuthors(ctx context.Context, tx *sql.Tx, id int64, authors []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_authors WHERE article_id = $1`, id); err != nil {
		return fmt.Errorf("clear authors: %w", err)
	}
	values := make([]string, len(authors))
	args := []any{id}
	for i, uid := range authors {
		values[i] = fmt.Sprintf("($1, $%d, $%d)", len(args)+1, len(args)+2)
		args = append(args, uid, i)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_authors (article_id, user_id, position) VALUES `+
		strings.Join(values, ", "), args...); err != nil {
		return fmt.Errorf("set authors: %w", err)
	}
	return nil
}

// setTags replaces the tags of article id, in order, creating tags on
// first use. Names are matched on their slug, so "Go" and "go" are one tag
// and the first spelling stays.
func setTags(ctx context.Context, tx *sql.Tx, id int64, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = $1`, id); err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	if len(names) == 0 {
		return nil
	}
	type tag struct{ name, slug string }
	var tags []tag
	slugs := make([]any, 0, len(names))
	seen := map[string]bool{}
	for _, name := range names {
		slug := folio.Slugify(name)
		if slug == "" || seen[slug] {
			continue
		}
		seen[slug] = true
		tags = append(tags, tag{name, slug})
		slugs = append(slugs, slug)
	}
	if len(tags) == 0 {
		return nil
	}
	// Insert in slug order, so that concurrent transactions creating the
	// same new tags lock them in one order and cannot deadlock.
	sorted := slices.Clone(tags)
	slices.SortFunc(sorted, func(a, b tag) int { return strings.Compare(a.slug, b.slug) })
	values := make([]string, 0, len(tags))
	args := make([]any, 0, 2*len(tags))
	for _, tg := range sorted {
		values = append(values, fmt.Sprintf("($%d, $%d)", len(args)+1, len(args)+2))
		args = append(args, tg.name, tg.slug)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tags (name, slug) VALUES `+strings.Join(values, ", ")+
		` ON CONFLICT (slug) DO NOTHING`, args...); err != nil {
		return fmt.Errorf("create tags: %w", err)
	}
	tagIDs := map[string]int64{}
	err := eachRow(ctx, tx, `SELECT id, slug FROM tags WHERE slug IN (`+placeholders(1, len(slugs))+`)`, slugs, func(rows *sql.Rows) error {
		var tid int64
		var slug string
		if err := rows.Scan(&tid, &slug); err != nil {
			return err
		}
		tagIDs[slug] = tid
		return nil
	})
	if err != nil {
		return fmt.Errorf("find tags: %w", err)
	}
	values = values[:0]
	args = []any{id}
	for i, slug := range slugs {
		values = append(values, fmt.Sprintf("($1, $%d, $%d)", len(args)+1, len(args)+2))
		args = append(args, tagIDs[slug.(string)], i)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id, position) VALUES `+
		strings.Join(values, ", "), args...); err != nil {
		return fmt.Errorf("set tags: %w", err)
	}
	return nil
}

// addRevision keeps a copy of an article's content as saved at now.
func (s *Store) addRevision(ctx context.Context, tx *sql.Tx, articleID int64, title, question, body, summary string, editorID int64, now time.Time) error {
	var editor any
	if editorID != 0 {
		editor = editorID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (article_id, title, question, body, summary, editor_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, articleID, title, question, body, summary, editor, s.bindTime(now)); err != nil {
		return fmt.Errorf("add revision: %w", err)
	}
	return nil
}

// saveRevision keeps a revision of an update: a new one, or for an
// autosave the same editor's newest autosave overwritten.
func (s *Store) saveRevision(ctx context.Context, tx *sql.Tx, id int64, next *folio.Article, upd folio.ArticleUpdate, now time.Time) error {
	if upd.Autosave {
		var revID int64
		var autosave bool
		var editor sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, autosave, editor_id FROM revisions WHERE article_id = $1
			ORDER BY id DESC LIMIT 1`, id).Scan(&revID, &autosave, &editor)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find autosave: %w", err)
		}
		if err == nil && autosave && editor.Int64 == upd.EditorID {
			_, err := tx.ExecContext(ctx, `UPDATE revisions SET title = $2, question = $3, body = $4, summary = $5,
				created_at = $6 WHERE id = $1`, revID, next.Title, next.Question, next.Body, next.Summary, s.bindTime(now))
			return err
		}
	}
	if err := s.addRevision(ctx, tx, id, next.Title, next.Question, next.Body, next.Summary, upd.EditorID, now); err != nil {
		return err
	}
	if upd.Autosave {
		_, err := tx.ExecContext(ctx, `UPDATE revisions SET autosave = $2 WHERE id = (SELECT max(id) FROM revisions WHERE article_id = $1)`, id, true)
		return err
	}
	return nil
}

// uniqueIDs drops duplicates, keeping the first order.
func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// setIf sets *dst to *v when v is not nil.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// joinTranslation puts article id into the translation group of article
// of (0: out of any group). A group is named by its first article's id.
func joinTranslation(ctx context.Context, tx *sql.Tx, id, of int64) error {
	if of == 0 {
		_, err := tx.ExecContext(ctx, `UPDATE articles SET translation_group = NULL WHERE id = $1`, id)
		return err
	}
	if of == id {
		return folio.Invalid("translation_of", "an article cannot be a translation of itself")
	}
	var group int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(translation_group, id) FROM articles WHERE id = $1`, of).Scan(&group)
	if errors.Is(err, sql.ErrNoRows) {
		return folio.Invalid("translation_of", "no article has id %d", of)
	}
	if err != nil {
		return fmt.Errorf("join translation: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET translation_group = $1
		WHERE (id = $2 AND translation_group IS NULL) OR id = $3`, group, of, id); err != nil {
		return fmt.Errorf("join translation: %w", err)
	}
	return nil
}
