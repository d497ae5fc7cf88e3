package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"folio"
)

// TestAdminComments: the queue by role, bulk actions, replying as the
// site, settings and a commenter's data.
func TestAdminComments(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	ctx := context.Background()
	mine := e.adminArticle("Author's own", folio.StatusPublished, e.users[folio.RoleAuthor])
	theirs := e.adminArticle("Someone else's", folio.StatusPublished, e.users[folio.RoleEditor])
	var ids []int64
	for i, a := range []*folio.Article{mine, theirs, theirs} {
		c := &folio.Comment{ArticleID: a.ID, Name: fmt.Sprintf("Reader %d", i), Email: fmt.Sprintf("r%d@example.com", i), Body: fmt.Sprintf("Comment %d", i)}
		if err := e.store.CreateComment(ctx, c, folio.CommentCreate{Moderate: true}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	author, editor, admin := e.session(e.users[folio.RoleAuthor]), e.session(e.users[folio.RoleEditor]), e.session(e.users[folio.RoleAdmin])

	queue := e.do("GET", "/admin/comments", nil, author)
	if queue.StatusCode != 200 || !strings.Contains(queue.text(), "Comment 0") || strings.Contains(queue.text(), "Comment 1") {
		t.Errorf("author's queue = %d, shows others' comments: %v", queue.StatusCode, strings.Contains(queue.text(), "Comment 1"))
	}
	if dash := e.do("GET", "/admin", nil, editor); !strings.Contains(dash.text(), "Pending comments") {
		t.Error("dashboard lacks the pending count")
	}
	tests := []struct {
		name   string
		cookie string
		path   string
		form   url.Values
		status int
	}{
		{"author approves another's", author, fmt.Sprintf("/admin/comments/%d/status", ids[1]), url.Values{"status": {"approved"}}, 403},
		{"bad status", editor, fmt.Sprintf("/admin/comments/%d/status", ids[1]), url.Values{"status": {"gone"}}, 422},
		{"unknown comment", editor, "/admin/comments/999/status", url.Values{"status": {"spam"}}, 404},
		{"bulk none selected", editor, "/admin/comments/bulk", url.Values{"action": {"spam"}}, 422},
		{"bulk bad id", editor, "/admin/comments/bulk", url.Values{"action": {"spam"}, "id": {"x"}}, 404},
		{"settings by an editor", editor, "/admin/comments/settings", url.Values{"close_days": {"3"}}, 403},
		{"bad close days", admin, "/admin/comments/settings", url.Values{"close_days": {"-2"}}, 422},
		{"privacy without email", admin, "/admin/comments/privacy", url.Values{"action": {"export"}}, 422},
		{"author approves own", author, fmt.Sprintf("/admin/comments/%d/status", ids[0]), url.Values{"status": {"approved"}, "from": {"pending"}}, 303},
		{"bulk spam", editor, "/admin/comments/bulk", url.Values{"action": {"spam"}, "id": {fmt.Sprint(ids[1]), fmt.Sprint(ids[2])}}, 303},
		{"reply as the author", author, fmt.Sprintf("/admin/comments/%d/reply", ids[0]), url.Values{"body": {"Thanks, <b>reader</b>."}}, 303},
		{"settings", admin, "/admin/comments/settings", url.Values{"close_days": {"30"}, "moderation": {"true"}}, 303},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.post(tc.path, tc.form, tc.cookie); r.StatusCode != tc.status {
				t.Errorf("%d, want %d: %.300s", r.StatusCode, tc.status, r.body)
			}
		})
	}
	if r := e.do("POST", "/admin/comments/bulk", url.Values{"action": {"trash"}, "id": {fmt.Sprint(ids[1])}}.Encode(),
		"Content-Type: application/x-www-form-urlencoded", "Sec-Fetch-Site: cross-site", editor); r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site bulk = %d, want 403", r.StatusCode)
	}
	counts, _ := e.store.CountComments(ctx, folio.CommentFilter{})
	if counts[folio.CommentSpam] != 2 || counts[folio.CommentApproved] != 2 {
		t.Errorf("counts after moderation = %v", counts)
	}
	doc := e.do("GET", "/"+mine.Slug, nil).doc(t)
	if badge := doc.Find(".comment-replies .comment-badge").Text(); badge != "Author" {
		t.Errorf("reply badge = %q", badge)
	}
	if got, _ := e.store.Setting(ctx, settingCommentCloseDays); got != "30" {
		t.Errorf("close days = %q", got)
	}
	if spamQueue := e.do("GET", "/admin/comments?status=spam", nil, editor); !strings.Contains(spamQueue.text(), "Comment 2") {
		t.Error("spam queue lacks the comment")
	}
	if r := e.do("GET", "/admin/comments?status=nope", nil, editor); r.StatusCode != 400 {
		t.Errorf("bad status filter = %d", r.StatusCode)
	}

	exp := e.post("/admin/comments/privacy", url.Values{"email": {"R0@example.com"}, "action": {"export"}}, admin)
	if exp.StatusCode != 200 || !strings.Contains(exp.text(), `"Comment 0"`) || !strings.Contains(exp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export = %d %s", exp.StatusCode, exp.body)
	}
	if r := e.post("/admin/comments/privacy", url.Values{"email": {"r0@example.com"}, "action": {"erase"}}, editor); r.StatusCode != 403 {
		t.Errorf("editor erases = %d", r.StatusCode)
	}
	if r := e.post("/admin/comments/privacy", url.Values{"email": {"r0@example.com"}, "action": {"erase"}}, admin); r.StatusCode != 303 {
		t.Fatalf("erase = %d", r.StatusCode)
	}
	if data, _ := e.store.CommenterData(ctx, "r0@example.com"); len(data.Comments) != 0 {
		t.Errorf("left after erase: %+v", data.Comments)
	}
	if page := e.do("GET", "/"+mine.Slug, nil).text(); strings.Contains(page, "Comment 0") || !strings.Contains(page, "Thanks, reader.") {
		t.Error("erased comment shown, or the site's reply lost")
	}
}
