package web

import (
	"context"
	"fmt"
	"folio"
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// seedSearch publishes a few articles for the search scenarios.
func seedSearch(t testing.TB, e *testEnv) {
	t.Helper()
	e.mustCreateArticle(map[string]any{"title": "Pipeline politics", "body": "Gas pipelines cross 3 < 4 borders & more.",
		"tags": []string{"Energy"}, "status": "published"})
	e.mustCreateArticle(map[string]any{"title": "Harvest", "body": "Wheat and rice; a pipeline is mentioned.", "status": "published"})
	e.mustCreateArticle(map[string]any{"title": "Secret pipeline", "body": "Draft text.", "status": "draft"})
	e.mustCreateArticle(map[string]any{"title": "Трубопровод", "body": "Новые трубопроводы.", "lang": "ru", "status": "published"})
}

func TestSearchPage(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	seedSearch(t, e)
	tests := []struct {
		name       string
		path       string
		status     int
		must, not  []string
		hits       int // -1: don't check
		firstTitle string
	}{
		{"empty form", "/search", 200, []string{`name="q"`, `noindex`}, []string{"No results"}, 0, ""},
		{"stemmed", "/search?q=pipelines", 200, []string{"<mark>pipelines</mark>", "2 results"}, []string{"Secret pipeline"}, 2, "Pipeline politics"},
		{"escaped snippet", "/search?q=gas", 200, []string{"3 &lt; 4", "&amp; more"}, []string{"3 < 4"}, 1, "Pipeline politics"},
		{"russian", "/search?q=%D1%82%D1%80%D1%83%D0%B1%D0%BE%D0%BF%D1%80%D0%BE%D0%B2%D0%BE%D0%B4%D0%B0%D0%BC%D0%B8", 200, nil, nil, 1, "Трубопровод"},
		{"exclusion", "/search?q=pipeline+-wheat", 200, nil, []string{"Harvest"}, 1, "Pipeline politics"},
		{"tag filter", "/search?q=pipeline&tag=energy", 200, nil, []string{"Harvest"}, 1, "Pipeline politics"},
		{"no results", "/search?q=zeppelin+pipeline", 200, []string{"No results", "/search?q=zeppelin", "/tag/energy"}, nil, 0, ""},
		{"only exclusions", "/search?q=-pipeline", 200, []string{"Add a word to search for"}, nil, 0, ""},
		{"bad date", "/search?q=pipeline&from=yesterday", 200, []string{"2025-03-14"}, nil, 0, ""},
		{"hostile", "/search?q=" + url.QueryEscape(`"NEAR(pipeline* AND'; DROP TABLE articles;--`), 200, nil, nil, -1, ""},
		{"nul", "/search?q=pipe%00line", 200, nil, nil, -1, ""},
		{"huge word", "/search?q=" + strings.Repeat("x", 20000), 200, []string{"Type a word"}, nil, 0, ""},
		{"huge query", "/search?q=" + strings.Repeat("pipeline+", 3000), 200, []string{"only its start"}, nil, 2, ""},
		{"script", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", 200, []string{"&lt;script&gt;"}, []string{"<script>alert"}, 0, ""},
		{"page past the end", "/search?q=pipeline&page=999999", 200, nil, nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do("GET", tt.path, nil)
			if res.StatusCode != tt.status {
				t.Fatalf("GET %s = %d, want %d", tt.path, res.StatusCode, tt.status)
			}
			body := res.text()
			for _, m := range tt.must {
				if !strings.Contains(body, m) {
					t.Errorf("GET %.60s lacks %q", tt.path, m)
				}
			}
			for _, m := range tt.not {
				if strings.Contains(body, m) {
					t.Errorf("GET %.60s contains %q", tt.path, m)
				}
			}
			doc := res.doc(t)
			if got := doc.Find(`meta[name="robots"]`).AttrOr("content", ""); got != "noindex" {
				t.Errorf("robots meta = %q, want noindex", got)
			}
			hits := doc.Find(".search-results > li")
			if tt.hits >= 0 && hits.Length() != tt.hits {
				t.Errorf("%d hits, want %d", hits.Length(), tt.hits)
			}
			if tt.firstTitle != "" && strings.TrimSpace(hits.First().Find("h2").Text()) != tt.firstTitle {
				t.Errorf("first hit %q, want %q", hits.First().Find("h2").Text(), tt.firstTitle)
			}
		})
	}
}

func TestSearchHeaderAndOpenSearch(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	seedSearch(t, e)
	doc := e.do("GET", "/", nil).doc(t)
	form := doc.Find(`header form[role="search"]`)
	if form.AttrOr("action", "") != "/search" || form.AttrOr("method", "") != "get" {
		t.Errorf("header search form: action %q method %q", form.AttrOr("action", ""), form.AttrOr("method", ""))
	}
	id := form.Find("input[name=q]").AttrOr("id", "")
	if id == "" || form.Find(`label[for="`+id+`"]`).Length() != 1 {
		t.Error("header search input has no label")
	}
	link := doc.Find(`link[rel="search"]`)
	if link.AttrOr("type", "") != "application/opensearchdescription+xml" || !strings.HasSuffix(link.AttrOr("href", ""), "/opensearch.xml") {
		t.Errorf("OpenSearch link: %v", link.Nodes)
	}
	res := e.do("GET", "/opensearch.xml", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/opensearchdescription+xml") {
		t.Fatalf("opensearch.xml: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(res.text(), `/search?q={searchTerms}`) {
		t.Errorf("opensearch.xml lacks the search URL template: %s", res.text())
	}
}

func TestAPISearch(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	seedSearch(t, e)
	var out searchJSON
	res := e.do("GET", "/api/v1/search?q=pipelines", nil) // no token needed
	if res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/search = %d %s", res.StatusCode, res.body)
	}
	res.json(t, &out)
	if out.Total != 2 || len(out.Results) != 2 || out.Results[0].Title != "Pipeline politics" {
		t.Fatalf("results %+v", out)
	}
	if !strings.Contains(out.Results[0].Snippet, "<mark>pipelines</mark>") || strings.Contains(out.Results[0].Snippet, "<b>") {
		t.Errorf("snippet %q", out.Results[0].Snippet)
	}
	for _, q := range []string{"", "-pipeline", "%00", url.QueryEscape(`"`)} {
		res := e.do("GET", "/api/v1/search?q="+q, nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.text(), `"field": "q"`) {
			t.Errorf("q=%q: %d %s, want 422 naming q", q, res.StatusCode, res.body)
		}
	}
}

// TestRelatedOnArticlePage checks that a new article shows up under an
// older one after the server's tick, without any request in between.
func TestRelatedOnArticlePage(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	text := strings.Repeat("The CPEC corridor links Gwadar port to Kashgar by road and rail. ", 4)
	old := e.mustCreateArticle(map[string]any{"title": "Corridor", "body": text, "status": "published"})
	e.mustCreateArticle(map[string]any{"title": "Cricket", "body": strings.Repeat("The batsman scored a century. ", 4), "status": "published"})
	e.srv.tick(context.Background())
	page := e.do("GET", "/"+old.Slug, nil)
	if page.doc(t).Find(".related").Length() != 0 {
		t.Errorf("related section shown with nothing related: %s", page.doc(t).Find(".related").Text())
	}
	e.mustCreateArticle(map[string]any{"title": "Gwadar port", "body": text + " Gwadar grows.", "status": "published"})
	e.clock.Advance(time.Second)
	e.srv.tick(context.Background())
	e.srv.tick(context.Background())
	doc := e.do("GET", "/"+old.Slug, nil).doc(t)
	if got := strings.TrimSpace(doc.Find(".related li a").First().Text()); got != "Gwadar port" {
		t.Errorf("related under the older article = %q, want Gwadar port", got)
	}
	if doc.Find(".related h2").Length() != 1 {
		t.Error("related section has no heading")
	}
}

func TestAdminSuggestTags(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.mustCreateArticle(map[string]any{"title": "Old", "body": "x", "tags": []string{"Pipeline", "Cricket"}, "status": "published"})
	body := "The CPEC corridor reaches Gwadar. Work on CPEC goes on in Gwadar. A gas pipeline is planned."
	a := e.mustCreateArticle(map[string]any{"title": "Corridor", "body": body, "status": "draft"})
	cookie := e.session(e.users[folio.RoleAuthor])

	form := url.Values{"title": {"Corridor"}, "body": {body}, "tags": {"Energy"}}
	res := e.post("/admin/articles/suggest-tags", form, cookie)
	if res.StatusCode != 200 {
		t.Fatalf("suggest-tags = %d %s", res.StatusCode, res.body)
	}
	var out struct {
		Suggestions []folio.TagSuggestion `json:"suggestions"`
	}
	res.json(t, &out)
	var names []string
	for _, s := range out.Suggestions {
		names = append(names, s.Name)
	}
	if strings.Join(names, "|") != "Pipeline|CPEC|Gwadar" {
		t.Errorf("suggestions %q, want Pipeline (existing), CPEC, Gwadar", names)
	}
	// JSON works too; a logged-out request does not.
	res = e.do("POST", "/admin/articles/suggest-tags", `{"body": "NATO met. Then NATO left."}`, cookie, "Content-Type: application/json")
	if res.StatusCode != 200 || !strings.Contains(res.text(), `"NATO"`) {
		t.Errorf("JSON suggest-tags = %d %s", res.StatusCode, res.body)
	}
	if res := e.post("/admin/articles/suggest-tags", form); res.StatusCode == 200 {
		t.Error("suggest-tags answered without a session")
	}
	// Without JavaScript the saved article's editor lists them.
	doc := e.do("GET", fmt.Sprintf("/admin/articles/%d", a.ID), nil, e.session(e.users[folio.RoleAdmin])).doc(t)
	var listed []string
	doc.Find("#tag-suggestions li").Each(func(_ int, li *goquery.Selection) { listed = append(listed, li.Text()) })
	if strings.Join(listed, "|") != "Pipeline|CPEC|Gwadar" {
		t.Errorf("editor lists %q", listed)
	}
}
