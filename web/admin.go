package web

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"strings"
	"time"

	"folio"
)

// The admin is server-rendered HTML under /admin. Every page is personal,
// so none goes near the page cache and every response is no-store. Forms
// work without JavaScript; admin.js adds live preview and autosave only.

// LoginLimits bounds failed logins, counted in the database so that every
// node shares them. Zero fields take the defaults.
type LoginLimits struct {
	PerAccount int           // failures per e-mail address per window; default 5
	PerAddress int           // failures per client address per window; default 20
	Window     time.Duration // default 15 minutes
}

// adminState is what the admin adds to a Server.
type adminState struct {
	tmpl   map[string]*template.Template
	limits LoginLimits
	// hashing bounds concurrent argon2id computations (64 MiB each), so a
	// login flood queues instead of exhausting memory.
	hashing chan struct{}
	csrf    *http.CrossOriginProtection
}

const sessionCookie = "folio_session"

func (s *Server) initAdmin(cfg Config) error {
	l := cfg.LoginLimits
	if l.PerAccount <= 0 {
		l.PerAccount = 5
	}
	if l.PerAddress <= 0 {
		l.PerAddress = 20
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	s.admin.limits = l
	s.admin.hashing = make(chan struct{}, max(1, runtime.NumCPU()))
	s.admin.csrf = http.NewCrossOriginProtection()
	s.admin.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.adminMessage(w, r, http.StatusForbidden, "Request refused",
			"This form was sent from another site, so it was refused to protect your account. Nothing was changed.", nil)
	}))
	var err error
	s.admin.tmpl, err = s.parseAdminTemplates()
	return err
}

// parseAdminTemplates builds one set per admin page: admin_layout.html
// plus the page's own file.
func (s *Server) parseAdminTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"static": s.static.url}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/admin_layout.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFS, "templates/admin_*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := path.Base(p)
		if name == "admin_layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// adminBase is the part of every admin page the layout reads.
type adminBase struct {
	PageTitle string
	Section   string // highlights the current menu entry
	User      *folio.User
	SiteTitle string
	Notice    string // a confirmation after a redirect
	IsAdmin   bool
	CanEditor bool // admin or editor: pages, menu, everyone's articles
}

func (s *Server) base(ctx context.Context, r *http.Request, u *folio.User, title, section string) adminBase {
	b := adminBase{PageTitle: title, Section: section, User: u, SiteTitle: "Folio", Notice: notices[r.URL.Query().Get("done")]}
	if v, err := s.store.Setting(ctx, settingTitle); err == nil && v != "" {
		b.SiteTitle = v
	}
	if u != nil {
		b.IsAdmin = u.Role == folio.RoleAdmin
		b.CanEditor = u.Role.CanEditOthers()
	}
	return b
}

// notices are the confirmations a redirect can ask for with ?done=; a
// fixed list, so no text from the URL reaches the page.
var notices = map[string]string{
	"saved":       "Saved.",
	"draft":       "Draft saved. It is not public.",
	"published":   "Published. It is live on the site.",
	"scheduled":   "Scheduled. It will appear at its time.",
	"unpublished": "Unpublished. It is a draft again.",
	"trashed":     "Moved to the trash.",
	"restored":    "Restored from the trash as a draft.",
	"deleted":     "Deleted forever.",
	"reverted":    "Revision restored. The previous text is kept as a revision too.",
	"slug":        "The address changed; the old one redirects to the new one.",
	"loggedout":   "You are logged out.",
	"password":    "Password changed. Your other sessions were logged out.",
	"revoked":     "Token revoked.",
	"user":        "User updated.",
	"menu":        "Menu saved.",
	"retried":     "The job will run again shortly.",
}

// form holds submitted values and the errors to show next to fields.
type form struct {
	Values url.Values
	Errors map[string]string
}

func newForm(v url.Values) *form { return &form{Values: v, Errors: map[string]string{}} }

// Get returns a submitted value.
func (f *form) Get(key string) string { return f.Values.Get(key) }

// Err returns the error for a field, or "".
func (f *form) Err(key string) string { return f.Errors[key] }

// Invalid reports whether any field has an error.
func (f *form) Invalid() bool { return len(f.Errors) > 0 }

// setErr records err against its field (or "" for the form), if err is a
// validation or conflict error; it reports whether it was.
func (f *form) setErr(err error, rename map[string]string) bool {
	var ve *folio.ValidationError
	var ce *folio.ConflictError
	var he *httpError
	field, msg := "", ""
	switch {
	case errors.As(err, &ve):
		field, msg = ve.Field, ve.Message
	case errors.As(err, &ce):
		field, msg = ce.Field, ce.Message
	case errors.As(err, &he) && he.status < 500:
		field, msg = he.field, he.message
	default:
		return false
	}
	if to, ok := rename[field]; ok {
		field = to
	}
	if field == "" {
		field = "form"
	}
	if f.Errors[field] == "" {
		f.Errors[field] = upperFirst(msg)
	}
	return true
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// render writes an admin page with status; a template error becomes a 500
// before anything is written.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.admin.tmpl[name]
	if !ok {
		s.logger.Error("unknown admin template", "name", name)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "admin_layout", data); err != nil {
		s.logger.Error("render admin page", "template", name, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type messagePage struct {
	adminBase
	Heading string
	Message string
	Link    *navLink
}

type navLink struct{ URL, Label string }

// adminMessage renders a short page: an error, a refusal, a used link.
func (s *Server) adminMessage(w http.ResponseWriter, r *http.Request, status int, heading, message string, link *navLink) {
	u, _ := r.Context().Value(userKey).(*folio.User)
	b := s.base(r.Context(), r, u, heading, "")
	s.render(w, r, status, "admin_message.html", messagePage{adminBase: b, Heading: heading, Message: message, Link: link})
}

// adminError shows err as a page: its message for a 4xx, a generic one
// (and a log line) for a 5xx.
func (s *Server) adminError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorStatus(err)
	heading := http.StatusText(status)
	msg := upperFirst(body.Message)
	switch {
	case status >= 500:
		s.logger.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side. Please try again in a moment."
	case status == http.StatusForbidden && body.Code == "forbidden" && body.Message == "your role does not allow this":
		msg = "Your role does not allow this."
	case status == http.StatusNotFound:
		msg = "There is nothing here. It may have been deleted."
	}
	s.adminMessage(w, r, status, heading, msg, &navLink{"/admin", "Back to the dashboard"})
}

// adminHandler is an admin action for a logged-in user; a returned error
// is shown with adminError.
type adminHandler func(w http.ResponseWriter, r *http.Request, u *folio.User) error

// adminGuard is what a route requires.
type adminGuard int

const (
	anyRole    adminGuard = iota // any logged-in user
	editorRole                   // admin or editor
	adminRole                    // admin only
)

// adminPublic wraps handlers that need no login (login, setup, invites):
// CSRF protection and no-store.
func (s *Server) adminPublic(h http.HandlerFunc) http.Handler {
	return s.admin.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		h(w, r)
	}))
}

// adminAuth resolves the session cookie, checks the role and runs h. A
// visitor without a session is sent to the login form.
func (s *Server) adminAuth(g adminGuard, h adminHandler) http.Handler {
	return s.admin.csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, adminBodyLimit(r))
		u, _, err := s.sessionUser(r)
		if errors.Is(err, folio.ErrNotFound) {
			if strings.HasSuffix(r.URL.Path, "/autosave") || strings.HasSuffix(r.URL.Path, "/preview") {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "your session ended; log in again"})
				return
			}
			target := "/admin"
			if r.Method == http.MethodGet && r.URL.Path != "/admin" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if err != nil {
			s.adminError(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), userKey, u))
		if (g == editorRole && !u.Role.CanEditOthers()) || (g == adminRole && u.Role != folio.RoleAdmin) {
			s.adminError(w, r, folio.ErrForbidden)
			return
		}
		if err := h(w, r, u); err != nil {
			s.adminError(w, r, err)
		}
	}))
}

// sessionUser returns the user of the request's session cookie, or
// ErrNotFound.
func (s *Server) sessionUser(r *http.Request) (*folio.User, *folio.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 200 {
		return nil, nil, folio.ErrNotFound
	}
	sess, u, err := s.store.FindSession(r.Context(), folio.HashSecret(c.Value))
	if err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

// startSession logs u in: a new session (rotation: any session the
// browser presented is ended) and its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && len(c.Value) <= 200 {
		if err := s.store.DeleteSession(r.Context(), folio.HashSecret(c.Value)); err != nil {
			return err
		}
	}
	secret := folio.NewSecret()
	sess := &folio.Session{Hash: folio.HashSecret(secret), UserID: u.ID, ExpiresAt: s.now().Add(folio.SessionLifetime)}
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(secret, sess.ExpiresAt))
	return nil
}

func (s *Server) sessionCookie(value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{Name: sessionCookie, Value: value, Path: "/admin", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.baseURL, "https://")}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	return c
}

// parseForm reads a posted form; a body too large or malformed is a 4xx.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: "the form is too large"}
		}
		return badRequest("the form could not be read")
	}
	return nil
}

// postedForm reads a POSTed form, with parseForm's errors.
func postedForm(r *http.Request) (*form, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	return newForm(r.PostForm), nil
}

// seeOther redirects after a successful POST, so a reload does not repeat it.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath accepts only a path inside the admin as a redirect target.
func localPath(next string) string {
	if strings.HasPrefix(next, "/admin") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/admin"
}
