package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"folio"
)

// RunCommonWordWindow searches a word found in most articles, with
// matches among the newest ids, further down and far below: PostgreSQL
// reads a window of the newest ids first (sqlstore.pgWindow), then a wider
// one, then the rest; SQLite bounds its tiers by the oldest of the newest
// matches. Every match is found, in the same order as for a rare word. gap makes the next article id
// follow id; analyze, when not nil, refreshes the engine's statistics.
func RunCommonWordWindow(t *testing.T, s folio.Store, gap func(t *testing.T, id int64), analyze func(t *testing.T)) {
	ctx := context.Background()
	u := &folio.User{Name: "Ann", Email: "ann@example.org", Role: folio.RoleAdmin}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	add := func(title, body string) {
		t.Helper()
		if _, err := s.CreateArticle(ctx, folio.ArticleInput{Title: title, Body: body, AuthorIDs: []int64{u.ID},
			Status: folio.StatusPublished, PublishedAt: &at}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		add(fmt.Sprintf("Old %d", i), "The lighthouse keeper wrote. Rare word marrowfat.")
	}
	// Leave gaps of ids: the middle ones fall in the wider window (ids
	// 1.5 to 6 windows below the newest, a window holding about 1,000
	// matches here), the old ones below it.
	gap(t, 46000)
	for i := range 3 {
		add(fmt.Sprintf("Mid %d", i), "The lighthouse keeper wrote once more. Rare word marrowfat.")
	}
	gap(t, 50000)
	for i := range 6 {
		add(fmt.Sprintf("New %d", i), "The lighthouse keeper wrote again. Rare word marrowfat.")
	}
	add("Lighthouse history", "Nothing else.")
	add("Unrelated", "Budget and schedule.")
	if analyze != nil {
		analyze(t)
	}
	search := func(text string, limit, offset int) *folio.SearchResults {
		t.Helper()
		q, err := folio.ParseSearch(text)
		if err != nil {
			t.Fatal(err)
		}
		q.Limit, q.Offset = limit, offset
		res, err := s.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		return res
	}
	titles := func(res *folio.SearchResults) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.Article.Title)
		}
		return out
	}
	common := search("lighthouse", 20, 0)
	if common.Total != 16 || common.More {
		t.Errorf("lighthouse: Total = %d, More = %v; want 16, false", common.Total, common.More)
	}
	if got := titles(common); len(got) != 16 || got[0] != "Lighthouse history" {
		t.Errorf("lighthouse: hits %q, want 16 with the title match first", got)
	}
	rare := search("marrowfat", 20, 0)
	if got, want := titles(rare), titles(common)[1:]; !slices.Equal(got, want) {
		t.Errorf("marrowfat: hits %q, want %q (lighthouse's body matches, same order)", got, want)
	}
	second := search("lighthouse", 10, 10)
	if second.Total != 16 || len(second.Hits) != 6 {
		t.Errorf("lighthouse page 2: Total = %d, %d hits; want 16, 6", second.Total, len(second.Hits))
	}
	past := search("lighthouse", 10, 30)
	if past.Total != 16 || len(past.Hits) != 0 {
		t.Errorf("lighthouse past the end: Total = %d, %d hits; want 16, 0", past.Total, len(past.Hits))
	}
}
