// Package storetest is the conformance suite every folio.Store engine
// passes, the way every fs.FS passes testing/fstest.TestFS: the engines'
// own tests call Run (and RunShared) with a function that opens a fresh,
// empty store.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"folio"
)

// OpenFunc opens a new, empty, migrated store whose clock is now, and
// closes it in t.Cleanup. Each call must return an independent database.
type OpenFunc func(t testing.TB, now func() time.Time) folio.Store

// SharedOpenFunc opens two handles on one new, empty database, as a server
// and a CLI command (or two nodes) would, both with the clock now, and closes
// them in t.Cleanup.
type SharedOpenFunc func(t testing.TB, now func() time.Time) (a, b folio.Store)

// Run runs the whole contract of folio.Store against stores open returns,
// each subtest in parallel on a fresh store.
func Run(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"CreateUser", testCreateUser},
		{"UserEmailConflict", testUserEmailConflict},
		{"UserLookup", testUserLookup},
		{"UserSlugSuffix", testUserSlugSuffix},
		{"CountUsers", testCountUsers},
		{"Tokens", testTokens},
		{"CreateArticle", testCreateArticle},
		{"CreateArticleDraft", testCreateArticleDraft},
		{"TagsReused", testTagsReused},
		{"Series", testSeries},
		{"AutoSlug", testAutoSlug},
		{"AutoSlugSymbols", testAutoSlugSymbols},
		{"AutoSlugUnique", testAutoSlugUnique},
		{"AutoSlugLong", testAutoSlugLong},
		{"AutoSlugReserved", testAutoSlugReserved},
		{"ExplicitSlugConflict", testExplicitSlugConflict},
		{"UnknownAuthor", testUnknownAuthor},
		{"Revisions", testRevisions},
		{"UpdateArticle", testUpdateArticle},
		{"TitleChangeKeepsSlug", testTitleChangeKeepsSlug},
		{"SlugChangeRedirects", testSlugChangeRedirects},
		{"SlugChangeConflict", testSlugChangeConflict},
		{"DraftSlugChange", testDraftSlugChange},
		{"ModifiedAt", testModifiedAt},
		{"DeleteArticle", testDeleteArticle},
		{"Translations", testTranslations},
		{"AutosaveRevisions", testAutosaveRevisions},
		{"NotFound", testNotFound},
		{"RoundTrip", testRoundTrip},
		{"FindArticles", testFindArticles},
		{"FindArticlesRelations", testFindArticlesRelations},
		{"PublishDue", testPublishDue},
		{"PublishDueConcurrent", testPublishDueConcurrent},
		{"ScheduledThenTrashed", testScheduledThenTrashed},
		{"FindTags", testFindTags},
		{"FindAuthors", testFindAuthors},
		{"Settings", testSettings},
		{"ContentVersion", testContentVersion},
		{"Timestamps", testTimestamps},
		{"ConcurrentSameTitle", testConcurrentSameTitle},
		{"ConcurrentSameSlug", testConcurrentSameSlug},
		{"ConcurrentSameEmail", testConcurrentSameEmail},
		{"UpdateUser", testUpdateUser},
		{"DeactivatedUser", testDeactivatedUser},
		{"FindUsers", testFindUsers},
		{"CreateFirstAdmin", testCreateFirstAdmin},
		{"CreateFirstAdminOnce", testCreateFirstAdminOnce},
		{"TokenList", testTokenList},
		{"Sessions", testSessions},
		{"SessionExpiry", testSessionExpiry},
		{"LoginFailures", testLoginFailures},
		{"LoginFailuresConcurrent", testLoginFailuresConcurrent},
		{"Invites", testInvites},
		{"AcceptInviteOnce", testAcceptInviteOnce},
		{"RestoreRevision", testRestoreRevision},
		{"Pages", testPages},
		{"Menu", testMenu},
		{"PagesContentVersion", testPagesContentVersion},
	}
	tests = append(tests, commentTests...)
	tests = append(tests, searchTests...)
	tests = append(tests, mediaTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			s := open(t, c.Now)
			if s == nil {
				t.Fatal("open returned a nil store")
			}
			tt.fn(t, &env{s: s, clock: c})
		})
	}
}

// env is one subtest's store and the clock it reads.
type env struct {
	s     folio.Store
	clock *clock
}

// clock is a pinned, settable time source, safe for the store's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// start is when every test's clock starts: away from UTC and between
// microseconds, so stores must convert and truncate.
func start() time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("PKT", 5*3600))
}

func newClock() *clock { return &clock{t: start()} }

// Now is the store's clock.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Stored is the clock's time as a store records it: UTC, microseconds.
func (c *clock) Stored() time.Time { return stored(c.Now()) }

func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func ptr[T any](v T) *T { return &v }

// fakeHash is a well-formed password hash; the store only keeps it.
const fakeHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"

// mustCreateUser validates and stores u, defaulting Role to author and
// Email to one derived from Name.
func mustCreateUser(t testing.TB, e *env, u folio.User) *folio.User {
	t.Helper()
	if u.Role == "" {
		u.Role = folio.RoleAuthor
	}
	if u.Email == "" {
		u.Email = strings.ReplaceAll(strings.ToLower(u.Name), " ", ".") + "@example.com"
	}
	if err := u.Validate(); err != nil {
		t.Fatalf("validate user %q: %v", u.Name, err)
	}
	if err := e.s.CreateUser(t.Context(), &u); err != nil {
		t.Fatalf("CreateUser(%q): %v", u.Name, err)
	}
	if u.ID <= 0 {
		t.Fatalf("CreateUser(%q) set ID %d, want > 0", u.Name, u.ID)
	}
	return &u
}

// newUser stores an author called name who can log in.
func newUser(t testing.TB, e *env, name string) *folio.User {
	t.Helper()
	return mustCreateUser(t, e, folio.User{Name: name, PasswordHash: fakeHash})
}

// draft is a minimal valid draft by authors.
func draft(title string, authors ...*folio.User) folio.ArticleInput {
	in := folio.ArticleInput{Title: title, Body: "Body of " + title + ".", Status: folio.StatusDraft}
	for _, a := range authors {
		in.AuthorIDs = append(in.AuthorIDs, a.ID)
	}
	return in
}

// published is a minimal article by authors, published at at.
func published(title string, at time.Time, authors ...*folio.User) folio.ArticleInput {
	in := draft(title, authors...)
	in.Status = folio.StatusPublished
	in.PublishedAt = &at
	return in
}

// scheduled is a minimal article by authors, scheduled for at.
func scheduled(title string, at time.Time, authors ...*folio.User) folio.ArticleInput {
	in := published(title, at, authors...)
	in.Status = folio.StatusScheduled
	return in
}

// mustCreateArticle validates in at the clock's time, as callers must, and
// stores it.
func mustCreateArticle(t testing.TB, e *env, in folio.ArticleInput) *folio.Article {
	t.Helper()
	a, err := createArticle(t, e, in)
	if err != nil {
		t.Fatalf("CreateArticle(%q): %v", in.Title, err)
	}
	if a == nil || a.ID <= 0 {
		t.Fatalf("CreateArticle(%q) = %+v, want an article with an ID", in.Title, a)
	}
	return a
}

// createArticle validates in, failing the test if it is invalid, and
// returns what CreateArticle returns.
func createArticle(t testing.TB, e *env, in folio.ArticleInput) (*folio.Article, error) {
	t.Helper()
	if err := in.Validate(e.clock.Now()); err != nil {
		t.Fatalf("invalid test input %q: %v", in.Title, err)
	}
	return e.s.CreateArticle(t.Context(), in)
}

// mustUpdateArticle validates upd and applies it.
func mustUpdateArticle(t testing.TB, e *env, id int64, upd folio.ArticleUpdate) *folio.Article {
	t.Helper()
	a, err := updateArticle(t, e, id, upd)
	if err != nil {
		t.Fatalf("UpdateArticle(%d): %v", id, err)
	}
	if a == nil || a.ID != id {
		t.Fatalf("UpdateArticle(%d) = %+v, want the article", id, a)
	}
	return a
}

func updateArticle(t testing.TB, e *env, id int64, upd folio.ArticleUpdate) (*folio.Article, error) {
	t.Helper()
	if err := upd.Validate(); err != nil {
		t.Fatalf("invalid test update: %v", err)
	}
	return e.s.UpdateArticle(t.Context(), id, upd)
}

func mustFindArticle(t testing.TB, e *env, id int64) *folio.Article {
	t.Helper()
	a, err := e.s.FindArticleByID(t.Context(), id)
	if err != nil {
		t.Fatalf("FindArticleByID(%d): %v", id, err)
	}
	return a
}

func mustFindBySlug(t testing.TB, e *env, slug string) *folio.Article {
	t.Helper()
	a, err := e.s.FindArticleBySlug(t.Context(), slug)
	if err != nil {
		t.Fatalf("FindArticleBySlug(%q): %v", slug, err)
	}
	return a
}

func mustRevisions(t testing.TB, e *env, id int64) []*folio.Revision {
	t.Helper()
	revs, err := e.s.FindRevisions(t.Context(), id)
	if err != nil {
		t.Fatalf("FindRevisions(%d): %v", id, err)
	}
	return revs
}

func mustVersion(t testing.TB, s folio.Store) int64 {
	t.Helper()
	v, err := s.ContentVersion(t.Context())
	if err != nil {
		t.Fatalf("ContentVersion: %v", err)
	}
	return v
}

func mustFindArticles(t testing.TB, e *env, f folio.ArticleFilter) ([]*folio.Article, int) {
	t.Helper()
	list, total, err := e.s.FindArticles(t.Context(), f)
	if err != nil {
		t.Fatalf("FindArticles(%+v): %v", f, err)
	}
	return list, total
}

// wantErr checks that err matches target.
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// wantConflict checks that err is a *folio.ConflictError for field.
func wantConflict(t testing.TB, what string, err error, field string) {
	t.Helper()
	if !errors.Is(err, folio.ErrConflict) {
		t.Errorf("%s: error = %v, want ErrConflict", what, err)
	}
	var ce *folio.ConflictError
	if !errors.As(err, &ce) {
		t.Errorf("%s: error = %v (%T), want a *folio.ConflictError", what, err, err)
		return
	}
	if ce.Field != field {
		t.Errorf("%s: conflict field = %q, want %q", what, ce.Field, field)
	}
}

// wantRedirect checks that FindArticleBySlug(slug) answers a redirect to to.
func wantRedirect(t testing.TB, e *env, slug, to string) {
	t.Helper()
	a, err := e.s.FindArticleBySlug(t.Context(), slug)
	var re *folio.RedirectError
	if !errors.As(err, &re) {
		t.Errorf("FindArticleBySlug(%q) = %v, %v; want a *folio.RedirectError to %q", slug, articleSlug(a), err, to)
		return
	}
	if re.Slug != to {
		t.Errorf("FindArticleBySlug(%q) redirects to %q, want %q", slug, re.Slug, to)
	}
}

func articleSlug(a *folio.Article) string {
	if a == nil {
		return "<nil>"
	}
	return fmt.Sprintf("article %d %q", a.ID, a.Slug)
}

// checkTime checks that got is want and in UTC.
func checkTime(t testing.TB, name string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", name, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got.Location() != time.UTC {
		t.Errorf("%s = %s: location %v, want UTC", name, got.Format(time.RFC3339Nano), got.Location())
	}
}

// checkTimePtr checks optional times the same way; nil wants nil.
func checkTimePtr(t testing.TB, name string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil:
		t.Errorf("%s = nil, want %s", name, want.Format(time.RFC3339Nano))
	case want == nil:
		t.Errorf("%s = %s, want nil", name, got.Format(time.RFC3339Nano))
	default:
		checkTime(t, name, *got, *want)
	}
}

func authorOf(u *folio.User) folio.Author {
	return folio.Author{ID: u.ID, Name: u.Name, Slug: u.Slug, Email: u.Email, Bio: u.Bio}
}

func authorsOf(us ...*folio.User) []folio.Author {
	out := make([]folio.Author, len(us))
	for i, u := range us {
		out[i] = authorOf(u)
	}
	return out
}

// checkArticle compares every stored field of got with want. Tag and series
// IDs are compared only when want has them; Tag.Count is ignored.
func checkArticle(t testing.TB, label string, got, want *folio.Article) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: article is nil", label)
		return
	}
	var d []string
	eq := func(name string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			d = append(d, fmt.Sprintf("%s = %#v, want %#v", name, g, w))
		}
	}
	eq("ID", got.ID, want.ID)
	eq("Title", got.Title, want.Title)
	eq("Slug", got.Slug, want.Slug)
	eq("Question", got.Question, want.Question)
	eq("Body", got.Body, want.Body)
	eq("Summary", got.Summary, want.Summary)
	eq("Lang", got.Lang, want.Lang)
	eq("Interviewee", got.Interviewee, want.Interviewee)
	eq("Status", got.Status, want.Status)
	eq("SeriesPosition", got.SeriesPosition, want.SeriesPosition)
	eq("CommentCount", got.CommentCount, want.CommentCount)
	if len(got.Authors) != len(want.Authors) || (len(want.Authors) > 0 && !reflect.DeepEqual(got.Authors, want.Authors)) {
		d = append(d, fmt.Sprintf("Authors = %+v, want %+v", got.Authors, want.Authors))
	}
	if len(got.Tags) != len(want.Tags) {
		d = append(d, fmt.Sprintf("Tags = %+v, want %+v", got.Tags, want.Tags))
	} else {
		for i, w := range want.Tags {
			g := got.Tags[i]
			if g.Name != w.Name || g.Slug != w.Slug || (w.ID != 0 && g.ID != w.ID) || g.ID <= 0 {
				d = append(d, fmt.Sprintf("Tags[%d] = %+v, want %+v", i, g, w))
			}
		}
	}
	switch g, w := got.Series, want.Series; {
	case g == nil && w == nil:
	case g == nil || w == nil:
		d = append(d, fmt.Sprintf("Series = %+v, want %+v", g, w))
	case g.Slug != w.Slug || g.Title != w.Title || g.Description != w.Description || (w.ID != 0 && g.ID != w.ID) || g.ID <= 0:
		d = append(d, fmt.Sprintf("Series = %+v, want %+v", *g, *w))
	}
	for _, msg := range d {
		t.Errorf("%s: %s", label, msg)
	}
	checkTimePtr(t, label+": PublishedAt", got.PublishedAt, want.PublishedAt)
	checkTimePtr(t, label+": ModifiedAt", got.ModifiedAt, want.ModifiedAt)
	checkTime(t, label+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, label+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

// cloneArticle copies a deeply enough that changing the copy's slices and
// pointers leaves a alone.
func cloneArticle(a *folio.Article) *folio.Article {
	c := *a
	c.Authors = slices.Clone(a.Authors)
	c.Tags = slices.Clone(a.Tags)
	if a.Series != nil {
		s := *a.Series
		c.Series = &s
	}
	if a.PublishedAt != nil {
		c.PublishedAt = ptr(*a.PublishedAt)
	}
	if a.ModifiedAt != nil {
		c.ModifiedAt = ptr(*a.ModifiedAt)
	}
	return &c
}

// checkUser compares every stored field of got with want.
func checkUser(t testing.TB, label string, got, want *folio.User) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: user is nil", label)
		return
	}
	g, w := *got, *want
	g.CreatedAt, g.UpdatedAt, w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w {
		t.Errorf("%s = %+v, want %+v", label, g, w)
	}
	checkTime(t, label+": CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, label+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
}

// ids lists the articles' IDs in order.
func ids(list []*folio.Article) []int64 {
	out := make([]int64, len(list))
	for i, a := range list {
		out[i] = a.ID
	}
	return out
}

// runConcurrently calls fn(i) for i in [0, n) from n goroutines started
// together and returns their errors.
func runConcurrently(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-ready
			errs[i] = fn(i)
		})
	}
	close(ready)
	wg.Wait()
	return errs
}
