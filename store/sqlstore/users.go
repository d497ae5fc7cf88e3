package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"folio"
)

const userColumns = `id, name, slug, email, bio, role, password_hash, active, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*folio.User, error) {
	var u folio.User
	var created, updated nullTime
	var role string
	var active bool
	if err := row.Scan(&u.ID, &u.Name, &u.Slug, &u.Email, &u.Bio, &role, &u.PasswordHash, &active, &created, &updated); err != nil {
		return nil, err
	}
	u.Deactivated = !active
	u.Role = folio.Role(role)
	u.CreatedAt, u.UpdatedAt = created.Time, updated.Time
	return &u, nil
}

// CreateUser implements folio.Store.
func (s *Store) CreateUser(ctx context.Context, u *folio.User) error {
	if u == nil {
		return folio.Invalid("", "no user given")
	}
	if err := checkText("name", u.Name, "slug", u.Slug, "email", u.Email, "bio", u.Bio,
		"role", string(u.Role), "password", u.PasswordHash); err != nil {
		return err
	}
	email := folio.NormalizeEmail(u.Email)
	what := fmt.Sprintf("create user %q", email)
	now := s.now()
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		return s.insertUser(ctx, tx, what, email, now, u)
	})
}

// insertUser is CreateUser inside tx, shared with CreateFirstAdmin.
func (s *Store) insertUser(ctx context.Context, tx *sql.Tx, what, email string, now time.Time, u *folio.User) error {
	{
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE email = $1`, email).Scan(&one)
		if err == nil {
			return fmt.Errorf("%s: %w", what, &folio.ConflictError{Field: "email", Message: "email is already taken"})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", what, err)
		}
		base := u.Slug
		if base == "" {
			base = folio.Slugify(u.Name)
		}
		if base == "" {
			base = "user"
		}
		if err := s.xactLock(ctx, tx, "user-slug:"+base); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		slug, err := freeSlug(ctx, tx, base, false, `SELECT slug FROM users WHERE slug IN (%s)`)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO users (name, slug, email, bio, role, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			u.Name, slug, email, u.Bio, string(u.Role), u.PasswordHash, s.bindTime(now)).Scan(&id)
		if err != nil {
			return s.mapErr(what, err)
		}
		u.ID, u.Slug, u.Email, u.CreatedAt, u.UpdatedAt, u.Deactivated = id, slug, email, now, now, false
		return nil
	}
}

func (s *Store) findUser(ctx context.Context, q querier, what, where string, arg any) (*folio.User, error) {
	if text, ok := arg.(string); ok && !storable(text) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound) // no such value is stored
	}
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return u, nil
}

// FindUserByID implements folio.Store.
func (s *Store) FindUserByID(ctx context.Context, id int64) (*folio.User, error) {
	return s.findUser(ctx, s.reader, fmt.Sprintf("find user %d", id), `id = $1`, id)
}

// FindUserByEmail implements folio.Store.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*folio.User, error) {
	email = folio.NormalizeEmail(email)
	return s.findUser(ctx, s.reader, fmt.Sprintf("find user %q", email), `email = $1`, email)
}

// FindUserBySlug implements folio.Store.
func (s *Store) FindUserBySlug(ctx context.Context, slug string) (*folio.User, error) {
	return s.findUser(ctx, s.reader, fmt.Sprintf("find user by slug %q", slug), `slug = $1`, slug)
}

// CountUsers implements folio.Store.
func (s *Store) CountUsers(ctx context.Context, withPassword bool) (int, error) {
	q := `SELECT COUNT(*) FROM users`
	if withPassword {
		q += ` WHERE password_hash <> ''`
	}
	var n int
	if err := s.reader.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateToken implements folio.Store. An unknown user is a
// *folio.ValidationError; a hash already stored is a *folio.ConflictError.
func (s *Store) CreateToken(ctx context.Context, t *folio.Token) error {
	if t == nil || t.Hash == "" {
		return folio.Invalid("token", "has no hash")
	}
	if err := checkText("name", t.Name, "token", t.Hash); err != nil {
		return err
	}
	what := fmt.Sprintf("create token for user %d", t.UserID)
	now := s.now()
	var id int64
	err := s.writer.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, hash, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, t.UserID, t.Name, t.Hash, s.bindTime(now)).Scan(&id)
	if err != nil {
		return s.mapErr(what, err)
	}
	t.ID, t.CreatedAt, t.LastUsedAt = id, now, nil
	return nil
}

// FindUserByTokenHash implements folio.Store.
func (s *Store) FindUserByTokenHash(ctx context.Context, hash string) (*folio.User, error) {
	const what = "find user by token"
	if !storable(hash) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	var userID int64
	// A deactivated user's tokens stop working but are kept, so that
	// reactivating the user restores them.
	err := s.writer.QueryRowContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE hash = $2
		AND user_id IN (SELECT id FROM users WHERE active = $3) RETURNING user_id`,
		s.bindTime(s.now()), hash, true).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return s.findUser(ctx, s.writer, what, `id = $1`, userID)
}

// slugBatch is how many candidate slugs freeSlug checks per query.
const slugBatch = 10

// freeSlug returns base, or base-2, base-3, ... whichever is first free
// according to query, a SELECT whose %s takes an IN list of candidates and
// which returns the taken ones. Candidates stay within folio.MaxSlugLen;
// skipReserved also skips the route words articles may not use.
func freeSlug(ctx context.Context, q querier, base string, skipReserved bool, query string) (string, error) {
	for start := 1; start < 1_000_000; start += slugBatch {
		cands := make([]any, 0, slugBatch)
		for n := start; n < start+slugBatch; n++ {
			c := slugCandidate(base, n)
			if skipReserved && folio.IsReservedSlug(c) {
				continue
			}
			cands = append(cands, c)
		}
		if len(cands) == 0 {
			continue
		}
		rows, err := q.QueryContext(ctx, fmt.Sprintf(query, placeholders(1, len(cands))), cands...)
		if err != nil {
			return "", fmt.Errorf("find free slug: %w", err)
		}
		taken := map[string]bool{}
		for rows.Next() {
			var sl string
			if err := rows.Scan(&sl); err != nil {
				rows.Close()
				return "", fmt.Errorf("find free slug: %w", err)
			}
			taken[sl] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("find free slug: %w", err)
		}
		for _, c := range cands {
			if !taken[c.(string)] {
				return c.(string), nil
			}
		}
	}
	return "", fmt.Errorf("find free slug for %q: none left", base)
}

// slugCandidate is base for n == 1 and base-n after, with base cut so the
// result fits in folio.MaxSlugLen runes.
func slugCandidate(base string, n int) string {
	suffix := ""
	if n > 1 {
		suffix = "-" + strconv.Itoa(n)
	}
	r := []rune(base)
	if limit := folio.MaxSlugLen - len(suffix); len(r) > limit {
		r = r[:limit]
		for len(r) > 0 && r[len(r)-1] == '-' {
			r = r[:len(r)-1]
		}
	}
	return string(r) + suffix
}
