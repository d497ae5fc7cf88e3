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
	mux.HandleFunc("GET /search", s.handleSearch)
	mux.HandleFunc("GET /opensearch.xml", s.cached(pathKey, s.renderOpenSearch))

	// Operations.
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /metrics", s.metrics.handler())

	// JSON API.
	api := func(h http.HandlerFunc) http.Handler { return limitBody(maxAPIBody, s.authenticated(h)) }
	mux.Handle("GET /api/v1/search", limitBody(maxAPIBody, http.HandlerFunc(s.handleAPISearch))) // public
	mux.Handle("GET /api/v1/articles", api(s.handleAPIArticleList))
	mux.Handle("POST /api/v1/articles", api(s.handleAPIArticleCreate))
	mux.Handle("GET /api/v1/articles/{id}", api(s.handleAPIArticleShow))
	mux.Handle("PATCH /api/v1/articles/{id}", api(s.handleAPIArticleUpdate))
	mux.Handle("DELETE /api/v1/articles/{id}", api(s.handleAPIArticleDelete))

	// Admin (admin*.go): server-rendered, never cached, CSRF-protected by
	// http.CrossOriginProtection; pages and secret draft previews are public.
	mux.HandleFunc("GET /admin", s.handleAdminHome)
	mux.Handle("POST /admin/login", s.adminPublic(s.handleAdminLogin))
	mux.Handle("POST /admin/logout", s.adminPublic(s.handleAdminLogout))
	mux.Handle("GET /admin/setup", s.adminPublic(s.handleAdminSetup))
	mux.Handle("POST /admin/setup", s.adminPublic(s.handleAdminSetup))
	mux.Handle("GET /admin/invite", s.adminPublic(s.handleAdminInvite))
	mux.Handle("POST /admin/invite", s.adminPublic(s.handleAdminInvite))
	mux.Handle("GET /admin/articles", s.adminAuth(anyRole, s.handleAdminArticles))
	mux.Handle("GET /admin/trash", s.adminAuth(anyRole, s.handleAdminArticles))
	mux.Handle("GET /admin/articles/new", s.adminAuth(anyRole, s.handleAdminArticleNew))
	mux.Handle("POST /admin/articles", s.adminAuth(anyRole, s.handleAdminArticleCreate))
	mux.Handle("POST /admin/articles/preview", s.adminAuth(anyRole, s.handleAdminPreview))
	mux.Handle("POST /admin/articles/suggest-tags", s.adminAuth(anyRole, s.handleAdminSuggestTags))
	mux.Handle("POST /admin/articles/autosave", s.adminAuth(anyRole, s.handleAdminAutosave))
	mux.Handle("GET /admin/articles/{id}", s.adminAuth(anyRole, s.handleAdminArticleEdit))
	mux.Handle("POST /admin/articles/{id}", s.adminAuth(anyRole, s.handleAdminArticleSave))
	mux.Handle("POST /admin/articles/{id}/autosave", s.adminAuth(anyRole, s.handleAdminAutosave))
	mux.Handle("POST /admin/articles/{id}/restore", s.adminAuth(anyRole, s.handleAdminArticleRestore))
	mux.Handle("POST /admin/articles/{id}/delete", s.adminAuth(editorRole, s.handleAdminArticleDelete))
	mux.Handle("GET /admin/articles/{id}/revisions", s.adminAuth(anyRole, s.handleAdminRevisions))
	mux.Handle("GET /admin/articles/{id}/revisions/{rev}", s.adminAuth(anyRole, s.handleAdminRevision))
	mux.Handle("POST /admin/articles/{id}/revisions/{rev}/restore", s.adminAuth(anyRole, s.handleAdminRevisionRestore))
	mux.Handle("GET /admin/pages", s.adminAuth(editorRole, s.handleAdminPages))
	mux.Handle("GET /admin/pages/new", s.adminAuth(editorRole, s.handleAdminPageNew))
	mux.Handle("POST /admin/pages", s.adminAuth(editorRole, s.handleAdminPageSave))
	mux.Handle("GET /admin/pages/{id}", s.adminAuth(editorRole, s.handleAdminPageEdit))
	mux.Handle("POST /admin/pages/{id}", s.adminAuth(editorRole, s.handleAdminPageSave))
	mux.Handle("POST /admin/pages/{id}/delete", s.adminAuth(editorRole, s.handleAdminPageDelete))
	mux.Handle("GET /admin/menu", s.adminAuth(editorRole, s.handleAdminMenu))
	mux.Handle("POST /admin/menu", s.adminAuth(editorRole, s.handleAdminMenuSave))
	mux.Handle("GET /admin/users", s.adminAuth(adminRole, s.handleAdminUsers))
	mux.Handle("POST /admin/users", s.adminAuth(adminRole, s.handleAdminUserAdd))
	mux.Handle("POST /admin/users/{id}", s.adminAuth(adminRole, s.handleAdminUserUpdate))
	mux.Handle("GET /admin/jobs", s.adminAuth(adminRole, s.handleAdminJobs))
	mux.Handle("POST /admin/jobs/{id}/retry", s.adminAuth(adminRole, s.handleAdminJobRetry))
	mux.Handle("GET /admin/settings", s.adminAuth(adminRole, s.handleAdminSettings))
	mux.Handle("POST /admin/settings", s.adminAuth(adminRole, s.handleAdminSettingsSave))
	mux.Handle("GET /admin/profile", s.adminAuth(anyRole, s.handleAdminProfile))
	mux.Handle("POST /admin/profile", s.adminAuth(anyRole, s.handleAdminProfileSave))
	mux.Handle("POST /admin/profile/password", s.adminAuth(anyRole, s.handleAdminPassword))
	mux.Handle("GET /admin/tokens", s.adminAuth(anyRole, s.handleAdminTokens))
	mux.Handle("POST /admin/tokens", s.adminAuth(anyRole, s.handleAdminTokenCreate))
	mux.Handle("POST /admin/tokens/{id}/revoke", s.adminAuth(anyRole, s.handleAdminTokenRevoke))
	mux.HandleFunc("GET /p/{slug}", s.cached(pathKey, s.renderPage))
	mux.HandleFunc("GET /preview/{id}/{sig}", s.handlePreviewLink)

	// Reader comments (comments.go, api_comments.go, admin_comments.go).
	mux.HandleFunc("POST /{slug}/comments", s.handleCommentPost)
	mux.HandleFunc("GET /comments.xml", s.cached(pathKey, s.renderSiteCommentFeed))
	mux.HandleFunc("GET /comments/confirm", s.handleSubscriptionConfirm)
	mux.HandleFunc("GET /comments/unsubscribe", s.handleUnsubscribe)
	mux.HandleFunc("POST /comments/unsubscribe", s.handleUnsubscribe)
	mux.Handle("GET /api/v1/comments", api(s.handleAPICommentList))
	mux.Handle("PATCH /api/v1/comments/{id}", api(s.handleAPICommentUpdate))
	mux.Handle("PATCH /api/v1/articles/{id}/comments", api(s.handleAPIArticleComments))
	s.adminCommentRoutes(mux)

	// Media (media.go): uploaded files, their API and admin page.
	s.mediaRoutes(mux)

	// Everything else is a 404 page (JSON under /api/).
	mux.HandleFunc("/", s.notFound)

	return s.realIP(s.observe(s.securityHeaders(mux)))
}

// handleArticleFile serves an article's sub-resources: its share card
// (through the page cache, so it is drawn once per change). Anything else
// is a 404.
func (s *Server) handleArticleFile(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("file") {
	case shareCardFile:
		s.cached(pathKey, s.renderShareCard)(w, r)
	case "comments.xml":
		s.cached(pathKey, s.renderCommentFeed)(w, r)
	case "comments":
		s.cached(pagedKey, s.renderCommentsPage)(w, r)
	default:
		s.notFound(w, r)
	}
}
