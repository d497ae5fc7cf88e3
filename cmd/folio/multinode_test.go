package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"folio/internal/pgtest"
	"folio/internal/smtptest"

	"github.com/jackc/pgx/v5"
)

// runBin runs the folio binary and returns its stdout, failing t on error.
func runBin(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("folio %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// startNginx runs nginx from Debian with a temporary configuration as the
// load balancer in front of backends, at addr.
func startNginx(t *testing.T, addr string, backends []string) {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx not installed (scripts/test installs it)")
		}
		t.Skip("nginx not installed")
	}
	dir := t.TempDir()
	var ups strings.Builder
	for _, b := range backends {
		fmt.Fprintf(&ups, "    server %s max_fails=1 fail_timeout=2s;\n", strings.TrimPrefix(b, "http://"))
	}
	conf := fmt.Sprintf(`worker_processes 1;
user root;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream folio {
%[2]s    keepalive 32;
  }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://folio;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 1s;
    }
  }
}
`, dir, ups.String(), addr)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", path, "-g", "daemon off;")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGQUIT); cmd.Wait() })
	for i := 0; i < 100; i++ {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nginx did not start: %s", stderr.String())
}

// get fetches a URL and returns its status and body.
func get(url string) (int, string, error) {
	res, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// waitFor polls until ok or the deadline, returning how long it took.
func waitFor(t *testing.T, within time.Duration, what string, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if ok() {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v", what, within)
	return 0
}

type cluster struct {
	bin, db, token, lb string
	nodes              []*server
}

func startCluster(t *testing.T, bin, db string, n int, extra ...string) *cluster {
	t.Helper()
	c := &cluster{bin: bin, db: db, lb: freeAddr(t)}
	runBin(t, bin, "", "user", "add", "--db", db, "--email", "desk@example.com", "--name", "Desk", "--role", "editor")
	c.token = strings.TrimSpace(runBin(t, bin, "", "token", "create", "--db", db, "--email", "desk@example.com"))
	var backends []string
	for i := 0; i < n; i++ {
		args := append([]string{"--db", db, "--base-url", "http://" + c.lb, "--trusted-proxies", "127.0.0.1"}, extra...)
		s := startServer(t, bin, t.TempDir(), args...)
		c.nodes = append(c.nodes, s)
		backends = append(backends, s.base)
	}
	startNginx(t, c.lb, backends)
	return c
}

// publish creates an article through base and returns its slug, or "" and
// the status when the write was not acknowledged.
func (c *cluster) publish(base string, body map[string]any) (string, int, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+"/api/v1/articles", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	var out struct{ Slug string }
	json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode != http.StatusCreated {
		return "", res.StatusCode, nil
	}
	return out.Slug, res.StatusCode, nil
}

// TestManyNodes runs three `folio serve` processes on one PostgreSQL
// database (media in it too) behind nginx: a write through one node reaches
// the others' cached pages within a second, an image uploaded through one
// node is served by all, a scheduled article appears once, a comment mails
// its author once although every node runs jobs, and a node killed with
// SIGKILL under load loses no acknowledged write while the balancer keeps
// serving.
func TestManyNodes(t *testing.T) {
	pgtest.Require(t)
	bin := processTest(t)
	sink := smtptest.Start(t)
	c := startCluster(t, bin, pgtest.NewSchema(t, pgtest.BaseURL()), 3,
		"--media", "postgres", "--smtp-addr", sink.Addr(), "--smtp-from", "site@example.com")

	// Every node caches its home page, then one node publishes.
	for _, n := range c.nodes {
		if st, _, err := get(n.base + "/"); err != nil || st != 200 {
			t.Fatalf("GET / on %s: %d %v", n.base, st, err)
		}
	}
	slug, st, err := c.publish(c.nodes[0].base, map[string]any{"title": "Through node one", "body": "x", "status": "published"})
	if err != nil || slug == "" {
		t.Fatalf("publish: %d %v", st, err)
	}
	for _, n := range c.nodes[1:] {
		d := waitFor(t, time.Second, "article on "+n.base, func() bool {
			_, body, _ := get(n.base + "/")
			return strings.Contains(body, "Through node one")
		})
		t.Logf("seen on %s after %v", n.base, d)
	}

	// A reader opens the article on node two; the form's token must be 2 s
	// old before a post is accepted, so the post comes after the media and
	// scheduling checks below.
	_, page, _ := get(c.nodes[1].base + "/" + slug)
	form := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if form == nil {
		t.Fatal("no comment form on the article")
	}
	formServed := time.Now()

	// An image uploaded through node one is served by the balancer and by
	// each other node from the shared store: same bytes, same ETag, and a
	// 304 for that ETag.
	img := tinyPNG(t)
	media := c.uploadMedia(t, c.nodes[0].base, "dot.png", img)
	for _, base := range []string{"http://" + c.lb, c.nodes[1].base, c.nodes[2].base} {
		res, err := http.Get(base + media.URL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(b, img) || res.Header.Get("ETag") != `"`+media.SHA256+`"` {
			t.Errorf("GET %s%s = %d, %d bytes (same: %v), ETag %q; want 200, the upload, %q", base, media.URL,
				res.StatusCode, len(b), bytes.Equal(b, img), res.Header.Get("ETag"), `"`+media.SHA256+`"`)
		}
		req, _ := http.NewRequest("GET", base+media.URL, nil)
		req.Header.Set("If-None-Match", res.Header.Get("ETag"))
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET %s%s = %d, want 304", base, media.URL, res.StatusCode)
		}
	}

	// A scheduled article appears on every node at its time, once.
	at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	sched, st, err := c.publish(c.nodes[1].base, map[string]any{"title": "Scheduled across nodes", "body": "y",
		"status": "scheduled", "published_at": at.Format(time.RFC3339)})
	if err != nil || sched == "" {
		t.Fatalf("schedule: %d %v", st, err)
	}
	for _, n := range c.nodes {
		if st, _, _ := get(n.base + "/" + sched); st != 404 {
			t.Errorf("scheduled article before its time on %s = %d", n.base, st)
		}
	}
	time.Sleep(time.Until(at))
	for _, n := range c.nodes {
		waitFor(t, 2*time.Second, "scheduled article on "+n.base, func() bool {
			st, _, _ := get(n.base + "/" + sched)
			_, home, _ := get(n.base + "/")
			return st == 200 && strings.Count(home, `href="/`+sched+`"`) == 1
		})
	}
	_, feed, _ := get("http://" + c.lb + "/feed.xml")
	if n := strings.Count(feed, "<title>Scheduled across nodes</title>"); n != 1 {
		t.Errorf("scheduled article in the feed %d times, want once", n)
	}
	// Every node queued the publish job when the time came; it ran once,
	// on one node, at its first attempt. (The article shows at its time
	// whether or not the job has run, visibility being decided at query
	// time, so the job may still be waiting for a worker here.)
	if jobs, attempts := c.jobRuns(t, `kind = 'publish_due' AND (args->>'at')::timestamptz = $1`, at); jobs != 1 || attempts != 1 {
		t.Errorf("publish job for %v: %d jobs, %d attempts; want one job run once", at, jobs, attempts)
	}

	// The comment through node two: its author hears of it once although
	// three nodes run the queue's workers.
	time.Sleep(time.Until(formServed.Add(2100 * time.Millisecond)))
	const probe = "Mail-once probe 4711"
	vals := url.Values{"token": {form[1]}, "name": {"Kim"}, "email": {"kim@example.com"}, "body": {probe}}
	res, err := http.Post(c.nodes[1].base+"/"+slug+"/comments", "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 400 {
		t.Fatalf("comment post = %d", res.StatusCode)
	}
	d := waitFor(t, 5*time.Second, "the author's comment mail", func() bool { return sink.Count("desk@example.com", probe) > 0 })
	t.Logf("comment mail after %v", d)
	mailSeen := time.Now()

	// Load through the balancer while one node dies.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var readFailures, reads atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				st, _, err := get("http://" + c.lb + "/")
				reads.Add(1)
				if err != nil || st != 200 {
					readFailures.Add(1)
				}
			}
		}()
	}
	var acked []string
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			slug, st, err := c.publish("http://"+c.lb, map[string]any{"title": fmt.Sprintf("Under load %d", i), "body": "z", "status": "published"})
			if err == nil && st == http.StatusCreated {
				acked = append(acked, slug)
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	c.nodes[2].cmd.Process.Signal(syscall.SIGKILL)
	wg.Wait()
	if readFailures.Load() > 0 {
		t.Errorf("%d of %d reads through the balancer failed while a node died", readFailures.Load(), reads.Load())
	}
	if len(acked) < 5 {
		t.Fatalf("only %d writes acknowledged under load", len(acked))
	}
	for _, slug := range acked {
		if st, _, _ := get(c.nodes[0].base + "/" + slug); st != 200 {
			t.Errorf("acknowledged article %s missing after the kill (%d)", slug, st)
		}
	}
	t.Logf("%d reads, %d acknowledged writes, node killed mid-run", reads.Load(), len(acked))

	// The load above took longer than any retry or second fetch of the
	// comment's job would: still one mail, from one job run once.
	if wait := time.Until(mailSeen.Add(3 * time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	if n := sink.Count("desk@example.com", probe); n != 1 {
		t.Errorf("the author got %d mails for the comment, want 1", n)
	}
	if jobs, attempts := c.jobRuns(t, `kind = 'comment_notice'`); jobs != 1 || attempts != 1 {
		t.Errorf("comment notice: %d jobs, %d attempts; want one job run once", jobs, attempts)
	}
}

// jobRuns waits up to 15 s for the River jobs matching where to be
// finished and returns how many there are and their attempts in all. Under
// the whole suite's load on two cores a due job has waited over 5 s for a
// worker of the three nodes.
func (c *cluster) jobRuns(t *testing.T, where string, args ...any) (jobs, attempts int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var unfinished int
		err := conn.QueryRow(ctx, `SELECT count(*), COALESCE(sum(attempt), 0),
			count(*) FILTER (WHERE state NOT IN ('completed', 'discarded', 'cancelled')) FROM river_job WHERE `+where, args...).
			Scan(&jobs, &attempts, &unfinished)
		if err != nil {
			t.Fatal(err)
		}
		if (jobs > 0 && unfinished == 0) || time.Now().After(deadline) {
			return jobs, attempts
		}
	}
}

// tinyPNG is a 3×2 PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.NRGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadedMedia is the part of POST /api/v1/media's answer the tests read.
type uploadedMedia struct {
	URL, SHA256, Markdown string
	Width, Height         int
}

// uploadMedia posts a file to base's JSON API and returns the upload,
// its URL made relative.
func (c *cluster) uploadMedia(t *testing.T, base, name string, data []byte) uploadedMedia {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.WriteField("alt", "A dot")
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/media", &body)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m uploadedMedia
	if res.StatusCode != http.StatusCreated || json.Unmarshal(b, &m) != nil || m.URL == "" {
		t.Fatalf("upload = %d %s", res.StatusCode, b)
	}
	if u, err := url.Parse(m.URL); err == nil {
		m.URL = u.Path
	}
	return m
}

// TestDatabaseRestart restarts a private PostgreSQL under two nodes: their
// /readyz reports the outage, and afterwards they serve, write and keep
// their caches coherent again without a restart of their own.
func TestDatabaseRestart(t *testing.T) {
	bin := processTest(t)
	pg := pgtest.StartCluster(t)
	c := startCluster(t, bin, pg.URL(), 2)
	a, b := c.nodes[0], c.nodes[1]
	if st, _, _ := get(b.base + "/"); st != 200 {
		t.Fatal("node b not serving")
	}

	pg.Stop()
	waitFor(t, 5*time.Second, "readyz reporting the outage", func() bool {
		st, _, _ := get(a.base + "/readyz")
		return st == http.StatusServiceUnavailable
	})
	if st, _, _ := get(a.base + "/healthz"); st != 200 {
		t.Errorf("healthz during the outage = %d, want 200 (the process is alive)", st)
	}
	pg.Start()
	waitFor(t, 10*time.Second, "readyz after the restart", func() bool {
		st, _, _ := get(a.base + "/readyz")
		st2, _, _ := get(b.base + "/readyz")
		return st == 200 && st2 == 200
	})
	var slug string
	waitFor(t, 5*time.Second, "a write after the restart", func() bool {
		slug, _, _ = c.publish(a.base, map[string]any{"title": "After the restart", "body": "x", "status": "published"})
		return slug != ""
	})
	waitFor(t, 2*time.Second, "the write on the other node's cached home page", func() bool {
		_, body, _ := get(b.base + "/")
		return strings.Contains(body, "After the restart")
	})
}
