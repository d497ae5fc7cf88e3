package web

import (
	"net/http"

	"folio/feed"
)

// routes lists every route, the way miniflux's ui package does. Public
// pages go through s.cached; the article's sub-resources share one
// /{slug}/{file} pattern so the prefixed routes out-rank it (DESIGN.md).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Public site, served from the page cache.
	mux.HandleFunc("GET /{$}", s.cached(pathKey, s.renderHome))
	mux.HandleFunc("GET /page/{n}", s.cached(pathKey, s.renderHome))
	mux.HandleFunc("GET /{slug}", s.cached(pathKey, s.renderArticle))
	mux.HandleFunc("GET /{slug}/{file}", s.handleArticleFile)
	mux.HandleFunc("GET /tag/{slug}", s.cached(pagedKey, s.renderTag))
	mux.HandleFunc("GET /author/{slug}", s.cached(pagedKey, s.renderAuthor))
	mux.HandleFunc("GET /series/{slug}", s.cached(pathKey, s.renderSeries))
	mux.HandleFunc("GET /feed.xml", s.cached(pathKey, s.feedRenderer(feed.RSSContentType, "/feed.xml", feed.RSS)))
	mux.HandleFunc("GET /atom.xml", s.cached(pathKey, s.feedRenderer(feed.AtomContentType, "/atom.xml", feed.Atom)))
	mux.HandleFunc("GET /feed.json", s.cached(pathKey, s.feedRenderer(feed.JSONContentType, "/feed.json", feed.JSON)))
	mux.HandleFunc("GET /sitemap.xml", s.cached(pathKey, s.renderSitemap))
	mux.HandleFunc("GET /robots.txt", s.cached(pathKey, s.renderRobots))
	mux.HandleFunc("GET /static/{file}", s.handleStatic)

	// Operations.
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", s.metrics.handler())

	// JSON API.
	api := func(h http.HandlerFunc) http.Handler { return limitBody(maxAPIBody, s.authenticated(h)) }
	mux.Handle("GET /api/v1/articles", api(s.handleAPIArticleList))
	mux.Handle("POST /api/v1/articles", api(s.handleAPIArticleCreate))
	mux.Handle("GET /api/v1/articles/{id}", api(s.handleAPIArticleShow))
	mux.Handle("PATCH /api/v1/articles/{id}", api(s.handleAPIArticleUpdate))
	mux.Handle("DELETE /api/v1/articles/{id}", api(s.handleAPIArticleDelete))

	// Everything else is a 404 page (JSON under /api/).
	mux.HandleFunc("/", s.notFound)

	return s.observe(s.securityHeaders(mux))
}

// handleArticleFile serves an article's sub-resources: its share card
// (through the page cache, so it is drawn once per change). Anything else
// is a 404.
func (s *Server) handleArticleFile(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("file") {
	case shareCardFile:
		s.cached(pathKey, s.renderShareCard)(w, r)
	default:
		s.notFound(w, r)
	}
}
