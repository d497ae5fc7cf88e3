package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"folio"
)

// session starts a session for u straight in the store (no argon2id) and
// returns the Cookie header that carries it.
func (e *testEnv) session(u *folio.User) string {
	e.t.Helper()
	secret := folio.NewSecret()
	sess := &folio.Session{Hash: folio.HashSecret(secret), UserID: u.ID, ExpiresAt: e.clock.Now().Add(folio.SessionLifetime)}
	if err := e.store.CreateSession(context.Background(), sess); err != nil {
		e.t.Fatal(err)
	}
	return "Cookie: " + sessionCookie + "=" + secret
}

// post sends a same-origin form, as a browser does.
func (e *testEnv) post(path string, form url.Values, headers ...string) *response {
	e.t.Helper()
	h := append([]string{"Content-Type: application/x-www-form-urlencoded", "Sec-Fetch-Site: same-origin"}, headers...)
	return e.do("POST", path, form.Encode(), h...)
}

// adminArticle creates an article by author straight in the store.
func (e *testEnv) adminArticle(title string, status folio.Status, author *folio.User) *folio.Article {
	e.t.Helper()
	in := folio.ArticleInput{Title: title, Body: "Text of " + title + ".", Status: status, AuthorIDs: []int64{author.ID}, EditorID: author.ID}
	if err := in.Validate(e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	a, err := e.store.CreateArticle(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *testEnv) article(id int64) *folio.Article {
	e.t.Helper()
	a, err := e.store.FindArticleByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func editForm(title string, action string) url.Values {
	return url.Values{"title": {title}, "body": {"Body of " + title}, "action": {action}}
}

// TestAdminPermissions checks every role rule on the server, whatever the
// UI shows: each scenario names who asks, what, the status wanted, and
// (for writes) what must not have changed.
func TestAdminPermissions(t *testing.T) {
	e := newTestServer(t)
	ctx := context.Background()
	admin, editor, author := e.users[folio.RoleAdmin], e.users[folio.RoleEditor], e.users[folio.RoleAuthor]
	other := &folio.User{Name: "Olga Other", Email: "olga@example.com", Role: folio.RoleAuthor}
	if err := other.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateUser(ctx, other); err != nil {
		t.Fatal(err)
	}
	own := e.adminArticle("Arun's own draft", folio.StatusDraft, author)
	theirs := e.adminArticle("Olga's draft", folio.StatusDraft, other)
	trashed := e.adminArticle("Arun's trashed", folio.StatusTrashed, author)
	published := e.adminArticle("Olga's published", folio.StatusPublished, other)
	revs, err := e.store.FindRevisions(ctx, theirs.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok := &folio.Token{UserID: admin.ID, Name: "admin's", Hash: folio.HashSecret("admin-secret")}
	if err := e.store.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	cookies := map[string]string{"": "X-None: 1", "admin": e.session(admin), "editor": e.session(editor), "author": e.session(author)}

	id := func(a *folio.Article) string { return fmt.Sprint(a.ID) }
	tests := []struct {
		name, who, method, path string
		form                    url.Values
		setting                 string // authors_may_publish
		want                    int
		mustContain, mustNot    string
		unchanged               *folio.Article // its title and status must stay
	}{
		{name: "anonymous list", who: "", method: "GET", path: "/admin/articles", want: 303},
		{name: "anonymous create", who: "", method: "POST", path: "/admin/articles", form: editForm("Sneaky", "draft"), want: 303},
		{name: "anonymous users", who: "", method: "GET", path: "/admin/users", want: 303},
		{name: "author lists own only", who: "author", method: "GET", path: "/admin/articles", want: 200, mustContain: "Arun&#39;s own draft", mustNot: "Olga"},
		{name: "editor lists all", who: "editor", method: "GET", path: "/admin/articles", want: 200, mustContain: "Olga&#39;s draft"},
		{name: "author opens other's article", who: "author", method: "GET", path: "/admin/articles/" + id(theirs), want: 403},
		{name: "author saves other's article", who: "author", method: "POST", path: "/admin/articles/" + id(theirs), form: editForm("Hijacked", "draft"), want: 403, unchanged: theirs},
		{name: "author trashes other's article", who: "author", method: "POST", path: "/admin/articles/" + id(theirs), form: editForm("x", "trash"), want: 403, unchanged: theirs},
		{name: "author unpublishes other's article", who: "author", method: "POST", path: "/admin/articles/" + id(published), form: editForm("x", "unpublish"), want: 403, unchanged: published},
		{name: "author previews other's article", who: "author", method: "POST", path: "/admin/articles/preview", form: url.Values{"id": {id(theirs)}, "title": {"x"}}, want: 403},
		{name: "author autosaves other's article", who: "author", method: "POST", path: "/admin/articles/" + id(theirs) + "/autosave", form: editForm("Hijacked", ""), want: 403, unchanged: theirs},
		{name: "author reads other's revisions", who: "author", method: "GET", path: "/admin/articles/" + id(theirs) + "/revisions", want: 403},
		{name: "author restores other's revision", who: "author", method: "POST", path: fmt.Sprintf("/admin/articles/%d/revisions/%d/restore", theirs.ID, revs[0].ID), want: 403},
		{name: "author saves own draft", who: "author", method: "POST", path: "/admin/articles/" + id(own), form: editForm("Arun's own draft", "draft"), want: 303},
		{name: "author may not publish when the site says so", who: "author", method: "POST", path: "/admin/articles/" + id(own), form: editForm("Arun's own draft", "publish"), setting: "false", want: 403, unchanged: own},
		{name: "author may not create published when the site says so", who: "author", method: "POST", path: "/admin/articles", form: editForm("Arun new", "publish"), setting: "false", want: 403},
		{name: "author may not schedule when the site says so", who: "author", method: "POST", path: "/admin/articles/" + id(own), form: url.Values{"title": {"x"}, "action": {"schedule"}, "published_at": {"2030-01-01T10:00"}}, setting: "false", want: 403, unchanged: own},
		{name: "author editor hides publish when the site says so", who: "author", method: "GET", path: "/admin/articles/" + id(own), setting: "false", want: 200, mustNot: `value="publish"`},
		{name: "author deletes forever", who: "author", method: "POST", path: "/admin/articles/" + id(trashed) + "/delete", want: 403},
		{name: "author restores own from trash", who: "author", method: "POST", path: "/admin/articles/" + id(trashed) + "/restore", want: 303},
		{name: "author pages", who: "author", method: "GET", path: "/admin/pages", want: 403},
		{name: "author creates page", who: "author", method: "POST", path: "/admin/pages", form: url.Values{"title": {"About"}}, want: 403},
		{name: "author menu", who: "author", method: "POST", path: "/admin/menu", form: url.Values{"label_0": {"X"}, "url_0": {"/x"}}, want: 403},
		{name: "author users", who: "author", method: "GET", path: "/admin/users", want: 403},
		{name: "editor users", who: "editor", method: "GET", path: "/admin/users", want: 403},
		{name: "editor adds user", who: "editor", method: "POST", path: "/admin/users", form: url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "role": {"admin"}}, want: 403},
		{name: "editor promotes self", who: "editor", method: "POST", path: fmt.Sprintf("/admin/users/%d", editor.ID), form: url.Values{"action": {"role"}, "role": {"admin"}}, want: 403},
		{name: "author settings", who: "author", method: "GET", path: "/admin/settings", want: 403},
		{name: "editor settings", who: "editor", method: "POST", path: "/admin/settings", form: url.Values{"site_title": {"Mine"}}, want: 403},
		{name: "author revokes admin's token", who: "author", method: "POST", path: fmt.Sprintf("/admin/tokens/%d/revoke", tok.ID), want: 404},
		{name: "admin deactivates self", who: "admin", method: "POST", path: fmt.Sprintf("/admin/users/%d", admin.ID), form: url.Values{"action": {"deactivate"}}, want: 409},
		{name: "admin demotes self", who: "admin", method: "POST", path: fmt.Sprintf("/admin/users/%d", admin.ID), form: url.Values{"action": {"role"}, "role": {"author"}}, want: 409},
		{name: "editor deletes trashed forever", who: "editor", method: "POST", path: "/admin/articles/" + id(e.adminArticle("Doomed", folio.StatusTrashed, other)) + "/delete", want: 303},
		{name: "editor edits other's", who: "editor", method: "POST", path: "/admin/articles/" + id(theirs), form: editForm("Olga's draft", "draft"), want: 303},
		{name: "editor pages", who: "editor", method: "GET", path: "/admin/pages", want: 200},
		{name: "admin users", who: "admin", method: "GET", path: "/admin/users", want: 200, mustContain: "olga@example.com"},
		{name: "admin settings", who: "admin", method: "GET", path: "/admin/settings", want: 200, mustContain: `name="timezone"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.store.SetSetting(ctx, settingAuthorsMayPublish, tt.setting); err != nil {
				t.Fatal(err)
			}
			var res *response
			if tt.method == "GET" {
				res = e.do("GET", tt.path, nil, cookies[tt.who])
			} else {
				res = e.post(tt.path, tt.form, cookies[tt.who])
			}
			if res.StatusCode != tt.want {
				t.Fatalf("%s %s as %q = %d, want %d\n%.400s", tt.method, tt.path, tt.who, res.StatusCode, tt.want, res.body)
			}
			if tt.mustContain != "" && !strings.Contains(res.text(), tt.mustContain) {
				t.Errorf("body lacks %q", tt.mustContain)
			}
			if tt.mustNot != "" && strings.Contains(res.text(), tt.mustNot) {
				t.Errorf("body contains %q", tt.mustNot)
			}
			if res.StatusCode == 303 && tt.who == "" {
				if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/admin") {
					t.Errorf("anonymous redirect to %q, want the login", loc)
				}
			}
			if a := tt.unchanged; a != nil {
				got := e.article(a.ID)
				if got.Title != a.Title || got.Status != a.Status {
					t.Errorf("refused request changed the article: %q %s, was %q %s", got.Title, got.Status, a.Title, a.Status)
				}
			}
		})
	}
	if _, total, _ := e.store.FindArticles(ctx, folio.ArticleFilter{Query: "Sneaky"}); total != 0 {
		t.Error("an anonymous POST created an article")
	}
	if _, total, _ := e.store.FindArticles(ctx, folio.ArticleFilter{Query: "Arun new"}); total != 0 {
		t.Error("a refused publish created an article")
	}
}

// TestAdminCSRF: a cross-origin POST is refused with 403 and changes
// nothing, even with a valid session cookie.
func TestAdminCSRF(t *testing.T) {
	e := newTestServer(t)
	cookie := e.session(e.users[folio.RoleAdmin])
	a := e.adminArticle("Keep me", folio.StatusDraft, e.users[folio.RoleAdmin])
	form := editForm("Forged", "publish")
	tests := []struct {
		name    string
		path    string
		headers []string
		want    int
	}{
		{"cross-site fetch metadata", "/admin/articles", []string{"Sec-Fetch-Site: cross-site"}, 403},
		{"foreign Origin", "/admin/articles", []string{"Origin: http://evil.example"}, 403},
		{"cross-site edit", fmt.Sprintf("/admin/articles/%d", a.ID), []string{"Sec-Fetch-Site: cross-site"}, 403},
		{"cross-site settings", "/admin/settings", []string{"Sec-Fetch-Site: cross-site"}, 403},
		{"cross-site login", "/admin/login", []string{"Sec-Fetch-Site: cross-site"}, 403},
		{"cross-site logout", "/admin/logout", []string{"Sec-Fetch-Site: cross-site"}, 403},
		{"same-origin create", "/admin/articles", []string{"Sec-Fetch-Site: same-origin"}, 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := append([]string{"Content-Type: application/x-www-form-urlencoded", cookie}, tt.headers...)
			res := e.do("POST", tt.path, form.Encode(), h...)
			if res.StatusCode != tt.want {
				t.Fatalf("POST %s = %d, want %d", tt.path, res.StatusCode, tt.want)
			}
			if tt.want == 403 && !strings.Contains(res.text(), "Nothing was changed") {
				t.Errorf("403 page lacks an explanation: %.300s", res.body)
			}
		})
	}
	if got := e.article(a.ID); got.Title != "Keep me" || got.Status != folio.StatusDraft {
		t.Errorf("a forged edit changed the article: %q %s", got.Title, got.Status)
	}
	if _, n, _ := e.store.FindArticles(context.Background(), folio.ArticleFilter{Query: "Forged"}); n != 1 {
		t.Errorf("%d articles titled Forged, want exactly the 1 same-origin one", n)
	}
	// The session still works: a refused request did not end it.
	if res := e.do("GET", "/admin/articles", nil, cookie); res.StatusCode != 200 {
		t.Errorf("GET after refused POSTs = %d", res.StatusCode)
	}
}

// withPassword gives u a password so it can log in through the form.
func (e *testEnv) withPassword(u *folio.User, pw string) {
	e.t.Helper()
	h, err := folio.HashPassword(pw)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.UpdateUser(context.Background(), u.ID, folio.UserUpdate{PasswordHash: &h}); err != nil {
		e.t.Fatal(err)
	}
}

func TestAdminLogin(t *testing.T) {
	e := newTestServer(t)
	admin := e.users[folio.RoleAdmin]
	const pw = "correct horse battery"
	e.withPassword(admin, pw)
	login := func(email, password string, headers ...string) *response {
		t.Helper()
		return e.post("/admin/login", url.Values{"email": {email}, "password": {password}}, headers...)
	}

	res := e.do("GET", "/admin", nil)
	if res.StatusCode != 200 || res.doc(t).Find(`label[for=email]`).Text() != "Email" || res.doc(t).Find(`label[for=password]`).Text() != "Password" {
		t.Fatalf("GET /admin logged out = %d, want the login form with Email and Password labels", res.StatusCode)
	}
	res = login("admin@example.com", "wrong password!")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.text(), "E-mail or password is incorrect") {
		t.Errorf("wrong password = %d, want 401 with a message", res.StatusCode)
	}
	if len(res.Cookies()) != 0 {
		t.Error("a failed login set a cookie")
	}
	res = login("nobody@example.com", "whatever12345")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.text(), "E-mail or password is incorrect") {
		t.Errorf("unknown account = %d, want the same 401 as a wrong password", res.StatusCode)
	}
	if res := login("", ""); res.StatusCode != 422 || !strings.Contains(res.text(), "Enter your e-mail address") {
		t.Errorf("empty login = %d, want 422 with messages next to the fields", res.StatusCode)
	}

	// Session rotation: a session presented at login is ended.
	old := e.session(admin)
	res = login("Admin@Example.com", pw, old)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin" {
		t.Fatalf("right password = %d to %q, want 303 to /admin", res.StatusCode, res.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			c = ck
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/admin" || c.Secure {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/admin, not Secure over http", c)
	}
	if strings.Contains(old, c.Value) {
		t.Error("login kept the old session value")
	}
	if res := e.do("GET", "/admin/articles", nil, old); res.StatusCode != 303 {
		t.Errorf("old session after login = %d, want 303 to the login (rotated)", res.StatusCode)
	}
	fresh := "Cookie: " + sessionCookie + "=" + c.Value
	if res := e.do("GET", "/admin", nil, fresh); res.StatusCode != 200 || !strings.Contains(res.text(), "New article") {
		t.Errorf("dashboard with the new session = %d", res.StatusCode)
	}
	if _, _, err := e.store.FindSession(context.Background(), c.Value); err == nil {
		t.Error("the store holds the cookie value itself, not its hash")
	}

	// Logout deletes the session in the database.
	res = e.post("/admin/logout", nil, fresh)
	if res.StatusCode != 303 {
		t.Fatalf("logout = %d", res.StatusCode)
	}
	if _, _, err := e.store.FindSession(context.Background(), folio.HashSecret(c.Value)); err == nil {
		t.Error("session still stored after logout")
	}
	if res := e.do("GET", "/admin/articles", nil, fresh); res.StatusCode != 303 {
		t.Errorf("GET with a logged-out session = %d, want 303", res.StatusCode)
	}

	// A deactivated user cannot log in, and their session ends.
	editor := e.users[folio.RoleEditor]
	e.withPassword(editor, pw)
	sess := e.session(editor)
	if _, err := e.store.UpdateUser(context.Background(), editor.ID, folio.UserUpdate{Deactivated: new(true)}); err != nil {
		t.Fatal(err)
	}
	if res := login("editor@example.com", pw); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("deactivated login = %d, want 401", res.StatusCode)
	}
	if res := e.do("GET", "/admin", nil, sess); res.StatusCode != 200 || !strings.Contains(res.text(), `action="/admin/login"`) {
		t.Errorf("deactivated session sees %d, want the login form", res.StatusCode)
	}
	if res := e.api(folio.RoleEditor, "GET", "/api/v1/articles", nil); res.StatusCode != 401 {
		t.Errorf("deactivated user's API token = %d, want 401", res.StatusCode)
	}
}

func TestAdminLoginLimits(t *testing.T) {
	e := newTestServer(t)
	e.srv.admin.limits = LoginLimits{PerAccount: 3, PerAddress: 5, Window: 15 * time.Minute}
	const pw = "correct horse battery"
	e.withPassword(e.users[folio.RoleAdmin], pw)
	login := func(email, password string) *response {
		return e.post("/admin/login", url.Values{"email": {email}, "password": {password}})
	}
	for i := range 2 {
		if res := login("admin@example.com", "wrong-"+fmt.Sprint(i)+"-password"); res.StatusCode != 401 {
			t.Fatalf("failure %d = %d, want 401", i+1, res.StatusCode)
		}
	}
	res := login("admin@example.com", "wrong-again-password")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.text(), "Too many failed logins") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("third failure = %d, want 429 with a clear message and Retry-After", res.StatusCode)
	}
	if res := login("admin@example.com", pw); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password while limited = %d, want 429 (no password check)", res.StatusCode)
	}
	// The counter lives in the database: another server on the same store
	// refuses too.
	if n, _ := e.store.LoginFailures(context.Background(), "account:admin@example.com", e.clock.Now().Add(-time.Hour)); n < 3 {
		t.Errorf("stored failures = %d, want at least 3", n)
	}
	// Per address: failures against other accounts add up.
	if res := login("x1@example.com", "whatever-password"); res.StatusCode != 401 {
		t.Errorf("other account = %d, want 401", res.StatusCode)
	}
	if res := login("x2@example.com", "whatever-password"); res.StatusCode != 429 {
		t.Errorf("fifth failure from one address = %d, want 429", res.StatusCode)
	}
	e.advance(16 * time.Minute)
	if res := login("admin@example.com", pw); res.StatusCode != 303 {
		t.Errorf("after the window = %d, want 303", res.StatusCode)
	}
}

// TestAdminLoginLimitsParallel sends guesses at once: the account's
// attempts are counted before any password check, so no more than the
// limit are checked however many arrive together.
func TestAdminLoginLimitsParallel(t *testing.T) {
	e := newTestServer(t)
	e.srv.admin.limits = LoginLimits{PerAccount: 3, PerAddress: 1000, Window: 15 * time.Minute}
	e.withPassword(e.users[folio.RoleAdmin], "correct horse battery")
	var checked atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := e.post("/admin/login", url.Values{"email": {"admin@example.com"}, "password": {fmt.Sprintf("guess number %d", i)}})
			if res.StatusCode != http.StatusTooManyRequests {
				checked.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := checked.Load(); n > 3 {
		t.Errorf("%d of 20 parallel guesses had their password checked, want at most 3", n)
	}
}

func TestAdminSetup(t *testing.T) {
	e := newTestServer(t)
	ctx := context.Background()
	const token = "folio_setup-token"
	if err := e.store.SetSetting(ctx, folio.SetupTokenSetting, folio.HashSecret(token)); err != nil {
		t.Fatal(err)
	}
	res := e.do("GET", "/admin/setup?token="+token, nil)
	doc := res.doc(t)
	for _, label := range []string{"Name", "Email", "Password", "Confirm password"} {
		if doc.Find("label").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == label }).Length() != 1 {
			t.Errorf("setup form lacks the label %q", label)
		}
	}
	form := func(pw, confirm string) url.Values {
		return url.Values{"token": {token}, "name": {"Site Owner"}, "email": {"owner@example.com"}, "password": {pw}, "confirm": {confirm}}
	}
	for _, tt := range []struct{ pw, confirm, msg string }{
		{"short", "short", "at least 10 characters"},
		{"password123", "password123", "most common passwords"},
		{"a long enough one", "another long one", "The two passwords differ"},
	} {
		if res := e.post("/admin/setup", form(tt.pw, tt.confirm)); res.StatusCode != 422 || !strings.Contains(res.text(), tt.msg) {
			t.Errorf("setup with %q/%q = %d, want 422 with %q", tt.pw, tt.confirm, res.StatusCode, tt.msg)
		}
	}
	if res := e.do("GET", "/admin/setup?token=wrong", nil); !strings.Contains(res.text(), "This link has been used") || strings.Contains(res.text(), "<form method=\"post\" action=\"/admin/setup\"") {
		t.Error("a wrong token shows the form")
	}
	// Two submissions at once: one admin.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() {
			f := form("a strong pass phrase", "a strong pass phrase")
			f.Set("email", fmt.Sprintf("owner%d@example.com", i))
			codes[i] = e.post("/admin/setup", f).StatusCode
		})
	}
	wg.Wait()
	made := 0
	for i := range codes {
		if _, err := e.store.FindUserByEmail(ctx, fmt.Sprintf("owner%d@example.com", i)); err == nil {
			made++
		}
	}
	if made != 1 {
		t.Errorf("two concurrent setups made %d admins (statuses %v), want 1", made, codes)
	}
	res = e.do("GET", "/admin/setup?token="+token, nil)
	if !strings.Contains(res.text(), "This link has been used") || !strings.Contains(res.text(), `href="/admin"`) || res.doc(t).Find("form#setup, input[name=password]").Length() != 0 {
		t.Errorf("used link = %d %.300s, want the used page with a login link and no form", res.StatusCode, res.body)
	}
}

func TestAdminHeadersAndCache(t *testing.T) {
	e := newTestServer(t)
	cookie := e.session(e.users[folio.RoleAdmin])
	e.mustCreateArticle(map[string]any{"title": "Public piece", "body": "Hello.", "status": "published"})
	for _, path := range []string{"/admin", "/admin/articles", "/admin/setup?token=x"} {
		res := e.do("GET", path, nil, cookie)
		h := res.Header
		if h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s headers: %v", path, h)
		}
		if strings.Contains(res.text(), "<script>") || strings.Contains(res.text(), " style=") {
			t.Errorf("%s has inline script or style, which the CSP forbids", path)
		}
	}
	// Public pages are the same bytes for a logged-in editor.
	anon := e.do("GET", "/public-piece", nil)
	logged := e.do("GET", "/public-piece", nil, cookie)
	if anon.StatusCode != 200 || anon.text() != logged.text() {
		t.Errorf("public page differs for a logged-in user (%d)", anon.StatusCode)
	}
}

func TestAdminBadInput(t *testing.T) {
	e := newTestServer(t)
	cookie := e.session(e.users[folio.RoleAdmin])
	a := e.adminArticle("Fine", folio.StatusDraft, e.users[folio.RoleAdmin])
	edit := fmt.Sprintf("/admin/articles/%d", a.ID)
	tests := []struct {
		name, method, path string
		form               url.Values
		want               int
		field, msg         string
	}{
		{"page not a number", "GET", "/admin/articles?page=abc", nil, 400, "", "Page must be"},
		{"unknown status", "GET", "/admin/articles?status=bogus", nil, 400, "", "Status must be"},
		{"id not a number", "GET", "/admin/articles/abc", nil, 404, "", ""},
		{"unknown id", "GET", "/admin/articles/999999", nil, 404, "", ""},
		{"unknown action", "POST", edit, url.Values{"title": {"x"}, "action": {"explode"}}, 400, "", "Unknown action"},
		{"empty title", "POST", edit, editForm("", "draft"), 422, "title-error", "required"},
		{"bad publish at", "POST", edit, url.Values{"title": {"x"}, "action": {"schedule"}, "published_at": {"tomorrow"}}, 422, "published_at-error", "Publish at must be"},
		{"schedule without time", "POST", edit, url.Values{"title": {"x"}, "action": {"schedule"}}, 422, "published_at-error", "Choose when"},
		{"bad part", "POST", edit, url.Values{"title": {"x"}, "action": {"draft"}, "series": {"Talks"}, "part": {"x"}}, 422, "part-error", "Part must be"},
		{"reserved slug", "POST", edit, url.Values{"title": {"x"}, "action": {"draft"}, "slug": {"admin"}}, 422, "slug-error", "reserved"},
		{"bad language", "POST", edit, url.Values{"title": {"x"}, "action": {"draft"}, "lang": {"not a language!"}}, 422, "lang-error", "language tag"},
		{"bad time zone", "POST", "/admin/settings", url.Values{"site_title": {"S"}, "site_lang": {"en"}, "timezone": {"Mars/Olympus"}, "base_url": {"http://x.example"}}, 422, "timezone-error", "Time zone must be"},
		{"bad menu URL", "POST", "/admin/menu", url.Values{"label_0": {"Evil"}, "url_0": {"javascript:alert(1)"}, "pos_0": {"1"}}, 422, "menu-error", "site path"},
		{"bad token name", "POST", "/admin/tokens", url.Values{"name": {""}}, 422, "name-error", "Name the token"},
		{"malformed form", "POST", edit, nil, 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *response
			switch {
			case tt.method == "GET":
				res = e.do("GET", tt.path, nil, cookie)
			case tt.form == nil:
				res = e.do("POST", tt.path, "%zz=%", "Content-Type: application/x-www-form-urlencoded", "Sec-Fetch-Site: same-origin", cookie)
			default:
				res = e.post(tt.path, tt.form, cookie)
			}
			if res.StatusCode != tt.want {
				t.Fatalf("= %d, want %d\n%.500s", res.StatusCode, tt.want, res.body)
			}
			if tt.field != "" {
				if got := res.doc(t).Find("#" + tt.field).Text(); !strings.Contains(got, tt.msg) {
					t.Errorf("#%s = %q, want it to contain %q", tt.field, got, tt.msg)
				}
			} else if !strings.Contains(res.text(), tt.msg) {
				t.Errorf("body lacks %q", tt.msg)
			}
		})
	}
	if got := e.article(a.ID); got.Title != "Fine" {
		t.Errorf("refused saves changed the title to %q", got.Title)
	}
}

func TestAdminArticleFlow(t *testing.T) {
	e := newTestServer(t)
	cookie := e.session(e.users[folio.RoleEditor])
	res := e.post("/admin/articles", url.Values{"title": {"Draft one"}, "body": {"First *text*."}, "tags": {"Go, Web"},
		"series": {"Talks"}, "part": {"2"}, "interviewee": {"Ilse Marwood"}, "interviewee_bio": {"Economist"}, "action": {"draft"}}, cookie)
	if res.StatusCode != 303 {
		t.Fatalf("create = %d %.300s", res.StatusCode, res.body)
	}
	var id int64
	fmt.Sscanf(res.Header.Get("Location"), "/admin/articles/%d", &id)
	a := e.article(id)
	if a.Status != folio.StatusDraft || len(a.Tags) != 2 || a.Series == nil || a.SeriesPosition != 2 {
		t.Fatalf("created %+v, want a draft with 2 tags in part 2 of Talks", a)
	}
	if a.Interviewee != (folio.Interviewee{Name: "Ilse Marwood", Bio: "Economist"}) {
		t.Errorf("interviewee = %+v", a.Interviewee)
	}
	if res := e.do("GET", "/draft-one", nil); res.StatusCode != 404 {
		t.Errorf("public draft = %d, want 404", res.StatusCode)
	}
	// The editor shows the secret preview link; it renders the draft noindex.
	doc := e.do("GET", res.Header.Get("Location"), nil, cookie).doc(t)
	link, _ := doc.Find("#preview-link").Attr("value")
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/preview/") {
		t.Fatalf("preview link %q", link)
	}
	pv := e.do("GET", u.Path, nil)
	if pv.StatusCode != 200 || pv.Header.Get("Cache-Control") != "no-store" || !strings.Contains(pv.text(), `<meta name="robots" content="noindex">`) ||
		!strings.Contains(pv.text(), "<em>text</em>") {
		t.Errorf("secret preview = %d %v", pv.StatusCode, pv.Header)
	}
	if res := e.do("GET", u.Path+"x", nil); res.StatusCode != 404 {
		t.Errorf("wrong preview signature = %d, want 404", res.StatusCode)
	}
	// Preview from the form is the public template, marked noindex.
	pr := e.post("/admin/articles/preview", url.Values{"id": {fmt.Sprint(id)}, "title": {"Changed"}, "body": {"New **body**."}}, cookie)
	if pr.StatusCode != 200 || !strings.Contains(pr.text(), "<strong>body</strong>") || !strings.Contains(pr.text(), `class="post h-entry"`) || !strings.Contains(pr.text(), "noindex") {
		t.Errorf("form preview = %d %.300s", pr.StatusCode, pr.body)
	}
	if e.article(id).Title != "Draft one" {
		t.Error("preview saved the article")
	}
	// Publish, then the public page shows it.
	res = e.post(fmt.Sprintf("/admin/articles/%d", id), url.Values{"title": {"Draft one"}, "body": {"Published text."}, "action": {"publish"}}, cookie)
	if res.StatusCode != 303 || e.do("GET", "/draft-one", nil).StatusCode != 200 {
		t.Fatalf("publish = %d; public page not served", res.StatusCode)
	}
	// Autosave refuses published articles.
	if res := e.post(fmt.Sprintf("/admin/articles/%d/autosave", id), url.Values{"title": {"x"}}, cookie); res.StatusCode != 409 {
		t.Errorf("autosave of a published article = %d, want 409", res.StatusCode)
	}
	// A published slug change redirects the old URL.
	res = e.post(fmt.Sprintf("/admin/articles/%d", id), url.Values{"title": {"Draft one"}, "slug": {"moved"}, "body": {"Published text."}, "action": {"publish"}}, cookie)
	if res.StatusCode != 303 || !strings.HasSuffix(res.Header.Get("Location"), "done=slug") {
		t.Errorf("slug change = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res := e.do("GET", "/draft-one", nil); res.StatusCode != 301 || res.Header.Get("Location") != "/moved" {
		t.Errorf("old slug = %d %s, want 301 to /moved", res.StatusCode, res.Header.Get("Location"))
	}
	// Restore the first revision: content comes back, a revision is added.
	revs, _ := e.store.FindRevisions(context.Background(), id)
	first := revs[len(revs)-1]
	diff := e.do("GET", fmt.Sprintf("/admin/articles/%d/revisions/%d", id, first.ID), nil, cookie)
	if diff.StatusCode != 200 || !strings.Contains(diff.text(), "<ins>") || !strings.Contains(diff.text(), "<del>") {
		t.Errorf("diff page = %d %.300s", diff.StatusCode, diff.body)
	}
	res = e.post(fmt.Sprintf("/admin/articles/%d/revisions/%d/restore", id, first.ID), nil, cookie)
	if res.StatusCode != 303 || e.article(id).Body != "First *text*." {
		t.Errorf("restore = %d, body %q", res.StatusCode, e.article(id).Body)
	}
	if after, _ := e.store.FindRevisions(context.Background(), id); len(after) != len(revs)+1 {
		t.Errorf("%d revisions after restore, want %d", len(after), len(revs)+1)
	}
	// Schedule for a time in the site's zone.
	if err := e.store.SetSetting(context.Background(), settingTimezone, "Asia/Karachi"); err != nil {
		t.Fatal(err)
	}
	res = e.post("/admin/articles", url.Values{"title": {"Later"}, "body": {"Soon."}, "action": {"schedule"}, "published_at": {"2026-05-04T16:00"}}, cookie)
	if res.StatusCode != 303 {
		t.Fatalf("schedule = %d %.300s", res.StatusCode, res.body)
	}
	fmt.Sscanf(res.Header.Get("Location"), "/admin/articles/%d", &id)
	if at := e.article(id).PublishedAt; at == nil || !at.Equal(time.Date(2026, 5, 4, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("scheduled at %v, want 16:00 Karachi = 11:00 UTC", at)
	}
	if e.do("GET", "/later", nil).StatusCode != 404 {
		t.Error("scheduled article public early")
	}
	e.advance(2 * time.Hour)
	if e.do("GET", "/later", nil).StatusCode != 200 {
		t.Error("scheduled article not public at its time")
	}
	// Trash and restore.
	e.post(fmt.Sprintf("/admin/articles/%d", id), url.Values{"action": {"trash"}}, cookie)
	if e.article(id).Status != folio.StatusTrashed || e.do("GET", "/later", nil).StatusCode != 404 {
		t.Error("trash did not take the article down")
	}
	if res := e.do("GET", "/admin/trash", nil, cookie); !strings.Contains(res.text(), "Later") {
		t.Error("trash list lacks the article")
	}
	e.post(fmt.Sprintf("/admin/articles/%d/restore", id), nil, cookie)
	if e.article(id).Status != folio.StatusDraft {
		t.Error("restore did not make a draft")
	}
}

func TestAdminPagesMenuUsersTokens(t *testing.T) {
	e := newTestServer(t)
	cookie := e.session(e.users[folio.RoleAdmin])
	res := e.post("/admin/pages", url.Values{"title": {"About us"}, "body": {"We *write*."}}, cookie)
	if res.StatusCode != 303 {
		t.Fatalf("create page = %d %.300s", res.StatusCode, res.body)
	}
	page := e.do("GET", "/p/about-us", nil)
	if page.StatusCode != 200 || !strings.Contains(page.text(), "<em>write</em>") || page.doc(t).Find("time").Length() != 0 {
		t.Errorf("public page = %d, want the body and no date", page.StatusCode)
	}
	if feed := e.do("GET", "/feed.xml", nil); strings.Contains(feed.text(), "About us") {
		t.Error("a page is in the feed")
	}
	res = e.post("/admin/menu", url.Values{"label_0": {"Second"}, "url_0": {"/p/two"}, "pos_0": {"2"},
		"label_1": {"About"}, "url_1": {"/p/about-us"}, "pos_1": {"1"}, "label_2": {""}, "url_2": {""}, "pos_2": {"3"}}, cookie)
	if res.StatusCode != 303 {
		t.Fatalf("menu = %d %.300s", res.StatusCode, res.body)
	}
	nav := e.do("GET", "/", nil).doc(t).Find("nav.site-menu a")
	if nav.Length() != 2 || nav.First().Text() != "About" || nav.Last().Text() != "Second" {
		t.Errorf("header menu has %d links starting %q, want About then Second", nav.Length(), nav.First().Text())
	}
	// Users: add with an invitation, accept it, log in.
	res = e.post("/admin/users", url.Values{"name": {"Nia New"}, "email": {"nia@example.com"}, "role": {"author"}}, cookie)
	link, _ := res.doc(t).Find("#invite-link").Attr("value")
	u, err := url.Parse(link)
	if res.StatusCode != 200 || err != nil || u.Path != "/admin/invite" {
		t.Fatalf("add user = %d, invite link %q", res.StatusCode, link)
	}
	res = e.post("/admin/invite", url.Values{"token": {u.Query().Get("token")}, "password": {"nia's long password"}, "confirm": {"nia's long password"}})
	if res.StatusCode != 303 || len(res.Cookies()) == 0 {
		t.Errorf("accept invite = %d", res.StatusCode)
	}
	if res := e.do("GET", link[strings.Index(link, "/admin"):], nil); !strings.Contains(res.text(), "no longer valid") {
		t.Error("an invitation works twice")
	}
	nia, err := e.store.FindUserByEmail(context.Background(), "nia@example.com")
	if err != nil || !folio.CheckPassword(nia.PasswordHash, "nia's long password") {
		t.Fatalf("invited user: %v", err)
	}
	e.post(fmt.Sprintf("/admin/users/%d", nia.ID), url.Values{"action": {"role"}, "role": {"editor"}}, cookie)
	e.post(fmt.Sprintf("/admin/users/%d", nia.ID), url.Values{"action": {"deactivate"}}, cookie)
	if nia, _ = e.store.FindUserByID(context.Background(), nia.ID); nia.Role != folio.RoleEditor || !nia.Deactivated {
		t.Errorf("after role change and deactivation: %s deactivated=%v", nia.Role, nia.Deactivated)
	}
	// Tokens: created once, listed without the secret, revoked.
	res = e.post("/admin/tokens", url.Values{"name": {"laptop"}}, cookie)
	secret, _ := res.doc(t).Find("#new-token").Attr("value")
	if !strings.HasPrefix(secret, "folio_") {
		t.Fatalf("new token %q", secret)
	}
	if res := e.do("GET", "/api/v1/articles", nil, "Authorization: Bearer "+secret); res.StatusCode != 200 {
		t.Errorf("new token on the API = %d", res.StatusCode)
	}
	list := e.do("GET", "/admin/tokens", nil, cookie)
	if strings.Contains(list.text(), secret) || !strings.Contains(list.text(), "laptop") {
		t.Error("token list shows the secret or lacks the token")
	}
	toks, _ := e.store.FindTokens(context.Background(), e.users[folio.RoleAdmin].ID)
	for _, tk := range toks {
		if tk.Name == "laptop" {
			e.post(fmt.Sprintf("/admin/tokens/%d/revoke", tk.ID), nil, cookie)
		}
	}
	if res := e.do("GET", "/api/v1/articles", nil, "Authorization: Bearer "+secret); res.StatusCode != 401 {
		t.Errorf("revoked token = %d, want 401", res.StatusCode)
	}
	// Settings: the time zone and title reach the public site.
	res = e.post("/admin/settings", url.Values{"site_title": {"The Review"}, "site_description": {"Long reads"}, "site_lang": {"en"},
		"timezone": {"Europe/Berlin"}, "base_url": {e.ts.URL}, "authors_may_publish": {"true"}}, cookie)
	if res.StatusCode != 303 || !strings.Contains(e.do("GET", "/", nil).text(), "The Review") {
		t.Errorf("settings = %d, or the title is not on the home page", res.StatusCode)
	}
	// Profile: name and password.
	e.withPassword(e.users[folio.RoleAdmin], "the old password")
	res = e.post("/admin/profile/password", url.Values{"current_password": {"wrong password"}, "new_password": {"the new password"}, "confirm_password": {"the new password"}}, cookie)
	if res.StatusCode != 422 || res.doc(t).Find("#current_password-error").Length() != 1 {
		t.Errorf("wrong current password = %d", res.StatusCode)
	}
	res = e.post("/admin/profile/password", url.Values{"current_password": {"the old password"}, "new_password": {"the new password"}, "confirm_password": {"the new password"}}, cookie)
	if res.StatusCode != 303 {
		t.Errorf("change password = %d %.300s", res.StatusCode, res.body)
	}
	if res := e.do("GET", "/admin/profile", nil, cookie); res.StatusCode != 200 {
		t.Errorf("own session after password change = %d, want kept", res.StatusCode)
	}
}
