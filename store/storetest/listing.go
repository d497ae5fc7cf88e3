package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"folio"
)

// listing is a site with articles in every state, for the listing tests.
type listing struct {
	ann, bob *folio.User
	arts     map[string]*folio.Article
	goTag    int64
	rustTag  int64
	series   int64
}

// newListing creates the articles below at the clock's time T0, then moves
// the clock to T0+2h: "soon" has come due but nobody ran PublishDue.
//
//	key    title                status     published  authors   tags      series
//	p1     Alpha report         published  T0-3h      ann       Go        s #2
//	p2     Beta HELLO           published  T0-2h      bob       Go, Rust  s #1
//	p3     100% sure            published  T0-1h      ann, bob  Rust
//	p4     snake_case naming    published  T0-30m     bob
//	ru     Россия сегодня       published  T0-5h      ann
//	d1     Draft hello          draft                 ann       Go        s #3
//	tr     Trashed hello        trashed    T0-4h      ann       Go
//	soon   Scheduled soon       scheduled  T0+1h      ann       Go
//	later  Scheduled later      scheduled  T0+5h      bob       Rust      s #4
//	ahead  Dated ahead          published  T0+10h     bob       Go
func newListing(t testing.TB, e *env) *listing {
	t.Helper()
	l := &listing{
		ann:  newUser(t, e, "Ann Lee"),
		bob:  newUser(t, e, "Bob Stone"),
		arts: map[string]*folio.Article{},
	}
	t0 := e.clock.Now()
	series := func(pos int) *folio.SeriesRef {
		return &folio.SeriesRef{Slug: "s", Title: "The Series", Position: pos}
	}
	add := func(key string, in folio.ArticleInput, tags []string, s *folio.SeriesRef) {
		in.Tags, in.Series = tags, s
		l.arts[key] = mustCreateArticle(t, e, in)
	}
	add("p1", published("Alpha report", t0.Add(-3*time.Hour), l.ann), []string{"Go"}, series(2))
	add("p2", published("Beta HELLO", t0.Add(-2*time.Hour), l.bob), []string{"Go", "Rust"}, series(1))
	add("p3", published("100% sure", t0.Add(-time.Hour), l.ann, l.bob), []string{"Rust"}, nil)
	add("p4", published("snake_case naming", t0.Add(-30*time.Minute), l.bob), nil, nil)
	add("ru", published("Россия сегодня", t0.Add(-5*time.Hour), l.ann), nil, nil)
	add("d1", draft("Draft hello", l.ann), []string{"Go"}, series(3))
	add("tr", published("Trashed hello", t0.Add(-4*time.Hour), l.ann), []string{"Go"}, nil)
	add("soon", scheduled("Scheduled soon", t0.Add(time.Hour), l.ann), []string{"Go"}, nil)
	add("later", scheduled("Scheduled later", t0.Add(5*time.Hour), l.bob), []string{"Rust"}, series(4))
	add("ahead", published("Dated ahead", t0.Add(10*time.Hour), l.bob), []string{"Go"}, nil)
	l.arts["tr"] = mustUpdateArticle(t, e, l.arts["tr"].ID, folio.ArticleUpdate{Status: ptr(folio.StatusTrashed)})
	l.goTag = l.arts["p1"].Tags[0].ID
	l.rustTag = l.arts["p3"].Tags[0].ID
	l.series = l.arts["p1"].Series.ID
	e.clock.Set(t0.Add(2 * time.Hour))
	return l
}

// keys names the articles in list, for messages.
func (l *listing) keys(list []*folio.Article) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = fmt.Sprintf("article %d", a.ID)
		for k, v := range l.arts {
			if v.ID == a.ID {
				out[i] = k
			}
		}
	}
	return out
}

func testFindArticles(t *testing.T, e *env) {
	l := newListing(t, e)
	public := []string{"soon", "p4", "p3", "p2", "p1", "ru"}
	tests := []struct {
		name    string
		f       folio.ArticleFilter
		want    []string
		ordered bool
		total   int // -1: len(want)
	}{
		{"public", folio.ArticleFilter{Public: true}, public, true, -1},
		{"public ignores statuses", folio.ArticleFilter{Public: true, Statuses: []folio.Status{folio.StatusDraft}}, public, true, -1},
		{"public by ann", folio.ArticleFilter{Public: true, AuthorID: l.ann.ID}, []string{"soon", "p3", "p1", "ru"}, true, -1},
		{"public by bob", folio.ArticleFilter{Public: true, AuthorID: l.bob.ID}, []string{"p4", "p3", "p2"}, true, -1},
		{"public by nobody", folio.ArticleFilter{Public: true, AuthorID: l.bob.ID + 1000}, nil, true, -1},
		{"public tagged Go", folio.ArticleFilter{Public: true, TagID: l.goTag}, []string{"soon", "p2", "p1"}, true, -1},
		{"public tagged Rust", folio.ArticleFilter{Public: true, TagID: l.rustTag}, []string{"p3", "p2"}, true, -1},
		{"public by ann tagged Go", folio.ArticleFilter{Public: true, AuthorID: l.ann.ID, TagID: l.goTag}, []string{"soon", "p1"}, true, -1},
		{"public series by position", folio.ArticleFilter{Public: true, SeriesID: l.series, BySeries: true}, []string{"p2", "p1"}, true, -1},
		{"all of series by position", folio.ArticleFilter{SeriesID: l.series, BySeries: true}, []string{"p2", "p1", "d1", "later"}, true, -1},
		{"query", folio.ArticleFilter{Public: true, Query: "hello"}, []string{"p2"}, true, -1},
		{"query mixed case", folio.ArticleFilter{Public: true, Query: "HeLLo"}, []string{"p2"}, true, -1},
		{"query any status", folio.ArticleFilter{Query: "hello"}, []string{"p2", "d1", "tr"}, false, -1},
		{"query drafts", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusDraft}, Query: "hello"}, []string{"d1"}, false, -1},
		{"query percent is literal", folio.ArticleFilter{Public: true, Query: "%"}, []string{"p3"}, true, -1},
		{"query underscore is literal", folio.ArticleFilter{Public: true, Query: "_"}, []string{"p4"}, true, -1},
		{"query with percent", folio.ArticleFilter{Public: true, Query: "100%"}, []string{"p3"}, true, -1},
		{"query backslash", folio.ArticleFilter{Public: true, Query: `\`}, nil, true, -1},
		{"query cyrillic", folio.ArticleFilter{Public: true, Query: "Россия"}, []string{"ru"}, true, -1},
		{"query cyrillic lowercase", folio.ArticleFilter{Public: true, Query: "россия"}, []string{"ru"}, true, -1},
		{"query cyrillic uppercase", folio.ArticleFilter{Public: true, Query: "РОССИЯ"}, []string{"ru"}, true, -1},
		{"query matches titles only", folio.ArticleFilter{Query: "body of"}, nil, true, -1},
		{"query no match", folio.ArticleFilter{Public: true, Query: "zzz"}, nil, true, -1},
		{"drafts", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusDraft}}, []string{"d1"}, false, -1},
		{"trashed", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusTrashed}}, []string{"tr"}, false, -1},
		{"scheduled", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusScheduled}}, []string{"soon", "later"}, false, -1},
		{"published status", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusPublished}}, []string{"p1", "p2", "p3", "p4", "ru", "ahead"}, false, -1},
		{"drafts and trashed", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusDraft, folio.StatusTrashed}}, []string{"d1", "tr"}, false, -1},
		{"everything", folio.ArticleFilter{}, []string{"p1", "p2", "p3", "p4", "ru", "d1", "tr", "soon", "later", "ahead"}, false, -1},
		{"everything by bob", folio.ArticleFilter{AuthorID: l.bob.ID}, []string{"p2", "p3", "p4", "later", "ahead"}, false, -1},
		{"everything tagged Go", folio.ArticleFilter{TagID: l.goTag}, []string{"p1", "p2", "d1", "tr", "soon", "ahead"}, false, -1},
		{"first page", folio.ArticleFilter{Public: true, Limit: 2}, []string{"soon", "p4"}, true, 6},
		{"second page", folio.ArticleFilter{Public: true, Limit: 2, Offset: 2}, []string{"p3", "p2"}, true, 6},
		{"third page", folio.ArticleFilter{Public: true, Limit: 2, Offset: 4}, []string{"p1", "ru"}, true, 6},
		{"partial last page", folio.ArticleFilter{Public: true, Limit: 10, Offset: 5}, []string{"ru"}, true, 6},
		{"page past the end", folio.ArticleFilter{Public: true, Limit: 2, Offset: 6}, nil, true, 6},
		{"far past the end", folio.ArticleFilter{Public: true, Limit: 5, Offset: 100}, nil, true, 6},
		{"page of a filter", folio.ArticleFilter{Public: true, AuthorID: l.ann.ID, Limit: 1, Offset: 1}, []string{"p3"}, true, 4},
		{"page of a series", folio.ArticleFilter{SeriesID: l.series, BySeries: true, Limit: 2, Offset: 1}, []string{"p1", "d1"}, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list, total := mustFindArticles(t, e, tt.f)
			got := l.keys(list)
			want := slices.Clone(tt.want)
			if want == nil {
				want = []string{}
			}
			if !tt.ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("FindArticles = %q, want %q", got, want)
			}
			wantTotal := tt.total
			if wantTotal < 0 {
				wantTotal = len(tt.want)
			}
			if total != wantTotal {
				t.Errorf("total = %d, want %d", total, wantTotal)
			}
		})
	}
}

func testFindArticlesRelations(t *testing.T, e *env) {
	l := newListing(t, e)
	for _, f := range []folio.ArticleFilter{{}, {Public: true}, {SeriesID: l.series, BySeries: true}} {
		list, _ := mustFindArticles(t, e, f)
		if len(list) == 0 {
			t.Fatalf("FindArticles(%+v) is empty", f)
		}
		for _, a := range list {
			checkArticle(t, fmt.Sprintf("FindArticles(%+v) item %d", f, a.ID), a, mustFindArticle(t, e, a.ID))
		}
	}
}

func testPublishDue(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	t0 := e.clock.Now()
	a1 := mustCreateArticle(t, e, scheduled("One hour", t0.Add(time.Hour), ann))
	a2 := mustCreateArticle(t, e, scheduled("Two hours", t0.Add(2*time.Hour), ann))
	a3 := mustCreateArticle(t, e, scheduled("Also two hours", t0.Add(2*time.Hour), ann))
	d := draft("Draft", ann)
	d.PublishedAt = ptr(t0.Add(-time.Hour)) // a draft with a date is not due
	mustCreateArticle(t, e, d)
	mustCreateArticle(t, e, published("Already out", t0.Add(-time.Hour), ann))

	next := func(want *time.Time) {
		t.Helper()
		got, err := e.s.NextScheduled(t.Context())
		if err != nil {
			t.Fatalf("NextScheduled: %v", err)
		}
		checkTimePtr(t, "NextScheduled", got, want)
	}
	steps := []struct {
		name     string
		at       time.Time
		want     int
		nowPub   []*folio.Article // published by this step
		wantNext *time.Time
	}{
		{"before any", t0.Add(59 * time.Minute), 0, nil, ptr(stored(t0.Add(time.Hour)))},
		{"first due exactly", t0.Add(time.Hour), 1, []*folio.Article{a1}, ptr(stored(t0.Add(2 * time.Hour)))},
		{"first again", t0.Add(90 * time.Minute), 0, nil, ptr(stored(t0.Add(2 * time.Hour)))},
		{"the rest", t0.Add(3 * time.Hour), 2, []*folio.Article{a2, a3}, nil},
		{"nothing left", t0.Add(4 * time.Hour), 0, nil, nil},
	}
	next(ptr(stored(t0.Add(time.Hour))))
	for _, st := range steps {
		e.clock.Set(st.at)
		v := mustVersion(t, e.s)
		n, err := e.s.PublishDue(t.Context())
		if err != nil {
			t.Fatalf("%s: PublishDue: %v", st.name, err)
		}
		if n != st.want {
			t.Errorf("%s: PublishDue = %d, want %d", st.name, n, st.want)
		}
		switch v2 := mustVersion(t, e.s); {
		case st.want > 0 && v2 <= v:
			t.Errorf("%s: ContentVersion %d → %d after publishing, want an increase", st.name, v, v2)
		case st.want == 0 && v2 != v:
			t.Errorf("%s: ContentVersion %d → %d when nothing was due, want no change", st.name, v, v2)
		}
		for _, a := range st.nowPub {
			got := mustFindArticle(t, e, a.ID)
			want := cloneArticle(a)
			want.Status = folio.StatusPublished
			want.UpdatedAt = got.UpdatedAt // whether PublishDue touches it is the engine's choice
			checkArticle(t, st.name+": published "+a.Title, got, want)
			if revs := mustRevisions(t, e, a.ID); len(revs) != 1 {
				t.Errorf("%s: %d revisions after PublishDue, want 1", st.name, len(revs))
			}
		}
		next(st.wantNext)
	}
	list, total := mustFindArticles(t, e, folio.ArticleFilter{Statuses: []folio.Status{folio.StatusScheduled}})
	if total != 0 {
		t.Errorf("still scheduled: %v", ids(list))
	}
}

func testPublishDueConcurrent(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	t0 := e.clock.Now()
	const due = 6
	for i := range due {
		mustCreateArticle(t, e, scheduled(fmt.Sprintf("Due %d", i), t0.Add(time.Duration(i+1)*time.Minute), ann))
	}
	mustCreateArticle(t, e, scheduled("Not due", t0.Add(time.Hour), ann))
	e.clock.Set(t0.Add(30 * time.Minute))
	counts := make([]int, 8)
	errs := runConcurrently(len(counts), func(i int) error {
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
		t.Errorf("concurrent PublishDue calls published %d in all (%v), want %d", sum, counts, due)
	}
	if _, total := mustFindArticles(t, e, folio.ArticleFilter{Statuses: []folio.Status{folio.StatusPublished}}); total != due {
		t.Errorf("%d published articles, want %d", total, due)
	}
}

func testScheduledThenTrashed(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	t0 := e.clock.Now()
	a := mustCreateArticle(t, e, scheduled("Cancelled", t0.Add(time.Hour), ann))
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Status: ptr(folio.StatusTrashed)})
	b := mustCreateArticle(t, e, scheduled("Postponed", t0.Add(time.Hour), ann))
	mustUpdateArticle(t, e, b.ID, folio.ArticleUpdate{Status: ptr(folio.StatusDraft)})
	next, err := e.s.NextScheduled(t.Context())
	if err != nil {
		t.Fatalf("NextScheduled: %v", err)
	}
	if next != nil {
		t.Errorf("NextScheduled = %v, want nil: nothing is scheduled", next)
	}
	e.clock.Set(t0.Add(2 * time.Hour))
	n, err := e.s.PublishDue(t.Context())
	if err != nil {
		t.Fatalf("PublishDue: %v", err)
	}
	if n != 0 {
		t.Errorf("PublishDue = %d, want 0", n)
	}
	if got := mustFindArticle(t, e, a.ID); got.Status != folio.StatusTrashed {
		t.Errorf("trashed article's status = %q after PublishDue, want trashed", got.Status)
	}
	if got := mustFindArticle(t, e, b.ID); got.Status != folio.StatusDraft {
		t.Errorf("unscheduled article's status = %q after PublishDue, want draft", got.Status)
	}
	if list, total := mustFindArticles(t, e, folio.ArticleFilter{Public: true}); total != 0 {
		t.Errorf("public articles %v, want none", ids(list))
	}
}

func testFindTags(t *testing.T, e *env) {
	ann := newUser(t, e, "Ann Lee")
	t0 := e.clock.Now()
	add := func(in folio.ArticleInput, tags ...string) *folio.Article {
		in.Tags = tags
		return mustCreateArticle(t, e, in)
	}
	add(published("One", t0.Add(-time.Hour), ann), "Beta", "Alpha")
	add(published("Two", t0.Add(-time.Hour), ann), "alpha", "Delta")
	add(draft("Three", ann), "Alpha", "Gamma")
	add(scheduled("Four", t0.Add(3*time.Hour), ann), "Zeta", "Alpha")
	add(scheduled("Five", t0.Add(time.Hour), ann), "Epsilon")
	tr := add(published("Six", t0.Add(-time.Hour), ann), "Eta", "Beta")
	mustUpdateArticle(t, e, tr.ID, folio.ArticleUpdate{Status: ptr(folio.StatusTrashed)})
	gone := add(published("Seven", t0.Add(-time.Hour), ann), "Theta")
	if err := e.s.DeleteArticle(t.Context(), gone.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	e.clock.Set(t0.Add(2 * time.Hour)) // "Five" is now public without PublishDue

	tags, err := e.s.FindTags(t.Context())
	if err != nil {
		t.Fatalf("FindTags: %v", err)
	}
	want := []folio.Tag{
		{Name: "Alpha", Slug: "alpha", Count: 2},
		{Name: "Beta", Slug: "beta", Count: 1},
		{Name: "Delta", Slug: "delta", Count: 1},
		{Name: "Epsilon", Slug: "epsilon", Count: 1},
	}
	var got []folio.Tag
	for _, tg := range tags {
		if tg.ID <= 0 {
			t.Errorf("tag %+v has no ID", *tg)
		}
		c := *tg
		c.ID = 0
		got = append(got, c)
	}
	if !slices.Equal(got, want) {
		t.Errorf("FindTags = %+v, want %+v", got, want)
	}
	for _, tg := range tags {
		byslug, err := e.s.FindTagBySlug(t.Context(), tg.Slug)
		if err != nil {
			t.Errorf("FindTagBySlug(%q): %v", tg.Slug, err)
		} else if byslug.ID != tg.ID {
			t.Errorf("FindTagBySlug(%q) = %d, FindTags says %d", tg.Slug, byslug.ID, tg.ID)
		}
	}
}

func testFindAuthors(t *testing.T, e *env) {
	t0 := e.clock.Now()
	ann := newUser(t, e, "Ann Lee")
	bob := newUser(t, e, "Bob Stone")
	cid := newUser(t, e, "Cid Moss")
	dee := mustCreateUser(t, e, folio.User{Name: "Dee Fox", Bio: "Guest writer."})
	eve := newUser(t, e, "Eve Hart")
	fay := newUser(t, e, "Fay Wu")
	newUser(t, e, "Gus Noone") // no articles at all

	authors := func() []folio.Author {
		t.Helper()
		list, err := e.s.FindAuthors(t.Context())
		if err != nil {
			t.Fatalf("FindAuthors: %v", err)
		}
		out := make([]folio.Author, len(list))
		for i, a := range list {
			out[i] = *a
		}
		slices.SortFunc(out, func(a, b folio.Author) int { return int(a.ID - b.ID) })
		return out
	}
	if got := authors(); len(got) != 0 {
		t.Errorf("FindAuthors on an empty site = %+v, want none", got)
	}
	mustCreateArticle(t, e, published("By Ann and Dee", t0.Add(-time.Hour), ann, dee))
	mustCreateArticle(t, e, published("Ann again", t0.Add(-time.Hour), ann))
	mustCreateArticle(t, e, draft("Bob's draft", bob))
	mustCreateArticle(t, e, scheduled("Cid later", t0.Add(5*time.Hour), cid))
	mustCreateArticle(t, e, scheduled("Eve soon", t0.Add(time.Hour), eve))
	f := mustCreateArticle(t, e, published("Fay trashed", t0.Add(-time.Hour), fay))
	mustUpdateArticle(t, e, f.ID, folio.ArticleUpdate{Status: ptr(folio.StatusTrashed)})
	e.clock.Set(t0.Add(2 * time.Hour))

	want := authorsOf(ann, dee, eve)
	slices.SortFunc(want, func(a, b folio.Author) int { return int(a.ID - b.ID) })
	if got := authors(); !slices.Equal(got, want) {
		t.Errorf("FindAuthors = %+v, want %+v", got, want)
	}
}
