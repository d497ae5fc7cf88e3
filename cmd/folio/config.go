package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"folio"
	"folio/jobs"
	"folio/store/postgres"
	"folio/store/sqlite"
)

// Config is everything the commands read from flags and the environment.
// A flag beats its FOLIO_* variable, which beats the default.
type Config struct {
	Addr           string
	Data           string
	DB             string
	BaseURL        string
	Demo           bool
	LogRequests    bool
	LogFormat      string
	LogLevel       string
	TrustedProxies string
	DebugAddr      string
	Media          string // local, postgres or s3://… (openBlobs)
}

// dbFlags registers --data and --db, which every database command takes.
func dbFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Data, "data", env("FOLIO_DATA", "./folio-data"), "data directory (SQLite database, media, caches)")
	fs.StringVar(&c.DB, "db", env("FOLIO_DB", ""), "database URL: postgres://... for PostgreSQL; default SQLite at <data>/folio.db")
	fs.StringVar(&c.Media, "media", env("FOLIO_MEDIA", "local"), "media store: local (<data>/media), postgres (in the --db database) or s3://ACCESS:SECRET@host:port/bucket?secure=false&region=R")
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, err := strconv.ParseBool(env(key, "")); err == nil {
		return v
	}
	return def
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// validateServe checks the serve settings once, at start.
func (c *Config) validateServe() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return usageError(fmt.Sprintf("--addr %q: want host:port", c.Addr))
	}
	if c.BaseURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return usageError(fmt.Sprintf("--base-url %q: want an absolute http(s) URL", c.BaseURL))
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return nil
}

// openStore opens the database the config names, running migrations.
// openJobs opens the background queue on the database the store uses:
// River's pgx driver on PostgreSQL, its SQLite driver on the same file.
func openJobs(ctx context.Context, c *Config, logger *slog.Logger) (*jobs.Queue, error) {
	o := jobs.Options{Logger: logger}
	if strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://") {
		return jobs.OpenPostgres(ctx, c.DB, o)
	}
	path := strings.TrimPrefix(c.DB, "sqlite:")
	if path == "" {
		path = filepath.Join(c.Data, "folio.db")
	}
	return jobs.OpenSQLite(ctx, path, o)
}

func openStore(ctx context.Context, c *Config) (folio.Store, error) {
	if strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://") {
		return postgres.Open(ctx, c.DB)
	}
	path := strings.TrimPrefix(c.DB, "sqlite:")
	if path == "" {
		if err := os.MkdirAll(c.Data, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path = filepath.Join(c.Data, "folio.db")
	}
	return sqlite.Open(ctx, path)
}
