package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"

	"folio"
)

// TestAPIScenarios checks every status the API promises (DESIGN.md) and
// that bad input never becomes a 500.
func TestAPIScenarios(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	own := e.mustCreateArticle(map[string]any{"title": "Taken slug", "body": "x", "status": "published"})
	authorRes := e.api(folio.RoleAuthor, "POST", "/api/v1/articles", map[string]any{"title": "Author draft", "body": "mine"})
	var authorArt createdArticle
	authorRes.json(t, &authorArt)

	huge := `{"title":"x","body":"` + strings.Repeat("a", maxAPIBody) + `"}`
	tests := []struct {
		name       string
		role       folio.Role // "" sends no token
		token      string     // overrides the role's token
		method     string
		path       string
		body       string
		ctype      string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"no token", "", "", "GET", "/api/v1/articles", "", "", 401, "unauthorized", ""},
		{"bad token", "", "folio_nope", "GET", "/api/v1/articles", "", "", 401, "unauthorized", ""},
		{"basic auth", "", "Basic abc", "GET", "/api/v1/articles", "", "", 401, "unauthorized", ""},
		{"malformed JSON", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title":`, "", 400, "bad_request", ""},
		{"array body", folio.RoleAdmin, "", "POST", "/api/v1/articles", `[1,2]`, "", 400, "bad_request", ""},
		{"empty body", folio.RoleAdmin, "", "POST", "/api/v1/articles", ``, "", 400, "bad_request", ""},
		{"two values", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title":"a"} {}`, "", 400, "bad_request", ""},
		{"wrong type", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": 5, "body": "x"}`, "", 422, "invalid", "title"},
		{"tags wrong type", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "tags": "a,b"}`, "", 422, "invalid", "tags"},
		{"missing title", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"body": "x"}`, "", 422, "invalid", "title"},
		{"bad status", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "status": "live"}`, "", 422, "invalid", "status"},
		{"bad time", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "status": "scheduled", "published_at": "tomorrow"}`, "", 422, "invalid", "published_at"},
		{"schedule without time", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "status": "scheduled"}`, "", 422, "invalid", "published_at"},
		{"reserved slug", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "slug": "admin"}`, "", 422, "invalid", "slug"},
		{"bad slug", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "slug": "Has Spaces"}`, "", 422, "invalid", "slug"},
		{"duplicate slug", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "slug": "taken-slug"}`, "", 409, "conflict", "slug"},
		{"bad lang", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "lang": "not a language"}`, "", 422, "invalid", "lang"},
		{"bad series", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "series": {"slug": "s", "position": 0}}`, "", 422, "invalid", "series"},
		{"unknown author", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "t", "author_email": "nobody@example.com"}`, "", 422, "invalid", "author_email"},
		{"NUL in title", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "a\u0000b"}`, "", 422, "invalid", "title"},
		{"too large", folio.RoleAdmin, "", "POST", "/api/v1/articles", huge, "", 413, "too_large", ""},
		{"not JSON", folio.RoleAdmin, "", "POST", "/api/v1/articles", `title=x`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"author writes as another", folio.RoleAuthor, "", "POST", "/api/v1/articles", `{"title": "t", "author_email": "admin@example.com"}`, "", 403, "forbidden", ""},
		{"unknown id", folio.RoleAdmin, "", "GET", "/api/v1/articles/999999", "", "", 404, "not_found", ""},
		{"non-numeric id", folio.RoleAdmin, "", "GET", "/api/v1/articles/abc", "", "", 404, "not_found", ""},
		{"huge id", folio.RoleAdmin, "", "GET", "/api/v1/articles/99999999999999999999999", "", "", 404, "not_found", ""},
		{"patch unknown", folio.RoleAdmin, "", "PATCH", "/api/v1/articles/999999", `{"title":"x"}`, "", 404, "not_found", ""},
		{"patch empty title", folio.RoleAdmin, "", "PATCH", "/api/v1/articles/" + itoa(own.ID), `{"title":"  "}`, "", 422, "invalid", "title"},
		{"patch slug taken", folio.RoleAdmin, "", "PATCH", "/api/v1/articles/" + itoa(authorArt.ID), `{"slug":"taken-slug"}`, "", 409, "conflict", "slug"},
		{"author edits another's", folio.RoleAuthor, "", "PATCH", "/api/v1/articles/" + itoa(own.ID), `{"title":"mine now"}`, "", 403, "forbidden", ""},
		{"author reads another's", folio.RoleAuthor, "", "GET", "/api/v1/articles/" + itoa(own.ID), "", "", 403, "forbidden", ""},
		{"author deletes another's", folio.RoleAuthor, "", "DELETE", "/api/v1/articles/" + itoa(own.ID), "", "", 403, "forbidden", ""},
		{"author deletes forever", folio.RoleAuthor, "", "DELETE", "/api/v1/articles/" + itoa(authorArt.ID) + "?permanent=true", "", "", 403, "forbidden", ""},
		{"delete forever untrashed", folio.RoleAdmin, "", "DELETE", "/api/v1/articles/" + itoa(own.ID) + "?permanent=true", "", "", 409, "conflict", "status"},
		{"editor edits any", folio.RoleEditor, "", "PATCH", "/api/v1/articles/" + itoa(authorArt.ID), `{"summary":"edited"}`, "", 200, "", ""},
		{"author edits own", folio.RoleAuthor, "", "PATCH", "/api/v1/articles/" + itoa(authorArt.ID), `{"summary":"mine"}`, "", 200, "", ""},
		{"bad limit", folio.RoleAdmin, "", "GET", "/api/v1/articles?limit=-5", "", "", 400, "bad_request", "limit"},
		{"bad status filter", folio.RoleAdmin, "", "GET", "/api/v1/articles?status=%00", "", "", 400, "bad_request", "status"},
		{"unknown API path", folio.RoleAdmin, "", "GET", "/api/v1/nothing", "", "", 404, "not_found", ""},
		{"create ok", folio.RoleAdmin, "", "POST", "/api/v1/articles", `{"title": "Fine", "body": "<script>alert(1)</script> ok", "tags": ["a", "A", " b "]}`, "", 201, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{}
			switch {
			case tc.token != "" && strings.HasPrefix(tc.token, "Basic"):
				headers = append(headers, "Authorization: "+tc.token)
			case tc.token != "":
				headers = append(headers, "Authorization: Bearer "+tc.token)
			case tc.role != "":
				headers = append(headers, "Authorization: Bearer "+e.tokens[tc.role])
			}
			ct := tc.ctype
			if ct == "" {
				ct = "application/json"
			}
			headers = append(headers, "Content-Type: "+ct)
			var body any
			if tc.body != "" {
				body = tc.body
			}
			res := e.do(tc.method, tc.path, body, headers...)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", res.StatusCode, tc.wantStatus, truncate(res.text()))
			}
			if tc.wantCode == "" {
				return
			}
			var got struct {
				Error apiError `json:"error"`
			}
			res.json(t, &got)
			if got.Error.Code != tc.wantCode || got.Error.Field != tc.wantField || got.Error.Message == "" {
				t.Errorf("error = %+v, want code %q field %q", got.Error, tc.wantCode, tc.wantField)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

func TestAPIListAndRoles(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.mustCreateArticle(map[string]any{"title": "By admin", "body": "x"})
	e.api(folio.RoleAuthor, "POST", "/api/v1/articles", map[string]any{"title": "By author", "body": "y"})

	var list struct {
		Articles []articleJSON `json:"articles"`
		Total    int           `json:"total"`
	}
	e.api(folio.RoleEditor, "GET", "/api/v1/articles", nil).json(t, &list)
	if list.Total != 2 || len(list.Articles) != 2 {
		t.Errorf("editor sees %d of %d, want all 2", len(list.Articles), list.Total)
	}
	e.api(folio.RoleAuthor, "GET", "/api/v1/articles", nil).json(t, &list)
	if list.Total != 1 || list.Articles[0].Title != "By author" {
		t.Errorf("author sees %+v, want only their own", list.Articles)
	}
	e.api(folio.RoleAdmin, "GET", "/api/v1/articles?status=draft&limit=1", nil).json(t, &list)
	if list.Total != 2 || len(list.Articles) != 1 {
		t.Errorf("limit=1: got %d of %d", len(list.Articles), list.Total)
	}

	// Authors publish only when the site allows it.
	if err := e.store.SetSetting(t.Context(), settingAuthorsMayPublish, "false"); err != nil {
		t.Fatal(err)
	}
	res := e.api(folio.RoleAuthor, "POST", "/api/v1/articles", map[string]any{"title": "Go live", "body": "z", "status": "published"})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("author publishing when disallowed = %d, want 403", res.StatusCode)
	}
	res = e.api(folio.RoleEditor, "POST", "/api/v1/articles", map[string]any{"title": "Editor live", "body": "z", "status": "published", "author_email": "author@example.com"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("editor publishing for an author = %d %s", res.StatusCode, res.body)
	}
	var a articleJSON
	res.json(t, &a)
	if len(a.Authors) != 1 || a.Authors[0].Email != "author@example.com" {
		t.Errorf("authors = %+v", a.Authors)
	}
}

func TestScriptInBodyIsNotRendered(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := e.mustCreateArticle(map[string]any{"title": `<script>alert("t")</script> Title`, "status": "published",
		"question": `<img src=x onerror=alert(1)>?`,
		"body":     "Hello <script>alert(1)</script> [x](javascript:alert(1)) <a href=\"javascript:alert(2)\" onclick=\"alert(3)\">y</a> <img src=x onerror=alert(4)>",
		"tags":     []string{`<b onmouseover=alert(1)>tag</b>`}})
	var docs []*goquery.Document
	for _, p := range []string{"/" + a.Slug, "/", "/tag/b-onmouseover-alert-1-tag-b"} {
		res := e.do("GET", p, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s = %d", p, res.StatusCode)
		}
		docs = append(docs, res.doc(t))
	}
	for _, p := range []string{"/feed.xml", "/atom.xml", "/feed.json"} {
		f, err := gofeed.NewParser().ParseString(e.do("GET", p, nil).text())
		if err != nil {
			t.Fatal(err)
		}
		d, err := goquery.NewDocumentFromReader(strings.NewReader(f.Items[0].Content))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	for i, d := range docs {
		d.Find("script").Each(func(_ int, s *goquery.Selection) {
			if typ := s.AttrOr("type", ""); typ != "application/ld+json" && !strings.HasPrefix(s.AttrOr("src", ""), "/static/") {
				t.Errorf("doc %d: unexpected script %q", i, s.Text())
			}
		})
		d.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, at := range s.Nodes[0].Attr {
				if strings.HasPrefix(strings.ToLower(at.Key), "on") {
					t.Errorf("doc %d: event handler %s=%q", i, at.Key, at.Val)
				}
				if (at.Key == "href" || at.Key == "src") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(at.Val)), "javascript:") {
					t.Errorf("doc %d: %s=%q", i, at.Key, at.Val)
				}
			}
		})
	}
}
