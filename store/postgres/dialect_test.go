package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"folio"
	"folio/store/postgres"
	"folio/store/sqlstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// dialectBaseURL is the server the tests use; FOLIO_TEST_POSTGRES overrides it.
func dialectBaseURL() string {
	if u := os.Getenv("FOLIO_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// dialectSchemaURL creates a schema of its own for tb, dropped after it,
// and returns a URL whose search_path selects it. Without a server the test
// is skipped, unless CI=true.
func dialectSchemaURL(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	base := dialectBaseURL()
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		tb.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	tb.Cleanup(func() { admin.Close() })
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := admin.PingContext(pingCtx); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL unreachable at %s: %v", base, err)
		}
		tb.Skipf("PostgreSQL unreachable at %s: %v", base, err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openDialectStore(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), dialectSchemaURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestClassify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openDialectStore(t)
	db := s.DB()
	now := time.Now()
	if _, err := db.ExecContext(ctx, `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('A', 'a', 'a@x.org', 'admin', $1, $1)`, now); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		query    string
		wantKind sqlstore.Violation
		wantName string
	}{
		{"unique email", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('B', 'b', 'a@x.org', 'admin', $1, $1)`, sqlstore.UniqueViolation, "users_email_key"},
		{"unique slug", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('B', 'a', 'b@x.org', 'admin', $1, $1)`, sqlstore.UniqueViolation, "users_slug_key"},
		{"foreign key", `INSERT INTO api_tokens (user_id, hash, created_at) VALUES (999, 'h', $1)`, sqlstore.ForeignKeyViolation, ""},
		{"check", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('C', 'c', 'c@x.org', 'king', $1, $1)`, sqlstore.CheckViolation, ""},
		{"not null", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES (NULL, 'd', 'd@x.org', 'admin', $1, $1)`, sqlstore.NotNullViolation, "name"},
		{"syntax", `INSERT INTO nowhere VALUES ($1)`, sqlstore.NoViolation, ""},
	}
	classify := postgres.Dialect().Classify
	for _, tt := range tests {
		_, err := db.ExecContext(ctx, tt.query, now)
		if err == nil {
			t.Errorf("%s: statement succeeded", tt.name)
			continue
		}
		kind, name := classify(err)
		if kind != tt.wantKind || name != tt.wantName {
			t.Errorf("%s: classify(%v) = %v, %q; want %v, %q", tt.name, err, kind, name, tt.wantKind, tt.wantName)
		}
	}
	if kind, _ := classify(errors.New("duplicate key value violates unique constraint")); kind != sqlstore.NoViolation {
		t.Errorf("a plain error classified as %v; codes, not messages, decide", kind)
	}
}

// TestConcurrentOpen starts several nodes on one empty schema at once: the
// advisory lock must let exactly one apply each migration.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := dialectSchemaURL(t)
	const nodes = 4
	stores := make([]*postgres.Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, u) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	var n int
	if err := stores[0].DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := migrationFiles(t); n != want {
		t.Errorf("schema_migrations has %d rows, want %d (one per migration file)", n, want)
	}
	if v, err := stores[1].ContentVersion(ctx); err != nil || v != 0 {
		t.Errorf("ContentVersion = %d, %v; want 0", v, err)
	}
}

// TestSchemasAreSeparate checks that search_path decides where the tables
// live, so nothing in the SQL names a schema.
func TestSchemasAreSeparate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := openDialectStore(t), openDialectStore(t)
	if err := a.SetSetting(ctx, "title", "A"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Setting(ctx, "title"); err != nil || got != "" {
		t.Errorf("other schema's Setting(title) = %q, %v; want empty", got, err)
	}
	var public int
	err := a.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name IN ('articles', 'users', 'schema_migrations')`).Scan(&public)
	if err != nil {
		t.Fatal(err)
	}
	if public != 0 {
		t.Errorf("%d Folio tables in schema public, want 0", public)
	}
}

// TestConcurrentDerivedSlugs has several transactions derive the same slug
// at once; PostgreSQL lets them race, and the losers must retry, not fail.
func TestConcurrentDerivedSlugs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openDialectStore(t)
	u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := s.CreateArticle(ctx, folio.ArticleInput{Title: "Race", AuthorIDs: []int64{u.ID}, Status: folio.StatusDraft})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("CreateArticle: %v", err)
		}
	}
	var distinct int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(DISTINCT slug) FROM articles`).Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	if distinct != n {
		t.Errorf("%d distinct slugs, want %d", distinct, n)
	}
}

// TestConcurrentPublishDue runs PublishDue from several nodes at once: each
// due article is published once in total.
func TestConcurrentPublishDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := dialectSchemaURL(t)
	var nodes [3]*postgres.Store
	t0 := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range nodes {
		s, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.Now = func() time.Time { return t0 }
		nodes[i] = s
	}
	author := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := nodes[0].CreateUser(ctx, author); err != nil {
		t.Fatal(err)
	}
	const due = 5
	for i := range due {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		if _, err := nodes[0].CreateArticle(ctx, folio.ArticleInput{Title: "Later", AuthorIDs: []int64{author.ID},
			Status: folio.StatusScheduled, PublishedAt: &at}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	counts := make([]int, len(nodes))
	errs := make([]error, len(nodes))
	for i, s := range nodes {
		s.Now = func() time.Time { return t0.Add(time.Hour) }
		wg.Go(func() { counts[i], errs[i] = s.PublishDue(ctx) })
	}
	wg.Wait()
	total := 0
	for i := range nodes {
		if errs[i] != nil {
			t.Errorf("node %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	if total != due {
		t.Errorf("nodes published %d articles in total, want %d", total, due)
	}
}

// TestTimesAreUTC checks that TIMESTAMPTZ values come back in UTC at
// microsecond precision whatever the session time zone.
func TestTimesAreUTC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, err := url.Parse(dialectSchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("timezone", "Asia/Karachi")
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Now = func() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 123_456_789, time.FixedZone("Y", -7200)) }
	usr := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, usr); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindUserByID(ctx, usr.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 5, 6, 9, 8, 9, 123_456_000, time.UTC)
	if got.CreatedAt != want {
		t.Errorf("CreatedAt = %#v, want %#v", got.CreatedAt, want)
	}
	var raw sql.NullTime
	if err := s.DB().QueryRowContext(ctx, `SELECT created_at FROM users WHERE id = $1`, usr.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if !raw.Time.Equal(want) {
		t.Errorf("stored %v, want %v", raw.Time, want)
	}
}

// TestConcurrentNewTagsInAnyOrder creates articles that introduce the same
// new tags, in opposite orders, at once: every creation must succeed (the
// losers of each ON CONFLICT must find the winner's tag), the tags must be
// shared, and each article keeps its own order. setTags inserts tags in
// slug order so such transactions cannot deadlock; this test would catch a
// regression there only by chance.
func TestConcurrentNewTagsInAnyOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openDialectStore(t)
	u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	var fwd, rev []string
	for i := range folio.MaxTags {
		fwd = append(fwd, fmt.Sprintf("Tag %02d", i))
		rev = append([]string{fmt.Sprintf("Tag %02d", i)}, rev...)
	}
	orders := [][]string{fwd, rev}
	const n = 16
	var wg sync.WaitGroup
	arts := make([]*folio.Article, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			// Distinct titles, so the derived-slug locks do not serialise them.
			arts[i], errs[i] = s.CreateArticle(ctx, folio.ArticleInput{Title: fmt.Sprintf("Tagged %d", i), AuthorIDs: []int64{u.ID},
				Status: folio.StatusDraft, Tags: orders[i%2]})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("CreateArticle %d: %v", i, err)
			continue
		}
		var got []string
		for _, tg := range arts[i].Tags {
			got = append(got, tg.Name)
		}
		if want := orders[i%2]; len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("article %d tags = %v, want %v", i, got, want)
		}
	}
	var tags int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM tags`).Scan(&tags); err != nil {
		t.Fatal(err)
	}
	if tags != folio.MaxTags {
		t.Errorf("%d tags stored, want %d", tags, folio.MaxTags)
	}
}

// migrationFiles counts the engine's migration files, each applied once.
func migrationFiles(t testing.TB) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migration files: %v", err)
	}
	return len(files)
}
