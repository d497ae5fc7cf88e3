package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"folio"
	"folio/store/postgres"
	"folio/store/storetest"

	"github.com/jackc/pgx/v5"
)

// baseURL is the server the conformance tests use; FOLIO_TEST_POSTGRES
// overrides it.
func baseURL() string {
	if u := os.Getenv("FOLIO_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// requirePostgres skips t when no server answers, unless CI=true, where a
// missing database is a failure rather than a silently green run.
func requirePostgres(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL())
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(context.WithoutCancel(ctx))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable at %s: %v", baseURL(), err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set FOLIO_TEST_POSTGRES): %v", baseURL(), err)
	}
}

// newSchema creates a schema of its own for t, dropped when t ends, and
// returns a URL whose search_path selects it.
func newSchema(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "folio_test_" + hex.EncodeToString(b)
	ident := pgx.Identifier{schema}.Sanitize()
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, baseURL())
		if err != nil {
			return err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(t.Context(), "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	// Registered before the store's Close, so it runs after it.
	t.Cleanup(func() {
		if err := exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(baseURL())
	if err != nil {
		t.Fatalf("parse %s: %v", baseURL(), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openAt opens the database at url with the clock now and closes it when
// t ends.
func openAt(t testing.TB, url string, now func() time.Time) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	s.Now = now
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	storetest.Run(t, func(t testing.TB, now func() time.Time) folio.Store {
		return openAt(t, newSchema(t), now)
	})
}

// TestStoreShared opens one schema twice, as two nodes behind a load
// balancer (or a node and a CLI command) do.
func TestStoreShared(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	storetest.RunShared(t, func(t testing.TB, now func() time.Time) (folio.Store, folio.Store) {
		u := newSchema(t)
		return openAt(t, u, now), openAt(t, u, now)
	})
}

// TestReopen checks that a second Open finds the schema migrated and the
// data in place.
func TestReopen(t *testing.T) {
	t.Parallel()
	requirePostgres(t)
	u := newSchema(t)
	now := func() time.Time { return time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC) }
	s, err := postgres.Open(t.Context(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Now = now
	user := &folio.User{Name: "Ann Lee", Email: "ann@example.com", Role: folio.RoleAdmin}
	if err := user.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(t.Context(), user); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2 := openAt(t, u, now)
	got, err := s2.FindUserByEmail(t.Context(), "ann@example.com")
	if err != nil {
		t.Fatalf("FindUserByEmail after reopening: %v", err)
	}
	if got.ID != user.ID {
		t.Errorf("after reopening: user %d, want %d", got.ID, user.ID)
	}
}
