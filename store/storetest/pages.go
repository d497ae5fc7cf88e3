package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"folio"
)

func testRestoreRevision(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	in := published("Version one", e.clock.Now(), ann)
	in.Question, in.Body, in.Summary, in.EditorID = "Q1?", "Body one.", "S1.", ann.ID
	a := mustCreateArticle(t, e, in)
	e.clock.Advance(time.Minute)
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{
		Title: ptr("Version two"), Question: ptr("Q2?"), Body: ptr("Body two."), Summary: ptr("S2."), EditorID: ann.ID,
	})
	other := mustCreateArticle(t, e, draft("Other", ann))
	revs := mustRevisions(t, e, a.ID)
	if len(revs) != 2 {
		t.Fatalf("%d revisions, want 2", len(revs))
	}
	first := revs[1]

	e.clock.Advance(time.Minute)
	v := mustVersion(t, e.s)
	got, err := e.s.RestoreRevision(t.Context(), a.ID, first.ID, bob.ID)
	if err != nil {
		t.Fatalf("RestoreRevision: %v", err)
	}
	now := e.clock.Stored()
	for _, g := range []*folio.Article{got, mustFindArticle(t, e, a.ID)} {
		if g.Title != "Version one" || g.Question != "Q1?" || g.Body != "Body one." || g.Summary != "S1." {
			t.Errorf("restored content = %q %q %q %q, want version one", g.Title, g.Question, g.Body, g.Summary)
		}
		if g.Slug != a.Slug {
			t.Errorf("slug after restoring = %q, want %q", g.Slug, a.Slug)
		}
		checkTime(t, "restored UpdatedAt", g.UpdatedAt, now)
		checkTimePtr(t, "restored ModifiedAt", g.ModifiedAt, &now)
	}
	revs = mustRevisions(t, e, a.ID)
	if len(revs) != 3 {
		t.Fatalf("%d revisions after restoring, want 3", len(revs))
	}
	if r := revs[0]; r.Title != "Version one" || r.Body != "Body one." || r.EditorID != bob.ID || r.ID == first.ID {
		t.Errorf("newest revision = %+v, want a new copy of version one by user %d", *r, bob.ID)
	}
	checkTime(t, "new revision CreatedAt", revs[0].CreatedAt, now)
	if got := mustVersion(t, e.s); got <= v {
		t.Errorf("ContentVersion %d → %d after restoring, want an increase", v, got)
	}

	otherRev := mustRevisions(t, e, other.ID)[0]
	ctx := t.Context()
	for _, tt := range []struct {
		name              string
		article, revision int64
	}{
		{"another article's revision", a.ID, otherRev.ID},
		{"unknown revision", a.ID, otherRev.ID + 1000},
		{"unknown article", a.ID + 1000, first.ID},
	} {
		_, err := e.s.RestoreRevision(ctx, tt.article, tt.revision, bob.ID)
		wantErr(t, "RestoreRevision: "+tt.name, err, folio.ErrNotFound)
	}
	if n := len(mustRevisions(t, e, a.ID)); n != 3 {
		t.Errorf("%d revisions after refused restores, want 3", n)
	}
	if g := mustFindArticle(t, e, other.ID); g.Title != "Other" {
		t.Errorf("the other article's title = %q", g.Title)
	}
}

// mustCreatePage validates and stores a page.
func mustCreatePage(t testing.TB, e *env, title, slug, body string) *folio.Page {
	t.Helper()
	p := &folio.Page{Title: title, Slug: slug, Body: body}
	if err := p.Validate(); err != nil {
		t.Fatalf("invalid test page %q: %v", title, err)
	}
	if err := e.s.CreatePage(t.Context(), p); err != nil {
		t.Fatalf("CreatePage(%q): %v", title, err)
	}
	if p.ID <= 0 {
		t.Fatalf("CreatePage(%q) set ID %d", title, p.ID)
	}
	return p
}

// checkPage compares every stored field of got with want.
func checkPage(t testing.TB, label string, got, want *folio.Page) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: page is nil", label)
		return
	}
	if got.ID != want.ID || got.Title != want.Title || got.Slug != want.Slug || got.Body != want.Body {
		t.Errorf("%s = %d %q %q %q, want %d %q %q %q", label, got.ID, got.Title, got.Slug, got.Body,
			want.ID, want.Title, want.Slug, want.Body)
	}
	checkTime(t, label+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, label+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

func testPages(t *testing.T, e *env) {
	ctx := t.Context()
	ann := newUser(t, e, "Ann Lee")
	t0 := e.clock.Stored()
	contact := mustCreatePage(t, e, "Contact", "", "Write to us.")
	about := mustCreatePage(t, e, "About us", "about", "Who we are.")
	// Pages live under /p/, so an article's slug or a route word is free.
	mustCreateArticle(t, e, published("Privacy", e.clock.Now(), ann))
	privacy := mustCreatePage(t, e, "Privacy", "", "")
	admin := mustCreatePage(t, e, "Admin", "admin", "Run by volunteers.")
	ru := mustCreatePage(t, e, "О нас", "", "Кто мы.")
	for _, p := range []*folio.Page{contact, about, privacy, admin, ru} {
		checkTime(t, p.Title+" CreatedAt", p.CreatedAt, t0)
		checkTime(t, p.Title+" UpdatedAt", p.UpdatedAt, t0)
		byID, err := e.s.FindPageByID(ctx, p.ID)
		if err != nil {
			t.Errorf("FindPageByID(%d): %v", p.ID, err)
		} else {
			checkPage(t, "FindPageByID", byID, p)
		}
		bySlug, err := e.s.FindPageBySlug(ctx, p.Slug)
		if err != nil {
			t.Errorf("FindPageBySlug(%q): %v", p.Slug, err)
		} else {
			checkPage(t, "FindPageBySlug", bySlug, p)
		}
	}
	if contact.Slug != "contact" || privacy.Slug != "privacy" {
		t.Errorf("derived page slugs = %q, %q", contact.Slug, privacy.Slug)
	}

	list, err := e.s.FindPages(ctx)
	if err != nil {
		t.Fatalf("FindPages: %v", err)
	}
	want := []*folio.Page{about, admin, contact, privacy, ru}
	if len(list) != len(want) {
		t.Fatalf("FindPages = %d pages, want %d", len(list), len(want))
	}
	for i, w := range want {
		checkPage(t, fmt.Sprintf("FindPages[%d]", i), list[i], w)
	}

	// Taken slugs.
	dup := &folio.Page{Title: "About again", Slug: "about"}
	err = e.s.CreatePage(ctx, dup)
	wantConflict(t, "CreatePage with a taken slug", err, "slug")
	e.clock.Advance(time.Hour)
	upd := *contact
	upd.Slug = "about"
	err = e.s.UpdatePage(ctx, &upd)
	wantConflict(t, "UpdatePage to a taken slug", err, "slug")
	if got, err := e.s.FindPageByID(ctx, contact.ID); err != nil {
		t.Errorf("FindPageByID: %v", err)
	} else {
		checkPage(t, "after a refused update", got, contact)
	}

	// A full update.
	upd = folio.Page{ID: contact.ID, Title: "Contact us", Slug: "contact-us", Body: "Write or call."}
	if err := e.s.UpdatePage(ctx, &upd); err != nil {
		t.Fatalf("UpdatePage: %v", err)
	}
	wantPage := &folio.Page{ID: contact.ID, Title: "Contact us", Slug: "contact-us", Body: "Write or call.",
		CreatedAt: t0, UpdatedAt: e.clock.Stored()}
	if got, err := e.s.FindPageBySlug(ctx, "contact-us"); err != nil {
		t.Errorf("FindPageBySlug(contact-us): %v", err)
	} else {
		checkPage(t, "updated page", got, wantPage)
	}
	_, err = e.s.FindPageBySlug(ctx, "contact")
	wantErr(t, "FindPageBySlug(old slug)", err, folio.ErrNotFound)
	upd = folio.Page{ID: contact.ID + 1000, Title: "Ghost", Slug: "ghost"}
	wantErr(t, "UpdatePage(unknown)", e.s.UpdatePage(ctx, &upd), folio.ErrNotFound)

	// Deleting.
	if err := e.s.DeletePage(ctx, about.ID); err != nil {
		t.Fatalf("DeletePage: %v", err)
	}
	_, err = e.s.FindPageByID(ctx, about.ID)
	wantErr(t, "FindPageByID(deleted)", err, folio.ErrNotFound)
	_, err = e.s.FindPageBySlug(ctx, "about")
	wantErr(t, "FindPageBySlug(deleted)", err, folio.ErrNotFound)
	wantErr(t, "DeletePage twice", e.s.DeletePage(ctx, about.ID), folio.ErrNotFound)
	list, err = e.s.FindPages(ctx)
	if err != nil {
		t.Fatalf("FindPages: %v", err)
	}
	if len(list) != 4 {
		t.Errorf("FindPages after a deletion = %d pages, want 4", len(list))
	}
	_, err = e.s.FindPageBySlug(ctx, "missing")
	wantErr(t, "FindPageBySlug(missing)", err, folio.ErrNotFound)
	// The article that shares a slug with a page is untouched by all this.
	if a := mustFindBySlug(t, e, "privacy"); a.Title != "Privacy" {
		t.Errorf("article privacy = %q", a.Title)
	}
}

func testMenu(t *testing.T, e *env) {
	ctx := t.Context()
	menu := func() []folio.MenuItem {
		t.Helper()
		items, err := e.s.Menu(ctx)
		if err != nil {
			t.Fatalf("Menu: %v", err)
		}
		return items
	}
	if m := menu(); len(m) != 0 {
		t.Errorf("Menu of a new site = %+v, want empty", m)
	}
	steps := [][]folio.MenuItem{
		{{Label: "About", URL: "/p/about"}, {Label: "Интервью", URL: "/series/interview"}, {Label: "Feed", URL: "https://example.com/feed.xml"}},
		{{Label: "Feed", URL: "https://example.com/feed.xml"}, {Label: "About", URL: "/p/about"}},
		{{Label: "Only", URL: "/"}},
		nil,
	}
	for i, items := range steps {
		valid, err := folio.ValidateMenu(items)
		if err != nil {
			t.Fatalf("invalid test menu: %v", err)
		}
		v := mustVersion(t, e.s)
		if err := e.s.SetMenu(ctx, valid); err != nil {
			t.Fatalf("SetMenu %d: %v", i, err)
		}
		got := menu()
		if len(got) != len(valid) || (len(valid) > 0 && !slices.Equal(got, valid)) {
			t.Errorf("Menu after SetMenu %d = %+v, want %+v", i, got, valid)
		}
		if after := mustVersion(t, e.s); after <= v {
			t.Errorf("ContentVersion %d → %d after SetMenu, want an increase (the menu is on every page)", v, after)
		}
	}
}

func testPagesContentVersion(t *testing.T, e *env) {
	ctx := t.Context()
	var p *folio.Page
	steps := []versionStep{
		{"CreatePage", func() error {
			p = &folio.Page{Title: "About", Body: "Us."}
			if err := p.Validate(); err != nil {
				return err
			}
			return e.s.CreatePage(ctx, p)
		}, true},
		{"FindPageByID", func() error { _, err := e.s.FindPageByID(ctx, p.ID); return err }, false},
		{"FindPageBySlug", func() error { _, err := e.s.FindPageBySlug(ctx, p.Slug); return err }, false},
		{"FindPages", func() error { _, err := e.s.FindPages(ctx); return err }, false},
		{"Menu", func() error { _, err := e.s.Menu(ctx); return err }, false},
		{"UpdatePage", func() error {
			upd := *p
			upd.Body = "Us, again."
			return e.s.UpdatePage(ctx, &upd)
		}, true},
		{"DeletePage", func() error { return e.s.DeletePage(ctx, p.ID) }, true},
	}
	checkVersionSteps(t, e, steps)
}
