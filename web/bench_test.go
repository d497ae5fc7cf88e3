package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, so a benchmark
// measures the handler chain rather than a recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkCachedPages measures what a cache hit costs on top of writing
// the bytes: the middleware, routing, the cache lookup and, for the
// article, filling the comment form's slot.
func BenchmarkCachedPages(b *testing.B) {
	e := newTestServer(b)
	a := e.mustCreateArticle(map[string]any{"title": "Bench", "body": strings.Repeat("Words of a long read. ", 700), "status": "published"})
	h := e.srv.Handler()
	for _, path := range []string{"/" + a.Slug, "/", "/feed.xml"} {
		for _, enc := range []string{"", "gzip"} {
			b.Run(strings.TrimPrefix(path, "/")+"/"+enc, func(b *testing.B) {
				req := httptest.NewRequest("GET", path, nil)
				if enc != "" {
					req.Header.Set("Accept-Encoding", enc)
				}
				w := &discardWriter{h: http.Header{}}
				h.ServeHTTP(w, req) // fill the cache
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
			})
		}
	}
}

// BenchmarkCachedParallel is BenchmarkCachedPages from every core at once,
// which shows contention on shared state (locks, counters).
func BenchmarkCachedParallel(b *testing.B) {
	e := newTestServer(b)
	a := e.mustCreateArticle(map[string]any{"title": "Bench", "body": strings.Repeat("Words of a long read. ", 700), "status": "published"})
	h := e.srv.Handler()
	for _, path := range []string{"/" + a.Slug, "/"} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			h.ServeHTTP(&discardWriter{h: http.Header{}}, httptest.NewRequest("GET", path, nil))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", path, nil)
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					h.ServeHTTP(w, req)
				}
			})
		})
	}
}
