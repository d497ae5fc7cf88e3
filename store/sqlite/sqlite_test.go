package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"folio"
	"folio/store/sqlite"
	"folio/store/storetest"
)

// openAt opens the SQLite file at path with the clock now and closes it
// when t ends.
func openAt(t testing.TB, path string, now func() time.Time) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("sqlite.Open(%q): %v", path, err)
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
	storetest.Run(t, func(t testing.TB, now func() time.Time) folio.Store {
		return openAt(t, filepath.Join(t.TempDir(), "folio.db"), now)
	})
}

// TestStoreShared opens one file twice, as `folio serve` and a CLI command
// running beside it do.
func TestStoreShared(t *testing.T) {
	t.Parallel()
	storetest.RunShared(t, func(t testing.TB, now func() time.Time) (folio.Store, folio.Store) {
		path := filepath.Join(t.TempDir(), "folio.db")
		return openAt(t, path, now), openAt(t, path, now)
	})
}

// TestReopen checks that what one Open wrote is there after Close and a
// second Open, which must find the schema already migrated.
func TestReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "folio.db")
	now := func() time.Time { return time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC) }
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.Now = now
	u := &folio.User{Name: "Ann Lee", Email: "ann@example.com", Role: folio.RoleAdmin}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	in := folio.ArticleInput{Title: "Survives", Body: "Still here.", Status: folio.StatusPublished, AuthorIDs: []int64{u.ID}}
	if err := in.Validate(now()); err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateArticle(t.Context(), in)
	if err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	v, err := s.ContentVersion(t.Context())
	if err != nil {
		t.Fatalf("ContentVersion: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2 := openAt(t, path, now)
	got, err := s2.FindArticleBySlug(t.Context(), a.Slug)
	if err != nil {
		t.Fatalf("FindArticleBySlug after reopening: %v", err)
	}
	if got.ID != a.ID || got.Body != "Still here." || len(got.Authors) != 1 || got.Authors[0].ID != u.ID {
		t.Errorf("after reopening: %+v, want article %d by user %d", got, a.ID, u.ID)
	}
	v2, err := s2.ContentVersion(t.Context())
	if err != nil {
		t.Fatalf("ContentVersion after reopening: %v", err)
	}
	if v2 < v {
		t.Errorf("ContentVersion went back from %d to %d across a reopen", v, v2)
	}
}
