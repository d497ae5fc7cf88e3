package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// securityHeaders are set on every response. The slices are shared and never
// appended to, so handlers must use Header().Set to change one.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	csp := []string{"default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"}
	adminCSP := []string{strings.Replace(csp[0], "frame-ancestors 'self'", "frame-ancestors 'none'", 1)}
	nosniff := []string{"nosniff"}
	referrer := []string{"strict-origin-when-cross-origin"}
	hsts := []string{"max-age=31536000; includeSubDomains"}
	https := strings.HasPrefix(s.baseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if strings.HasPrefix(r.URL.Path, "/admin") {
			h["Content-Security-Policy"] = adminCSP
			h["X-Frame-Options"] = []string{"DENY"}
		} else {
			h["Content-Security-Policy"] = csp
		}
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = referrer
		if https {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status a handler wrote, for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request (unless request logging is off, as nginx's
// access_log off), records metrics, and turns a panic into a 500 page.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		var id string
		if s.logRequests {
			id = requestID(r)
			w.Header().Set("X-Request-Id", id)
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if sw.status == 0 {
					http.Error(sw, "internal server error", http.StatusInternalServerError)
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observe(r.Pattern, sw.status, d)
			if s.logRequests {
				s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.Int("status", sw.status), slog.Duration("duration", d),
					slog.String("request_id", id))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// requestID returns the id a proxy gave the request, or a fresh one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 {
		return id
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// limitBody caps request bodies; handlers see a *http.MaxBytesError past it.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// statusText returns "404" style strings without allocating for common codes.
func statusText(code int) string {
	switch code {
	case 200:
		return "200"
	case 304:
		return "304"
	case 404:
		return "404"
	}
	return strconv.Itoa(code)
}
