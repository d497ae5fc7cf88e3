package web

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestCachedMissesShareOneRender: readers who miss the same page at once
// (after a flush, say) wait for one render instead of each starting one,
// and every one of them gets the page.
func TestCachedMissesShareOneRender(t *testing.T) {
	e := newTestServer(t)
	var renders atomic.Int32
	release := make(chan struct{})
	h := e.srv.cached(pathKey, func(r *http.Request) (*page, error) {
		renders.Add(1)
		<-release
		return newPage(http.StatusOK, "text/plain; charset=utf-8", []byte("rendered once")), nil
	})
	const readers = 20
	misses := counterValue(e.srv.metrics.cacheMiss)
	var wg sync.WaitGroup
	codes := make([]int, readers)
	bodies := make([]string, readers)
	for i := range readers {
		wg.Go(func() {
			w := httptest.NewRecorder()
			h(w, httptest.NewRequest("GET", "/herd", nil))
			codes[i], bodies[i] = w.Code, w.Body.String()
		})
	}
	// Let every reader miss before the render finishes: the miss counter
	// moves just before a reader joins the render.
	deadline := time.Now().Add(10 * time.Second)
	for counterValue(e.srv.metrics.cacheMiss) < misses+readers && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("%d renders for %d concurrent misses, want 1", n, readers)
	}
	for i := range readers {
		if codes[i] != http.StatusOK || bodies[i] != "rendered once" {
			t.Errorf("reader %d got %d %q", i, codes[i], bodies[i])
		}
	}
	// A flush starts a new generation: the next miss renders again.
	e.srv.cache.flush()
	w := httptest.NewRecorder()
	h(w, httptest.NewRequest("GET", "/herd", nil))
	if n := renders.Load(); n != 2 || w.Body.String() != "rendered once" {
		t.Errorf("after a flush: %d renders, body %q; want a second render", n, w.Body.String())
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
