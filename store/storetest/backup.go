package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"folio"
)

// RunBackup round-trips a populated store through every store that open
// returns, in order (SQLite → PostgreSQL → SQLite, say), and checks that
// the last backup equals the first row for row.
func RunBackup(t *testing.T, opens ...func(t testing.TB) folio.Store) {
	t.Helper()
	ctx := context.Background()
	first := opens[0](t)
	Populate(t, first)
	want := backupOf(t, first)
	prev := want
	for i, open := range opens[1:] {
		st := open(t)
		if err := restorer(t, st).Restore(ctx, bytes.NewReader(prev)); err != nil {
			t.Fatalf("restore into store %d: %v", i+1, err)
		}
		got := backupOf(t, st)
		assertSameRows(t, want, got)
		next := got
		// The restored site works: new ids do not collide with restored ones.
		a, err := st.CreateArticle(ctx, folio.ArticleInput{Title: "After restore", Body: "x", Status: folio.StatusDraft, AuthorIDs: []int64{firstUserID(t, st)}})
		if err != nil {
			t.Fatalf("write after restore: %v", err)
		}
		if _, err := st.FindArticleBySlug(ctx, "part-two"); err != nil {
			t.Errorf("restored article: %v", err)
		}
		if err := st.DeleteArticle(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		// A second restore into a site with content is refused, nothing lost.
		if err := restorer(t, st).Restore(ctx, bytes.NewReader(prev)); err == nil {
			t.Error("restore into a non-empty site succeeded")
		}
		prev = next
	}
}

func restorer(t testing.TB, s folio.Store) folio.Snapshotter {
	t.Helper()
	r, ok := s.(folio.Snapshotter)
	if !ok {
		t.Fatalf("%T cannot back up and restore", s)
	}
	return r
}

func backupOf(t testing.TB, s folio.Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := restorer(t, s).Backup(context.Background(), &buf); err != nil {
		t.Fatalf("backup: %v", err)
	}
	return buf.Bytes()
}

func firstUserID(t testing.TB, s folio.Store) int64 {
	t.Helper()
	u, err := s.FindUserByEmail(context.Background(), "editor@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Populate writes one of everything the site holds.
func Populate(t testing.TB, s folio.Store) {
	t.Helper()
	ctx := context.Background()
	u := &folio.User{Name: "Edna Editor", Email: "editor@example.com", Role: folio.RoleEditor, Bio: "Édits “things”.", PasswordHash: "$argon2id$x"}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, &folio.Token{UserID: u.ID, Name: "cli", Hash: folio.HashSecret("secret")}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	for i, title := range []string{"Part one", "Part two", "Россия и энергетика"} {
		at := now.Add(time.Duration(i) * time.Hour)
		in := folio.ArticleInput{Title: title, Question: "Why?", Body: "Body “" + title + "”\n\nwith <b>html</b>", Summary: "S",
			Lang: "en", Interviewee: folio.Interviewee{Name: "I. V.", Bio: "bio"}, Status: folio.StatusPublished, PublishedAt: &at,
			AuthorIDs: []int64{u.ID}, Tags: []string{"Energy", "Rivers"}, Series: &folio.SeriesRef{Slug: "s", Title: "S", Position: i + 1}, EditorID: u.ID}
		a, err := s.CreateArticle(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		body := in.Body + " (edited)"
		if _, err := s.UpdateArticle(ctx, a.ID, folio.ArticleUpdate{Body: &body, EditorID: u.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetSetting(ctx, "site_title", "Backed up"); err != nil {
		t.Fatal(err)
	}
}

// assertSameRows compares two backups table by table, ignoring the header
// and site_state, whose content version a restore moves on purpose (so
// caches of a running server see the change).
func assertSameRows(t testing.TB, want, got []byte) {
	t.Helper()
	w, g := contentLines(want), contentLines(got)
	if len(w) != len(g) {
		t.Fatalf("backups differ in length: %d lines, want %d", len(g), len(w))
	}
	for i := range w {
		if !jsonEqual(w[i], g[i]) {
			t.Fatalf("line %d differs:\n got %s\nwant %s", i+2, g[i], w[i])
		}
	}
}

func contentLines(b []byte) []string {
	var out []string
	skip := false
	for _, l := range strings.Split(string(b), "\n")[1:] {
		switch {
		case strings.HasPrefix(l, `{"table":"site_state"`):
			skip = true
		case skip && strings.HasPrefix(l, `{"end":`):
			skip = false
			continue
		}
		if !skip {
			out = append(out, l)
		}
	}
	return out
}

func jsonEqual(a, b string) bool {
	if a == b {
		return true
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
