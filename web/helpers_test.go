package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"folio"
	"folio/store/sqlite"
)

// clock is a settable time source shared by the store and the server.
// A live clock runs with the real one, Advance adding an offset (tests
// with a job queue, whose schedule is real time).
type clock struct {
	mu   sync.Mutex
	t    time.Time
	live bool
	off  time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live {
		return time.Now().Add(c.off)
	}
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.off += d
	c.mu.Unlock()
}

// testEnv is a real server on loopback over a fresh SQLite database, with
// one user and API token per role.
type testEnv struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	store  folio.Store
	clock  *clock
	users  map[folio.Role]*folio.User
	tokens map[folio.Role]string
}

func newTestServer(t testing.TB) *testEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newTestServerOn(t, st, &st.Now, nil)
}

// newTestServerOn is newTestServer on a store of the caller's (now is its
// clock field), with cfg changing the server's Config.
func newTestServerOn(t testing.TB, st folio.Store, now *func() time.Time, cfg func(*Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)}
	*now = clk.Now
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := &testEnv{t: t, store: st, clock: clk, users: map[folio.Role]*folio.User{}, tokens: map[folio.Role]string{}}
	env.ts = httptest.NewUnstartedServer(nil)
	base := "http://" + env.ts.Listener.Addr().String()
	c := Config{Store: st, Logger: logger, BaseURL: base, Now: clk.Now}
	if cfg != nil {
		cfg(&c)
	}
	srv, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	env.srv = srv
	env.ts.Config.Handler = srv.Handler()
	env.ts.Start()
	t.Cleanup(env.ts.Close)
	for _, role := range []folio.Role{folio.RoleAdmin, folio.RoleEditor, folio.RoleAuthor} {
		name := map[folio.Role]string{folio.RoleAdmin: "Admin", folio.RoleEditor: "Erin Editor", folio.RoleAuthor: "Arun Author"}[role]
		u := &folio.User{Name: name, Email: string(role) + "@example.com", Role: role}
		if err := u.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret := folio.NewSecret()
		if err := st.CreateToken(ctx, &folio.Token{UserID: u.ID, Name: "test", Hash: folio.HashSecret(secret)}); err != nil {
			t.Fatal(err)
		}
		env.users[role], env.tokens[role] = u, secret
	}
	return env
}

// response is a finished HTTP exchange with its body read.
type response struct {
	*http.Response
	body []byte
}

func (r *response) text() string { return string(r.body) }

func (r *response) doc(t testing.TB) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (r *response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request; body may be a string (sent as is) or any value
// (sent as JSON). headers are "Key: value" strings.
func (e *testEnv) do(method, path string, body any, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{Response: res, body: b}
}

// api sends an authenticated JSON request as a user of role.
func (e *testEnv) api(role folio.Role, method, path string, body any) *response {
	e.t.Helper()
	return e.do(method, path, body, "Authorization: Bearer "+e.tokens[role], "Content-Type: application/json")
}

// createdArticle is the 201 body of POST /api/v1/articles.
type createdArticle struct {
	ID     int64  `json:"id"`
	Slug   string `json:"slug"`
	URL    string `json:"url"`
	Status string `json:"status"`
}

// mustCreateArticle creates an article through the API as an admin.
func (e *testEnv) mustCreateArticle(body map[string]any) createdArticle {
	e.t.Helper()
	res := e.api(folio.RoleAdmin, "POST", "/api/v1/articles", body)
	if res.StatusCode != http.StatusCreated {
		e.t.Fatalf("create article: %d %s", res.StatusCode, res.body)
	}
	var a createdArticle
	res.json(e.t, &a)
	return a
}

// advance moves the clock and lets the server notice, as its ticker would.
func (e *testEnv) advance(d time.Duration) {
	e.clock.Advance(d)
	e.srv.tick(context.Background())
}

// insertApprovedComment adds a comment with raw SQL: the comment system has
// its own issue, but counts are part of every listing already.
func insertApprovedComment(e *testEnv, slug string) error {
	a, err := e.store.FindArticleBySlug(context.Background(), slug)
	if err != nil {
		return err
	}
	db := e.store.(*sqlite.Store).DB()
	_, err = db.Exec(`INSERT INTO comments (article_id, name, email, website, body, status, created_at)
		VALUES ($1, 'Reader', 'r@example.com', '', 'Hi', 'approved', '2026-05-04T09:30:00.000000Z')`, a.ID)
	if err == nil {
		e.srv.Invalidate()
	}
	return err
}
