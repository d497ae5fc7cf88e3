package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"folio"
)

// Comment listing limits for FindComments.
const (
	defaultCommentLimit = 50
	maxCommentLimit     = 500
)

const commentColumns = `c.id, c.article_id, COALESCE(c.parent_id, 0), c.root_id, c.depth, c.name, c.email, c.website,
	c.body, c.status, COALESCE(c.user_id, 0), c.spam_score, c.addr_hash, c.created_at, a.title, a.slug`

func scanComment(row interface{ Scan(...any) error }, extra ...any) (*folio.Comment, error) {
	var c folio.Comment
	var status string
	var created nullTime
	dest := []any{&c.ID, &c.ArticleID, &c.ParentID, &c.RootID, &c.Depth, &c.Name, &c.Email, &c.Website,
		&c.Body, &status, &c.UserID, &c.SpamScore, &c.AddrHash, &created, &c.ArticleTitle, &c.ArticleSlug}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	c.Status, c.CreatedAt = folio.CommentStatus(status), created.Time
	return &c, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateComment implements folio.Store. The trust check, the parent check
// and the insert share one transaction, so a comment approved meanwhile
// counts and a parent trashed meanwhile is refused.
func (s *Store) CreateComment(ctx context.Context, c *folio.Comment, opt folio.CommentCreate) error {
	w := &folio.CommentWrite{Comment: c, Opt: opt}
	if err := s.WriteComments(ctx, []*folio.CommentWrite{w}); err != nil {
		return err
	}
	return w.Err
}

// WriteComments implements folio.Store.
func (s *Store) WriteComments(ctx context.Context, items []*folio.CommentWrite) error {
	const what = "write comments"
	for _, w := range items {
		w.Err = nil
		if w.RateKey != "" && !storable(w.RateKey) {
			w.Err = folio.Invalid("key", "must be non-empty text")
		} else if c := w.Comment; c != nil {
			if err := checkText("name", c.Name, "email", c.Email, "website", c.Website, "body", c.Body, "addr", c.AddrHash); err != nil {
				w.Err = err
			} else if c.Status != "" && !c.Status.Valid() {
				w.Err = folio.Invalid("status", "must be approved, pending, spam or trash")
			}
		}
	}
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		bump, pruned := false, false
		for _, w := range items {
			if w.Err != nil {
				continue
			}
			if w.RateKey != "" {
				if !pruned {
					if err := s.pruneRates(ctx, tx, w.RateSince); err != nil {
						return err
					}
					pruned = true
				}
				hit, err := s.hitRate(ctx, tx, w.RateKey, w.RateSince, now)
				if err != nil {
					return err
				}
				w.Hit = hit
				if w.RateLimit > 0 && hit.Count > w.RateLimit {
					w.Err = folio.ErrRateLimited
					continue
				}
			}
			if w.Comment == nil {
				continue
			}
			approved, err := s.insertComment(ctx, tx, w.Comment, w.Opt, now)
			var ie itemError
			if errors.As(err, &ie) {
				w.Err = ie.error
				continue
			}
			if err != nil {
				return err
			}
			bump = bump || approved
		}
		if bump {
			return bumpVersion(ctx, tx)
		}
		return nil
	})
}

// itemError is a problem of one comment of a batch, found by a read before
// its insert, so the transaction can go on (PostgreSQL aborts a
// transaction after a failed statement, so only reads may fail per item).
type itemError struct{ error }

// insertComment stores c in tx and reports whether it is approved. Its
// checks are reads before the insert, so a refused comment leaves the
// transaction usable for the rest of a batch.
func (s *Store) insertComment(ctx context.Context, tx *sql.Tx, c *folio.Comment, opt folio.CommentCreate, now time.Time) (bool, error) {
	what := fmt.Sprintf("create comment on article %d", c.ArticleID)
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM articles WHERE id = $1`, c.ArticleID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, itemError{fmt.Errorf("%s: %w", what, folio.ErrNotFound)}
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	root, depth := int64(0), 0
	if c.ParentID != 0 {
		var article int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT article_id, root_id, depth, status FROM comments WHERE id = $1`, c.ParentID).
			Scan(&article, &root, &depth, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (article != c.ArticleID || status != string(folio.CommentApproved))) {
			return false, itemError{folio.Invalid("parent", "is not a published comment on this article")}
		}
		if err != nil {
			return false, fmt.Errorf("%s: parent: %w", what, err)
		}
		depth++
	}
	status := c.Status
	if status == "" {
		status = folio.CommentApproved
		if opt.Moderate && c.UserID == 0 {
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE email = $1 AND status = 'approved' LIMIT 1`, c.Email).Scan(&one)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				status = folio.CommentPending
			case err != nil:
				return false, fmt.Errorf("%s: trust: %w", what, err)
			}
		}
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO comments (article_id, parent_id, root_id, depth, name, email, website,
		body, status, user_id, spam_score, addr_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		c.ArticleID, nullID(c.ParentID), root, depth, c.Name, c.Email, c.Website, c.Body, string(status),
		nullID(c.UserID), c.SpamScore, c.AddrHash, s.bindTime(now)).Scan(&id)
	if err != nil {
		return false, s.mapErr(what, err)
	}
	if root == 0 {
		root = id
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET root_id = $1 WHERE id = $1`, id); err != nil {
			return false, fmt.Errorf("%s: root: %w", what, err)
		}
	}
	c.ID, c.RootID, c.Depth, c.CreatedAt, c.Status = id, root, depth, now, status
	return status == folio.CommentApproved, nil
}

// FindCommentByID implements folio.Store.
func (s *Store) FindCommentByID(ctx context.Context, id int64) (*folio.Comment, error) {
	c, err := scanComment(s.reader.QueryRowContext(ctx, `SELECT `+commentColumns+`
		FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find comment %d: %w", id, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find comment %d: %w", id, err)
	}
	return c, nil
}

// commentWhere builds the WHERE clause of a filter, appending to args.
// now is bound when f.PublicArticles asks for it.
func commentWhere(f folio.CommentFilter, args *[]any, now any) string {
	arg := func(v any) int {
		*args = append(*args, v)
		return len(*args)
	}
	conds := []string{"1 = 1"}
	if f.ArticleID != 0 {
		conds = append(conds, fmt.Sprintf(`c.article_id = $%d`, arg(f.ArticleID)))
	}
	if len(f.Statuses) > 0 {
		from := len(*args) + 1
		for _, st := range f.Statuses {
			arg(string(st))
		}
		conds = append(conds, `c.status IN (`+placeholders(from, len(f.Statuses))+`)`)
	}
	if f.AuthorID != 0 {
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = c.article_id AND x.user_id = $%d)`, arg(f.AuthorID)))
	}
	if f.Email != "" {
		conds = append(conds, fmt.Sprintf(`c.email = $%d`, arg(f.Email)))
	}
	if f.PublicArticles {
		conds = append(conds, `EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id AND `+publicCond(arg(now))+`)`)
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// FindComments implements folio.Store.
func (s *Store) FindComments(ctx context.Context, f folio.CommentFilter) ([]*folio.Comment, int, error) {
	const what = "find comments"
	if !storable(f.Email) {
		return []*folio.Comment{}, 0, nil
	}
	var args []any
	where := commentWhere(f, &args, s.bindTime(s.now()))
	limit := f.Limit
	if limit <= 0 {
		limit = defaultCommentLimit
	}
	limit = min(limit, maxCommentLimit)
	offset := max(f.Offset, 0)
	order := ` ORDER BY c.created_at DESC, c.id DESC`
	if f.Oldest {
		order = ` ORDER BY c.created_at, c.id`
	}
	n := len(args)
	query := `SELECT ` + commentColumns + `, COUNT(*) OVER () FROM comments c JOIN articles a ON a.id = c.article_id` +
		where + order + fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2)
	out := []*folio.Comment{}
	total := 0
	err := eachRow(ctx, s.reader, query, append(args, limit, offset), func(rows *sql.Rows) error {
		c, err := scanComment(rows, &total)
		if err == nil {
			out = append(out, c)
		}
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	if len(out) == 0 && offset > 0 {
		if err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments c`+where, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("%s: count: %w", what, err)
		}
	}
	return out, total, nil
}

// FindCommentThreads implements folio.Store.
func (s *Store) FindCommentThreads(ctx context.Context, articleID int64, offset, limit int) ([]*folio.Comment, int, error) {
	what := fmt.Sprintf("find comment threads of article %d", articleID)
	limit = max(1, min(limit, maxCommentLimit))
	out := []*folio.Comment{}
	err := eachRow(ctx, s.reader, `SELECT `+commentColumns+` FROM comments c JOIN articles a ON a.id = c.article_id
		WHERE c.article_id = $1 AND c.status = 'approved' AND c.root_id IN (
			SELECT root_id FROM comments WHERE article_id = $1 AND status = 'approved'
			GROUP BY root_id ORDER BY root_id DESC LIMIT $2 OFFSET $3)
		ORDER BY c.root_id DESC, c.created_at, c.id`, []any{articleID, limit, max(offset, 0)}, func(rows *sql.Rows) error {
		c, err := scanComment(rows)
		if err == nil {
			out = append(out, c)
		}
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	var total int
	if err := s.reader.QueryRowContext(ctx, `SELECT COUNT(DISTINCT root_id) FROM comments
		WHERE article_id = $1 AND status = 'approved'`, articleID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("%s: count: %w", what, err)
	}
	return out, total, nil
}

// SetCommentStatus implements folio.Store. Public pages change only when
// an approved comment comes or goes, so only then is the version bumped.
func (s *Store) SetCommentStatus(ctx context.Context, id int64, status folio.CommentStatus) (*folio.Comment, error) {
	if !status.Valid() {
		return nil, folio.Invalid("status", "must be approved, pending, spam or trash")
	}
	what := fmt.Sprintf("set status of comment %d", id)
	var before *folio.Comment
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		c, err := scanComment(tx.QueryRowContext(ctx, `SELECT `+commentColumns+`
			FROM comments c JOIN articles a ON a.id = c.article_id WHERE c.id = $1`+s.dialect.ForUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		before = c
		if c.Status == status {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET status = $2 WHERE id = $1`, id, string(status)); err != nil {
			return s.mapErr(what, err)
		}
		if c.Status == folio.CommentApproved || status == folio.CommentApproved {
			return bumpVersion(ctx, tx)
		}
		return nil
	})
	return before, err
}

// CountComments implements folio.Store.
func (s *Store) CountComments(ctx context.Context, f folio.CommentFilter) (map[folio.CommentStatus]int, error) {
	out := map[folio.CommentStatus]int{}
	if !storable(f.Email) {
		return out, nil
	}
	var args []any
	where := commentWhere(f, &args, s.bindTime(s.now()))
	err := eachRow(ctx, s.reader, `SELECT c.status, COUNT(*) FROM comments c`+where+` GROUP BY c.status`, args,
		func(rows *sql.Rows) error {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			out[folio.CommentStatus(st)] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("count comments: %w", err)
	}
	return out, nil
}

// ArticleCommentsClosed implements folio.Store.
func (s *Store) ArticleCommentsClosed(ctx context.Context, articleID int64) (bool, error) {
	var closed bool
	err := s.reader.QueryRowContext(ctx, `SELECT comments_closed FROM articles WHERE id = $1`, articleID).Scan(&closed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("comments of article %d: %w", articleID, folio.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("comments of article %d: %w", articleID, err)
	}
	return closed, nil
}

// SetArticleCommentsClosed implements folio.Store. The article page shows
// the form or not, so the version is bumped.
func (s *Store) SetArticleCommentsClosed(ctx context.Context, articleID int64, closed bool) error {
	what := fmt.Sprintf("close comments of article %d", articleID)
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, what, `UPDATE articles SET comments_closed = $2 WHERE id = $1`, articleID, closed); err != nil {
			return err
		}
		return bumpVersion(ctx, tx)
	})
}

// HitRate implements folio.Store with one atomic upsert, so concurrent
// posts on several nodes all count.
func (s *Store) HitRate(ctx context.Context, key string, since time.Time) (folio.RateHit, error) {
	if !storable(key) || key == "" {
		return folio.RateHit{}, folio.Invalid("key", "must be non-empty text")
	}
	var hit folio.RateHit
	err := s.inTx(ctx, "hit rate counter", func(tx *sql.Tx) error {
		if err := s.pruneRates(ctx, tx, since); err != nil {
			return err
		}
		var err error
		hit, err = s.hitRate(ctx, tx, key, since, s.now())
		return err
	})
	return hit, err
}

// pruneRates drops a few counters whose window ended before since, so the
// table stays as small as the set of recent posters.
func (s *Store) pruneRates(ctx context.Context, tx *sql.Tx, since time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM rate_counters WHERE key IN (
		SELECT key FROM rate_counters WHERE window_start < $1 LIMIT 50)`, s.bindTime(since)); err != nil {
		return fmt.Errorf("hit rate counter: drop old: %w", err)
	}
	return nil
}

// hitRate counts under key in tx.
func (s *Store) hitRate(ctx context.Context, tx *sql.Tx, key string, since, now time.Time) (folio.RateHit, error) {
	const what = "hit rate counter"
	var hit folio.RateHit
	var start nullTime
	err := tx.QueryRowContext(ctx, `INSERT INTO rate_counters (key, count, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN rate_counters.window_start < $3 THEN 1 ELSE rate_counters.count + 1 END,
			window_start = CASE WHEN rate_counters.window_start < $3 THEN excluded.window_start ELSE rate_counters.window_start END
		RETURNING count, window_start`, key, s.bindTime(now), s.bindTime(since)).Scan(&hit.Count, &start)
	if err != nil {
		return hit, fmt.Errorf("%s: %w", what, err)
	}
	hit.WindowStart = start.Time
	return hit, nil
}

// RateCount implements folio.Store.
func (s *Store) RateCount(ctx context.Context, key string, since time.Time) (folio.RateHit, error) {
	if !storable(key) || key == "" {
		return folio.RateHit{}, nil
	}
	var hit folio.RateHit
	var start nullTime
	err := s.reader.QueryRowContext(ctx, `SELECT count, window_start FROM rate_counters WHERE key = $1 AND window_start >= $2`,
		key, s.bindTime(since)).Scan(&hit.Count, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return hit, nil
	}
	if err != nil {
		return hit, fmt.Errorf("rate count: %w", err)
	}
	hit.WindowStart = start.Time
	return hit, nil
}

// CreateSubscription implements folio.Store.
func (s *Store) CreateSubscription(ctx context.Context, sub *folio.Subscription) error {
	if sub == nil || sub.Token == "" {
		return folio.Invalid("token", "is required")
	}
	if err := checkText("email", sub.Email, "token", sub.Token); err != nil {
		return err
	}
	what := fmt.Sprintf("subscribe to article %d", sub.ArticleID)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM comment_subscriptions WHERE article_id = $1 AND email = $2 AND confirmed = $3`,
			sub.ArticleID, sub.Email, false); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO comment_subscriptions (article_id, email, token, confirmed, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, sub.ArticleID, sub.Email, sub.Token, false, s.bindTime(now)).Scan(&sub.ID)
		if err != nil {
			return s.mapErr(what, err)
		}
		sub.Confirmed, sub.CreatedAt = false, now
		return nil
	})
}

const subscriptionColumns = `id, article_id, email, token, confirmed, created_at`

func scanSubscription(row interface{ Scan(...any) error }) (*folio.Subscription, error) {
	var sub folio.Subscription
	var created nullTime
	if err := row.Scan(&sub.ID, &sub.ArticleID, &sub.Email, &sub.Token, &sub.Confirmed, &created); err != nil {
		return nil, err
	}
	sub.CreatedAt = created.Time
	return &sub, nil
}

// ConfirmSubscription implements folio.Store.
func (s *Store) ConfirmSubscription(ctx context.Context, tokenHash string) (*folio.Subscription, error) {
	const what = "confirm subscription"
	if !storable(tokenHash) || tokenHash == "" {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	sub, err := scanSubscription(s.writer.QueryRowContext(ctx, `UPDATE comment_subscriptions SET confirmed = $2
		WHERE token = $1 RETURNING `+subscriptionColumns, tokenHash, true))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return sub, nil
}

// DeleteSubscription implements folio.Store.
func (s *Store) DeleteSubscription(ctx context.Context, tokenHash string) error {
	if !storable(tokenHash) || tokenHash == "" {
		return fmt.Errorf("unsubscribe: %w", folio.ErrNotFound)
	}
	return s.execOne(ctx, "unsubscribe", `DELETE FROM comment_subscriptions WHERE token = $1`, tokenHash)
}

// FindSubscribers implements folio.Store.
func (s *Store) FindSubscribers(ctx context.Context, articleID int64) ([]*folio.Subscription, error) {
	return s.findSubscriptions(ctx, fmt.Sprintf("find subscribers of article %d", articleID),
		`article_id = $1 AND confirmed = $2`, articleID, true)
}

func (s *Store) findSubscriptions(ctx context.Context, what, where string, args ...any) ([]*folio.Subscription, error) {
	out := []*folio.Subscription{}
	err := eachRow(ctx, s.reader, `SELECT `+subscriptionColumns+` FROM comment_subscriptions WHERE `+where+` ORDER BY id`, args,
		func(rows *sql.Rows) error {
			sub, err := scanSubscription(rows)
			if err == nil {
				out = append(out, sub)
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CommenterData implements folio.Store.
func (s *Store) CommenterData(ctx context.Context, email string) (*folio.CommenterData, error) {
	email = folio.NormalizeEmail(email)
	out := &folio.CommenterData{Email: email, Comments: []*folio.Comment{}, Subscriptions: []*folio.Subscription{}}
	if !storable(email) || email == "" {
		return out, nil
	}
	err := eachRow(ctx, s.reader, `SELECT `+commentColumns+` FROM comments c JOIN articles a ON a.id = c.article_id
		WHERE c.email = $1 ORDER BY c.created_at, c.id`, []any{email}, func(rows *sql.Rows) error {
		c, err := scanComment(rows)
		if err == nil {
			out.Comments = append(out.Comments, c)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("commenter data: %w", err)
	}
	if out.Subscriptions, err = s.findSubscriptions(ctx, "commenter data", `email = $1`, email); err != nil {
		return nil, err
	}
	return out, nil
}

// EraseCommenter implements folio.Store. A comment that others replied to
// is emptied (no name, address, text; status trash) rather than deleted,
// so the replies keep their place; the rest are deleted.
func (s *Store) EraseCommenter(ctx context.Context, email string) (int, error) {
	email = folio.NormalizeEmail(email)
	if !storable(email) || email == "" {
		return 0, nil
	}
	const what = "erase commenter"
	n := 0
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		var ids []any
		approved := false
		err := eachRow(ctx, tx, `SELECT id, status FROM comments WHERE email = $1`, []any{email}, func(rows *sql.Rows) error {
			var id int64
			var st string
			if err := rows.Scan(&id, &st); err != nil {
				return err
			}
			ids = append(ids, id)
			approved = approved || st == string(folio.CommentApproved)
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM comment_subscriptions WHERE email = $1`, email); err != nil {
			return fmt.Errorf("%s: subscriptions: %w", what, err)
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		in := placeholders(1, len(ids))
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET name = '', email = '', website = '', body = '',
			addr_hash = '', status = 'trash' WHERE id IN (`+in+`)`, ids...); err != nil {
			return fmt.Errorf("%s: empty: %w", what, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = comments.id)`, ids...); err != nil {
			return fmt.Errorf("%s: delete: %w", what, err)
		}
		if approved {
			return bumpVersion(ctx, tx)
		}
		return nil
	})
	return n, err
}

// ForgetAddresses implements folio.Store.
func (s *Store) ForgetAddresses(ctx context.Context, before time.Time) (int, error) {
	res, err := s.writer.ExecContext(ctx, `UPDATE comments SET addr_hash = '' WHERE addr_hash <> '' AND created_at < $1`, s.bindTime(before))
	if err != nil {
		return 0, fmt.Errorf("forget addresses: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("forget addresses: %w", err)
	}
	return int(n), nil
}

// spamDocsKey is the spam_tokens row that counts trained documents; no
// token contains a space.
const spamDocsKey = " docs"

// TrainSpam implements folio.Store. Counts never go below zero, so taking
// back a decision that was never trained is harmless.
func (s *Store) TrainSpam(ctx context.Context, tokens []string, spam bool, delta int) error {
	col := "ham"
	if spam {
		col = "spam"
	}
	const what = "train spam classifier"
	seen := map[string]bool{}
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		for _, t := range append([]string{spamDocsKey}, tokens...) {
			if seen[t] || !storable(t) || t == "" {
				continue
			}
			seen[t] = true
			_, err := tx.ExecContext(ctx, `INSERT INTO spam_tokens (token, `+col+`) VALUES ($1, CASE WHEN $2 > 0 THEN $2 ELSE 0 END)
				ON CONFLICT (token) DO UPDATE SET `+col+` = CASE WHEN spam_tokens.`+col+` + $2 > 0 THEN spam_tokens.`+col+` + $2 ELSE 0 END`,
				t, delta)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		return nil
	})
}

// SpamCounts implements folio.Store.
func (s *Store) SpamCounts(ctx context.Context, tokens []string) (map[string][2]int, [2]int, error) {
	counts := map[string][2]int{}
	var docs [2]int
	args := []any{spamDocsKey}
	for _, t := range tokens {
		if storable(t) && t != "" {
			args = append(args, t)
		}
	}
	err := eachRow(ctx, s.reader, `SELECT token, spam, ham FROM spam_tokens WHERE token IN (`+placeholders(1, len(args))+`)`, args,
		func(rows *sql.Rows) error {
			var t string
			var c [2]int
			if err := rows.Scan(&t, &c[0], &c[1]); err != nil {
				return err
			}
			if t == spamDocsKey {
				docs = c
			} else {
				counts[t] = c
			}
			return nil
		})
	if err != nil {
		return nil, docs, fmt.Errorf("spam counts: %w", err)
	}
	return counts, docs, nil
}

// EnsureSetting implements folio.Store. It does not bump the content
// version: it creates secrets, which no public page shows.
func (s *Store) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	what := fmt.Sprintf("ensure setting %q", key)
	if err := checkText("key", key, "value", value); err != nil {
		return "", err
	}
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, value); err != nil {
		return "", s.mapErr(what, err)
	}
	var v string
	if err := s.writer.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}
