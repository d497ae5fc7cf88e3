// Command ceiling measures the Go runtime's ceiling for scripts/bench: a bare
// net/http server that answers every request with the same bytes, read once
// from a file at start. No routing, middleware, logging or compression, so
// whatever Folio loses against it is Folio's own overhead.
//
// Usage:
//
//	go run ./scripts/ceiling -addr 127.0.0.1:18082 -file article.html
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18082", "address to listen on")
	file := flag.String("file", "", "file whose bytes every response carries (required)")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *file, logger); err != nil {
		logger.Error("ceiling failed", "err", err)
		os.Exit(1)
	}
}

func run(addr, file string, logger *slog.Logger) error {
	if file == "" {
		return fmt.Errorf("-file is required")
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read page: %w", err)
	}
	// The header values are built once; the keys are already canonical.
	contentType := []string{"text/html; charset=utf-8"}
	contentLength := []string{strconv.Itoa(len(body))}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = contentType
		h["Content-Length"] = contentLength
		w.Write(body)
	})
	srv := &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	logger.Info("ceiling listening", "addr", addr, "file", file, "bytes", len(body))
	return srv.ListenAndServe()
}
