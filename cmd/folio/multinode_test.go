package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"folio/internal/pgtest"

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

func startCluster(t *testing.T, bin, db string, n int) *cluster {
	t.Helper()
	c := &cluster{bin: bin, db: db, lb: freeAddr(t)}
	runBin(t, bin, "", "user", "add", "--db", db, "--email", "desk@example.com", "--name", "Desk", "--role", "editor")
	c.token = strings.TrimSpace(runBin(t, bin, "", "token", "create", "--db", db, "--email", "desk@example.com"))
	var backends []string
	for i := 0; i < n; i++ {
		s := startServer(t, bin, t.TempDir(), "--db", db, "--base-url", "http://"+c.lb, "--trusted-proxies", "127.0.0.1")
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
// database behind nginx: a write through one node reaches the others'
// cached pages within a second, a scheduled article appears once, and a
// node killed with SIGKILL under load loses no acknowledged write while the
// balancer keeps serving.
func TestManyNodes(t *testing.T) {
	pgtest.Require(t)
	bin := processTest(t)
	c := startCluster(t, bin, pgtest.NewSchema(t, pgtest.BaseURL()), 3)

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
	// on one node, at its first attempt.
	conn, err := pgx.Connect(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	var jobs, attempts int
	err = conn.QueryRow(context.Background(), `SELECT count(*), COALESCE(sum(attempt), 0) FROM river_job
		WHERE kind = 'publish_due' AND (args->>'at')::timestamptz = $1`, at).Scan(&jobs, &attempts)
	conn.Close(context.Background())
	if err != nil || jobs != 1 || attempts != 1 {
		t.Errorf("publish job for %v: %d jobs, %d attempts (%v); want one job run once", at, jobs, attempts, err)
	}

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
