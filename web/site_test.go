package web

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"folio"
)

func TestFeeds(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	for i := 1; i <= 3; i++ {
		e.mustCreateArticle(map[string]any{"title": fmt.Sprintf("Story %d", i), "body": fmt.Sprintf("Full \"body\" %d.", i),
			"summary": "Summary", "tags": []string{"Energy"}, "status": "published"})
		e.clock.Advance(time.Hour)
	}
	for _, tc := range []struct{ path, ctype, feedType string }{
		{"/feed.xml", "application/rss+xml; charset=utf-8", "rss"},
		{"/atom.xml", "application/atom+xml; charset=utf-8", "atom"},
		{"/feed.json", "application/feed+json; charset=utf-8", "json"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res := e.do("GET", tc.path, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			f, err := gofeed.NewParser().ParseString(res.text())
			if err != nil {
				t.Fatal(err)
			}
			if f.FeedType != tc.feedType || len(f.Items) != 3 {
				t.Fatalf("type %s, %d items", f.FeedType, len(f.Items))
			}
			it := f.Items[0]
			if it.Title != "Story 3" || it.Link != e.srv.baseURL+"/story-3" {
				t.Errorf("newest item = %q %q", it.Title, it.Link)
			}
			if !strings.Contains(it.Content, "Full “body” 3.") {
				t.Errorf("content = %q, want full typographic content", it.Content)
			}
			if it.PublishedParsed == nil || !it.PublishedParsed.Equal(time.Date(2026, 5, 4, 11, 30, 0, 0, time.UTC)) {
				t.Errorf("published = %v", it.PublishedParsed)
			}
			if len(it.Authors) == 0 || it.Authors[0].Name != "Admin" {
				t.Errorf("authors = %v", it.Authors)
			}
			if len(it.Categories) != 1 || it.Categories[0] != "Energy" {
				t.Errorf("categories = %v", it.Categories)
			}
		})
	}
}

func TestSitemapAndRobots(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.mustCreateArticle(map[string]any{"title": "In the map", "body": "x", "tags": []string{"Maps"}, "status": "published",
		"series": map[string]any{"slug": "atlas", "title": "Atlas", "position": 1}})
	e.mustCreateArticle(map[string]any{"title": "Not in the map", "body": "x"})
	res := e.do("GET", "/sitemap.xml", nil)
	if res.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", res.Header.Get("Content-Type"))
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(res.body, &sm); err != nil {
		t.Fatal(err)
	}
	var locs []string
	for _, u := range sm.URLs {
		locs = append(locs, strings.TrimPrefix(u.Loc, e.srv.baseURL))
	}
	want := "/ /in-the-map /series/atlas /tag/maps /author/admin"
	if strings.Join(locs, " ") != want {
		t.Errorf("sitemap = %v, want %s", locs, want)
	}
	robots := e.do("GET", "/robots.txt", nil).text()
	if !strings.Contains(robots, "Sitemap: "+e.srv.baseURL+"/sitemap.xml\n") || !strings.Contains(robots, "Disallow: /admin/") {
		t.Errorf("robots.txt = %q", robots)
	}
}

func TestListings(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	for i := 1; i <= 12; i++ {
		e.mustCreateArticle(map[string]any{"title": fmt.Sprintf("Item %d", i), "body": "x", "tags": []string{"Common"}, "status": "published",
			"series": map[string]any{"slug": "long-run", "title": "The long run", "position": i}})
		e.clock.Advance(time.Minute)
	}
	tests := []struct {
		path        string
		status      int
		contains    []string
		notContains []string
	}{
		{"/", 200, []string{"Item 12", "Item 3", `href="/page/2"`, "1 comment", "0 comments"}, []string{"Item 2<"}},
		{"/page/2", 200, []string{"Item 2", "Item 1", `href="/"`}, []string{"Item 12"}},
		{"/page/1", 301, nil, nil},
		{"/page/3", 404, nil, nil},
		{"/page/0", 404, nil, nil},
		{"/page/-1", 404, nil, nil},
		{"/page/abc", 404, nil, nil},
		{"/page/99999999999999999999", 404, nil, nil},
		{"/tag/common", 200, []string{"Item 12", `href="/tag/common?page=2"`}, nil},
		{"/tag/common?page=2", 200, []string{"Item 1<"}, nil},
		{"/tag/common?page=x", 404, nil, nil},
		{"/tag/common?page=9", 200, nil, nil}, // fixed below: past the end is a 404
		{"/tag/unknown", 404, nil, nil},
		{"/author/admin", 200, []string{"Item 12"}, nil},
		{"/author/nobody", 404, nil, nil},
		{"/series/long-run", 200, []string{"Part 1<", "Part 12<", "The long run"}, nil},
		{"/series/none", 404, nil, nil},
		{"/nothing-here", 404, []string{"Page not found"}, nil},
		{"/a/b/c", 404, nil, nil},
		{"/item-1/share.png", 200, []string{"\x89PNG\r\n"}, nil},
		{"/item-1/share.jpg", 404, nil, nil},
		{"/nothing-here/share.png", 404, nil, nil},
		{"/%ff", 404, nil, nil},
		{"/healthz", 200, []string{"ok"}, nil},
		{"/readyz", 200, []string{"ok"}, nil},
		{"/metrics", 200, []string{"folio_http_requests_total", "folio_page_cache_hits_total", "go_sql_open_connections{db_name=\"folio\"}"}, nil},
	}
	tests[11].status = 404
	// One approved comment, to check the singular label.
	if err := insertApprovedComment(e, "item-11"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		res := e.do("GET", tc.path, nil)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		for _, s := range tc.contains {
			if !strings.Contains(res.text(), s) {
				t.Errorf("GET %s lacks %q", tc.path, s)
			}
		}
		for _, s := range tc.notContains {
			if strings.Contains(res.text(), s) {
				t.Errorf("GET %s contains %q", tc.path, s)
			}
		}
	}
}

func TestCacheHeaders(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := e.mustCreateArticle(map[string]any{"title": "Cached", "body": strings.Repeat("Long words here. ", 200), "status": "published"})
	res := e.do("GET", "/"+a.Slug, nil)
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if res.Header.Get(h) != want {
			t.Errorf("%s = %q", h, res.Header.Get(h))
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	if res := e.do("GET", "/"+a.Slug, nil, "If-None-Match: "+etag); res.StatusCode != 304 || len(res.body) != 0 {
		t.Errorf("If-None-Match = %d with %d bytes, want 304", res.StatusCode, len(res.body))
	}
	gz := e.do("GET", "/"+a.Slug, nil, "Accept-Encoding: gzip")
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatal("no gzip")
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, res.body) {
		t.Error("gzip body differs from identity body")
	}
	if res := e.do("GET", "/"+a.Slug, nil, "Accept-Encoding: gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although q=0")
	}
	if res := e.do("HEAD", "/"+a.Slug, nil); res.StatusCode != 200 || len(res.body) != 0 {
		t.Errorf("HEAD = %d with %d bytes", res.StatusCode, len(res.body))
	}
	// A change invalidates: the ETag moves.
	e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"title": "Cached, then changed"})
	res2 := e.do("GET", "/"+a.Slug, nil, "If-None-Match: "+etag)
	if res2.StatusCode != 200 || !strings.Contains(res2.text(), "Cached, then changed") {
		t.Errorf("after change = %d", res2.StatusCode)
	}
	// Static files are immutable under hashed names.
	css := e.srv.static.url("style.css")
	if res := e.do("GET", css, nil); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d %q", css, res.StatusCode, res.Header.Get("Cache-Control"))
	}
}

// TestCacheSeesOtherProcesses checks that a write by another process (the
// CLI, another node) reaches the cached pages at the next poll.
func TestCacheSeesOtherProcesses(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.srv.tick(t.Context())
	if !strings.Contains(e.do("GET", "/", nil).text(), "Nothing has been published yet") {
		t.Fatal("empty home page")
	}
	// Write straight to the store, as `folio` in another process would.
	_, err := e.store.CreateArticle(t.Context(), folio.ArticleInput{Title: "Written elsewhere", Body: "x",
		Status: folio.StatusPublished, PublishedAt: ptr(e.clock.Now()), AuthorIDs: []int64{e.users[folio.RoleAdmin].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.do("GET", "/", nil).text(), "Written elsewhere") {
		t.Log("page already fresh before the poll (fine, but unexpected)")
	}
	e.srv.tick(t.Context())
	if !strings.Contains(e.do("GET", "/", nil).text(), "Written elsewhere") {
		t.Error("cache not invalidated by another process's write")
	}
}

func ptr[T any](v T) *T { return &v }

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "br, gzip": true, "gzip;q=0": false, "gzip; q=0.0": false,
		"gzip;q=0.5": true, "*": true, "identity": false, "deflate, br": false} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}
