package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"folio"
	"folio/demo"
	"folio/store/postgres"
	"folio/web"
)

const settingSetupToken = "setup_token_hash"

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("serve", stderr)
	dbFlags(fs, &c)
	fs.StringVar(&c.Addr, "addr", env("FOLIO_ADDR", "127.0.0.1:8080"), "address to listen on")
	fs.StringVar(&c.BaseURL, "base-url", env("FOLIO_BASE_URL", ""), "public URL of the site (default http://<addr>)")
	fs.BoolVar(&c.Demo, "demo", false, "seed demo content into an empty site")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("FOLIO_DEBUG_ADDR", ""), "address for /debug/pprof (profiling), e.g. 127.0.0.1:6060; off when empty")
	fs.StringVar(&c.LogFormat, "log-format", env("FOLIO_LOG_FORMAT", "text"), "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", env("FOLIO_LOG_LEVEL", "info"), "least severe level logged: debug, info, warn or error")
	fs.BoolVar(&c.LogRequests, "log-requests", envBool("FOLIO_LOG_REQUESTS", true), "log one line per request")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("FOLIO_TRUSTED_PROXIES", ""), "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed")
	logins, err := loginFlags(fs)
	if err != nil {
		return err
	}
	comments, err := commentFlags(fs)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.validateServe(); err != nil {
		return err
	}
	logger, err := newLogger(stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		return err
	}
	proxies, err := web.ParseTrustedProxies(c.TrustedProxies)
	if err != nil {
		return usageError(fmt.Sprintf("--trusted-proxies: %v", err))
	}

	// Listen first, so /healthz answers as soon as the process is up.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	store, err := openStore(ctx, &c)
	if err != nil {
		ln.Close()
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	if pg, ok := store.(*postgres.Store); ok {
		pg.OnListenError(func(err error) { logger.Warn("change listener reconnecting", "err", err) })
	}

	if c.Demo {
		seeded, err := demo.Seed(ctx, store)
		if err != nil {
			return fmt.Errorf("seed demo content: %w", err)
		}
		if seeded {
			logger.Info("demo content seeded")
		} else {
			logger.Info("demo content skipped: the site already has articles")
		}
	}
	if err := announceSetup(ctx, store, c.BaseURL, stderr); err != nil {
		return err
	}
	blobs, err := openBlobs(ctx, &c, store)
	if err != nil {
		return err
	}

	// The job queue: River's tables beside the store's, migrated now;
	// it starts working once the server that does the work exists.
	queue, err := openJobs(ctx, &c, logger)
	if err != nil {
		return fmt.Errorf("open job queue: %w", err)
	}
	defer queue.Close()

	srv, err := web.New(web.Config{Store: store, Logger: logger, BaseURL: c.BaseURL, LogRequests: c.LogRequests,
		TrustedProxies: proxies, Comments: *comments, LoginLimits: *logins, Jobs: queue, Blobs: blobs})
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	go srv.Run(bg)
	if err := queue.Start(bg, srv); err != nil {
		return err
	}

	if c.DebugAddr != "" {
		go serveDebug(c.DebugAddr, logger)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String(), "base_url", c.BaseURL)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Running jobs finish (or are cancelled at the deadline and retried
	// later by any node); queued ones wait for the next start.
	if err := queue.Stop(shutdownCtx); err != nil {
		return err
	}
	return nil
}

// newLogger builds the one logger the server passes down (STYLE.md): text
// for a terminal, JSON for log collectors.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError(fmt.Sprintf("--log-level %q: want debug, info, warn or error", level))
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError(fmt.Sprintf("--log-format %q: want text or json", format))
}

// announceSetup prints the one-time setup link when nobody can log in yet.
// Only the token's hash is stored, so the link is single-use and valid on
// any node; a restart issues a fresh one.
func announceSetup(ctx context.Context, store folio.Store, baseURL string, stderr io.Writer) error {
	n, err := store.CountUsers(ctx, true)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return nil
	}
	token := folio.NewSecret()
	if err := store.SetSetting(ctx, settingSetupToken, folio.HashSecret(token)); err != nil {
		return fmt.Errorf("store setup token: %w", err)
	}
	// A plain line, not a log record, so it can be copied or grepped as is.
	fmt.Fprintf(stderr, "setup: %s/admin/setup?token=%s\n", baseURL, token)
	return nil
}

// serveDebug serves the runtime's profiles on their own listener, never on
// the public one: a profile shows what the server is doing.
func serveDebug(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	logger.Info("debug server", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		logger.Error("debug server", "err", err)
	}
}
