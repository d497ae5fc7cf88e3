// Package pgtest gives tests a PostgreSQL of their own: a fresh schema on
// the shared server, or a private cluster they may stop and start.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BaseURL is the shared server the tests use; FOLIO_TEST_POSTGRES overrides it.
func BaseURL() string {
	if u := os.Getenv("FOLIO_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Require skips t when no server answers, unless CI=true, where a missing
// database is a failure rather than a silently green run.
func Require(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, BaseURL())
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(context.WithoutCancel(ctx))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL unreachable at %s: %v", BaseURL(), err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set FOLIO_TEST_POSTGRES): %v", BaseURL(), err)
	}
}

// NewSchema creates a schema of its own for t on the server at base,
// dropped when t ends, and returns a URL whose search_path selects it.
func NewSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := "folio_test_" + hex.EncodeToString(b)
	ident := pgx.Identifier{schema}.Sanitize()
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(context.Background(), "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	// Registered before the stores' Close, so it runs after them.
	t.Cleanup(func() {
		if err := exec(context.Background(), "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Cluster is a private PostgreSQL server (initdb in a temporary folder,
// run as the postgres user on a port of its own) that a test may stop and
// start, never touching the shared one.
type Cluster struct {
	t    testing.TB
	dir  string
	port int
	bin  string
}

// StartCluster initialises and starts a private cluster, skipping t when
// the PostgreSQL server binaries are not installed (failing when CI=true).
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("initdb not found: install postgresql")
		}
		t.Skip("initdb not found")
	}
	c := &Cluster{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "folio-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() {
		c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if out, err := exec.Command("chown", "-R", "postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	if out, err := c.run("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// run runs a PostgreSQL program as the postgres user (the server refuses root).
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	cmdline := append([]string{filepath.Join(c.bin, prog)}, args...)
	if os.Geteuid() == 0 {
		cmdline = append([]string{"runuser", "-u", "postgres", "--"}, cmdline...)
	}
	return exec.Command(cmdline[0], cmdline[1:]...).CombinedOutput()
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
	if out, err := c.run("pg_ctl", "-D", c.data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "start"); err != nil {
		c.t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
}

// Stop stops the server at once, as a crash or a restart would.
func (c *Cluster) Stop() {
	c.t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop"); err != nil && !strings.Contains(string(out), "not running") {
		c.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// URL is the cluster's database URL (database postgres).
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}
