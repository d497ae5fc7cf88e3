package demo

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"folio"
	"folio/store/sqlite"
)

// newTestStore opens a fresh SQLite store in a temporary directory.
func newTestStore(t testing.TB) folio.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "folio.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// countArticles returns the total of articles matching f.
func countArticles(t testing.TB, s folio.Store, f folio.ArticleFilter) int {
	t.Helper()
	f.Limit = 1
	_, total, err := s.FindArticles(context.Background(), f)
	if err != nil {
		t.Fatalf("find articles %+v: %v", f, err)
	}
	return total
}

// wantCounts counts the demo content by status.
func wantCounts() (all, public, drafts, scheduled int) {
	for _, a := range articles(time.Now().UTC()) {
		all++
		switch a.input.Status {
		case folio.StatusPublished:
			public++
		case folio.StatusDraft:
			drafts++
		case folio.StatusScheduled:
			scheduled++
		}
	}
	return all, public, drafts, scheduled
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)

	seeded, err := Seed(ctx, s)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if !seeded {
		t.Fatal("Seed on an empty store = false, want true")
	}

	all, public, drafts, scheduled := wantCounts()
	if drafts != 1 || scheduled != 1 || public < 4+3 {
		t.Fatalf("demo content: %d public, %d drafts, %d scheduled; want ≥ 7, 1, 1", public, drafts, scheduled)
	}
	for _, c := range []struct {
		name   string
		filter folio.ArticleFilter
		want   int
	}{
		{"all", folio.ArticleFilter{}, all},
		{"public", folio.ArticleFilter{Public: true}, public},
		{"drafts", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusDraft}}, drafts},
		{"scheduled", folio.ArticleFilter{Statuses: []folio.Status{folio.StatusScheduled}}, scheduled},
	} {
		if got := countArticles(t, s, c.filter); got != c.want {
			t.Errorf("%s articles = %d, want %d", c.name, got, c.want)
		}
	}

	n, err := s.CountUsers(ctx, false)
	if err != nil {
		t.Fatalf("CountUsers: %v", err)
	}
	if n != len(users()) {
		t.Errorf("users = %d, want %d", n, len(users()))
	}
	if n, err := s.CountUsers(ctx, true); err != nil || n != 0 {
		t.Errorf("users who can log in = %d, %v; want 0", n, err)
	}
	if _, err := s.FindUserBySlug(ctx, "editorial-desk"); err != nil {
		t.Errorf("find Editorial Desk: %v", err)
	}

	t.Run("series", func(t *testing.T) {
		series, err := s.FindSeriesBySlug(ctx, SeriesSlug)
		if err != nil {
			t.Fatalf("FindSeriesBySlug: %v", err)
		}
		parts, total, err := s.FindArticles(ctx, folio.ArticleFilter{Public: true, SeriesID: series.ID, BySeries: true, Limit: 10})
		if err != nil {
			t.Fatalf("FindArticles in series: %v", err)
		}
		if total != 3 || len(parts) != 3 {
			t.Fatalf("series has %d parts (%d listed), want 3", total, len(parts))
		}
		for i, p := range parts {
			if p.SeriesPosition != i+1 {
				t.Errorf("part %d: position %d", i+1, p.SeriesPosition)
			}
			if p.Question == "" || p.Interviewee.Name != interviewee.Name {
				t.Errorf("part %d (%s): question %q, interviewee %q", i+1, p.Slug, p.Question, p.Interviewee.Name)
			}
		}
		if parts[1].Slug != LongSlug {
			t.Errorf("part 2 slug = %q, want %q", parts[1].Slug, LongSlug)
		}
	})

	t.Run("long answer", func(t *testing.T) {
		a, err := s.FindArticleBySlug(ctx, LongSlug)
		if err != nil {
			t.Fatalf("FindArticleBySlug(%q): %v", LongSlug, err)
		}
		if !a.IsPublic(time.Now()) {
			t.Errorf("status %s at %v is not public", a.Status, a.PublishedAt)
		}
		if n := len(strings.Fields(a.Body)); n < 1300 {
			t.Errorf("part 2 has %d words, want ≥ 1300", n)
		}
		for _, want := range []string{"the first question of this interview", "[^1]", "[^1]:", "---", `"`} {
			if !strings.Contains(a.Body, want) {
				t.Errorf("part 2 body lacks %q", want)
			}
		}
		if a.Series == nil || a.Series.Slug != SeriesSlug || a.SeriesPosition != 2 {
			t.Errorf("part 2 series = %+v, position %d", a.Series, a.SeriesPosition)
		}
	})

	t.Run("russian", func(t *testing.T) {
		slug := folio.Slugify("Баржи возвращаются: что изменилось на малых реках")
		a, err := s.FindArticleBySlug(ctx, slug)
		if err != nil {
			t.Fatalf("FindArticleBySlug(%q): %v", slug, err)
		}
		if a.Lang != "ru" {
			t.Errorf("lang = %q, want ru", a.Lang)
		}
	})

	t.Run("tags", func(t *testing.T) {
		tags, err := s.FindTags(ctx)
		if err != nil {
			t.Fatalf("FindTags: %v", err)
		}
		shared := 0
		for _, tag := range tags {
			if tag.Count >= 3 {
				shared++
			}
		}
		if shared < 2 {
			t.Errorf("%d tags with ≥ 3 public articles, want ≥ 2: %v", shared, tags)
		}
	})

	again, err := Seed(ctx, s)
	if err != nil || again {
		t.Fatalf("second Seed = %v, %v; want false, nil", again, err)
	}
	if got := countArticles(t, s, folio.ArticleFilter{}); got != all {
		t.Errorf("after second Seed: %d articles, want %d", got, all)
	}
}

func TestSeedSkipsSiteWithContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t)

	u := folio.User{Name: "Someone Else", Email: "someone@example.org", Role: folio.RoleAdmin}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	in := folio.ArticleInput{Title: "A draft of our own", Body: "Not published.", AuthorIDs: []int64{u.ID}}
	if err := in.Validate(time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateArticle(ctx, in); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}

	seeded, err := Seed(ctx, s)
	if err != nil || seeded {
		t.Fatalf("Seed on a site with a draft = %v, %v; want false, nil", seeded, err)
	}
	if n, err := s.CountUsers(ctx, false); err != nil || n != 1 {
		t.Errorf("users = %d, %v; want 1", n, err)
	}
	if got := countArticles(t, s, folio.ArticleFilter{}); got != 1 {
		t.Errorf("articles = %d, want 1", got)
	}
}

// TestContent checks the demo content against the domain rules and the
// shape the site needs, without a store.
func TestContent(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	keys := map[string]bool{}
	for _, u := range users() {
		if err := u.user.Validate(); err != nil {
			t.Errorf("user %q: %v", u.user.Name, err)
		}
		if u.user.PasswordHash != "" {
			t.Errorf("user %q can log in", u.user.Name)
		}
		keys[u.key] = true
	}

	var (
		table, quote, heading, russian bool
		tagUse                         = map[string]int{}
	)
	for _, a := range articles(now) {
		in := a.input
		if err := in.Validate(now); err != nil {
			t.Errorf("article %q: %v", in.Title, err)
			continue
		}
		for _, k := range a.authors {
			if !keys[k] {
				t.Errorf("article %q: unknown author %q", in.Title, k)
			}
		}
		if len(a.authors) == 0 {
			t.Errorf("article %q has no author", in.Title)
		}
		if in.Summary == "" {
			t.Errorf("article %q has no summary", in.Title)
		}
		if in.Status == folio.StatusPublished && (len(in.Tags) < 2 || len(in.Tags) > 4) {
			t.Errorf("article %q has %d tags, want 2–4", in.Title, len(in.Tags))
		}
		if in.Status == folio.StatusScheduled && !in.PublishedAt.After(now) {
			t.Errorf("scheduled article %q is due already", in.Title)
		}
		if in.Status == folio.StatusPublished {
			for _, tag := range in.Tags {
				tagUse[tag]++
			}
		}
		table = table || strings.Contains(in.Body, "|---")
		quote = quote || strings.Contains(in.Body, "\n> ")
		heading = heading || strings.Contains(in.Body, "\n## ")
		russian = russian || in.Lang == "ru" && folio.Slugify(in.Title) != "" && !isASCII(folio.Slugify(in.Title))
		if in.Slug == LongSlug {
			body, _, _ := strings.Cut(in.Body, "[^1]:")
			paras := len(strings.Split(strings.TrimSpace(body), "\n\n"))
			if paras < 8 || paras > 10 {
				t.Errorf("long answer has %d paragraphs, want 8–10", paras)
			}
		}
	}
	if !table || !quote || !heading || !russian {
		t.Errorf("table %v, blockquote %v, subheads %v, Cyrillic slug %v; want all", table, quote, heading, russian)
	}
	counts := slices.Collect(maps.Values(tagUse))
	if slices.Max(counts) < 4 {
		t.Errorf("most used tag has %d articles, want ≥ 4: %v", slices.Max(counts), tagUse)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
