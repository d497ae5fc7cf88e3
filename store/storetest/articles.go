package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"folio"
)

func testCreateArticle(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := mustCreateUser(t, e, folio.User{Name: "Bob Stone", Bio: "Economist.", Role: folio.RoleEditor})
	in := folio.ArticleInput{
		Title:       "What next for Pakistan’s economy?",
		Question:    "In the first question of this interview you said… what comes next?",
		Body:        "A long answer, with “typographic quotes”.\n\nSecond paragraph.",
		Summary:     "The second question.",
		Lang:        "ur",
		Interviewee: folio.Interviewee{Name: "Dr. Ayesha Khan", Bio: "Professor of economics."},
		Status:      folio.StatusPublished,
		AuthorIDs:   []int64{bob.ID, ann.ID},
		Tags:        []string{"Politics", "Economy", "South Asia", "Политика"},
		Series:      &folio.SeriesRef{Slug: "interview-with-dr-khan", Title: "Interview with Dr. Khan", Position: 2},
		EditorID:    ann.ID,
	}
	created := mustCreateArticle(t, e, in)
	now := e.clock.Stored()
	want := &folio.Article{
		ID:          created.ID,
		Title:       in.Title,
		Slug:        "what-next-for-pakistans-economy",
		Question:    in.Question,
		Body:        in.Body,
		Summary:     in.Summary,
		Lang:        "ur",
		Interviewee: in.Interviewee,
		Status:      folio.StatusPublished,
		PublishedAt: &now,
		CreatedAt:   now,
		UpdatedAt:   now,
		Authors:     authorsOf(bob, ann),
		Tags: []folio.Tag{
			{Name: "Politics", Slug: "politics"},
			{Name: "Economy", Slug: "economy"},
			{Name: "South Asia", Slug: "south-asia"},
			{Name: "Политика", Slug: folio.Slugify("Политика")},
		},
		Series:         &folio.Series{Slug: "interview-with-dr-khan", Title: "Interview with Dr. Khan"},
		SeriesPosition: 2,
	}
	checkArticle(t, "CreateArticle", created, want)
	seen := map[int64]bool{}
	for _, tg := range created.Tags {
		if seen[tg.ID] {
			t.Errorf("tags share ID %d: %+v", tg.ID, created.Tags)
		}
		seen[tg.ID] = true
	}
	checkArticle(t, "FindArticleByID", mustFindArticle(t, e, created.ID), created)
	checkArticle(t, "FindArticleBySlug", mustFindBySlug(t, e, want.Slug), created)

	// Author order is the input's, whichever way round.
	second := mustCreateArticle(t, e, published("Second", e.clock.Now(), ann, bob))
	if got, want := second.Authors, authorsOf(ann, bob); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Authors = %+v, want %+v", got, want)
	}
}

func testCreateArticleDraft(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	created := mustCreateArticle(t, e, draft("Just a draft", ann))
	want := &folio.Article{
		ID:        created.ID,
		Title:     "Just a draft",
		Slug:      "just-a-draft",
		Body:      "Body of Just a draft.",
		Status:    folio.StatusDraft,
		CreatedAt: e.clock.Stored(),
		UpdatedAt: e.clock.Stored(),
		Authors:   authorsOf(ann),
	}
	checkArticle(t, "CreateArticle", created, want)
	checkArticle(t, "FindArticleByID", mustFindArticle(t, e, created.ID), want)
	checkArticle(t, "FindArticleBySlug", mustFindBySlug(t, e, "just-a-draft"), want)

	in := scheduled("Later", e.clock.Now().Add(24*time.Hour), ann)
	sched := mustCreateArticle(t, e, in)
	if sched.Status != folio.StatusScheduled {
		t.Errorf("Status = %q, want %q", sched.Status, folio.StatusScheduled)
	}
	checkTimePtr(t, "scheduled PublishedAt", sched.PublishedAt, ptr(stored(e.clock.Now().Add(24*time.Hour))))
}

func testTagsReused(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	in := draft("First", ann)
	in.Tags = []string{"Go", "Databases", "Политика"}
	first := mustCreateArticle(t, e, in)
	in = draft("Second", ann)
	in.Tags = []string{"Rust", "GO", "политика", "databases"}
	second := mustCreateArticle(t, e, in)
	want := []folio.Tag{
		{Name: "Rust", Slug: "rust"},
		first.Tags[0],
		first.Tags[2],
		first.Tags[1],
	}
	if len(second.Tags) != len(want) {
		t.Fatalf("Tags = %+v, want %+v", second.Tags, want)
	}
	for i, w := range want {
		g := second.Tags[i]
		if g.Name != w.Name || g.Slug != w.Slug || (w.ID != 0 && g.ID != w.ID) {
			t.Errorf("Tags[%d] = %+v, want %+v (the existing tag, reused case-blind)", i, g, w)
		}
	}
	for _, w := range first.Tags {
		got, err := e.s.FindTagBySlug(t.Context(), w.Slug)
		if err != nil {
			t.Errorf("FindTagBySlug(%q): %v", w.Slug, err)
			continue
		}
		if got.ID != w.ID || got.Name != w.Name || got.Slug != w.Slug {
			t.Errorf("FindTagBySlug(%q) = %+v, want %+v", w.Slug, got, w)
		}
	}
	_, err := e.s.FindTagBySlug(t.Context(), "missing")
	wantErr(t, "FindTagBySlug(missing)", err, folio.ErrNotFound)
}

func testSeries(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	part := func(title string, ref folio.SeriesRef) *folio.Article {
		in := draft(title, ann)
		in.Series = &ref
		return mustCreateArticle(t, e, in)
	}
	p1 := part("Part one", folio.SeriesRef{Slug: "interview", Title: "The Interview", Position: 1})
	p2 := part("Part two", folio.SeriesRef{Slug: "interview", Position: 2})
	if p2.Series == nil || p2.Series.ID != p1.Series.ID || p2.Series.Title != "The Interview" {
		t.Errorf("second part's Series = %+v, want %+v (reused, title kept)", p2.Series, p1.Series)
	}
	p3 := part("Part three", folio.SeriesRef{Slug: "interview", Title: "The Interview, revised", Position: 3})
	if p3.Series == nil || p3.Series.ID != p1.Series.ID || p3.Series.Title != "The Interview, revised" {
		t.Errorf("third part's Series = %+v, want ID %d with the new title", p3.Series, p1.Series.ID)
	}
	got, err := e.s.FindSeriesBySlug(t.Context(), "interview")
	if err != nil {
		t.Fatalf("FindSeriesBySlug: %v", err)
	}
	if got.ID != p1.Series.ID || got.Slug != "interview" || got.Title != "The Interview, revised" {
		t.Errorf("FindSeriesBySlug = %+v, want ID %d, updated title", got, p1.Series.ID)
	}
	if a := mustFindArticle(t, e, p1.ID); a.Series == nil || a.Series.Title != "The Interview, revised" || a.SeriesPosition != 1 {
		t.Errorf("part one now has Series %+v at %d, want the updated title at 1", a.Series, a.SeriesPosition)
	}
	// A series named only by its title gets the title's slug.
	other := part("Other", folio.SeriesRef{Title: "Россия и мир", Position: 1})
	if other.Series == nil || other.Series.Slug != folio.Slugify("Россия и мир") || other.Series.ID == p1.Series.ID {
		t.Errorf("Series = %+v, want a new series with slug %q", other.Series, folio.Slugify("Россия и мир"))
	}
	_, err = e.s.FindSeriesBySlug(t.Context(), "missing")
	wantErr(t, "FindSeriesBySlug(missing)", err, folio.ErrNotFound)
}

func testAutoSlug(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	tests := []struct{ title, want string }{
		{"Hello, World!", "hello-world"},
		{"Café Crème à la carte", "cafe-creme-a-la-carte"},
		{"Straße und Łódź", "strasse-und-lodz"},
		{"Россия и мир", folio.Slugify("Россия и мир")},
		{"Что дальше для России?", folio.Slugify("Что дальше для России?")},
		{"پاکستان کی سیاست", folio.Slugify("پاکستان کی سیاست")},
		{"العربية اليوم", folio.Slugify("العربية اليوم")},
		{"Russia’s “new” economy — 2025", "russias-new-economy-2025"},
	}
	for _, tt := range tests {
		a := mustCreateArticle(t, e, draft(tt.title, ann))
		if a.Slug != tt.want {
			t.Errorf("CreateArticle(%q) slug = %q, want %q", tt.title, a.Slug, tt.want)
			continue
		}
		if got := mustFindBySlug(t, e, tt.want); got.ID != a.ID {
			t.Errorf("FindArticleBySlug(%q) = article %d, want %d", tt.want, got.ID, a.ID)
		}
	}
}

func testAutoSlugSymbols(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	seen := map[string]bool{}
	for _, title := range []string{"!!!", "🙂🙂", "???", "!!!"} {
		a := mustCreateArticle(t, e, draft(title, ann))
		if err := folio.ValidateSlug("slug", a.Slug); err != nil {
			t.Errorf("CreateArticle(%q) slug = %q: %v", title, a.Slug, err)
		}
		if seen[a.Slug] {
			t.Errorf("CreateArticle(%q) slug = %q, already taken", title, a.Slug)
		}
		seen[a.Slug] = true
		if got := mustFindBySlug(t, e, a.Slug); got.ID != a.ID {
			t.Errorf("FindArticleBySlug(%q) = article %d, want %d", a.Slug, got.ID, a.ID)
		}
	}
}

func testAutoSlugUnique(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	explicit := draft("Something else", ann)
	explicit.Slug = "taken"
	mustCreateArticle(t, e, explicit)
	tests := []struct{ title, want string }{
		{"Hello World", "hello-world"},
		{"Hello World", "hello-world-2"},
		{"hello, world", "hello-world-3"},
		{"Taken", "taken-2"},
		{"Россия", folio.Slugify("Россия")},
		{"РОССИЯ", folio.Slugify("Россия") + "-2"},
	}
	for _, tt := range tests {
		a := mustCreateArticle(t, e, draft(tt.title, ann))
		if a.Slug != tt.want {
			t.Errorf("CreateArticle(%q) slug = %q, want %q", tt.title, a.Slug, tt.want)
		}
	}
}

func testAutoSlugLong(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	title := strings.Repeat("word ", folio.MaxTitleLen/5)
	seen := map[string]bool{}
	for range 3 {
		a := mustCreateArticle(t, e, draft(title, ann))
		if n := utf8.RuneCountInString(a.Slug); n > folio.MaxSlugLen {
			t.Errorf("slug %q has %d runes, want at most %d", a.Slug, n, folio.MaxSlugLen)
		}
		if err := folio.ValidateSlug("slug", a.Slug); err != nil {
			t.Errorf("slug %q: %v", a.Slug, err)
		}
		if seen[a.Slug] {
			t.Errorf("slug %q given twice", a.Slug)
		}
		seen[a.Slug] = true
	}
}

func testAutoSlugReserved(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	seen := map[string]bool{}
	for _, title := range []string{"Admin", "API", "Search", "Tag", "Page", "Admin"} {
		a := mustCreateArticle(t, e, draft(title, ann))
		if folio.IsReservedSlug(a.Slug) {
			t.Errorf("CreateArticle(%q) slug = %q, a reserved route word", title, a.Slug)
		}
		if err := folio.ValidateSlug("slug", a.Slug); err != nil {
			t.Errorf("CreateArticle(%q) slug = %q: %v", title, a.Slug, err)
		}
		if seen[a.Slug] {
			t.Errorf("CreateArticle(%q) slug = %q, already taken", title, a.Slug)
		}
		seen[a.Slug] = true
	}
}

func testExplicitSlugConflict(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	in := draft("Original", ann)
	in.Slug = "my-slug"
	orig := mustCreateArticle(t, e, in)
	auto := mustCreateArticle(t, e, draft("Auto Slug", ann))
	v := mustVersion(t, e.s)
	for _, slug := range []string{"my-slug", auto.Slug} {
		in := draft("Another", ann)
		in.Slug = slug
		in.Tags = []string{"Fresh Tag"}
		in.Series = &folio.SeriesRef{Slug: "fresh-series", Position: 1}
		a, err := createArticle(t, e, in)
		wantConflict(t, "CreateArticle with taken slug "+slug, err, "slug")
		if a != nil {
			t.Errorf("CreateArticle with taken slug returned %+v", a)
		}
	}
	if got := mustFindBySlug(t, e, "my-slug"); got.ID != orig.ID || got.Title != "Original" {
		t.Errorf("FindArticleBySlug(my-slug) = %d %q, want the original", got.ID, got.Title)
	}
	if _, total := mustFindArticles(t, e, folio.ArticleFilter{}); total != 2 {
		t.Errorf("%d articles after refused creations, want 2", total)
	}
	// A refused creation leaves nothing behind.
	_, err := e.s.FindTagBySlug(t.Context(), "fresh-tag")
	wantErr(t, "FindTagBySlug after a refused creation", err, folio.ErrNotFound)
	_, err = e.s.FindSeriesBySlug(t.Context(), "fresh-series")
	wantErr(t, "FindSeriesBySlug after a refused creation", err, folio.ErrNotFound)
	if got := mustVersion(t, e.s); got != v {
		t.Errorf("ContentVersion = %d after refused creations, want %d", got, v)
	}
}

func testUnknownAuthor(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	tests := []struct {
		name    string
		authors []int64
	}{
		{"unknown", []int64{ann.ID + 1000}},
		{"one known, one unknown", []int64{ann.ID, ann.ID + 1000}},
		{"negative", []int64{-1}},
	}
	for _, tt := range tests {
		in := draft("By nobody "+tt.name, ann)
		in.AuthorIDs = tt.authors
		a, err := createArticle(t, e, in)
		var ve *folio.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: CreateArticle = %v, %v (%T); want a *folio.ValidationError", tt.name, articleSlug(a), err, err)
			continue
		}
		if ve.Field != "author_email" {
			t.Errorf("%s: error field = %q, want %q", tt.name, ve.Field, "author_email")
		}
	}
	if _, total := mustFindArticles(t, e, folio.ArticleFilter{}); total != 0 {
		t.Errorf("%d articles after refused creations, want 0", total)
	}
}

func testRevisions(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	in := draft("Title one", ann)
	in.Question, in.Body, in.Summary, in.EditorID = "Question one?", "Body one.", "Summary one.", ann.ID
	a := mustCreateArticle(t, e, in)
	other := mustCreateArticle(t, e, draft("Another article", ann))

	// want is the expected revision list, newest first.
	want := []folio.Revision{{
		ArticleID: a.ID, Title: "Title one", Question: "Question one?", Body: "Body one.", Summary: "Summary one.",
		EditorID: ann.ID, CreatedAt: e.clock.Stored(),
	}}
	check := func(step string) {
		t.Helper()
		revs := mustRevisions(t, e, a.ID)
		if len(revs) != len(want) {
			t.Fatalf("after %s: %d revisions, want %d", step, len(revs), len(want))
		}
		ids := map[int64]bool{}
		for i, w := range want {
			g := revs[i]
			if g.ID <= 0 || ids[g.ID] {
				t.Errorf("after %s: revision %d has ID %d", step, i, g.ID)
			}
			ids[g.ID] = true
			if g.ArticleID != w.ArticleID || g.Title != w.Title || g.Question != w.Question ||
				g.Body != w.Body || g.Summary != w.Summary || g.EditorID != w.EditorID {
				t.Errorf("after %s: revision %d = %+v, want %+v", step, i, *g, w)
			}
			checkTime(t, fmt.Sprintf("after %s: revision %d CreatedAt", step, i), g.CreatedAt, w.CreatedAt)
		}
	}
	check("creation")

	steps := []struct {
		name    string
		upd     folio.ArticleUpdate
		wantNew bool
	}{
		{"body change", folio.ArticleUpdate{Body: ptr("Body two."), EditorID: bob.ID}, true},
		{"status change", folio.ArticleUpdate{Status: ptr(folio.StatusPublished), EditorID: ann.ID}, false},
		{"title change", folio.ArticleUpdate{Title: ptr("Title two"), EditorID: ann.ID}, true},
		{"summary change", folio.ArticleUpdate{Summary: ptr("Summary two."), EditorID: bob.ID}, true},
		{"question change", folio.ArticleUpdate{Question: ptr("Question two?"), EditorID: ann.ID}, true},
		{"same body again", folio.ArticleUpdate{Body: ptr("Body two."), EditorID: ann.ID}, false},
		{"trash", folio.ArticleUpdate{Status: ptr(folio.StatusTrashed), EditorID: ann.ID}, false},
		{"restore", folio.ArticleUpdate{Status: ptr(folio.StatusPublished), EditorID: ann.ID}, false},
		{"body and title", folio.ArticleUpdate{Body: ptr("Body three."), Title: ptr("Title three"), EditorID: bob.ID}, true},
	}
	cur := want[0]
	for _, st := range steps {
		e.clock.Advance(time.Minute)
		mustUpdateArticle(t, e, a.ID, st.upd)
		if st.upd.Title != nil {
			cur.Title = *st.upd.Title
		}
		if st.upd.Question != nil {
			cur.Question = *st.upd.Question
		}
		if st.upd.Body != nil {
			cur.Body = *st.upd.Body
		}
		if st.upd.Summary != nil {
			cur.Summary = *st.upd.Summary
		}
		if st.wantNew {
			cur.EditorID, cur.CreatedAt = st.upd.EditorID, e.clock.Stored()
			want = append([]folio.Revision{cur}, want...)
		}
		check(st.name)
	}

	// Two saves in the same microsecond still list the later one first.
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Body: ptr("Body four."), EditorID: ann.ID})
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Body: ptr("Body five."), EditorID: ann.ID})
	revs := mustRevisions(t, e, a.ID)
	if len(revs) < 2 || revs[0].Body != "Body five." || revs[1].Body != "Body four." {
		var bodies []string
		for _, r := range revs {
			bodies = append(bodies, r.Body)
		}
		t.Errorf("revision bodies after two saves at one time = %q, want Body five. then Body four. first", bodies)
	}

	if revs := mustRevisions(t, e, other.ID); len(revs) != 1 || revs[0].ArticleID != other.ID {
		t.Errorf("the other article has revisions %+v, want its one", revs)
	}
}

func testUpdateArticle(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	in := draft("Interview, part one", ann, bob)
	in.Question, in.Summary, in.Lang = "First question?", "Summary.", "ru"
	in.Interviewee = folio.Interviewee{Name: "Ivan", Bio: "Historian."}
	in.Tags = []string{"Politics", "Economy"}
	in.Series = &folio.SeriesRef{Slug: "interview", Title: "Interview", Position: 1}
	created := mustCreateArticle(t, e, in)
	want := cloneArticle(created)

	steps := []struct {
		name   string
		upd    folio.ArticleUpdate
		expect func(w *folio.Article) // applies the update to the expected article
	}{
		{"summary only", folio.ArticleUpdate{Summary: ptr("New summary.")}, func(w *folio.Article) {
			w.Summary = "New summary."
		}},
		{"tags replaced", folio.ArticleUpdate{Tags: &[]string{"economy", "Trade"}}, func(w *folio.Article) {
			w.Tags = []folio.Tag{created.Tags[1], {Name: "Trade", Slug: "trade"}}
		}},
		{"tags untouched by a body change", folio.ArticleUpdate{Body: ptr("New body.")}, func(w *folio.Article) {
			w.Body = "New body."
		}},
		{"tags cleared", folio.ArticleUpdate{Tags: &[]string{}}, func(w *folio.Article) {
			w.Tags = nil
		}},
		{"series moved", folio.ArticleUpdate{Series: &folio.SeriesRef{Slug: "other-series", Title: "Other Series", Position: 5}}, func(w *folio.Article) {
			w.Series = &folio.Series{Slug: "other-series", Title: "Other Series"}
			w.SeriesPosition = 5
		}},
		{"series position", folio.ArticleUpdate{Series: &folio.SeriesRef{Slug: "other-series", Position: 2}}, func(w *folio.Article) {
			w.SeriesPosition = 2
		}},
		{"series cleared", folio.ArticleUpdate{ClearSeries: true}, func(w *folio.Article) {
			w.Series, w.SeriesPosition = nil, 0
		}},
		{"interviewee and lang", folio.ArticleUpdate{Interviewee: &folio.Interviewee{Name: "Olga", Bio: "Economist."}, Lang: ptr("en")}, func(w *folio.Article) {
			w.Interviewee = folio.Interviewee{Name: "Olga", Bio: "Economist."}
			w.Lang = "en"
		}},
		{"lang cleared", folio.ArticleUpdate{Lang: ptr("")}, func(w *folio.Article) {
			w.Lang = ""
		}},
		{"authors replaced", folio.ArticleUpdate{AuthorIDs: []int64{bob.ID}}, func(w *folio.Article) {
			w.Authors = authorsOf(bob)
		}},
		{"authors reordered", folio.ArticleUpdate{AuthorIDs: []int64{bob.ID, ann.ID}}, func(w *folio.Article) {
			w.Authors = authorsOf(bob, ann)
		}},
		{"question", folio.ArticleUpdate{Question: ptr("")}, func(w *folio.Article) {
			w.Question = ""
		}},
		{"title", folio.ArticleUpdate{Title: ptr("Interview, part one (edited)")}, func(w *folio.Article) {
			w.Title = "Interview, part one (edited)"
		}},
	}
	for _, st := range steps {
		e.clock.Advance(time.Minute)
		got := mustUpdateArticle(t, e, created.ID, st.upd)
		st.expect(want)
		want.UpdatedAt = e.clock.Stored()
		checkArticle(t, st.name+": UpdateArticle", got, want)
		checkArticle(t, st.name+": FindArticleByID", mustFindArticle(t, e, created.ID), want)
		// Keep the IDs of new tags and series for the next steps.
		want = cloneArticle(got)
	}

	// An unknown author is refused and changes nothing.
	_, err := updateArticle(t, e, created.ID, folio.ArticleUpdate{AuthorIDs: []int64{bob.ID + 1000}, Body: ptr("lost")})
	var ve *folio.ValidationError
	if !errors.As(err, &ve) || ve.Field != "author_email" {
		t.Errorf("UpdateArticle with an unknown author: error = %v, want a *folio.ValidationError for author_email", err)
	}
	checkArticle(t, "after a refused update", mustFindArticle(t, e, created.ID), want)
}

func testTitleChangeKeepsSlug(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	for _, in := range []folio.ArticleInput{
		published("Original title", e.clock.Now(), ann),
		draft("Original draft", ann),
	} {
		a := mustCreateArticle(t, e, in)
		e.clock.Advance(time.Minute)
		got := mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Title: ptr("A completely new title " + in.Title)})
		if got.Slug != a.Slug {
			t.Errorf("%s: slug after a title change = %q, want %q", in.Status, got.Slug, a.Slug)
		}
		if found := mustFindBySlug(t, e, a.Slug); found.ID != a.ID {
			t.Errorf("%s: FindArticleBySlug(%q) = article %d, want %d", in.Status, a.Slug, found.ID, a.ID)
		}
		_, err := e.s.FindArticleBySlug(t.Context(), folio.Slugify("A completely new title "+in.Title))
		wantErr(t, string(in.Status)+": FindArticleBySlug(new title)", err, folio.ErrNotFound)
	}
}

func testSlugChangeRedirects(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	in := published("Moving article", e.clock.Now(), ann)
	in.Slug = "first"
	a := mustCreateArticle(t, e, in)
	steps := []struct {
		to        string
		redirects []string // old slugs that must now lead to to
	}{
		{"second", []string{"first"}},
		{"third", []string{"first", "second"}},
		{"first", []string{"second", "third"}}, // back to the start: no loop
		{"fourth", []string{"first", "second", "third"}},
	}
	for _, st := range steps {
		e.clock.Advance(time.Minute)
		got := mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Slug: ptr(st.to)})
		if got.Slug != st.to {
			t.Errorf("slug = %q, want %q", got.Slug, st.to)
		}
		if found := mustFindBySlug(t, e, st.to); found.ID != a.ID {
			t.Errorf("FindArticleBySlug(%q) = article %d, want %d", st.to, found.ID, a.ID)
		}
		for _, old := range st.redirects {
			wantRedirect(t, e, old, st.to)
		}
	}
	_, err := e.s.FindArticleBySlug(t.Context(), "never-used")
	wantErr(t, "FindArticleBySlug(never-used)", err, folio.ErrNotFound)

	// A new article does not take a slug that redirects, or the old URL
	// would show another article instead of moving.
	b := mustCreateArticle(t, e, published("Second", e.clock.Now(), ann))
	if b.Slug == "second" {
		t.Errorf("a new article took slug %q, which redirects to %q", b.Slug, "fourth")
	}
	wantRedirect(t, e, "second", "fourth")
}

func testSlugChangeConflict(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	a := mustCreateArticle(t, e, published("Article A", e.clock.Now(), ann))
	b := mustCreateArticle(t, e, published("Article B", e.clock.Now(), ann))
	v := mustVersion(t, e.s)
	got, err := updateArticle(t, e, b.ID, folio.ArticleUpdate{Slug: ptr(a.Slug), Body: ptr("changed")})
	wantConflict(t, "UpdateArticle to a taken slug", err, "slug")
	if got != nil {
		t.Errorf("UpdateArticle to a taken slug returned %+v", got)
	}
	checkArticle(t, "after a refused slug change", mustFindArticle(t, e, b.ID), b)
	if found := mustFindBySlug(t, e, a.Slug); found.ID != a.ID {
		t.Errorf("FindArticleBySlug(%q) = article %d, want %d", a.Slug, found.ID, a.ID)
	}
	if revs := mustRevisions(t, e, b.ID); len(revs) != 1 {
		t.Errorf("%d revisions after a refused update, want 1", len(revs))
	}
	if got := mustVersion(t, e.s); got != v {
		t.Errorf("ContentVersion = %d after a refused update, want %d", got, v)
	}
	// Setting the slug an article already has is no conflict.
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Slug: ptr(a.Slug)})
	if found := mustFindBySlug(t, e, a.Slug); found.ID != a.ID {
		t.Errorf("FindArticleBySlug(%q) = article %d, want %d", a.Slug, found.ID, a.ID)
	}
}

func testDraftSlugChange(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	in := draft("Draft article", ann)
	in.Slug = "draft-old"
	a := mustCreateArticle(t, e, in)
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Slug: ptr("draft-new")})
	if found := mustFindBySlug(t, e, "draft-new"); found.ID != a.ID {
		t.Errorf("FindArticleBySlug(draft-new) = article %d, want %d", found.ID, a.ID)
	}
	// A draft was never public, so its old slug leaves no redirect.
	_, err := e.s.FindArticleBySlug(t.Context(), "draft-old")
	wantErr(t, "FindArticleBySlug(draft-old)", err, folio.ErrNotFound)
}

func testModifiedAt(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	d := mustCreateArticle(t, e, draft("Draft first", ann))
	p := mustCreateArticle(t, e, published("Published first", e.clock.Now(), ann))
	s := mustCreateArticle(t, e, scheduled("Scheduled first", e.clock.Now().Add(48*time.Hour), ann))
	if d.ModifiedAt != nil || p.ModifiedAt != nil || s.ModifiedAt != nil {
		t.Fatalf("new articles have ModifiedAt %v, %v, %v; want nil", d.ModifiedAt, p.ModifiedAt, s.ModifiedAt)
	}
	var modified *time.Time
	steps := []struct {
		name     string
		id       int64
		upd      folio.ArticleUpdate
		modifies bool // whether ModifiedAt becomes the clock's time
	}{
		{"draft body", d.ID, folio.ArticleUpdate{Body: ptr("draft body 2")}, false},
		{"scheduled body", s.ID, folio.ArticleUpdate{Body: ptr("scheduled body 2")}, false},
		{"publish draft", d.ID, folio.ArticleUpdate{Status: ptr(folio.StatusPublished)}, false},
		{"published body", d.ID, folio.ArticleUpdate{Body: ptr("draft body 3")}, true},
		{"published title", d.ID, folio.ArticleUpdate{Title: ptr("Draft first, edited")}, true},
		{"published summary", p.ID, folio.ArticleUpdate{Summary: ptr("Now with a summary.")}, true},
		{"published question", p.ID, folio.ArticleUpdate{Question: ptr("Now with a question?")}, true},
	}
	mods := map[int64]*time.Time{}
	for _, st := range steps {
		e.clock.Advance(time.Hour)
		got := mustUpdateArticle(t, e, st.id, st.upd)
		if st.modifies {
			modified = ptr(e.clock.Stored())
			mods[st.id] = modified
		}
		checkTimePtr(t, st.name+": ModifiedAt", got.ModifiedAt, mods[st.id])
		checkTimePtr(t, st.name+": stored ModifiedAt", mustFindArticle(t, e, st.id).ModifiedAt, mods[st.id])
		if st.id == d.ID && st.name == "publish draft" {
			checkTimePtr(t, "published draft PublishedAt", got.PublishedAt, ptr(e.clock.Stored()))
		}
	}
	if modified == nil {
		t.Fatal("no step modified an article")
	}
}

func testDeleteArticle(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	in := published("Doomed", e.clock.Now(), ann)
	in.Tags = []string{"Doom"}
	a := mustCreateArticle(t, e, in)
	// It moved once before, so its old slug must answer 410 too, not a
	// redirect to a page that is gone.
	oldSlug := a.Slug
	a = mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Slug: ptr("doomed-moved")})
	wantRedirect(t, e, oldSlug, "doomed-moved")
	keep := mustCreateArticle(t, e, published("Kept", e.clock.Now(), ann))
	if err := e.s.DeleteArticle(t.Context(), a.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	_, err := e.s.FindArticleBySlug(t.Context(), a.Slug)
	wantErr(t, "FindArticleBySlug(deleted)", err, folio.ErrGone)
	_, err = e.s.FindArticleBySlug(t.Context(), oldSlug)
	wantErr(t, "FindArticleBySlug(deleted article's old slug)", err, folio.ErrGone)
	_, err = e.s.FindArticleByID(t.Context(), a.ID)
	wantErr(t, "FindArticleByID(deleted)", err, folio.ErrNotFound)
	err = e.s.DeleteArticle(t.Context(), a.ID)
	wantErr(t, "DeleteArticle(deleted)", err, folio.ErrNotFound)
	_, err = updateArticle(t, e, a.ID, folio.ArticleUpdate{Body: ptr("zombie")})
	wantErr(t, "UpdateArticle(deleted)", err, folio.ErrNotFound)
	for _, f := range []folio.ArticleFilter{{}, {Public: true}} {
		list, total := mustFindArticles(t, e, f)
		if total != 1 || len(list) != 1 || list[0].ID != keep.ID {
			t.Errorf("FindArticles(%+v) = %v (total %d), want only article %d", f, ids(list), total, keep.ID)
		}
	}
	tags, err := e.s.FindTags(t.Context())
	if err != nil {
		t.Fatalf("FindTags: %v", err)
	}
	for _, tg := range tags {
		if tg.Slug == "doom" {
			t.Errorf("FindTags lists %+v, the deleted article's tag", tg)
		}
	}
	if found := mustFindArticle(t, e, keep.ID); found.Slug != keep.Slug {
		t.Errorf("the other article's slug = %q, want %q", found.Slug, keep.Slug)
	}

	// A new article with the same title does not take the slug that
	// answers 410.
	again := mustCreateArticle(t, e, published("Doomed", e.clock.Now(), ann))
	if again.Slug == a.Slug || again.Slug == oldSlug {
		t.Errorf("a new article took slug %q of the deleted one", again.Slug)
	}
	_, err = e.s.FindArticleBySlug(t.Context(), oldSlug)
	wantErr(t, "FindArticleBySlug(deleted) after a new article", err, folio.ErrGone)
}

func testRoundTrip(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	tests := []struct {
		name string
		in   folio.ArticleInput
	}{
		{"emoji and RTL", folio.ArticleInput{
			Title:    "🙂 پاکستان کی سیاست 🇵🇰",
			Question: "سوال: کیا؟\n\u200f",
			Body:     "Right-to-left: \u202eabc\u202c, zero width: a\u200db, combining: e\u0301\u0301.",
			Summary:  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
		}},
		{"SQL and escapes", folio.ArticleInput{
			Title:   `'; DROP TABLE articles; -- \ % _ "quoted"`,
			Body:    "Line one\r\nLine two\n\tTabbed\\ $1 ?1 :name",
			Summary: "<script>alert(1)</script>",
		}},
		{"longest", folio.ArticleInput{
			Title:    strings.Repeat("😀", folio.MaxTitleLen),
			Question: strings.Repeat("ж", folio.MaxQuestion),
			Body:     strings.Repeat(strings.Repeat("0123456789abcdef", 64)[:1023]+"\n", folio.MaxBodyBytes/1024),
			Summary:  strings.Repeat("s", folio.MaxSummaryLen),
		}},
		{"interviewee", folio.ArticleInput{
			Title:       "Interview",
			Interviewee: folio.Interviewee{Name: "Д-р Ω’Brien", Bio: strings.Repeat("Bio. ", 400)},
			Lang:        "ur-PK",
		}},
	}
	for _, tt := range tests {
		in := tt.in
		in.AuthorIDs = []int64{ann.ID}
		a := mustCreateArticle(t, e, in)
		if err := in.Validate(e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got := mustFindArticle(t, e, a.ID)
		if got.Title != in.Title || got.Question != in.Question || got.Body != in.Body || got.Summary != in.Summary ||
			got.Interviewee != in.Interviewee || got.Lang != in.Lang {
			t.Errorf("%s: stored content differs from the input", tt.name)
		}
		checkArticle(t, tt.name, got, a)
		revs := mustRevisions(t, e, a.ID)
		if len(revs) != 1 || revs[0].Body != in.Body || revs[0].Title != in.Title {
			t.Errorf("%s: the revision differs from the input", tt.name)
		}
		if list, _ := mustFindArticles(t, e, folio.ArticleFilter{Query: in.Title}); len(list) != 1 || list[0].ID != a.ID {
			t.Errorf("%s: FindArticles by the whole title = %v, want [%d]", tt.name, ids(list), a.ID)
		}
	}
}

func testNotFound(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	a := mustCreateArticle(t, e, draft("Exists", ann))
	unknown := a.ID + 1000
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
	}{
		{"FindArticleByID", func() error { _, err := e.s.FindArticleByID(ctx, unknown); return err }},
		{"FindArticleByID(0)", func() error { _, err := e.s.FindArticleByID(ctx, 0); return err }},
		{"UpdateArticle", func() error {
			_, err := e.s.UpdateArticle(ctx, unknown, folio.ArticleUpdate{Body: ptr("x")})
			return err
		}},
		{"UpdateArticle empty", func() error { _, err := e.s.UpdateArticle(ctx, unknown, folio.ArticleUpdate{}); return err }},
		{"DeleteArticle", func() error { return e.s.DeleteArticle(ctx, unknown) }},
		{"FindArticleBySlug", func() error { _, err := e.s.FindArticleBySlug(ctx, "no-such-article"); return err }},
		{"FindArticleBySlug empty", func() error { _, err := e.s.FindArticleBySlug(ctx, ""); return err }},
		{"FindArticleBySlug pattern", func() error { _, err := e.s.FindArticleBySlug(ctx, "exist%"); return err }},
		{"FindArticleBySlug other case", func() error { _, err := e.s.FindArticleBySlug(ctx, "EXISTS"); return err }},
		{"FindTagBySlug", func() error { _, err := e.s.FindTagBySlug(ctx, "no-such-tag"); return err }},
		{"FindSeriesBySlug", func() error { _, err := e.s.FindSeriesBySlug(ctx, "no-such-series"); return err }},
		{"FindUserBySlug", func() error { _, err := e.s.FindUserBySlug(ctx, "no-such-user"); return err }},
	}
	v := mustVersion(t, e.s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.name, tt.call(), folio.ErrNotFound)
		})
	}
	if got := mustVersion(t, e.s); got != v {
		t.Errorf("ContentVersion = %d after failed calls, want %d", got, v)
	}
	if found := mustFindArticle(t, e, a.ID); found.Body != a.Body {
		t.Errorf("the existing article changed: body %q", found.Body)
	}
}

// testAutosaveRevisions: autosaves by one editor keep one revision until a
// manual save or another editor's autosave starts a new one.
func testAutosaveRevisions(t *testing.T, e *env) {
	ctx := t.Context()
	u := newUser(t, e, "Drafter")
	other := newUser(t, e, "Other drafter")
	a := mustCreateArticle(t, e, draft("Autosaved", u))
	save := func(by *folio.User, body string, auto bool) {
		t.Helper()
		e.clock.Advance(15 * time.Second)
		if _, err := e.s.UpdateArticle(ctx, a.ID, folio.ArticleUpdate{Body: &body, EditorID: by.ID, Autosave: auto}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		t.Helper()
		revs, err := e.s.FindRevisions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(revs)
	}
	save(u, "one", true)
	save(u, "one two", true)
	save(u, "one two three", true)
	if n := count(); n != 2 {
		t.Fatalf("after three autosaves: %d revisions, want 2 (creation + one autosave)", n)
	}
	if revs, _ := e.s.FindRevisions(ctx, a.ID); revs[0].Body != "one two three" || !revs[0].CreatedAt.Equal(e.clock.Stored()) {
		t.Errorf("newest autosave = %q at %v, want the latest text and time", revs[0].Body, revs[0].CreatedAt)
	}
	save(u, "manual", false)
	save(u, "manual then auto", true)
	save(other, "someone else", true)
	if n := count(); n != 5 {
		t.Errorf("after a manual save, an autosave and another editor's autosave: %d revisions, want 5", n)
	}
}
