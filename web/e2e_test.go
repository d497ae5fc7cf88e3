package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"folio"
	"folio/store/sqlite"
)

// chromiumPath is Debian's Chromium; tests never download a browser.
const chromiumPath = "/usr/bin/chromium"

// requireChromium skips the browser tests where Chromium is missing,
// except in CI, where a skipped browser test would be a silent gap.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI at %s (scripts/test installs it with apt-get): %v", chromiumPath, err)
		}
		t.Skipf("Chromium not installed at %s (apt-get install chromium): %v", chromiumPath, err)
	}
}

// e2eEnv is a fresh site nobody has set up yet, served on loopback, with a
// clock that starts at the real time (the browser keeps real cookie
// expiry) and moves on only when the test says.
type e2eEnv struct {
	store *sqlite.Store
	srv   *Server
	ts    *httptest.Server
	clock *clock
}

func newE2EServer(t *testing.T, configure ...func(*Config)) *e2eEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Now().UTC().Truncate(time.Minute)}
	st.Now = clk.Now
	ts := httptest.NewUnstartedServer(nil)
	cfg := Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL: "http://" + ts.Listener.Addr().String(), Now: clk.Now}
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &e2eEnv{store: st, srv: srv, ts: ts, clock: clk}
}

// status fetches path outside the browser, as an anonymous reader.
func (e *e2eEnv) status(t *testing.T, path string) int {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(e.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// screenshotDir is ./screenshots at the module root (gitignored).
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
	out := filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	// The first run starts the browser and must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancelT)
	return ctx
}

type step = chromedp.Action[chromedp.Void]

// run performs one named step and stops the test when it fails.
// A step that fails leaves screenshots/failure.png and the page's text.
func run(t *testing.T, ctx context.Context, name string, steps ...step) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		if buf, serr := chromedp.Run(ctx, chromedp.FullScreenshot(100)); serr == nil {
			os.WriteFile(filepath.Join(screenshotDir(t), "failure.png"), buf, 0o644)
		}
		t.Fatalf("%s: %v\npage: %.1500s", name, err, text)
	}
}

// get runs an action that returns a value, stopping the test on failure.
func get[T any](t *testing.T, ctx context.Context, name string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// button clicks the button whose text is label (an XPath search).
func button(label string) step {
	return chromedp.Click(fmt.Sprintf(`//button[normalize-space()=%q]`, label))
}

func clickLink(label string) step {
	return chromedp.Click(fmt.Sprintf(`//a[normalize-space()=%q]`, label))
}

// waitText waits for an element sel containing text.
func waitText(sel, text string) step {
	return chromedp.WaitVisible(fmt.Sprintf(`//%s[contains(normalize-space(), %q)]`, sel, text))
}

// fill types value into the field labelled label, as a person would.
func fill(label, value string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		id, err := chromedp.Evaluate[string](fmt.Sprintf(
			`([...document.querySelectorAll("label")].find(l => l.textContent.trim() === %q) || {}).htmlFor || ""`, label))(ctx, t)
		if err != nil {
			return err
		}
		if id == "" {
			return fmt.Errorf("no field labelled %q", label)
		}
		if _, err := chromedp.Evaluate[bool](fmt.Sprintf(`(el => (el.value = "", true))(document.getElementById(%q))`, id))(ctx, t); err != nil {
			return fmt.Errorf("clear %q: %w", label, err)
		}
		if _, err := chromedp.SendKeys(chromedp.ID(id), value)(ctx, t); err != nil {
			return fmt.Errorf("type into %q: %w", label, err)
		}
		return nil
	})
}

func screenshot(dir, name string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		buf, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), buf, 0o644)
	})
}

// TestE2EAdmin drives the admin in Debian's Chromium from first run to
// logout: setup, login, writing with preview, drafts, publishing,
// scheduling, revisions, the trash, authors' limits and logout.
func TestE2EAdmin(t *testing.T) {
	requireChromium(t)
	e := newE2EServer(t)
	ctx := newBrowser(t)
	shots := screenshotDir(t)
	base := e.ts.URL
	bg := context.Background()

	// First run: the link `folio serve` prints.
	const token = "folio_e2e-setup-token"
	if err := e.store.SetSetting(bg, folio.SetupTokenSetting, folio.HashSecret(token)); err != nil {
		t.Fatal(err)
	}
	const pw = "a long admin passphrase"
	run(t, ctx, "setup",
		chromedp.Navigate(base+"/admin/setup?token="+token),
		waitText("h1", "Set up your site"),
		fill("Name", "Ada Admin"), fill("Email", "ada@example.com"),
		fill("Password", pw), fill("Confirm password", pw),
		button("Create administrator"),
		waitText("h1", "Dashboard"),
	)
	run(t, ctx, "setup link is single-use",
		chromedp.Navigate(base+"/admin/setup?token="+token),
		waitText("h1", "This link has been used"),
	)
	forms := get(t, ctx, "no form on the used link", chromedp.Evaluate[int](`document.querySelectorAll("main form").length`))
	if forms != 0 {
		t.Errorf("used setup link shows %d forms", forms)
	}

	// Logout, then login: a wrong password is refused, the right one works.
	run(t, ctx, "logout after setup", chromedp.Navigate(base+"/admin"), button("Log out"), waitText("p", "You are logged out"))
	run(t, ctx, "wrong password",
		fill("Email", "ada@example.com"), fill("Password", "not the password"), button("Log in"),
		waitText("p", "E-mail or password is incorrect"),
	)
	run(t, ctx, "right password",
		fill("Email", "ada@example.com"), fill("Password", pw), button("Log in"),
		waitText("h1", "Dashboard"),
	)

	// Write with live preview and the full preview.
	run(t, ctx, "new article",
		clickLink("New article"),
		waitText("h1", "New article"),
	)
	for _, label := range []string{"Title", "Question", "Body", "Summary", "Tags", "Series", "Part", "Language", "Publish at"} {
		n := get(t, ctx, "label "+label, chromedp.Evaluate[int](fmt.Sprintf(
			`[...document.querySelectorAll("label")].filter(l => l.textContent.trim() === %q).length`, label)))
		if n != 1 {
			t.Errorf("editor has %d labels %q, want 1", n, label)
		}
	}
	for _, label := range []string{"Save draft", "Preview", "Publish", "Schedule"} {
		run(t, ctx, "button "+label, chromedp.WaitVisible(fmt.Sprintf(`//button[normalize-space()=%q]`, label)))
	}
	run(t, ctx, "write",
		fill("Title", "The river and the grid"),
		fill("Question", "What is the first question of this interview?"),
		fill("Body", "The answer is **long** and *careful*.\n\nA second paragraph."),
		fill("Summary", "Water, power and barges."),
		fill("Tags", "Energy, Rivers"),
		fill("Series", "Talks on water"), fill("Part", "1"),
		chromedp.WaitVisible(chromedp.CSS(`#live-preview-body strong`)),
		chromedp.Blur(chromedp.CSS(`#part`)),
		screenshot(shots, "editor.png"),
	)
	live := get(t, ctx, "live preview", chromedp.Text(chromedp.CSS(`#live-preview-body`)))
	if !strings.Contains(live, "The answer is long") {
		t.Errorf("live preview shows %q", live)
	}
	// Save draft: not public.
	run(t, ctx, "save draft", button("Save draft"), waitText("p", "Draft saved"))
	location := get(t, ctx, "editor url", chromedp.Location())
	var id int64
	if _, err := fmt.Sscanf(location[len(base):], "/admin/articles/%d", &id); err != nil {
		t.Fatalf("after saving, at %q: %v", location, err)
	}
	a, err := e.store.FindArticleByID(bg, id)
	if err != nil || a.Status != folio.StatusDraft {
		t.Fatalf("saved article: %+v, %v", a, err)
	}
	if got := e.status(t, "/"+a.Slug); got != 404 {
		t.Errorf("draft is public: %d", got)
	}

	// "Preview" opens the public template in a new tab; here it opens in
	// this tab, so the test reads it without juggling targets.
	run(t, ctx, "preview",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector("button[formaction$='/preview']").removeAttribute("formtarget") || true`)(ctx, t)
			return err
		}),
		button("Preview"),
		chromedp.WaitVisible(chromedp.CSS(`article.post h1`)),
	)
	heading := get(t, ctx, "preview heading", chromedp.Text(chromedp.CSS(`article.post h1`)))
	robots := get(t, ctx, "preview robots", chromedp.AttributeValue(chromedp.CSS(`meta[name=robots]`), "content")).Value
	if heading != "The river and the grid" || robots != "noindex" {
		t.Errorf("preview heading %q robots %q, want the title and noindex", heading, robots)
	}
	run(t, ctx, "back to the editor", chromedp.Navigate(location), waitText("h1", "Edit article"))

	// Publish: the public page shows it.
	run(t, ctx, "publish", button("Publish"), waitText("p", "Published"))
	run(t, ctx, "public page", chromedp.Navigate(base+"/"+a.Slug))
	pubTitle := get(t, ctx, "public title", chromedp.Text(chromedp.CSS(`article h1`)))
	if pubTitle != "The river and the grid" {
		t.Errorf("public page title %q", pubTitle)
	}

	// Edit, then restore the first revision.
	run(t, ctx, "edit",
		chromedp.Navigate(fmt.Sprintf("%s/admin/articles/%d", base, id)),
		fill("Body", "A rewritten answer."),
		button("Publish"), waitText("p", "Published"),
		clickLink("Revisions"),
		waitText("h1", "Revisions"),
	)
	run(t, ctx, "restore revision",
		chromedp.Click(`(//a[normalize-space()="Compare and restore"])[last()]`),
		chromedp.WaitVisible(chromedp.CSS(`pre.diff-text ins`)),
		button("Restore"),
		waitText("p", "Revision restored"),
	)
	body := get(t, ctx, "restored body", chromedp.Value(chromedp.CSS(`#body`)))
	if !strings.Contains(body, "The answer is **long**") {
		t.Errorf("body after restore = %q", body)
	}

	// Schedule: appears at its time.
	at := e.clock.Now().Add(2 * time.Hour).In(time.UTC).Format(publishAtLayout)
	run(t, ctx, "schedule",
		chromedp.Navigate(base+"/admin/articles/new"),
		fill("Title", "Scheduled piece"), fill("Body", "Coming soon."),
		chromedp.SetValue(chromedp.CSS(`#published_at`), at),
		button("Schedule"), waitText("p", "Scheduled"),
	)
	if got := e.status(t, "/scheduled-piece"); got != 404 {
		t.Errorf("scheduled article public early: %d", got)
	}
	e.clock.Advance(3 * time.Hour)
	e.srv.tick(bg)
	if got := e.status(t, "/scheduled-piece"); got != 200 {
		t.Errorf("scheduled article at its time: %d, want 200", got)
	}

	run(t, ctx, "dashboard with content", chromedp.Navigate(base+"/admin"), waitText("h1", "Dashboard"),
		screenshot(shots, "dashboard.png"))

	// Trash and restore.
	run(t, ctx, "trash",
		chromedp.Navigate(fmt.Sprintf("%s/admin/articles/%d", base, id)),
		button("Move to trash"), waitText("p", "Moved to the trash"),
	)
	if got := e.status(t, "/"+a.Slug); got != 404 {
		t.Errorf("trashed article public: %d", got)
	}
	run(t, ctx, "restore from trash",
		chromedp.Navigate(base+"/admin/trash"),
		waitText("td", "The river and the grid"),
		button("Restore"), waitText("p", "Restored from the trash"),
	)
	if a, _ := e.store.FindArticleByID(bg, id); a == nil || a.Status != folio.StatusDraft {
		t.Errorf("after restore: %+v", a)
	}

	// An author cannot touch another author's article.
	hash, err := folio.HashPassword("an author passphrase")
	if err != nil {
		t.Fatal(err)
	}
	author := &folio.User{Name: "Arun Author", Email: "arun@example.com", Role: folio.RoleAuthor, PasswordHash: hash}
	if err := author.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateUser(bg, author); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "author login",
		chromedp.Navigate(base+"/admin"), button("Log out"), waitText("p", "You are logged out"),
		fill("Email", "arun@example.com"), fill("Password", "an author passphrase"), button("Log in"),
		waitText("h1", "Dashboard"),
		chromedp.Navigate(fmt.Sprintf("%s/admin/articles/%d", base, id)),
		waitText("p", "Your role does not allow this"),
	)
	run(t, ctx, "author's list", chromedp.Navigate(base+"/admin/articles"))
	list := get(t, ctx, "author's list text", chromedp.Text(chromedp.CSS(`main`)))
	if strings.Contains(list, "The river and the grid") {
		t.Error("an author sees another author's article in the list")
	}

	// Logout: the admin is closed again.
	run(t, ctx, "logout",
		button("Log out"), waitText("p", "You are logged out"),
		chromedp.Navigate(base+"/admin/articles"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/login"]`)),
	)
}

// TestE2EInsertImage uploads a PNG with the editor's Insert image: its
// Markdown lands at the cursor as a paragraph of its own, the live preview
// shows the image, and a file that is not an image is refused in the
// status line.
func TestE2EInsertImage(t *testing.T) {
	requireChromium(t)
	e := newE2EServer(t, func(c *Config) { c.Blobs = &memBlobs{m: map[string][]byte{}} })
	bg := context.Background()
	hash, err := folio.HashPassword("an editor passphrase")
	if err != nil {
		t.Fatal(err)
	}
	ed := &folio.User{Name: "Eda Editor", Email: "eda@example.com", Role: folio.RoleEditor, PasswordHash: hash}
	if err := ed.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateUser(bg, ed); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.NRGBA{200, 30, 30, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	pngPath, txtPath := filepath.Join(dir, "red dot.png"), filepath.Join(dir, "notes.txt")
	os.WriteFile(pngPath, b.Bytes(), 0o644)
	os.WriteFile(txtPath, []byte("not an image"), 0o644)

	ctx := newBrowser(t)
	base := e.ts.URL
	run(t, ctx, "login",
		chromedp.Navigate(base+"/admin"),
		fill("Email", "eda@example.com"), fill("Password", "an editor passphrase"), button("Log in"),
		waitText("h1", "Dashboard"),
		chromedp.Navigate(base+"/admin/articles/new"),
		waitText("h1", "New article"),
	)
	// With the script, the controls replace the link to the Media page.
	fallback := get(t, ctx, "fallback hidden", chromedp.Evaluate[bool](`document.querySelector(".insert-image-fallback").hidden`))
	labelled := get(t, ctx, "file input labelled", chromedp.Evaluate[string](`document.getElementById("insert-image-file").labels[0].textContent`))
	if !fallback || labelled != "Insert image" {
		t.Errorf("fallback hidden %v, file input's label %q", fallback, labelled)
	}
	run(t, ctx, "upload",
		fill("Title", "With a picture"),
		fill("Body", "Before.\n\nAfter."),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(b => (b.focus(), b.setSelectionRange(7, 7), true))(document.getElementById("body"))`)(ctx, t)
			return err
		}),
		fill("Alt text of the next image", "A red dot"),
		chromedp.SetUploadFiles(chromedp.ID("insert-image-file"), []string{pngPath}),
		waitText("p", "Inserted red dot.png"),
		chromedp.WaitVisible(chromedp.CSS(`#live-preview-body img[src^="/media/"]`)),
	)
	body := get(t, ctx, "body", chromedp.Value(chromedp.ID("body")))
	md := regexp.MustCompile(`^Before\.\n\n(!\[A red dot\]\(/media/\d{4}/\d\d/[0-9a-f]{12}-red-dot\.png\))\n\nAfter\.$`).FindStringSubmatch(body)
	if md == nil {
		t.Fatalf("body after Insert image = %q", body)
	}
	list, total, err := e.store.FindMedia(bg, folio.MediaFilter{})
	if err != nil || total != 1 || list[0].Alt != "A red dot" || list[0].Width != 4 {
		t.Errorf("stored media: %d files (%v), %+v", total, err, list)
	}

	run(t, ctx, "refused file",
		chromedp.SetUploadFiles(chromedp.ID("insert-image-file"), []string{txtPath}),
		waitText("p", "Not inserted:"),
	)
	cls := get(t, ctx, "status class", chromedp.Evaluate[string](`document.getElementById("insert-image-status").className`))
	if after := get(t, ctx, "body", chromedp.Value(chromedp.ID("body"))); after != body || !strings.Contains(cls, "error") {
		t.Errorf("after a refused file: body %q, status class %q", after, cls)
	}
	run(t, ctx, "save", button("Save draft"), waitText("p", "Draft saved"))
	if as, _, err := e.store.FindArticles(bg, folio.ArticleFilter{}); err != nil || len(as) != 1 || !strings.Contains(as[0].Body, md[1]) {
		t.Errorf("saved article: %v %+v", err, as)
	}
}
