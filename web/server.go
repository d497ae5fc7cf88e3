// Package web serves Folio over HTTP: the public site, feeds, the JSON API
// and operational endpoints. Public pages are rendered once per content
// change and served from memory.
package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"folio"
	"folio/markdown"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what a Server needs from its caller (cmd/folio).
type Config struct {
	Store   folio.Store
	Logger  *slog.Logger
	BaseURL string // absolute, without a trailing slash
	// LogRequests logs one line per request; off for benchmarks, as
	// nginx's access_log off.
	LogRequests bool
	// PollInterval is how often the server looks for writes made by other
	// processes (the CLI, other nodes) and for scheduled articles that are
	// due. Default 1s.
	PollInterval time.Duration
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed (--trusted-proxies); empty trusts nobody.
	TrustedProxies []netip.Prefix
	// CacheBytes bounds the rendered-page cache. Default 32 MiB.
	CacheBytes int
	// Now is the clock; default time.Now. Tests pin it.
	Now func() time.Time
	// LoginLimits bounds failed admin logins; benchmarks may raise them.
	LoginLimits LoginLimits
	// Comments configures reader comments: limits, SMTP.
	Comments CommentConfig
	// Blobs holds media uploads and rendered share cards; nil keeps no
	// media (share cards are then rendered on request only).
	Blobs folio.BlobStore
	// Jobs is the background queue (package jobs, on River); the queue
	// calls the server's Work to run each job. Nil runs the work in this
	// process, best effort, with scheduled publishing and related lists
	// on Run's tick.
	Jobs folio.JobQueue
}

// Server is Folio's HTTP front. Create it with New, serve Handler, and run
// Run in the background for scheduled publishing and cache coherence.
type Server struct {
	store          folio.Store
	logger         *slog.Logger
	baseURL        string
	logRequests    bool
	poll           time.Duration
	now            func() time.Time
	md             *markdown.Renderer
	tmpl           map[string]*template.Template
	static         *staticFiles
	cache          *pageCache
	renders        singleflight.Group // concurrent misses of one page share a render
	metrics        *metrics
	handler        http.Handler
	fillSlot       slotFiller // per-visit HTML of cached pages (comment form)
	siteCache      atomic.Pointer[cachedSite]
	trustedProxies []netip.Prefix
	admin          adminState
	comments       *commentState
	blobs          folio.BlobStore
	jobs           folio.JobQueue

	mu            sync.Mutex
	version       int64      // last content version seen
	nextScheduled *time.Time // earliest scheduled publish time known
}

// New parses the templates (a broken template stops start-up, not a
// request) and wires the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Logger == nil {
		return nil, fmt.Errorf("web: Store and Logger are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 32 << 20
	}
	s := &Server{
		store:          cfg.Store,
		logger:         cfg.Logger,
		baseURL:        strings.TrimRight(cfg.BaseURL, "/"),
		logRequests:    cfg.LogRequests,
		poll:           cfg.PollInterval,
		now:            cfg.Now,
		md:             markdown.New(),
		cache:          newPageCache(cfg.CacheBytes),
		trustedProxies: cfg.TrustedProxies,
		blobs:          cfg.Blobs,
		jobs:           cfg.Jobs,
	}
	if s.jobs == nil {
		s.jobs = inlineJobs{s}
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	if s.static, err = newStaticFiles(sub); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if s.tmpl, err = s.parseTemplates(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	if err := s.initAdmin(cfg); err != nil {
		return nil, fmt.Errorf("web: admin: %w", err)
	}
	s.metrics = newMetrics(s.cache.len, cfg.Store)
	if cfg.Jobs != nil {
		s.metrics.registry.MustRegister(newJobsCollector(cfg.Jobs))
	}
	s.fillSlot = func(dst []byte, _ *http.Request, _ *page) []byte { return dst }
	if err := s.initComments(cfg); err != nil {
		return nil, fmt.Errorf("web: comments: %w", err)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the root handler with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// Invalidate drops every cached page; the server calls it after its own
// writes, and Run calls it when another process wrote.
func (s *Server) Invalidate() { s.cache.flush() }

// Run notices writes by other processes until ctx ends: one cheap read
// per tick. Scheduled publishing and related lists are jobs (jobs.go);
// without a queue, Run does them too.
func (s *Server) Run(ctx context.Context) {
	if n, ok := s.store.(folio.ChangeNotifier); ok {
		go n.WatchChanges(ctx, s.cache.flush)
	}
	t := time.NewTicker(s.poll)
	defer t.Stop()
	s.tick(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.tick(ctx)
		}
	}
}

func (s *Server) tick(ctx context.Context) {
	_, inline := s.jobs.(inlineJobs)
	if inline {
		s.refreshRelated(ctx) // search.go; its changes bump the version read below
	}
	s.mu.Lock()
	var next time.Time
	due := s.nextScheduled != nil && !s.now().Before(*s.nextScheduled)
	if due {
		next = *s.nextScheduled
	}
	s.mu.Unlock()
	switch {
	case due && inline:
		// The job's own work, here; written below recomputes the next time
		// even when nothing was left to publish.
		if err := s.publishDue(ctx); err != nil {
			s.logger.Error("publish scheduled articles", "err", err)
		}
	case due:
		// Every node sees the time come and queues the job for it; the
		// queue keeps one per publish time, so one node publishes. (Not
		// queued ahead for its time: River looks for scheduled jobs only
		// every 5 s.)
		s.enqueue(ctx, folio.PublishDueJob{At: next.UTC()})
		due = false
	}
	v, err := s.store.ContentVersion(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Error("read content version", "err", err)
		}
		return
	}
	s.mu.Lock()
	changed := v != s.version
	s.version = v
	s.mu.Unlock()
	if changed || due {
		s.written(ctx)
	}
}

// written is called after every write this server makes, and by tick when
// another process wrote: cached pages go at once and the schedule is
// reread.
func (s *Server) written(ctx context.Context) {
	s.cache.flush()
	next, err := s.store.NextScheduled(ctx)
	if err != nil {
		s.logger.Error("find next scheduled article", "err", err)
		return
	}
	s.mu.Lock()
	s.nextScheduled = next
	s.mu.Unlock()
}
