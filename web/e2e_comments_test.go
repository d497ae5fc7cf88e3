package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"folio"
)

// TestE2EComments drives the comment flow in Debian's Chromium: a reader
// posts (inline, with the page's script), the comment is held, an admin
// approves it from the queue, the reader replies, and the counts follow.
func TestE2EComments(t *testing.T) {
	requireChromium(t)
	e := newE2EServer(t)
	ctx := newBrowser(t)
	shots := screenshotDir(t)
	base := e.ts.URL
	bg := context.Background()

	const pw = "a long admin passphrase"
	hash, err := folio.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	admin := &folio.User{Name: "Ada Admin", Email: "ada@example.com", Role: folio.RoleAdmin, PasswordHash: hash}
	if err := admin.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateUser(bg, admin); err != nil {
		t.Fatal(err)
	}
	at := e.clock.Now().Add(-time.Hour)
	a, err := e.store.CreateArticle(bg, folio.ArticleInput{Title: "Rivers and power", Body: "A long answer.", Status: folio.StatusPublished,
		PublishedAt: &at, AuthorIDs: []int64{admin.ID}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Invalidate()
	// The reader takes a few seconds to write: the form refuses robots
	// that post faster than a person can type.
	typing := chromedp.Func(func(context.Context, *chromedp.Target) error {
		e.clock.Advance(3 * time.Second)
		return nil
	})

	run(t, ctx, "article without comments",
		chromedp.Navigate(base+"/"+a.Slug),
		waitText("h2", "0 comments"),
		fill("Name", "Rita Reader"), fill("E-mail (never shown)", "rita@example.com"),
		fill("Comment", "Is the *grid* ready for this?"),
		typing,
		button("Post comment"),
		waitText("p", "awaiting moderation"),
		screenshot(shots, "comment-held.png"),
	)
	if n := get(t, ctx, "held comment not shown", chromedp.Evaluate[int](`document.querySelectorAll(".comment").length`)); n != 0 {
		t.Errorf("%d comments shown while held", n)
	}

	run(t, ctx, "admin login",
		chromedp.Navigate(base+"/admin"),
		fill("Email", "ada@example.com"), fill("Password", pw), button("Log in"),
		waitText("h1", "Dashboard"),
		waitText("a", "Pending comments"),
	)
	pending := get(t, ctx, "pending count", chromedp.Text(chromedp.CSS(`a[href="/admin/comments"] strong`)))
	if strings.TrimSpace(pending) != "1" {
		t.Errorf("dashboard pending count = %q", pending)
	}
	run(t, ctx, "approve from the queue",
		clickLink("Comments"),
		waitText("td", "Is the grid ready"),
		screenshot(shots, "comment-queue.png"),
		button("Approve"),
		waitText("p", "Comment approved"),
	)

	run(t, ctx, "approved comment is public",
		chromedp.Navigate(base+"/"+a.Slug),
		waitText("h2", "1 comment"),
		waitText("div", "Is the grid ready"),
	)
	run(t, ctx, "reply",
		clickLink("Reply"),
		chromedp.WaitVisible(chromedp.CSS(`.comment .comment-form`)),
		fill("Name", "Rita Reader"), fill("E-mail (never shown)", "rita@example.com"),
		fill("Comment", "Answering myself: **yes**."),
		typing,
		submitUntil(`.comment-replies .comment-new`),
	)
	run(t, ctx, "counts after reload",
		chromedp.Navigate(base+"/"+a.Slug),
		waitText("h2", "2 comments"),
		chromedp.WaitVisible(chromedp.CSS(`.comment-replies .comment strong`)),
		screenshot(shots, "comment-thread.png"),
	)
	run(t, ctx, "count on the home page", chromedp.Navigate(base+"/"), waitText("a", "2 comments"))
}

// submitUntil clicks "Post comment" until sel appears, as a person clicks
// again when nothing happened: under a loaded CI machine a click can land
// while the page still shifts. It clicks again only while the form shows
// no sign of a post under way (button enabled, status empty), so it never
// posts twice.
func submitUntil(sel string) step {
	return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		for range 3 {
			if err := chromedp.Do(ctx, button("Post comment")); err != nil {
				return err
			}
			for range 50 {
				state, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(function () {
					if (document.querySelector(%q)) return "done";
					var f = document.querySelector("[data-comment-form]");
					var busy = f && (f.querySelector("button[type=submit]").disabled ||
						f.querySelector(".comment-status").textContent !== "");
					return busy ? "busy" : "idle";
				})()`, sel)))
				if err != nil {
					return err
				}
				if state == "done" {
					return nil
				}
				if state == "idle" {
					break // the click was lost: click again
				}
				time.Sleep(200 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond)
		}
		return fmt.Errorf("%s did not appear after three clicks on Post comment", sel)
	})
}
