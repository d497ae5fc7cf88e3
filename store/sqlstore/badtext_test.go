package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"folio"
	"folio/store/postgres"
	"folio/store/sqlite"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// engines opens a fresh store on each engine; PostgreSQL is skipped when
// unreachable, unless CI=true.
func engines(t *testing.T) map[string]folio.Store {
	t.Helper()
	ctx := context.Background()
	out := map[string]folio.Store{}
	sq, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	out["sqlite"] = sq

	base := os.Getenv("FOLIO_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := admin.PingContext(pingCtx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable: %v", err)
		}
		t.Logf("PostgreSQL unreachable, testing SQLite only: %v", err)
		return out
	}
	schema := newSchemaName()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropSchema(t, admin, schema) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	pg, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	out["postgres"] = pg
	return out
}

func newSchemaName() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "sqlstore_" + hex.EncodeToString(b)
}

func dropSchema(tb testing.TB, db *sql.DB, schema string) {
	tb.Helper()
	if _, err := db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

// TestBadText sends NUL characters and invalid UTF-8, which PostgreSQL
// refuses and SQLite would keep: both engines must answer with the same
// domain errors, never a driver error.
func TestBadText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, s := range engines(t) {
		t.Run(name, func(t *testing.T) {
			u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			a, err := s.CreateArticle(ctx, folio.ArticleInput{Title: "Fine", AuthorIDs: []int64{u.ID}, Status: folio.StatusPublished})
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"nul\x00byte", "bad\xffutf8"} {
				notFound := []struct {
					name string
					call func() error
				}{
					{"FindArticleBySlug", func() error { _, err := s.FindArticleBySlug(ctx, bad); return err }},
					{"FindUserByEmail", func() error { _, err := s.FindUserByEmail(ctx, bad); return err }},
					{"FindUserBySlug", func() error { _, err := s.FindUserBySlug(ctx, bad); return err }},
					{"FindUserByTokenHash", func() error { _, err := s.FindUserByTokenHash(ctx, bad); return err }},
					{"FindTagBySlug", func() error { _, err := s.FindTagBySlug(ctx, bad); return err }},
					{"FindSeriesBySlug", func() error { _, err := s.FindSeriesBySlug(ctx, bad); return err }},
				}
				for _, tt := range notFound {
					if err := tt.call(); !errors.Is(err, folio.ErrNotFound) {
						t.Errorf("%s(%q) = %v, want ErrNotFound", tt.name, bad, err)
					}
				}
				invalid := []struct {
					name string
					call func() error
				}{
					{"CreateArticle title", func() error {
						_, err := s.CreateArticle(ctx, folio.ArticleInput{Title: bad, AuthorIDs: []int64{u.ID}, Status: folio.StatusDraft})
						return err
					}},
					{"CreateArticle interviewee", func() error {
						_, err := s.CreateArticle(ctx, folio.ArticleInput{Title: "x", Interviewee: folio.Interviewee{Bio: bad},
							AuthorIDs: []int64{u.ID}, Status: folio.StatusDraft})
						return err
					}},
					{"UpdateArticle body", func() error {
						_, err := s.UpdateArticle(ctx, a.ID, folio.ArticleUpdate{Body: &bad})
						return err
					}},
					{"UpdateArticle series", func() error {
						_, err := s.UpdateArticle(ctx, a.ID, folio.ArticleUpdate{Series: &folio.SeriesRef{Slug: "s", Title: bad, Position: 1}})
						return err
					}},
					{"CreateUser", func() error {
						return s.CreateUser(ctx, &folio.User{Name: "Bob", Email: "bob@example.org", Bio: bad, Role: folio.RoleAuthor})
					}},
					{"CreateToken", func() error { return s.CreateToken(ctx, &folio.Token{UserID: u.ID, Name: bad, Hash: "h"}) }},
					{"SetSetting", func() error { return s.SetSetting(ctx, "k", bad) }},
				}
				for _, tt := range invalid {
					var ve *folio.ValidationError
					if err := tt.call(); !errors.As(err, &ve) {
						t.Errorf("%s with %q = %v, want a *folio.ValidationError", tt.name, bad, err)
					}
				}
				if v, err := s.Setting(ctx, bad); err != nil || v != "" {
					t.Errorf("Setting(%q) = %q, %v; want empty", bad, v, err)
				}
				if list, total, err := s.FindArticles(ctx, folio.ArticleFilter{Query: bad}); err != nil || total != 0 || len(list) != 0 {
					t.Errorf("FindArticles(Query: %q) = %d articles, total %d, %v; want none", bad, len(list), total, err)
				}
			}
			if got, err := s.FindArticleByID(ctx, a.ID); err != nil || got.Body != a.Body || got.Series != nil {
				t.Errorf("article after refused updates = %+v, %v; want it unchanged", got, err)
			}
		})
	}
}
