package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// runCLI runs a command in-process and returns its stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestUserAndToken(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, _, err := runCLI(t, "correct horse battery\n", "user", "add", "--data", data, "--email", "Ed@Example.com",
		"--name", "Ed Itor", "--role", "editor", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLI(t, "", "token", "create", "--data", data, "--email", "ed@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^folio_[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
		t.Errorf("token stdout = %q, want the token alone on one line", out)
	}
	if !strings.Contains(errOut, "shown once") {
		t.Errorf("stderr = %q", errOut)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"duplicate email", "another password\n", []string{"user", "add", "--data", data, "--email", "ed@example.com", "--name", "X", "--role", "author", "--password-stdin"}, "already"},
		{"bad role", "", []string{"user", "add", "--data", data, "--email", "a@example.com", "--name", "X", "--role", "king"}, "role"},
		{"bad email", "", []string{"user", "add", "--data", data, "--email", "not-an-email", "--name", "X"}, "email"},
		{"short password", "short\n", []string{"user", "add", "--data", data, "--email", "b@example.com", "--name", "X", "--password-stdin"}, "password"},
		{"unknown user", "", []string{"token", "create", "--data", data, "--email", "nobody@example.com"}, "not found"},
		{"missing email", "", []string{"token", "create", "--data", data}, "--email"},
		{"unknown command", "", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", "", []string{"serve", "--nope"}, "flag provided but not defined"},
		{"bad addr", "", []string{"serve", "--addr", "nonsense", "--data", data}, "--addr"},
		{"bad base url", "", []string{"serve", "--base-url", "ftp://x", "--data", data}, "--base-url"},
		{"bad login limit", "", []string{"serve", "--login-limit", "lots", "--data", data}, "N/DURATION"},
		{"bad comment limit", "", []string{"serve", "--comment-limit", "0/1m", "--data", data}, "N/DURATION"},
		{"bad log format", "", []string{"serve", "--log-format", "xml", "--data", data}, "--log-format"},
		{"bad trusted proxies", "", []string{"serve", "--trusted-proxies", "10.0.0.0/99", "--data", data}, "--trusted-proxies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := runCLI(t, tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error()+stderr, tc.want) {
				t.Errorf("err = %v (stderr %q), want mention of %q", err, stderr, tc.want)
			}
		})
	}
	if out, _, _ := runCLI(t, "", "version"); !strings.HasPrefix(out, "folio ") {
		t.Errorf("version = %q", out)
	}
}

// buildBinary compiles cmd/folio once for the process tests.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "folio-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "folio")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// processTest marks t as one that runs the real binary (skipped with
// -short, parallel otherwise) and returns the binary's path.
func processTest(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the folio binary")
	}
	t.Parallel()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a `folio serve` child process.
type server struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startServer(t *testing.T, bin, data string, extra ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--addr", addr, "--data", data}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "FOLIO_LOG_REQUESTS=false")
	s := &server{cmd: cmd, base: "http://" + addr, stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 && strings.Contains(s.stderr.String(), "serving") {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start; stderr:\n%s", s.stderr.String())
	return nil
}

func (s *server) request(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestServeSurvivesKill publishes through the API of a live server, with
// users and tokens made by the CLI while it runs, then kills it with
// SIGKILL and checks that the acknowledged article is served after restart.
func TestServeSurvivesKill(t *testing.T) {
	bin := processTest(t)
	data := t.TempDir()
	srv := startServer(t, bin, data)
	setup := regexp.MustCompile(`(?m)^setup: (http://\S+/admin/setup\?token=folio_\S+)$`).FindStringSubmatch(srv.stderr.String())
	if setup == nil {
		t.Fatalf("no setup line in:\n%s", srv.stderr.String())
	}
	if !strings.HasPrefix(setup[1], srv.base+"/") {
		t.Errorf("setup URL %q is not absolute on the base URL", setup[1])
	}

	// CLI commands against the live site.
	cli := func(stdin string, args ...string) string { return runBin(t, bin, stdin, args...) }
	cli("a long enough password\n", "user", "add", "--data", data, "--email", "admin@example.com", "--name", "Admin", "--role", "admin", "--password-stdin")
	token := strings.TrimSpace(cli("", "token", "create", "--data", data, "--email", "admin@example.com"))

	status, body := srv.request(t, "POST", "/api/v1/articles", token, map[string]any{
		"title": "Survives a crash", "question": "Will it last?", "body": "It “will”.", "status": "published",
		"tags": []string{"Russia", "Pakistan", "Energy"}, "series": map[string]any{"slug": "crash", "title": "Crash", "position": 2}})
	if status != 201 {
		t.Fatalf("create = %d %s", status, body)
	}
	var created struct{ Slug, URL string }
	json.Unmarshal(body, &created)
	if status, _ := srv.request(t, "GET", "/"+created.Slug, "", nil); status != 200 {
		t.Fatalf("article before kill = %d", status)
	}

	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()

	srv2 := startServer(t, bin, data)
	status, page := srv2.request(t, "GET", "/"+created.Slug, "", nil)
	if status != 200 || !bytes.Contains(page, []byte("Will it last?")) || !bytes.Contains(page, []byte("Part 2 of 2")) {
		t.Fatalf("article after kill -9 = %d", status)
	}
	if strings.Contains(srv2.stderr.String(), "setup:") {
		t.Error("setup line printed although an admin exists")
	}

	// Graceful shutdown on SIGTERM.
	srv2.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv2.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("server did not stop on SIGTERM")
	}
}

// TestServeDemo checks that --demo seeds an empty site once.
func TestServeDemo(t *testing.T) {
	bin := processTest(t)
	data := t.TempDir()
	srv := startServer(t, bin, data, "--demo")
	status, home := srv.request(t, "GET", "/", "", nil)
	if status != 200 || bytes.Count(home, []byte(`class="article-summary"`)) < 5 {
		t.Fatalf("demo home = %d with %d articles", status, bytes.Count(home, []byte(`class="article-summary"`)))
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()
	srv2 := startServer(t, bin, data, "--demo")
	if !strings.Contains(srv2.stderr.String(), "demo content skipped") {
		t.Errorf("second --demo did not skip:\n%s", srv2.stderr.String())
	}
	_, home2 := srv2.request(t, "GET", "/", "", nil)
	if bytes.Count(home2, []byte(`class="article-summary"`)) != bytes.Count(home, []byte(`class="article-summary"`)) {
		t.Error("second --demo changed the home page")
	}
}

func TestBackupRestoreCLI(t *testing.T) {
	t.Parallel()
	src, dst := t.TempDir(), t.TempDir()
	if _, _, err := runCLI(t, "", "user", "add", "--data", src, "--email", "kept@example.com", "--name", "Kept", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "site.folio.gz")
	if _, _, err := runCLI(t, "", "backup", file, "--data", src); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runCLI(t, "", "restore", "--data", dst, file); err != nil {
		t.Fatalf("restore: %v %s", err, stderr)
	}
	// The user came across: adding it again is a conflict.
	if _, _, err := runCLI(t, "", "user", "add", "--data", dst, "--email", "kept@example.com", "--name", "Again", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("user after restore: err = %v, want a conflict", err)
	}
	for name, args := range map[string][]string{
		"non-empty target": {"restore", "--data", dst, file},
		"missing file":     {"restore", "--data", dst, filepath.Join(t.TempDir(), "nope.gz")},
		"not gzip":         {"restore", "--data", t.TempDir(), "main_test.go"},
		"no file":          {"backup", "--data", src},
	} {
		if _, _, err := runCLI(t, "", args...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
