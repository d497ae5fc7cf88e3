package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"folio"
)

// commentTests are the comment system's part of the contract.
var commentTests = []struct {
	name string
	fn   func(t *testing.T, e *env)
}{
	{"CommentModeration", testCommentModeration},
	{"CommentParent", testCommentParent},
	{"CommentThreads", testCommentThreads},
	{"CommentFilters", testCommentFilters},
	{"CommentStatusVersion", testCommentStatusVersion},
	{"CommentsClosed", testCommentsClosed},
	{"HitRate", testHitRate},
	{"HitRateConcurrent", testHitRateConcurrent},
	{"Subscriptions", testSubscriptions},
	{"CommenterPrivacy", testCommenterPrivacy},
	{"SpamCounts", testSpamCounts},
	{"EnsureSetting", testEnsureSetting},
	{"WriteComments", testWriteComments},
}

// commentArticle stores a published article for comments.
func commentArticle(t testing.TB, e *env, title string) (*folio.Article, *folio.User) {
	t.Helper()
	u := newUser(t, e, "Writer "+title)
	a, err := e.s.CreateArticle(t.Context(), published(title, e.clock.Now().Add(-time.Hour), u))
	if err != nil {
		t.Fatal(err)
	}
	return a, u
}

// mustComment validates and stores a comment by email on article a.
func mustComment(t testing.TB, e *env, a *folio.Article, parent int64, email, body string, moderate bool) *folio.Comment {
	t.Helper()
	c := &folio.Comment{ArticleID: a.ID, ParentID: parent, Name: "Reader", Email: email, Body: body, AddrHash: "h-" + email}
	if err := c.Validate(); err != nil {
		t.Fatalf("validate comment: %v", err)
	}
	if err := e.s.CreateComment(t.Context(), c, folio.CommentCreate{Moderate: moderate}); err != nil {
		t.Fatalf("CreateComment(%q): %v", body, err)
	}
	if c.ID <= 0 {
		t.Fatalf("CreateComment set ID %d", c.ID)
	}
	return c
}

func testCommentModeration(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Moderated")
	first := mustComment(t, e, a, 0, "new@example.com", "First words", true)
	if first.Status != folio.CommentPending {
		t.Fatalf("first comment of an unknown address: status %q, want pending", first.Status)
	}
	if !first.CreatedAt.Equal(e.clock.Stored()) {
		t.Errorf("CreatedAt = %v, want %v", first.CreatedAt, e.clock.Stored())
	}
	second := mustComment(t, e, a, 0, "new@example.com", "Still waiting", true)
	if second.Status != folio.CommentPending {
		t.Errorf("second comment before approval: %q, want pending", second.Status)
	}
	got, err := e.s.FindArticleByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CommentCount != 0 {
		t.Errorf("pending comments counted: %d", got.CommentCount)
	}
	before, err := e.s.SetCommentStatus(ctx, first.ID, folio.CommentApproved)
	if err != nil {
		t.Fatal(err)
	}
	if before.Status != folio.CommentPending || before.Body != "First words" || before.ArticleSlug != a.Slug {
		t.Errorf("SetCommentStatus returned %+v, want the comment as it was", before)
	}
	third := mustComment(t, e, a, 0, "NEW@example.com", "Trusted now", true)
	if third.Status != folio.CommentApproved {
		t.Errorf("comment of an approved address: %q, want approved", third.Status)
	}
	unmoderated := mustComment(t, e, a, 0, "other@example.com", "No moderation", false)
	if unmoderated.Status != folio.CommentApproved {
		t.Errorf("moderation off: %q, want approved", unmoderated.Status)
	}
	preset := &folio.Comment{ArticleID: a.ID, Name: "Spammer", Email: "new@example.com", Body: "buy", Status: folio.CommentSpam, SpamScore: 0.99}
	if err := e.s.CreateComment(ctx, preset, folio.CommentCreate{Moderate: true}); err != nil {
		t.Fatal(err)
	}
	found, err := e.s.FindCommentByID(ctx, preset.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.Status != folio.CommentSpam || found.SpamScore != 0.99 || found.RootID != preset.ID || found.Depth != 0 {
		t.Errorf("preset status comment = %+v", found)
	}
	got, _ = e.s.FindArticleByID(ctx, a.ID)
	if got.CommentCount != 3 {
		t.Errorf("CommentCount = %d, want 3 approved", got.CommentCount)
	}
	if _, err := e.s.FindCommentByID(ctx, 999999); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("unknown comment: %v, want ErrNotFound", err)
	}
	if _, err := e.s.SetCommentStatus(ctx, 999999, folio.CommentSpam); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("status of unknown comment: %v, want ErrNotFound", err)
	}
	var ve *folio.ValidationError
	if _, err := e.s.SetCommentStatus(ctx, first.ID, "deleted"); !errors.As(err, &ve) {
		t.Errorf("bad status: %v, want a ValidationError", err)
	}
	bad := &folio.Comment{ArticleID: 999999, Name: "X", Email: "x@example.com", Body: "x"}
	if err := e.s.CreateComment(ctx, bad, folio.CommentCreate{}); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("comment on unknown article: %v, want ErrNotFound", err)
	}
	nul := &folio.Comment{ArticleID: a.ID, Name: "X", Email: "x@example.com", Body: "a\x00b"}
	if err := e.s.CreateComment(ctx, nul, folio.CommentCreate{}); !errors.As(err, &ve) {
		t.Errorf("NUL body: %v, want a ValidationError", err)
	}
}

func testCommentParent(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Parents")
	b, _ := commentArticle(t, e, "Elsewhere")
	root := mustComment(t, e, a, 0, "a@example.com", "Root", false)
	reply := mustComment(t, e, a, root.ID, "b@example.com", "Reply", false)
	deeper := mustComment(t, e, a, reply.ID, "c@example.com", "Deeper", false)
	if reply.RootID != root.ID || reply.Depth != 1 || deeper.RootID != root.ID || deeper.Depth != 2 {
		t.Errorf("reply root/depth = %d/%d, deeper %d/%d", reply.RootID, reply.Depth, deeper.RootID, deeper.Depth)
	}
	found, err := e.s.FindCommentByID(ctx, deeper.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found.ParentID != reply.ID || found.RootID != root.ID || found.Depth != 2 {
		t.Errorf("stored deeper = %+v", found)
	}
	pending := mustComment(t, e, a, 0, "p@example.com", "Pending", true)
	other := mustComment(t, e, b, 0, "a@example.com", "On b", false)
	for _, tc := range []struct {
		name   string
		parent int64
	}{{"other article", other.ID}, {"unknown", 424242}, {"pending parent", pending.ID}} {
		c := &folio.Comment{ArticleID: a.ID, ParentID: tc.parent, Name: "X", Email: "x@example.com", Body: "x"}
		var ve *folio.ValidationError
		if err := e.s.CreateComment(ctx, c, folio.CommentCreate{}); !errors.As(err, &ve) || ve.Field != "parent" {
			t.Errorf("%s: %v, want a ValidationError for parent", tc.name, err)
		}
	}
	_, n, err := e.s.FindComments(ctx, folio.CommentFilter{ArticleID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("comments on a = %d, want 4 (refused replies stored nothing)", n)
	}
}

func testCommentThreads(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Threads")
	var roots []*folio.Comment
	for i := range 5 {
		e.clock.Advance(time.Second)
		roots = append(roots, mustComment(t, e, a, 0, fmt.Sprintf("r%d@example.com", i), fmt.Sprintf("root %d", i), false))
	}
	e.clock.Advance(time.Second)
	late := mustComment(t, e, a, roots[0].ID, "late@example.com", "late reply to root 0", false)
	hidden := mustComment(t, e, a, 0, "hidden@example.com", "pending root", true)
	got, total, err := e.s.FindCommentThreads(ctx, a.ID, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 {
		t.Errorf("threads = %d, want 5 (pending not counted)", total)
	}
	var ids []int64
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	want := []int64{roots[4].ID, roots[3].ID}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("first page = %v, want %v (newest thread first)", ids, want)
	}
	got, _, err = e.s.FindCommentThreads(ctx, a.ID, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	ids = nil
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if want := []int64{roots[0].ID, late.ID}; fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("last page = %v, want %v (the thread oldest first, with its reply)", ids, want)
	}
	for _, c := range got {
		if c.ID == hidden.ID {
			t.Error("pending comment in threads")
		}
	}
	got, _, _ = e.s.FindCommentThreads(ctx, a.ID, 10, 2)
	if len(got) != 0 {
		t.Errorf("page past the end = %d comments", len(got))
	}
}

func testCommentFilters(t *testing.T, e *env) {
	ctx := t.Context()
	a, author := commentArticle(t, e, "Mine")
	b, _ := commentArticle(t, e, "Theirs")
	mustComment(t, e, a, 0, "x@example.com", "on mine, pending", true)
	e.clock.Advance(time.Second)
	mustComment(t, e, b, 0, "y@example.com", "on theirs, pending", true)
	e.clock.Advance(time.Second)
	mustComment(t, e, b, 0, "z@example.com", "on theirs, approved", false)
	tests := []struct {
		name string
		f    folio.CommentFilter
		want []string
	}{
		{"pending", folio.CommentFilter{Statuses: []folio.CommentStatus{folio.CommentPending}}, []string{"on theirs, pending", "on mine, pending"}},
		{"author", folio.CommentFilter{AuthorID: author.ID}, []string{"on mine, pending"}},
		{"article oldest", folio.CommentFilter{ArticleID: b.ID, Oldest: true}, []string{"on theirs, pending", "on theirs, approved"}},
		{"email", folio.CommentFilter{Email: "z@example.com"}, []string{"on theirs, approved"}},
		{"limit", folio.CommentFilter{Limit: 1, Offset: 1}, []string{"on theirs, pending"}},
		{"past end", folio.CommentFilter{Offset: 10}, nil},
		{"bad email", folio.CommentFilter{Email: "\xff"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := e.s.FindComments(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var bodies []string
			for _, c := range got {
				bodies = append(bodies, c.Body)
			}
			if fmt.Sprint(bodies) != fmt.Sprint(tc.want) {
				t.Errorf("bodies = %q, want %q", bodies, tc.want)
			}
			if tc.name == "limit" && total != 3 {
				t.Errorf("total = %d, want 3", total)
			}
			if tc.name == "past end" && total != 3 {
				t.Errorf("total past the end = %d, want 3", total)
			}
		})
	}
	counts, err := e.s.CountComments(ctx, folio.CommentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if counts[folio.CommentPending] != 2 || counts[folio.CommentApproved] != 1 {
		t.Errorf("counts = %v", counts)
	}
	counts, _ = e.s.CountComments(ctx, folio.CommentFilter{AuthorID: author.ID})
	if counts[folio.CommentPending] != 1 || counts[folio.CommentApproved] != 0 {
		t.Errorf("author's counts = %v", counts)
	}
}

func testCommentStatusVersion(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Versions")
	version := func() int64 {
		v, err := e.s.ContentVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	c := mustComment(t, e, a, 0, "v@example.com", "held", true)
	if version() != v0 {
		t.Error("a pending comment changed the content version; no public page changed")
	}
	if _, err := e.s.SetCommentStatus(ctx, c.ID, folio.CommentApproved); err != nil {
		t.Fatal(err)
	}
	v1 := version()
	if v1 == v0 {
		t.Error("approval did not change the content version")
	}
	if _, err := e.s.SetCommentStatus(ctx, c.ID, folio.CommentSpam); err != nil {
		t.Fatal(err)
	}
	if version() == v1 {
		t.Error("unapproving did not change the content version")
	}
	v2 := version()
	if _, err := e.s.SetCommentStatus(ctx, c.ID, folio.CommentTrash); err != nil {
		t.Fatal(err)
	}
	if version() != v2 {
		t.Error("spam to trash changed the content version")
	}
	mustComment(t, e, a, 0, "w@example.com", "public at once", false)
	if version() == v2 {
		t.Error("an approved comment did not change the content version")
	}
}

func testCommentsClosed(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Closing")
	closed, err := e.s.ArticleCommentsClosed(ctx, a.ID)
	if err != nil || closed {
		t.Fatalf("new article closed = %v, %v", closed, err)
	}
	if err := e.s.SetArticleCommentsClosed(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if closed, _ := e.s.ArticleCommentsClosed(ctx, a.ID); !closed {
		t.Error("comments still open after closing")
	}
	if err := e.s.SetArticleCommentsClosed(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	if closed, _ := e.s.ArticleCommentsClosed(ctx, a.ID); closed {
		t.Error("comments still closed after opening")
	}
	if err := e.s.SetArticleCommentsClosed(ctx, 999999, true); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("unknown article: %v", err)
	}
	if _, err := e.s.ArticleCommentsClosed(ctx, 999999); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("unknown article: %v", err)
	}
}

func testHitRate(t *testing.T, e *env) {
	ctx := t.Context()
	window := 10 * time.Minute
	hit := func(key string) folio.RateHit {
		t.Helper()
		h, err := e.s.HitRate(ctx, key, e.clock.Now().Add(-window))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	start := e.clock.Stored()
	for i := 1; i <= 3; i++ {
		if h := hit("comment:a"); h.Count != i || !h.WindowStart.Equal(start) {
			t.Fatalf("hit %d = %+v, want count %d from %v", i, h, i, start)
		}
		e.clock.Advance(time.Minute)
	}
	if h := hit("comment:b"); h.Count != 1 {
		t.Errorf("other key = %d, want 1", h.Count)
	}
	e.clock.Advance(window)
	if h := hit("comment:a"); h.Count != 1 || !h.WindowStart.Equal(e.clock.Stored()) {
		t.Errorf("after the window = %+v, want a new window", h)
	}
	var ve *folio.ValidationError
	if _, err := e.s.HitRate(ctx, "", e.clock.Now()); !errors.As(err, &ve) {
		t.Errorf("empty key: %v", err)
	}
	if _, err := e.s.HitRate(ctx, "bad\x00", e.clock.Now()); !errors.As(err, &ve) {
		t.Errorf("NUL key: %v", err)
	}
}

func testHitRateConcurrent(t *testing.T, e *env) {
	ctx := t.Context()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := e.s.HitRate(ctx, "comment:crowd", e.clock.Now().Add(-time.Minute))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	h, err := e.s.HitRate(ctx, "comment:crowd", e.clock.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if h.Count != n+1 {
		t.Errorf("count after %d concurrent hits and one more = %d, want %d", n, h.Count, n+1)
	}
}

func testSubscriptions(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Subscribed")
	sub := &folio.Subscription{ArticleID: a.ID, Email: "s@example.com", Token: "hash-1"}
	if err := e.s.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if sub.ID == 0 || sub.Confirmed {
		t.Fatalf("created = %+v", sub)
	}
	subs, err := e.s.FindSubscribers(ctx, a.ID)
	if err != nil || len(subs) != 0 {
		t.Fatalf("unconfirmed listed: %v %v", subs, err)
	}
	again := &folio.Subscription{ArticleID: a.ID, Email: "s@example.com", Token: "hash-2"}
	if err := e.s.CreateSubscription(ctx, again); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.ConfirmSubscription(ctx, "hash-1"); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("replaced token confirmed: %v", err)
	}
	got, err := e.s.ConfirmSubscription(ctx, "hash-2")
	if err != nil || !got.Confirmed || got.Email != "s@example.com" || got.ArticleID != a.ID {
		t.Fatalf("confirm = %+v, %v", got, err)
	}
	subs, _ = e.s.FindSubscribers(ctx, a.ID)
	if len(subs) != 1 || subs[0].Email != "s@example.com" {
		t.Errorf("subscribers = %v", subs)
	}
	if err := e.s.DeleteSubscription(ctx, "hash-2"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.DeleteSubscription(ctx, "hash-2"); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("second unsubscribe: %v", err)
	}
	if _, err := e.s.ConfirmSubscription(ctx, "\xff"); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("bad token: %v", err)
	}
}

func testCommenterPrivacy(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Privacy")
	mine := mustComment(t, e, a, 0, "me@example.com", "mine, answered", false)
	reply := mustComment(t, e, a, mine.ID, "you@example.com", "an answer", false)
	alone := mustComment(t, e, a, 0, "me@example.com", "mine, alone", false)
	if err := e.s.CreateSubscription(ctx, &folio.Subscription{ArticleID: a.ID, Email: "me@example.com", Token: "t-me"}); err != nil {
		t.Fatal(err)
	}
	data, err := e.s.CommenterData(ctx, "ME@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Comments) != 2 || len(data.Subscriptions) != 1 || data.Comments[0].AddrHash != "h-me@example.com" {
		t.Fatalf("export = %+v", data)
	}
	n, err := e.s.EraseCommenter(ctx, "me@example.com")
	if err != nil || n != 2 {
		t.Fatalf("erase = %d, %v", n, err)
	}
	data, _ = e.s.CommenterData(ctx, "me@example.com")
	if len(data.Comments) != 0 || len(data.Subscriptions) != 0 {
		t.Errorf("data left after erase: %+v", data)
	}
	if _, err := e.s.FindCommentByID(ctx, alone.ID); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("unanswered comment kept: %v", err)
	}
	emptied, err := e.s.FindCommentByID(ctx, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	if emptied.Body != "" || emptied.Name != "" || emptied.Email != "" || emptied.Status != folio.CommentTrash {
		t.Errorf("answered comment not emptied: %+v", emptied)
	}
	if got, err := e.s.FindCommentByID(ctx, reply.ID); err != nil || got.Body != "an answer" {
		t.Errorf("another reader's reply lost: %v %v", got, err)
	}

	// Addresses go after the retention period.
	e.clock.Advance(folio.AddrRetention + time.Hour)
	fresh := mustComment(t, e, a, 0, "new@example.com", "fresh", false)
	n, err = e.s.ForgetAddresses(ctx, e.clock.Now().Add(-folio.AddrRetention))
	if err != nil || n != 1 {
		t.Fatalf("forget = %d, %v (want the one old address)", n, err)
	}
	if got, _ := e.s.FindCommentByID(ctx, reply.ID); got.AddrHash != "" {
		t.Error("old address kept")
	}
	if got, _ := e.s.FindCommentByID(ctx, fresh.ID); got.AddrHash == "" {
		t.Error("fresh address dropped")
	}
}

func testSpamCounts(t *testing.T, e *env) {
	ctx := t.Context()
	if err := e.s.TrainSpam(ctx, []string{"cheap", "pills", "cheap"}, true, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.s.TrainSpam(ctx, []string{"thoughtful", "cheap"}, false, 1); err != nil {
		t.Fatal(err)
	}
	counts, docs, err := e.s.SpamCounts(ctx, []string{"cheap", "pills", "thoughtful", "unknown", "\xff"})
	if err != nil {
		t.Fatal(err)
	}
	if docs != [2]int{1, 1} {
		t.Errorf("docs = %v, want 1 spam 1 ham", docs)
	}
	if counts["cheap"] != [2]int{1, 1} || counts["pills"] != [2]int{1, 0} || counts["thoughtful"] != [2]int{0, 1} {
		t.Errorf("counts = %v", counts)
	}
	if _, ok := counts["unknown"]; ok {
		t.Error("unknown token counted")
	}
	// Taking a decision back, twice, never goes below zero.
	for range 2 {
		if err := e.s.TrainSpam(ctx, []string{"pills"}, true, -1); err != nil {
			t.Fatal(err)
		}
	}
	counts, docs, _ = e.s.SpamCounts(ctx, []string{"pills"})
	if counts["pills"] != [2]int{0, 0} || docs != [2]int{0, 1} {
		t.Errorf("after untraining: %v %v", counts, docs)
	}
}

func testEnsureSetting(t *testing.T, e *env) {
	ctx := t.Context()
	const n = 8
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := e.s.EnsureSetting(ctx, "comment_secret", fmt.Sprintf("secret-%d", i))
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] || v == "" {
			t.Fatalf("racing nodes got different secrets: %q", got)
		}
	}
	if v, _ := e.s.Setting(ctx, "comment_secret"); v != got[0] {
		t.Errorf("stored %q, returned %q", v, got[0])
	}
	if v, _ := e.s.EnsureSetting(ctx, "comment_secret", "later"); v != got[0] {
		t.Errorf("existing value replaced: %q", v)
	}
}

func testWriteComments(t *testing.T, e *env) {
	ctx := t.Context()
	a, _ := commentArticle(t, e, "Batch")
	since := e.clock.Now().Add(-time.Minute)
	root := mustComment(t, e, a, 0, "root@example.com", "root", false)
	v0, _ := e.s.ContentVersion(ctx)
	items := []*folio.CommentWrite{
		{RateKey: "comment:x", RateSince: since},
		{RateKey: "comment:x", RateSince: since, Comment: &folio.Comment{ArticleID: a.ID, ParentID: root.ID, Name: "A", Email: "a@example.com", Body: "reply"}},
		{RateKey: "comment:x", RateSince: since, Comment: &folio.Comment{ArticleID: a.ID, ParentID: 777777, Name: "B", Email: "b@example.com", Body: "orphan"}},
		{Comment: &folio.Comment{ArticleID: 888888, Name: "C", Email: "c@example.com", Body: "nowhere"}},
		{Comment: &folio.Comment{ArticleID: a.ID, Name: "D", Email: "d@example.com", Body: "held"}, Opt: folio.CommentCreate{Moderate: true}},
		{RateKey: "bad\x00key"},
	}
	if err := e.s.WriteComments(ctx, items); err != nil {
		t.Fatal(err)
	}
	if items[0].Err != nil || items[0].Hit.Count != 1 || items[1].Hit.Count != 2 || items[2].Hit.Count != 3 {
		t.Errorf("hits = %d %d %d", items[0].Hit.Count, items[1].Hit.Count, items[2].Hit.Count)
	}
	if items[1].Err != nil || items[1].Comment.ID == 0 || items[1].Comment.Status != folio.CommentApproved || items[1].Comment.RootID != root.ID {
		t.Errorf("reply = %+v, %v", items[1].Comment, items[1].Err)
	}
	var ve *folio.ValidationError
	if !errors.As(items[2].Err, &ve) || ve.Field != "parent" || items[2].Comment.ID != 0 {
		t.Errorf("bad parent: %v", items[2].Err)
	}
	if !errors.Is(items[3].Err, folio.ErrNotFound) {
		t.Errorf("unknown article: %v", items[3].Err)
	}
	if items[4].Err != nil || items[4].Comment.Status != folio.CommentPending {
		t.Errorf("moderated = %+v %v", items[4].Comment, items[4].Err)
	}
	if !errors.As(items[5].Err, &ve) {
		t.Errorf("NUL key: %v", items[5].Err)
	}
	if v, _ := e.s.ContentVersion(ctx); v == v0 {
		t.Error("an approved comment in a batch did not bump the content version")
	}
	got, err := e.s.RateCount(ctx, "comment:x", since)
	if err != nil || got.Count != 3 {
		t.Errorf("RateCount = %+v, %v", got, err)
	}
	if got, _ := e.s.RateCount(ctx, "comment:x", e.clock.Now().Add(time.Minute)); got.Count != 0 {
		t.Errorf("count of an ended window = %d", got.Count)
	}
	_, n, _ := e.s.FindComments(ctx, folio.CommentFilter{ArticleID: a.ID})
	if n != 3 {
		t.Errorf("stored %d comments, want root, reply and held", n)
	}

	// Past its limit, an address's comment is refused and its hit counted.
	limited := func(body string) *folio.CommentWrite {
		return &folio.CommentWrite{RateKey: "comment:y", RateSince: since, RateLimit: 1,
			Comment: &folio.Comment{ArticleID: a.ID, Name: "Y", Email: "y@example.com", Body: body}}
	}
	batch := []*folio.CommentWrite{limited("one"), limited("two")}
	if err := e.s.WriteComments(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if batch[0].Err != nil || !errors.Is(batch[1].Err, folio.ErrRateLimited) || batch[1].Hit.Count != 2 || batch[1].Comment.ID != 0 {
		t.Errorf("limited batch: %v %v, hit %d", batch[0].Err, batch[1].Err, batch[1].Hit.Count)
	}
	if _, n, _ := e.s.FindComments(ctx, folio.CommentFilter{Email: "y@example.com"}); n != 1 {
		t.Errorf("stored %d comments past the limit's first, want 1", n)
	}
}
