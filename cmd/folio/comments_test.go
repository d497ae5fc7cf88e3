package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCommentSurvivesKill posts a comment through the real form of a live
// server, kills the server with SIGKILL right after the 201, and finds the
// comment after a restart.
func TestCommentSurvivesKill(t *testing.T) {
	bin := processTest(t)
	data := t.TempDir()
	if _, _, err := runCLI(t, "a long enough password\n", "user", "add", "--data", data, "--email", "admin@example.com",
		"--name", "Admin", "--role", "admin", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "token", "create", "--data", data, "--email", "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	srv := startServer(t, bin, data)
	status, body := srv.request(t, "POST", "/api/v1/articles", token, map[string]any{"title": "Kill me", "body": "Text.", "status": "published"})
	if status != 201 {
		t.Fatalf("create = %d %s", status, body)
	}
	var a struct{ Slug string }
	json.Unmarshal(body, &a)
	status, page := srv.request(t, "GET", "/"+a.Slug, "", nil)
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindSubmatch(page)
	if status != 200 || m == nil {
		t.Fatalf("article = %d, form token found: %v", status, m != nil)
	}
	time.Sleep(2100 * time.Millisecond) // a person types; a robot is refused before 2 s
	form := url.Values{"token": {string(m[1])}, "name": {"Kim"}, "email": {"kim@example.com"}, "body": {"Acknowledged, then killed."}}
	req, _ := http.NewRequest("POST", srv.base+"/"+a.Slug+"/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("post = %d %s", res.StatusCode, b)
	}
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()

	srv2 := startServer(t, bin, data)
	status, body = srv2.request(t, "GET", "/api/v1/comments?status=pending", token, nil)
	if status != 200 || !strings.Contains(string(body), "Acknowledged, then killed.") {
		t.Fatalf("after kill -9: %d %s", status, body)
	}
}

// TestCommentsCLI exports and erases one commenter's data.
func TestCommentsCLI(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"comments"}, "export|erase"},
		{"no email", []string{"comments", "export", "--data", data}, "--email"},
		{"bad email", []string{"comments", "erase", "--data", data, "--email", "nobody"}, "--email"},
	}
	for _, tc := range tests {
		_, stderr, err := runCLI(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error()+stderr, tc.want) {
			t.Errorf("%s: err = %v, want mention of %q", tc.name, err, tc.want)
		}
	}
	out, _, err := runCLI(t, "", "comments", "export", "--data", data, "--email", "Kim@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Email    string `json:"email"`
		Comments []any  `json:"comments"`
	}
	if err := json.Unmarshal([]byte(out), &exp); err != nil || exp.Email != "kim@example.com" || exp.Comments == nil {
		t.Errorf("export = %s (%v)", out, err)
	}
	if _, stderr, err := runCLI(t, "", "comments", "erase", "--data", data, "--email", "kim@example.com"); err != nil || !strings.Contains(stderr, "erased 0 comments") {
		t.Errorf("erase: %v %q", err, stderr)
	}
}
