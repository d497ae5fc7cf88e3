package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"folio/store/sqlstore"

	_ "modernc.org/sqlite"
)

// openMigrateDB opens an empty SQLite file the way the sqlite store's
// writer does: one connection, IMMEDIATE transactions.
func openMigrateDB(tb testing.TB) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "m.db")
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	return db
}

func tables(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(names, ",")
}

func versions(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	rows, err := db.Query(`SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v int
		var n string
		if err := rows.Scan(&v, &n); err != nil {
			tb.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return strings.Join(out, ",")
}

func TestMigrateAppliesInOrderOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrateDB(t)
	// 10 sorts before 2 as text; versions are numbers.
	fsys := fstest.MapFS{
		"10_c.sql":   {Data: []byte(`ALTER TABLE b ADD COLUMN z TEXT;`)},
		"1_a.sql":    {Data: []byte(`CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);`)},
		"2_b.sql":    {Data: []byte(`CREATE TABLE b (y INTEGER);`)},
		"README.txt": {Data: []byte(`not a migration`)},
	}
	for range 3 {
		if err := sqlstore.Migrate(ctx, db, fsys, nil); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	if got, want := tables(t, db), "a,b,schema_migrations"; got != want {
		t.Errorf("tables = %s, want %s", got, want)
	}
	if got, want := versions(t, db), "1_a.sql,2_b.sql,10_c.sql"; got != want {
		t.Errorf("applied = %s, want %s", got, want)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&n); err != nil || n != 1 {
		t.Errorf("rows in a = %d, %v; want 1 (migration run once)", n, err)
	}

	// A later release adds a file: only it runs.
	fsys["11_d.sql"] = &fstest.MapFile{Data: []byte(`INSERT INTO a VALUES (2);`)}
	if err := sqlstore.Migrate(ctx, db, fsys, nil); err != nil {
		t.Fatalf("Migrate with a new file: %v", err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM a`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows in a = %d, %v; want 2", n, err)
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrateDB(t)
	fsys := fstest.MapFS{
		"1_ok.sql":  {Data: []byte(`CREATE TABLE ok (x INTEGER);`)},
		"2_bad.sql": {Data: []byte(`CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);`)},
		"3_not.sql": {Data: []byte(`CREATE TABLE never (x INTEGER);`)},
	}
	err := sqlstore.Migrate(ctx, db, fsys, nil)
	if err == nil || !strings.Contains(err.Error(), "2_bad.sql") {
		t.Fatalf("Migrate = %v, want an error naming 2_bad.sql", err)
	}
	if got, want := tables(t, db), "ok,schema_migrations"; got != want {
		t.Errorf("tables = %s, want %s: the failed file must leave nothing", got, want)
	}
	if got, want := versions(t, db), "1_ok.sql"; got != want {
		t.Errorf("applied = %s, want %s", got, want)
	}
}

func TestMigrateBadNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fsys fstest.MapFS
	}{
		{"no number", fstest.MapFS{"init.sql": {Data: []byte(`SELECT 1;`)}}},
		{"zero", fstest.MapFS{"0_init.sql": {Data: []byte(`SELECT 1;`)}}},
		{"duplicate version", fstest.MapFS{"1_a.sql": {Data: []byte(`SELECT 1;`)}, "01_b.sql": {Data: []byte(`SELECT 1;`)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := openMigrateDB(t)
			if err := sqlstore.Migrate(context.Background(), db, tt.fsys, nil); err == nil {
				t.Error("Migrate succeeded, want an error")
			}
		})
	}
}

func TestMigrateLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openMigrateDB(t)
	fsys := fstest.MapFS{"1_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)}}
	var locked, unlocked int
	lock := func(_ context.Context, conn *sql.Conn) (func() error, error) {
		if conn == nil {
			t.Error("lock got no connection")
		}
		locked++
		return func() error { unlocked++; return nil }, nil
	}
	if err := sqlstore.Migrate(ctx, db, fsys, lock); err != nil {
		t.Fatal(err)
	}
	if locked != 1 || unlocked != 1 {
		t.Errorf("lock taken %d times, released %d times; want 1, 1", locked, unlocked)
	}
	errLock := errors.New("lock refused")
	failing := func(context.Context, *sql.Conn) (func() error, error) { return nil, errLock }
	if err := sqlstore.Migrate(ctx, db, fsys, failing); !errors.Is(err, errLock) {
		t.Errorf("Migrate with a failing lock = %v, want %v", err, errLock)
	}
}
