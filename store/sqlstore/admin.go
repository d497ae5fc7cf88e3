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

// UpdateUser implements folio.Store. It bumps the content version, since
// names and bios appear in bylines and on author pages.
func (s *Store) UpdateUser(ctx context.Context, id int64, upd folio.UserUpdate) (*folio.User, error) {
	what := fmt.Sprintf("update user %d", id)
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", upd.Name}, {"bio", upd.Bio}, {"password", upd.PasswordHash}} {
		if f.v != nil && !storable(*f.v) {
			return nil, checkText(f.name, *f.v)
		}
	}
	if upd.Role != nil && !upd.Role.Valid() {
		return nil, folio.Invalid("role", "must be admin, editor or author")
	}
	var u *folio.User
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		cur, err := s.findUser(ctx, tx, what, `id = $1`+s.dialect.ForUpdate, id)
		if err != nil {
			return err
		}
		setIf(&cur.Name, upd.Name)
		setIf(&cur.Bio, upd.Bio)
		setIf(&cur.Role, upd.Role)
		setIf(&cur.PasswordHash, upd.PasswordHash)
		setIf(&cur.Deactivated, upd.Deactivated)
		cur.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $2, bio = $3, role = $4, password_hash = $5,
			active = $6, updated_at = $7 WHERE id = $1`, id, cur.Name, cur.Bio, string(cur.Role), cur.PasswordHash,
			!cur.Deactivated, s.bindTime(cur.UpdatedAt)); err != nil {
			return s.mapErr(what, err)
		}
		if cur.Deactivated {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return fmt.Errorf("%s: end sessions: %w", what, err)
			}
		}
		u = cur
		return bumpVersion(ctx, tx)
	})
	return u, err
}

// FindUsers implements folio.Store.
func (s *Store) FindUsers(ctx context.Context) ([]*folio.User, error) {
	var out []*folio.User
	err := eachRow(ctx, s.reader, `SELECT `+userColumns+` FROM users ORDER BY `+s.dialect.Lower+`(name), id`, nil,
		func(rows *sql.Rows) error {
			u, err := scanUser(rows)
			if err == nil {
				out = append(out, u)
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return out, nil
}

// CreateFirstAdmin implements folio.Store.
func (s *Store) CreateFirstAdmin(ctx context.Context, tokenHash string, u *folio.User) error {
	if u == nil {
		return folio.Invalid("", "no user given")
	}
	const what = "create first admin"
	if tokenHash == "" || !storable(tokenHash) {
		return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err := checkText("name", u.Name, "email", u.Email, "bio", u.Bio, "password", u.PasswordHash); err != nil {
		return err
	}
	email := folio.NormalizeEmail(u.Email)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, what, `DELETE FROM settings WHERE key = $1 AND value = $2`, folio.SetupTokenSetting, tokenHash); err != nil {
			return err
		}
		return s.insertUser(ctx, tx, what, email, now, u)
	})
}

// FindTokens implements folio.Store.
func (s *Store) FindTokens(ctx context.Context, userID int64) ([]*folio.Token, error) {
	var out []*folio.Token
	err := eachRow(ctx, s.reader, `SELECT id, user_id, name, created_at, last_used_at FROM api_tokens
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, []any{userID}, func(rows *sql.Rows) error {
		var t folio.Token
		var created, used nullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &created, &used); err != nil {
			return err
		}
		t.CreatedAt, t.LastUsedAt = created.Time, used.Ptr()
		out = append(out, &t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find tokens of user %d: %w", userID, err)
	}
	return out, nil
}

// DeleteToken implements folio.Store.
func (s *Store) DeleteToken(ctx context.Context, userID, id int64) error {
	what := fmt.Sprintf("delete token %d of user %d", id, userID)
	return s.execOne(ctx, what, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, userID)
}

// execOne runs a write on the writer that must change exactly one row,
// returning ErrNotFound when it changed none.
func (s *Store) execOne(ctx context.Context, what, query string, args ...any) error {
	res, err := s.writer.ExecContext(ctx, query, args...)
	if err != nil {
		return s.mapErr(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	return nil
}

// CreateSession implements folio.Store.
func (s *Store) CreateSession(ctx context.Context, sess *folio.Session) error {
	if sess == nil || sess.Hash == "" || !storable(sess.Hash) {
		return folio.Invalid("session", "has no hash")
	}
	what := fmt.Sprintf("create session for user %d", sess.UserID)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, s.bindTime(now)); err != nil {
			return fmt.Errorf("%s: drop expired: %w", what, err)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, sess.Hash, sess.UserID, s.bindTime(now), s.bindTime(sess.ExpiresAt)).Scan(&id)
		if err != nil {
			return s.mapErr(what, err)
		}
		sess.ID, sess.CreatedAt, sess.ExpiresAt = id, now, sess.ExpiresAt.UTC().Truncate(time.Microsecond)
		return nil
	})
}

// FindSession implements folio.Store.
func (s *Store) FindSession(ctx context.Context, hash string) (*folio.Session, *folio.User, error) {
	const what = "find session"
	if hash == "" || !storable(hash) {
		return nil, nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	var sess folio.Session
	var created, expires nullTime
	err := s.reader.QueryRowContext(ctx, `SELECT s.id, s.hash, s.user_id, s.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.hash = $1 AND s.expires_at > $2 AND u.active = $3`, hash, s.bindTime(s.now()), true).
		Scan(&sess.ID, &sess.Hash, &sess.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	sess.CreatedAt, sess.ExpiresAt = created.Time, expires.Time
	u, err := s.findUser(ctx, s.reader, what, `id = $1`, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &sess, u, nil
}

// DeleteSession implements folio.Store.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if !storable(hash) {
		return nil
	}
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions implements folio.Store.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, except string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND hash <> $2`, userID, except); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// LoginFailures implements folio.Store.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	if !storable(key) {
		return 0, folio.Invalid("key", "contains NUL characters or invalid UTF-8")
	}
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT count FROM login_failures WHERE key = $1 AND window_start >= $2`,
		key, s.bindTime(since)).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("login failures: %w", err)
	}
	return n, nil
}

// AddLoginFailure implements folio.Store. One upsert counts atomically on
// both engines, so concurrent failures on several nodes all count. Rows
// whose window ended are dropped on the way.
func (s *Store) AddLoginFailure(ctx context.Context, key string, since time.Time) (int, error) {
	if !storable(key) {
		return 0, folio.Invalid("key", "contains NUL characters or invalid UTF-8")
	}
	const what = "add login failure"
	var n int
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE window_start < $1 AND key <> $2`,
			s.bindTime(since), key); err != nil {
			return fmt.Errorf("%s: drop old: %w", what, err)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO login_failures (key, count, window_start) VALUES ($1, 1, $2)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.count + 1 END,
				window_start = CASE WHEN login_failures.window_start < $3 THEN excluded.window_start ELSE login_failures.window_start END
			RETURNING count`, key, s.bindTime(s.now()), s.bindTime(since)).Scan(&n)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
	return n, err
}

// ClearLoginFailures implements folio.Store.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if !storable(key) {
		return nil
	}
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// CreateInvite implements folio.Store.
func (s *Store) CreateInvite(ctx context.Context, inv *folio.Invite) error {
	if inv == nil || inv.Hash == "" || !storable(inv.Hash) {
		return folio.Invalid("invite", "has no hash")
	}
	what := fmt.Sprintf("create invite for user %d", inv.UserID)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE user_id = $1 OR expires_at <= $2`,
			inv.UserID, s.bindTime(now)); err != nil {
			return fmt.Errorf("%s: drop old: %w", what, err)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO invites (hash, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, inv.Hash, inv.UserID, s.bindTime(now), s.bindTime(inv.ExpiresAt)).Scan(&id)
		if err != nil {
			return s.mapErr(what, err)
		}
		inv.ID, inv.CreatedAt, inv.ExpiresAt = id, now, inv.ExpiresAt.UTC().Truncate(time.Microsecond)
		return nil
	})
}

// FindInvite implements folio.Store.
func (s *Store) FindInvite(ctx context.Context, hash string) (*folio.Invite, *folio.User, error) {
	inv, err := s.findInvite(ctx, s.reader, hash, "")
	if err != nil {
		return nil, nil, err
	}
	u, err := s.findUser(ctx, s.reader, "find invite", `id = $1`, inv.UserID)
	if err != nil {
		return nil, nil, err
	}
	return inv, u, nil
}

func (s *Store) findInvite(ctx context.Context, q querier, hash, suffix string) (*folio.Invite, error) {
	const what = "find invite"
	if hash == "" || !storable(hash) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	var inv folio.Invite
	var created, expires nullTime
	err := q.QueryRowContext(ctx, `SELECT i.id, i.hash, i.user_id, i.created_at, i.expires_at
		FROM invites i JOIN users u ON u.id = i.user_id
		WHERE i.hash = $1 AND i.expires_at > $2 AND u.active = $3`+suffix, hash, s.bindTime(s.now()), true).
		Scan(&inv.ID, &inv.Hash, &inv.UserID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	inv.CreatedAt, inv.ExpiresAt = created.Time, expires.Time
	return &inv, nil
}

// AcceptInvite implements folio.Store.
func (s *Store) AcceptInvite(ctx context.Context, hash, passwordHash string) (*folio.User, error) {
	const what = "accept invite"
	if err := checkText("password", passwordHash); err != nil {
		return nil, err
	}
	var u *folio.User
	err := s.inTx(ctx, what, func(tx *sql.Tx) error {
		inv, err := s.findInvite(ctx, tx, hash, s.dialect.ForUpdate)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invites WHERE id = $1`, inv.ID); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1`,
			inv.UserID, passwordHash, s.bindTime(s.now())); err != nil {
			return s.mapErr(what, err)
		}
		u, err = s.findUser(ctx, tx, what, `id = $1`, inv.UserID)
		return err
	})
	return u, err
}

// RestoreRevision implements folio.Store.
func (s *Store) RestoreRevision(ctx context.Context, articleID, revisionID, editorID int64) (*folio.Article, error) {
	what := fmt.Sprintf("restore revision %d of article %d", revisionID, articleID)
	var r folio.Revision
	err := s.reader.QueryRowContext(ctx, `SELECT title, question, body, summary FROM revisions WHERE id = $1 AND article_id = $2`,
		revisionID, articleID).Scan(&r.Title, &r.Question, &r.Body, &r.Summary)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return s.UpdateArticle(ctx, articleID, folio.ArticleUpdate{Title: &r.Title, Question: &r.Question, Body: &r.Body,
		Summary: &r.Summary, EditorID: editorID, ForceRevision: true})
}

const pageColumns = `id, title, slug, body, created_at, updated_at`

func scanPage(row interface{ Scan(...any) error }) (*folio.Page, error) {
	var p folio.Page
	var created, updated nullTime
	if err := row.Scan(&p.ID, &p.Title, &p.Slug, &p.Body, &created, &updated); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	return &p, nil
}

// CreatePage implements folio.Store.
func (s *Store) CreatePage(ctx context.Context, p *folio.Page) error {
	if p == nil {
		return folio.Invalid("", "no page given")
	}
	if err := checkText("title", p.Title, "slug", p.Slug, "body", p.Body); err != nil {
		return err
	}
	what := fmt.Sprintf("create page %q", p.Slug)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO pages (title, slug, body, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, p.Title, p.Slug, p.Body, s.bindTime(now)).Scan(&id); err != nil {
			return s.mapErr(what, err)
		}
		p.ID, p.CreatedAt, p.UpdatedAt = id, now, now
		return bumpVersion(ctx, tx)
	})
}

// UpdatePage implements folio.Store.
func (s *Store) UpdatePage(ctx context.Context, p *folio.Page) error {
	if p == nil {
		return folio.Invalid("", "no page given")
	}
	if err := checkText("title", p.Title, "slug", p.Slug, "body", p.Body); err != nil {
		return err
	}
	what := fmt.Sprintf("update page %d", p.ID)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		cur, err := scanPage(tx.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE id = $1`+s.dialect.ForUpdate, p.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pages SET title = $2, slug = $3, body = $4, updated_at = $5 WHERE id = $1`,
			p.ID, p.Title, p.Slug, p.Body, s.bindTime(now)); err != nil {
			return s.mapErr(what, err)
		}
		p.CreatedAt, p.UpdatedAt = cur.CreatedAt, now
		return bumpVersion(ctx, tx)
	})
}

// DeletePage implements folio.Store.
func (s *Store) DeletePage(ctx context.Context, id int64) error {
	what := fmt.Sprintf("delete page %d", id)
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, what, `DELETE FROM pages WHERE id = $1`, id); err != nil {
			return err
		}
		return bumpVersion(ctx, tx)
	})
}

func (s *Store) findPage(ctx context.Context, what, where string, arg any) (*folio.Page, error) {
	if text, ok := arg.(string); ok && !storable(text) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	p, err := scanPage(s.reader.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return p, nil
}

// FindPageByID implements folio.Store.
func (s *Store) FindPageByID(ctx context.Context, id int64) (*folio.Page, error) {
	return s.findPage(ctx, fmt.Sprintf("find page %d", id), `id = $1`, id)
}

// FindPageBySlug implements folio.Store.
func (s *Store) FindPageBySlug(ctx context.Context, slug string) (*folio.Page, error) {
	return s.findPage(ctx, fmt.Sprintf("find page %q", slug), `slug = $1`, slug)
}

// FindPages implements folio.Store.
func (s *Store) FindPages(ctx context.Context) ([]*folio.Page, error) {
	var out []*folio.Page
	err := eachRow(ctx, s.reader, `SELECT `+pageColumns+` FROM pages ORDER BY `+s.dialect.Lower+`(title), id`, nil,
		func(rows *sql.Rows) error {
			p, err := scanPage(rows)
			if err == nil {
				out = append(out, p)
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find pages: %w", err)
	}
	return out, nil
}

// Menu implements folio.Store.
func (s *Store) Menu(ctx context.Context) ([]folio.MenuItem, error) {
	var out []folio.MenuItem
	err := eachRow(ctx, s.reader, `SELECT label, url FROM menu_items ORDER BY position`, nil, func(rows *sql.Rows) error {
		var it folio.MenuItem
		if err := rows.Scan(&it.Label, &it.URL); err != nil {
			return err
		}
		out = append(out, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("menu: %w", err)
	}
	return out, nil
}

// SetMenu implements folio.Store.
func (s *Store) SetMenu(ctx context.Context, items []folio.MenuItem) error {
	for _, it := range items {
		if err := checkText("menu", it.Label, "menu", it.URL); err != nil {
			return err
		}
	}
	const what = "set menu"
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM menu_items`); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if len(items) > 0 {
			values := make([]string, len(items))
			args := make([]any, 0, 3*len(items))
			for i, it := range items {
				values[i] = fmt.Sprintf("($%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3)
				args = append(args, i+1, it.Label, it.URL)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO menu_items (position, label, url) VALUES `+
				strings.Join(values, ", "), args...); err != nil {
				return s.mapErr(what, err)
			}
		}
		return bumpVersion(ctx, tx)
	})
}
