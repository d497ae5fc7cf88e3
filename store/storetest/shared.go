package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"folio"
)

// RunShared checks what DESIGN.md asks of a database shared by a server
// and CLI commands or by several nodes: a write through one handle is seen
// at once through the other, and concurrent writers through both neither
// fail nor do anything twice.
func RunShared(t *testing.T, open SharedOpenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, a, b *env)
	}{
		{"WritesVisible", testSharedWritesVisible},
		{"ContentVersion", testSharedContentVersion},
		{"ConcurrentSameTitle", testSharedConcurrentSameTitle},
		{"PublishDueOnce", testSharedPublishDueOnce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			a, b := open(t, c.Now)
			if a == nil || b == nil {
				t.Fatal("open returned a nil store")
			}
			tt.fn(t, &env{s: a, clock: c}, &env{s: b, clock: c})
		})
	}
}

func testSharedWritesVisible(t *testing.T, a, b *env) {
	ctx := t.Context()
	// Read through b first, so nothing b might cache hides a's writes.
	if n, err := b.s.CountUsers(ctx, false); err != nil || n != 0 {
		t.Fatalf("b: CountUsers = %d, %v; want 0", n, err)
	}
	if _, err := b.s.FindUserByEmail(ctx, "ann.lee@example.com"); !errors.Is(err, folio.ErrNotFound) {
		t.Fatalf("b: FindUserByEmail before creation = %v, want ErrNotFound", err)
	}
	if v, err := b.s.Setting(ctx, "site.title"); err != nil || v != "" {
		t.Fatalf("b: Setting = %q, %v; want empty", v, err)
	}

	ann := newUser(t, a, "Ann Lee")
	tok := &folio.Token{UserID: ann.ID, Name: "cli", Hash: folio.HashSecret(folio.NewSecret())}
	if err := a.s.CreateToken(ctx, tok); err != nil {
		t.Fatalf("a: CreateToken: %v", err)
	}
	if err := a.s.SetSetting(ctx, "site.title", "Shared"); err != nil {
		t.Fatalf("a: SetSetting: %v", err)
	}
	art := mustCreateArticle(t, a, published("Shared article", a.clock.Now(), ann))

	if n, err := b.s.CountUsers(ctx, true); err != nil || n != 1 {
		t.Errorf("b: CountUsers = %d, %v; want 1", n, err)
	}
	if u, err := b.s.FindUserByEmail(ctx, "ann.lee@example.com"); err != nil || u.ID != ann.ID {
		t.Errorf("b: FindUserByEmail = %+v, %v; want user %d", u, err, ann.ID)
	}
	if u, err := b.s.FindUserByTokenHash(ctx, tok.Hash); err != nil || u.ID != ann.ID {
		t.Errorf("b: FindUserByTokenHash = %+v, %v; want user %d", u, err, ann.ID)
	}
	if v, err := b.s.Setting(ctx, "site.title"); err != nil || v != "Shared" {
		t.Errorf("b: Setting = %q, %v; want %q", v, err, "Shared")
	}
	checkArticle(t, "b: FindArticleBySlug", mustFindBySlug(t, b, art.Slug), art)

	// And back: b updates, a sees it.
	b.clock.Advance(time.Minute)
	upd := mustUpdateArticle(t, b, art.ID, folio.ArticleUpdate{Body: ptr("Edited through b.")})
	checkArticle(t, "a: FindArticleByID", mustFindArticle(t, a, art.ID), upd)
	if err := b.s.DeleteArticle(ctx, art.ID); err != nil {
		t.Fatalf("b: DeleteArticle: %v", err)
	}
	if _, err := a.s.FindArticleBySlug(ctx, art.Slug); !errors.Is(err, folio.ErrGone) {
		t.Errorf("a: FindArticleBySlug(deleted) = %v, want ErrGone", err)
	}
}

func testSharedContentVersion(t *testing.T, a, b *env) {
	ann := newUser(t, a, "Ann Lee")
	va, vb := mustVersion(t, a.s), mustVersion(t, b.s)
	if va != vb {
		t.Errorf("ContentVersion differs between handles: %d and %d", va, vb)
	}
	writes := []struct {
		name string
		by   *env
		op   func(e *env) error
	}{
		{"create through a", a, func(e *env) error {
			_, err := createArticle(t, e, published("One", e.clock.Now(), ann))
			return err
		}},
		{"setting through b", b, func(e *env) error { return e.s.SetSetting(t.Context(), "k", "v") }},
		{"create through b", b, func(e *env) error {
			_, err := createArticle(t, e, published("Two", e.clock.Now(), ann))
			return err
		}},
	}
	for _, w := range writes {
		if err := w.op(w.by); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		na, nb := mustVersion(t, a.s), mustVersion(t, b.s)
		if na <= va || nb <= vb {
			t.Errorf("%s: ContentVersion a %d → %d, b %d → %d; want both to increase", w.name, va, na, vb, nb)
		}
		if na != nb {
			t.Errorf("%s: ContentVersion differs between handles: %d and %d", w.name, na, nb)
		}
		va, vb = na, nb
	}
}

func testSharedConcurrentSameTitle(t *testing.T, a, b *env) {
	ann := newUser(t, a, "Ann Lee")
	const n = 20
	arts := make([]*folio.Article, n)
	errs := runConcurrently(n, func(i int) error {
		e, name := a, "a"
		if i%2 == 1 {
			e, name = b, "b"
		}
		in := draft("Same Title", ann)
		in.Tags = []string{"Shared Tag"}
		if err := in.Validate(e.clock.Now()); err != nil {
			return err
		}
		art, err := e.s.CreateArticle(t.Context(), in)
		arts[i] = art
		if err != nil {
			return fmt.Errorf("through %s: %w", name, err)
		}
		return nil
	})
	checkDistinctSlugs(t, a, arts, errs)
	if _, total := mustFindArticles(t, b, folio.ArticleFilter{}); total != n {
		t.Errorf("%d articles stored, want %d", total, n)
	}
}

func testSharedPublishDueOnce(t *testing.T, a, b *env) {
	ann := newUser(t, a, "Ann Lee")
	t0 := a.clock.Now()
	const due = 8
	for i := range due {
		mustCreateArticle(t, a, scheduled(fmt.Sprintf("Due %d", i), t0.Add(time.Duration(i+1)*time.Minute), ann))
	}
	a.clock.Set(t0.Add(time.Hour))
	counts := make([]int, 6)
	errs := runConcurrently(len(counts), func(i int) error {
		e := a
		if i%2 == 1 {
			e = b
		}
		n, err := e.s.PublishDue(t.Context())
		counts[i] = n
		return err
	})
	sum := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("PublishDue %d: %v", i, err)
		}
		sum += counts[i]
	}
	if sum != due {
		t.Errorf("PublishDue through both handles published %d in all (%v), want %d", sum, counts, due)
	}
	next, err := b.s.NextScheduled(t.Context())
	if err != nil || next != nil {
		t.Errorf("b: NextScheduled = %v, %v; want nil", next, err)
	}
}
