package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"folio"
	"folio/internal/smtptest"
)

// newCommentServer is newTestServer with comment settings of its own.
func newCommentServer(t testing.TB, cfg CommentConfig) *testEnv {
	t.Helper()
	e := newTestServer(t)
	srv, err := New(Config{Store: e.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: e.ts.URL,
		Now: e.clock.Now, Comments: cfg})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e.srv, e.ts = srv, ts
	return e
}

// unQP decodes a message's quoted-printable body, keeping its headers.
func unQP(s string) string {
	head, body, ok := strings.Cut(s, "\r\n\r\n")
	if !ok {
		return s
	}
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		return s
	}
	return head + "\r\n\r\n" + string(b)
}

// TestCommentMail: the author hears of a new comment; a reader confirms a
// subscription (double opt-in), receives the next public comment and
// leaves with one click.
func TestCommentMail(t *testing.T) {
	t.Parallel()
	sink := smtptest.Start(t)
	e := newCommentServer(t, CommentConfig{SMTP: SMTPConfig{Addr: sink.Addr(), From: "site@example.com"}})
	a := publishedArticle(e, "Mail me")
	res := e.postComment(a.Slug, commentVals("subscribe", "1", "body", "Tell me more."))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post = %d %s", res.StatusCode, res.body)
	}
	sink.WaitFor(t, "admin@example.com", "Tell me more.")
	confirm := unQP(sink.WaitFor(t, "rita@example.com", "confirm"))
	m := regexp.MustCompile(`/comments/confirm\?token=(\S+)`).FindStringSubmatch(confirm)
	if m == nil {
		t.Fatalf("no confirm link in:\n%s", confirm)
	}
	tok, _ := url.QueryUnescape(m[1])
	// Unconfirmed: nothing is sent to the reader yet.
	subs, _ := e.store.FindSubscribers(context.Background(), a.ID)
	if len(subs) != 0 {
		t.Fatal("subscribed before confirming")
	}
	if r := e.do("GET", "/comments/confirm?token="+url.QueryEscape(tok), nil); r.StatusCode != 200 {
		t.Fatalf("confirm = %d", r.StatusCode)
	}
	if r := e.do("GET", "/comments/confirm?token=forged", nil); r.StatusCode != 404 {
		t.Errorf("forged confirm = %d", r.StatusCode)
	}
	e.srv.comments.notify.Wait()
	if err := e.store.SetSetting(context.Background(), settingCommentModeration, "false"); err != nil {
		t.Fatal(err)
	}
	e.advance(0) // the server notices another process's write
	e.postComment(a.Slug, commentVals("email", "other@example.com", "name", "Olga", "body", "A new voice."))
	mail := unQP(sink.WaitFor(t, "rita@example.com", "A new voice."))
	if !strings.Contains(mail, "List-Unsubscribe: <") {
		t.Error("no List-Unsubscribe header")
	}
	un := regexp.MustCompile(`(http://[^\s>]+/comments/unsubscribe\?[^\s>]+)`).FindStringSubmatch(mail)
	if un == nil {
		t.Fatalf("no unsubscribe link:\n%s", mail)
	}
	path := strings.TrimPrefix(un[1], e.ts.URL)
	path = path[strings.Index(path, "/comments/"):]
	if r := e.do("GET", path[:len(path)-3]+"xyz", nil); r.StatusCode != 404 {
		t.Errorf("tampered unsubscribe = %d", r.StatusCode)
	}
	if r := e.do("GET", path, nil); r.StatusCode != 200 {
		t.Fatalf("unsubscribe %s = %d\n%s", path, r.StatusCode, mail)
	}
	if subs, _ := e.store.FindSubscribers(context.Background(), a.ID); len(subs) != 0 {
		t.Error("still subscribed after one click")
	}
	e.srv.comments.notify.Wait()
}

// TestCommentSpamLearning: decisions through the API teach the filter,
// which then holds a spammy comment as spam with its score in the queue.
func TestCommentSpamLearning(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.srv.comments.cfg.PerAddress = 1000
	a := publishedArticle(e, "Spam school")
	for i := range 6 {
		for _, c := range []struct{ email, body, status string }{
			{fmt.Sprintf("s%d@example.com", i), fmt.Sprintf("Cheap pills casino bonus %d http://pills.example/buy", i), "spam"},
			{fmt.Sprintf("h%d@example.com", i), fmt.Sprintf("A thoughtful point about the pipeline and the treaty, number %d.", i), "approved"},
		} {
			var created struct{ ID int64 }
			e.postComment(a.Slug, commentVals("email", c.email, "body", c.body), "Accept: application/json").json(t, &created)
			if r := e.api(folio.RoleAdmin, "PATCH", fmt.Sprintf("/api/v1/comments/%d", created.ID), map[string]any{"status": c.status}); r.StatusCode != 200 {
				t.Fatalf("moderate = %d %s", r.StatusCode, r.body)
			}
		}
	}
	res := e.postComment(a.Slug, commentVals("email", "new@example.com", "body", "cheap casino pills http://pills.example/buy"), "Accept: application/json")
	var created struct {
		ID     int64
		Status string
	}
	res.json(t, &created)
	if created.Status != "pending" {
		t.Errorf("spam answered as %q, want pending (the robot learns nothing)", created.Status)
	}
	c, err := e.store.FindCommentByID(context.Background(), created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != folio.CommentSpam || c.SpamScore < 0.9 {
		t.Errorf("stored %q with score %v, want spam ≥ 0.9", c.Status, c.SpamScore)
	}
	var list commentListJSON
	e.api(folio.RoleAdmin, "GET", "/api/v1/comments?status=spam&limit=1", nil).json(t, &list)
	if len(list.Comments) != 1 || list.Comments[0].SpamScore < 0.9 {
		t.Errorf("queue = %+v", list)
	}
	ham := e.postComment(a.Slug, commentVals("email", "new2@example.com", "body", "The treaty point is thoughtful."), "Accept: application/json")
	ham.json(t, &created)
	if c, _ := e.store.FindCommentByID(context.Background(), created.ID); c.Status != folio.CommentPending || c.SpamScore > 0.5 {
		t.Errorf("ham stored %q with score %v", c.Status, c.SpamScore)
	}
}

// TestCommentAPIRoles: authors moderate only comments on their articles.
func TestCommentAPIRoles(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	mine := e.api(folio.RoleAuthor, "POST", "/api/v1/articles", map[string]any{"title": "Mine", "body": "x", "status": "published"})
	var m createdArticle
	mine.json(t, &m)
	theirs := publishedArticle(e, "Theirs")
	for _, slug := range []string{m.Slug, theirs.Slug} {
		if r := e.postComment(slug, commentVals("body", "on "+slug)); r.StatusCode != 303 {
			t.Fatalf("post = %d %s", r.StatusCode, r.body)
		}
	}
	var list commentListJSON
	e.api(folio.RoleAuthor, "GET", "/api/v1/comments?status=pending", nil).json(t, &list)
	if list.Total != 1 || list.Comments[0].Article != m.ID {
		t.Fatalf("author's queue = %+v", list)
	}
	e.api(folio.RoleEditor, "GET", "/api/v1/comments?status=pending", nil).json(t, &list)
	if list.Total != 2 {
		t.Fatalf("editor's queue = %+v", list)
	}
	var other int64
	for _, c := range list.Comments {
		if c.Article == theirs.ID {
			other = c.ID
		}
	}
	tests := []struct {
		name   string
		role   folio.Role
		path   string
		body   any
		status int
	}{
		{"author on another's article", folio.RoleAuthor, fmt.Sprintf("/api/v1/comments/%d", other), map[string]any{"status": "approved"}, 403},
		{"bad status", folio.RoleEditor, fmt.Sprintf("/api/v1/comments/%d", other), map[string]any{"status": "deleted"}, 422},
		{"missing status", folio.RoleEditor, fmt.Sprintf("/api/v1/comments/%d", other), map[string]any{}, 422},
		{"wrong type", folio.RoleEditor, fmt.Sprintf("/api/v1/comments/%d", other), map[string]any{"status": 5}, 422},
		{"malformed", folio.RoleEditor, fmt.Sprintf("/api/v1/comments/%d", other), "{", 400},
		{"unknown id", folio.RoleEditor, "/api/v1/comments/999999", map[string]any{"status": "spam"}, 404},
		{"non-numeric id", folio.RoleEditor, "/api/v1/comments/abc", map[string]any{"status": "spam"}, 404},
		{"editor approves", folio.RoleEditor, fmt.Sprintf("/api/v1/comments/%d", other), map[string]any{"status": "approved"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.api(tc.role, "PATCH", tc.path, tc.body); r.StatusCode != tc.status {
				t.Errorf("%d %s, want %d", r.StatusCode, r.body, tc.status)
			}
		})
	}
	for _, q := range []string{"status=nope", "limit=0", "limit=x", "article=-1"} {
		if r := e.api(folio.RoleEditor, "GET", "/api/v1/comments?"+q, nil); r.StatusCode != 400 {
			t.Errorf("?%s = %d", q, r.StatusCode)
		}
	}
	if r := e.do("GET", "/api/v1/comments", nil); r.StatusCode != 401 {
		t.Errorf("no token = %d", r.StatusCode)
	}
	// Per-article switch through the API.
	if r := e.api(folio.RoleAuthor, "PATCH", fmt.Sprintf("/api/v1/articles/%d/comments", m.ID), map[string]any{"closed": true}); r.StatusCode != 200 {
		t.Fatalf("close = %d %s", r.StatusCode, r.body)
	}
	page := e.do("GET", "/"+m.Slug, nil).text()
	if !strings.Contains(page, "Comments are closed.") || tokenRe.MatchString(page) {
		t.Error("closed article still shows the form")
	}
	if r := e.do("POST", "/"+m.Slug+"/comments", commentVals("token", "x").Encode(), "Content-Type: application/x-www-form-urlencoded"); r.StatusCode != 403 {
		t.Errorf("post on closed article = %d", r.StatusCode)
	}
}

// TestCommentCloseAfterDays: the site setting closes old articles without
// any write, even on a cached page.
func TestCommentCloseAfterDays(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := publishedArticle(e, "Ageing")
	if err := e.store.SetSetting(context.Background(), settingCommentCloseDays, "3"); err != nil {
		t.Fatal(err)
	}
	e.advance(0)
	if !tokenRe.MatchString(e.do("GET", "/"+a.Slug, nil).text()) {
		t.Fatal("no form on a new article")
	}
	tok := tokenRe.FindStringSubmatch(e.do("GET", "/"+a.Slug, nil).text())[1]
	e.clock.Advance(4 * 24 * time.Hour) // no tick: the cached page must notice alone
	page := e.do("GET", "/"+a.Slug, nil).text()
	if tokenRe.MatchString(page) || !strings.Contains(page, "Comments are closed.") {
		t.Error("form still offered after the article closed")
	}
	if r := e.do("POST", "/"+a.Slug+"/comments", commentVals("token", tok).Encode(), "Content-Type: application/x-www-form-urlencoded"); r.StatusCode != 403 {
		t.Errorf("post after closing = %d", r.StatusCode)
	}
}

// TestCommentPagesAndFeeds: thousands of threads are paged; feeds carry
// approved comments only.
func TestCommentPagesAndFeeds(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := publishedArticle(e, "Busy thread")
	ctx := context.Background()
	var first int64
	for i := range commentThreadsPerPage + 10 {
		c := &folio.Comment{ArticleID: a.ID, Name: fmt.Sprintf("R%d", i), Email: "r@example.com", Body: fmt.Sprintf("comment number %d", i)}
		if err := e.store.CreateComment(ctx, c, folio.CommentCreate{}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = c.ID
		}
	}
	pending := &folio.Comment{ArticleID: a.ID, Name: "P", Email: "p@example.com", Body: "held back", Status: folio.CommentPending}
	if err := e.store.CreateComment(ctx, pending, folio.CommentCreate{}); err != nil {
		t.Fatal(err)
	}
	e.advance(0)
	doc := e.do("GET", "/"+a.Slug, nil).doc(t)
	if n := doc.Find(".comment-list > .comment").Length(); n != commentThreadsPerPage {
		t.Errorf("first page threads = %d", n)
	}
	if got := doc.Find("#comments-heading").Text(); got != "60 comments" {
		t.Errorf("heading = %q", got)
	}
	next, ok := doc.Find(`.comment-pager a[rel="next"]`).Attr("href")
	if !ok {
		t.Fatal("no link to older comments")
	}
	page2 := e.do("GET", next, nil)
	if page2.StatusCode != 200 || page2.doc(t).Find(fmt.Sprintf("#comment-%d", first)).Length() != 1 {
		t.Errorf("page 2 = %d, oldest comment there: %v", page2.StatusCode, strings.Contains(page2.text(), "comment number 0"))
	}
	for path, want := range map[string]int{"/" + a.Slug + "/comments?page=3": 404, "/" + a.Slug + "/comments?page=x": 404,
		"/" + a.Slug + "/comments?page=1": 301, "/no-such/comments?page=2": 404} {
		if r := e.do("GET", path, nil); r.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, r.StatusCode, want)
		}
	}
	for _, path := range []string{"/" + a.Slug + "/comments.xml", "/comments.xml"} {
		r := e.do("GET", path, nil)
		if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/rss+xml") {
			t.Fatalf("GET %s = %d %s", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
		f, err := gofeed.NewParser().ParseString(r.text())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(f.Items) != commentFeedItems || strings.Contains(r.text(), "held back") || strings.Contains(r.text(), "r@example.com") {
			t.Errorf("%s: %d items, or held/e-mail shown", path, len(f.Items))
		}
	}
}
