package web

import (
	"database/sql"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series a Server exports on /metrics. Each
// Server has its own registry, so tests can run many servers at once.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	cacheHits prometheus.Counter
	cacheMiss prometheus.Counter

	// byRoute caches each route's series, so a request costs two atomic
	// adds instead of two label lookups under the vectors' locks.
	byRoute sync.Map // routeCode → *routeSeries
}

type routeCode struct {
	route string
	code  int
}

type routeSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newMetrics(cachedPages func() int, store any) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "folio_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "folio_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "folio_page_cache_hits_total", Help: "Public pages served from the in-memory cache.",
		}),
		cacheMiss: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "folio_page_cache_misses_total", Help: "Public pages rendered because they were not cached.",
		}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.cacheHits, m.cacheMiss,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "folio_page_cache_entries", Help: "Rendered pages held in memory.",
		}, func() float64 { return float64(cachedPages()) }))
	// The connection pool (open, in use, idle, waits), so operators see
	// what each node holds of PostgreSQL's connections.
	if db, ok := store.(interface{ DB() *sql.DB }); ok {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db.DB(), "folio"))
	}
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	key := routeCode{route, status}
	v, ok := m.byRoute.Load(key)
	if !ok {
		v, _ = m.byRoute.LoadOrStore(key, &routeSeries{
			requests: m.requests.WithLabelValues(route, statusText(status)),
			duration: m.duration.WithLabelValues(route),
		})
	}
	rs := v.(*routeSeries)
	rs.requests.Inc()
	rs.duration.Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
