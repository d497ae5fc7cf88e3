package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"folio"
	"folio/store/sqlite"
	"folio/store/sqlstore"
)

// openDialectStore opens a store on a fresh file and closes it after t.
func openDialectStore(tb testing.TB) (*sqlite.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "folio.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%q): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s, path
}

// TestPlaceholders checks that modernc.org/sqlite binds $N by number, not by
// order of appearance, and binds a repeated $N once: sqlstore relies on both.
func TestPlaceholders(t *testing.T) {
	t.Parallel()
	s, _ := openDialectStore(t)
	var a, b, c string
	err := s.DB().QueryRowContext(context.Background(), `SELECT $2, $1, $2 || $3`, "one", "two", "three").Scan(&a, &b, &c)
	if err != nil {
		t.Fatal(err)
	}
	if a != "two" || b != "one" || c != "twothree" {
		t.Errorf("got %q %q %q, want two one twothree", a, b, c)
	}
}

func TestPragmas(t *testing.T) {
	t.Parallel()
	s, path := openDialectStore(t)
	ctx := context.Background()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
		{"query_only", "0"},
	}
	for _, tt := range tests {
		var got string
		if err := s.DB().QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("writer PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
		}
	}
	if n := s.DB().Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
	// A second store on the same file opens while the first holds it.
	s2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s2.Close()
	if _, err := s2.Setting(ctx, "x"); err != nil {
		t.Errorf("Setting on second store: %v", err)
	}
}

func TestOpenRejectsNonFilePaths(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory", "x.db?_pragma=foreign_keys(0)"} {
		if s, err := sqlite.Open(context.Background(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, path := openDialectStore(t)
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('k', 'v')`); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s2, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if want := migrationFiles(t); n != want {
		t.Errorf("schema_migrations has %d rows, want %d (one per migration file)", n, want)
	}
	if v, err := s.Setting(ctx, "k"); err != nil || v != "v" {
		t.Errorf("Setting(k) = %q, %v after reopening; want v", v, err)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openDialectStore(t)
	db := s.DB()
	exec := func(q string, args ...any) error {
		_, err := db.ExecContext(ctx, q, args...)
		return err
	}
	now := time.Now().UTC().Format(sqlite.TimeFormat)
	if err := exec(`INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('A', 'a', 'a@x.org', 'admin', $1, $1)`, now); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		query    string
		wantKind sqlstore.Violation
		wantName string
	}{
		{"unique email", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('B', 'b', 'a@x.org', 'admin', $1, $1)`, sqlstore.UniqueViolation, "users.email"},
		{"unique slug", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('B', 'a', 'b@x.org', 'admin', $1, $1)`, sqlstore.UniqueViolation, "users.slug"},
		{"primary key", `INSERT INTO settings (key, value) VALUES ('k', $1), ('k', $1)`, sqlstore.UniqueViolation, "settings.key"},
		{"foreign key", `INSERT INTO api_tokens (user_id, hash, created_at) VALUES (999, 'h', $1)`, sqlstore.ForeignKeyViolation, ""},
		{"check", `INSERT INTO users (name, slug, email, role, created_at, updated_at) VALUES ('C', 'c', 'c@x.org', 'king', $1, $1)`, sqlstore.CheckViolation, ""},
		{"syntax", `INSERT INTO nowhere VALUES ($1)`, sqlstore.NoViolation, ""},
	}
	classify := sqlite.Dialect().Classify
	for _, tt := range tests {
		err := exec(tt.query, now)
		if err == nil {
			t.Errorf("%s: statement succeeded", tt.name)
			continue
		}
		kind, name := classify(err)
		if kind != tt.wantKind || name != tt.wantName {
			t.Errorf("%s: classify(%v) = %v, %q; want %v, %q", tt.name, err, kind, name, tt.wantKind, tt.wantName)
		}
	}
	if kind, _ := classify(errors.New("UNIQUE constraint failed: users.email")); kind != sqlstore.NoViolation {
		t.Errorf("a plain error with a constraint message classified as %v; codes, not messages, decide", kind)
	}
}

func TestStoredTimeFormat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openDialectStore(t)
	s.Now = func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 8_009_000, time.FixedZone("X", 3600)) }
	u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := s.DB().QueryRowContext(ctx, `SELECT created_at FROM users WHERE id = $1`, u.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if want := "2026-03-04T04:06:07.008009Z"; raw != want {
		t.Errorf("stored created_at = %q, want %q", raw, want)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`).MatchString(raw) {
		t.Errorf("stored time %q is not fixed-width", raw)
	}
	got, err := s.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 4, 4, 6, 7, 8_009_000, time.UTC); !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want)
	}
}

// TestUnicodeTitleQuery checks folio_lower: SQLite's own lower() and LIKE
// fold only ASCII.
func TestUnicodeTitleQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openDialectStore(t)
	u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"ПОЛИТИКА России", "Économie", "100% sure_thing"} {
		if _, err := s.CreateArticle(ctx, folio.ArticleInput{Title: title, AuthorIDs: []int64{u.ID}, Status: folio.StatusDraft}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query string
		want  int
	}{
		{"политика", 1},
		{"РОССИИ", 1},
		{"éCONOMIE", 1},
		{"%", 1},
		{"_", 1},
		{"e_t", 1},
		{"sur_", 0}, // an unescaped _ would match "sure"
		{"nothing", 0},
	}
	for _, tt := range tests {
		_, total, err := s.FindArticles(ctx, folio.ArticleFilter{Query: tt.query})
		if err != nil {
			t.Fatalf("FindArticles(%q): %v", tt.query, err)
		}
		if total != tt.want {
			t.Errorf("FindArticles(%q) total = %d, want %d", tt.query, total, tt.want)
		}
	}
}

// TestConcurrentWrites checks that writers queue on the single writer
// connection instead of failing with SQLITE_BUSY, while reads go on.
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openDialectStore(t)
	u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := s.CreateArticle(ctx, folio.ArticleInput{Title: "Same title", AuthorIDs: []int64{u.ID}, Status: folio.StatusPublished})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, _, err := s.FindArticles(ctx, folio.ArticleFilter{Public: true})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent call: %v", err)
		}
	}
	arts, total, err := s.FindArticles(ctx, folio.ArticleFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if total != n {
		t.Errorf("total = %d, want %d", total, n)
	}
	seen := map[string]bool{}
	for _, a := range arts {
		if seen[a.Slug] {
			t.Errorf("slug %q given twice", a.Slug)
		}
		seen[a.Slug] = true
	}
	if v, err := s.ContentVersion(ctx); err != nil || v != n {
		t.Errorf("ContentVersion = %d, %v; want %d", v, err, n)
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
