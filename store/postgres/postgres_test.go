package postgres_test

import (
	"testing"
	"time"

	"folio"
	"folio/internal/pgtest"
	"folio/store/postgres"
	"folio/store/storetest"
)

func requirePostgres(t testing.TB) { pgtest.Require(t) }

// newSchema gives t a schema of its own on the shared server.
func newSchema(t testing.TB) string { return pgtest.NewSchema(t, pgtest.BaseURL()) }

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
