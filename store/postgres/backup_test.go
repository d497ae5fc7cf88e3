package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"folio"
	"folio/store/sqlite"
	"folio/store/storetest"
)

func openSQLite(t testing.TB) folio.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t testing.TB) folio.Store {
	t.Helper()
	return openAt(t, newSchema(t), time.Now)
}

// TestBackupRoundTrip moves a site SQLite → PostgreSQL → SQLite and back
// to PostgreSQL, comparing every row each time.
func TestBackupRoundTrip(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	storetest.RunBackup(t, openSQLite, openPostgres, openSQLite, openPostgres)
}

func TestBackupRoundTripPostgresFirst(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	storetest.RunBackup(t, openPostgres, openSQLite)
}

// TestRestoreBadInput feeds broken backups: each is refused with a
// validation error and leaves the target empty and usable.
func TestRestoreBadInput(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	src := openSQLite(t)
	var good bytes.Buffer
	mustUser(t, src)
	if err := src.(folio.Snapshotter).Backup(t.Context(), &good); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(good.String()), "\n")
	tests := map[string]string{
		"empty":         "",
		"not json":      "hello\n",
		"other format":  `{"format":"wordpress","version":1}` + "\n",
		"future":        `{"format":"folio-backup","version":99}` + "\n",
		"unknown table": lines[0] + "\n" + `{"table":"nope","columns":["id"]}` + "\n" + `{"end":true,"rows":0}` + "\n",
		"unknown col":   lines[0] + "\n" + `{"table":"settings","columns":["evil"]}` + "\n" + `{"end":true,"rows":0}` + "\n",
		"truncated":     strings.Join(lines[:len(lines)-1], "\n") + "\n",
		"bad count":     strings.Replace(good.String(), `"rows":1}`, `"rows":7}`, 1),
		"bad time":      strings.Replace(good.String(), "T", "X", 3),
		"sql injection": lines[0] + "\n" + `{"table":"users\"; DROP TABLE users; --","columns":["id"]}` + "\n",
		"wrong width":   lines[0] + "\n" + `{"table":"settings","columns":["key","value"]}` + "\n" + `["a"]` + "\n",
	}
	for _, open := range []func(testing.TB) folio.Store{openSQLite, openPostgres} {
		dst := open(t)
		for name, in := range tests {
			err := dst.(folio.Snapshotter).Restore(t.Context(), strings.NewReader(in))
			var ve *folio.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("%T %s: err = %v, want a validation error", dst, name, err)
			}
		}
		if n, err := dst.CountUsers(t.Context(), false); err != nil || n != 0 {
			t.Errorf("%T: %d users after failed restores (err %v)", dst, n, err)
		}
		if err := dst.(folio.Snapshotter).Restore(t.Context(), bytes.NewReader(good.Bytes())); err != nil {
			t.Errorf("%T: good backup after bad ones: %v", dst, err)
		}
	}
}

func mustUser(t testing.TB, s folio.Store) {
	t.Helper()
	u := &folio.User{Name: "One", Email: "one@example.com", Role: folio.RoleAdmin}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
}
