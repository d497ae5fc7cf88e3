package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"folio"
)

// maxAPIBody bounds an API request: the largest body plus JSON overhead.
const maxAPIBody = folio.MaxBodyBytes + 256<<10

type ctxKey int

const userKey ctxKey = 0

// authenticated resolves the bearer token on every request (no cache, so a
// token created or revoked by the CLI counts at once) and rejects the
// request with 401 when it is missing or unknown.
func (s *Server) authenticated(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" || len(token) > 200 {
			s.writeJSONError(w, r, folio.ErrUnauthorized)
			return
		}
		u, err := s.store.FindUserByTokenHash(r.Context(), folio.HashSecret(strings.TrimSpace(token)))
		if errors.Is(err, folio.ErrNotFound) {
			err = folio.ErrUnauthorized
		}
		if err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), userKey, u)))
	})
}

func currentUser(r *http.Request) *folio.User {
	u, _ := r.Context().Value(userKey).(*folio.User)
	return u
}

// Access rules (DESIGN.md): admins and editors act on every article;
// authors on their own, and publish only when the site allows it.
const settingAuthorsMayPublish = "authors_may_publish"

func isAuthorOf(u *folio.User, a *folio.Article) bool {
	for _, au := range a.Authors {
		if au.ID == u.ID {
			return true
		}
	}
	return false
}

func canEdit(u *folio.User, a *folio.Article) bool { return u.Role.CanEditOthers() || isAuthorOf(u, a) }

func (s *Server) canPublish(ctx context.Context, u *folio.User) (bool, error) {
	if u.Role.CanEditOthers() {
		return true, nil
	}
	v, err := s.store.Setting(ctx, settingAuthorsMayPublish)
	return v != "false", err
}

// articleJSON is an article as the API shows it.
type articleJSON struct {
	ID          int64          `json:"id"`
	Title       string         `json:"title"`
	Slug        string         `json:"slug"`
	URL         string         `json:"url"`
	Question    string         `json:"question"`
	Body        string         `json:"body"`
	Summary     string         `json:"summary"`
	Lang        string         `json:"lang"`
	Interviewee *intervieweeJS `json:"interviewee,omitempty"`
	Status      folio.Status   `json:"status"`
	PublishedAt *time.Time     `json:"published_at"`
	ModifiedAt  *time.Time     `json:"modified_at"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Authors     []authorJSON   `json:"authors"`
	Tags        []string       `json:"tags"`
	Series      *seriesJSON    `json:"series"`
	Translation int64          `json:"translation_group,omitempty"`
	Comments    int            `json:"comment_count"`
}

type intervieweeJS struct {
	Name string `json:"name"`
	Bio  string `json:"bio"`
}

type authorJSON struct {
	Name  string `json:"name"`
	Slug  string `json:"slug"`
	Email string `json:"email"`
}

type seriesJSON struct {
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Position int    `json:"position"`
}

func (s *Server) articleJSON(a *folio.Article) articleJSON {
	out := articleJSON{ID: a.ID, Title: a.Title, Slug: a.Slug, URL: s.baseURL + articlePath(a.Slug), Question: a.Question,
		Body: a.Body, Summary: a.Summary, Lang: a.Lang, Status: a.Status, PublishedAt: a.PublishedAt, ModifiedAt: a.ModifiedAt,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Comments: a.CommentCount, Translation: a.TranslationGroup, Authors: []authorJSON{}, Tags: []string{}}
	if a.Interviewee != (folio.Interviewee{}) {
		out.Interviewee = &intervieweeJS{a.Interviewee.Name, a.Interviewee.Bio}
	}
	for _, au := range a.Authors {
		out.Authors = append(out.Authors, authorJSON{au.Name, au.Slug, au.Email})
	}
	for _, t := range a.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	if a.Series != nil {
		out.Series = &seriesJSON{a.Series.Slug, a.Series.Title, a.SeriesPosition}
	}
	return out
}

// decodeJSON reads a JSON object into fields. Syntax errors are 400; a
// value of the wrong type names its field with 422, so a client can fix it.
func decodeJSON(r *http.Request, fields map[string]json.RawMessage) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return &httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json"}
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&fields); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return &httpError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: fmt.Sprintf("the body must be at most %d bytes", mbe.Limit)}
		case errors.Is(err, io.EOF):
			return badRequest("the body must be a JSON object")
		default:
			var ute *json.UnmarshalTypeError
			if errors.As(err, &ute) && ute.Field == "" {
				return badRequest("the body must be a JSON object")
			}
			return badRequest("malformed JSON: " + err.Error())
		}
	}
	if dec.More() {
		return badRequest("malformed JSON: more than one value in the body")
	}
	return nil
}

// field decodes one named field into dst when present, reporting whether it was.
func field(fields map[string]json.RawMessage, name string, dst any) (bool, error) {
	raw, ok := fields[name]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return true, folio.Invalid(name, "has the wrong type")
	}
	return true, nil
}

// decodeRequired reads a JSON object whose one field that matters is name,
// which must be present; missing is reported with message.
func decodeRequired(r *http.Request, name string, dst any, message string) error {
	fields := map[string]json.RawMessage{}
	if err := decodeJSON(r, fields); err != nil {
		return err
	}
	ok, err := field(fields, name, dst)
	if err == nil && !ok {
		err = folio.Invalid(name, "%s", message)
	}
	return err
}

// articleFields is the writable part of an article in an API request; a
// nil field was absent (or null).
type articleFields struct {
	title, slug, question, body, summary, lang, authorEmail *string
	status                                                  *folio.Status
	publishedAt                                             *time.Time
	publishedAtSet                                          bool
	tags                                                    *[]string
	series                                                  *folio.SeriesRef
	seriesSet                                               bool // with series nil: remove from its series
	interviewee                                             *folio.Interviewee
	translationOf                                           *int64 // 0 leaves the translation group
}

func parseArticleFields(fields map[string]json.RawMessage) (*articleFields, error) {
	f := &articleFields{}
	for name, dst := range map[string]**string{"title": &f.title, "slug": &f.slug, "question": &f.question,
		"body": &f.body, "summary": &f.summary, "lang": &f.lang, "author_email": &f.authorEmail} {
		if _, err := field(fields, name, dst); err != nil {
			return nil, err
		}
	}
	if _, err := field(fields, "status", &f.status); err != nil {
		return nil, err
	}
	if f.status != nil && !f.status.Valid() {
		return nil, folio.Invalid("status", "must be draft, published, scheduled or trashed")
	}
	var at *string
	if ok, err := field(fields, "published_at", &at); err != nil {
		return nil, err
	} else if ok {
		f.publishedAtSet = true
		if at != nil && *at != "" {
			t, err := time.Parse(time.RFC3339, *at)
			if err != nil {
				return nil, folio.Invalid("published_at", "must be an RFC 3339 time such as 2026-05-01T09:00:00Z")
			}
			f.publishedAt = &t
		}
	}
	if _, err := field(fields, "tags", &f.tags); err != nil {
		return nil, err
	}
	var series *seriesJSON
	ok, err := field(fields, "series", &series)
	if err != nil {
		return nil, err
	}
	if f.seriesSet = ok; series != nil {
		f.series = &folio.SeriesRef{Slug: series.Slug, Title: series.Title, Position: series.Position}
	}
	if _, err := field(fields, "translation_of", &f.translationOf); err != nil {
		return nil, err
	}
	var iv *intervieweeJS
	if _, err := field(fields, "interviewee", &iv); err != nil {
		return nil, err
	}
	if iv != nil {
		f.interviewee = &folio.Interviewee{Name: strings.TrimSpace(iv.Name), Bio: strings.TrimSpace(iv.Bio)}
	}
	return f, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// checkTranslationOf lets a user join only an article they may edit: the
// store also changes the original's group. Not found and not allowed read
// alike, so the answer does not tell which unpublished ids exist.
func (s *Server) checkTranslationOf(ctx context.Context, u *folio.User, of *int64) error {
	if of == nil || *of == 0 {
		return nil
	}
	a, err := s.store.FindArticleByID(ctx, *of)
	if errors.Is(err, folio.ErrNotFound) || (err == nil && !canEdit(u, a)) {
		return folio.Invalid("translation_of", "no article you can edit has id %d", *of)
	}
	return err
}

// authorIDs resolves author_email: only admins and editors may write in
// someone else's name.
func (s *Server) authorIDs(ctx context.Context, u *folio.User, f *articleFields) ([]int64, error) {
	if f.authorEmail == nil || folio.NormalizeEmail(*f.authorEmail) == u.Email {
		return []int64{u.ID}, nil
	}
	if !u.Role.CanEditOthers() {
		return nil, folio.ErrForbidden
	}
	au, err := s.store.FindUserByEmail(ctx, folio.NormalizeEmail(*f.authorEmail))
	if errors.Is(err, folio.ErrNotFound) {
		return nil, folio.Invalid("author_email", "no user has this e-mail address")
	}
	if err != nil {
		return nil, err
	}
	return []int64{au.ID}, nil
}

func (s *Server) handleAPIArticleCreate(w http.ResponseWriter, r *http.Request) {
	if err := s.createArticle(w, r); err != nil {
		s.writeJSONError(w, r, err)
	}
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), currentUser(r)
	fields := map[string]json.RawMessage{}
	if err := decodeJSON(r, fields); err != nil {
		return err
	}
	f, err := parseArticleFields(fields)
	if err != nil {
		return err
	}
	in := folio.ArticleInput{Title: deref(f.title), Slug: deref(f.slug), Question: deref(f.question), Body: deref(f.body),
		Summary: deref(f.summary), Lang: deref(f.lang), Interviewee: deref(f.interviewee), Status: deref(f.status),
		PublishedAt: f.publishedAt, Tags: deref(f.tags), Series: f.series, TranslationOf: deref(f.translationOf), EditorID: u.ID}
	if err := in.Validate(s.now()); err != nil {
		return err
	}
	if err := s.checkTranslationOf(ctx, u, f.translationOf); err != nil {
		return err
	}
	if in.Status != folio.StatusDraft {
		if ok, err := s.canPublish(ctx, u); err != nil {
			return err
		} else if !ok {
			return &httpError{status: http.StatusForbidden, code: "forbidden", message: "authors may not publish on this site; save a draft for an editor", field: "status"}
		}
	}
	if in.AuthorIDs, err = s.authorIDs(ctx, u, f); err != nil {
		return err
	}
	a, err := s.store.CreateArticle(ctx, in)
	if err != nil {
		return err
	}
	s.articleWritten(ctx, a.ID)
	s.logger.Info("article created", "article_id", a.ID, "slug", a.Slug, "status", a.Status, "user_id", u.ID)
	w.Header().Set("Location", fmt.Sprintf("/api/v1/articles/%d", a.ID))
	writeJSON(w, http.StatusCreated, struct {
		articleJSON
	}{s.articleJSON(a)})
	return nil
}

func (s *Server) loadArticle(r *http.Request) (*folio.Article, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return nil, folio.ErrNotFound
	}
	a, err := s.store.FindArticleByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !canEdit(currentUser(r), a) {
		return nil, folio.ErrForbidden
	}
	return a, nil
}

func (s *Server) handleAPIArticleShow(w http.ResponseWriter, r *http.Request) {
	a, err := s.loadArticle(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.articleJSON(a))
}

func (s *Server) handleAPIArticleList(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	q := r.URL.Query()
	f := folio.ArticleFilter{Query: q.Get("q"), Limit: 20}
	for key, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (key == "limit" && (n < 1 || n > 100)) {
				s.writeJSONError(w, r, &httpError{status: http.StatusBadRequest, code: "bad_request", field: key,
					message: key + " must be a whole number (limit 1 to 100)"})
				return
			}
			*dst = n
		}
	}
	if st := q.Get("status"); st != "" {
		if !folio.Status(st).Valid() {
			s.writeJSONError(w, r, &httpError{status: http.StatusBadRequest, code: "bad_request", field: "status",
				message: "status must be draft, published, scheduled or trashed"})
			return
		}
		f.Statuses = []folio.Status{folio.Status(st)}
	}
	if !u.Role.CanEditOthers() {
		f.AuthorID = u.ID
	}
	as, total, err := s.store.FindArticles(r.Context(), f)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := struct {
		Articles []articleJSON `json:"articles"`
		Total    int           `json:"total"`
	}{Articles: make([]articleJSON, 0, len(as)), Total: total}
	for _, a := range as {
		out.Articles = append(out.Articles, s.articleJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPIArticleUpdate(w http.ResponseWriter, r *http.Request) {
	if err := s.updateArticle(w, r); err != nil {
		s.writeJSONError(w, r, err)
	}
}

func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request) error {
	ctx, u := r.Context(), currentUser(r)
	a, err := s.loadArticle(r)
	if err != nil {
		return err
	}
	fields := map[string]json.RawMessage{}
	if err := decodeJSON(r, fields); err != nil {
		return err
	}
	f, err := parseArticleFields(fields)
	if err != nil {
		return err
	}
	upd := folio.ArticleUpdate{Title: f.title, Slug: f.slug, Question: f.question, Body: f.body, Summary: f.summary,
		Lang: f.lang, Tags: f.tags, Interviewee: f.interviewee, Series: f.series,
		ClearSeries: f.seriesSet && f.series == nil, TranslationOf: f.translationOf, EditorID: u.ID}
	if f.status != nil || f.publishedAtSet {
		st, at := a.Status, a.PublishedAt
		if f.status != nil {
			st = *f.status
		}
		if f.publishedAtSet {
			at = f.publishedAt
		}
		if st == folio.StatusScheduled && !f.publishedAtSet && a.Status != folio.StatusScheduled {
			at = nil // an old publication time is no schedule
		}
		if (st == folio.StatusPublished || st == folio.StatusScheduled) && !a.IsPublic(s.now()) {
			if ok, err := s.canPublish(ctx, u); err != nil {
				return err
			} else if !ok {
				return &httpError{status: http.StatusForbidden, code: "forbidden", message: "authors may not publish on this site", field: "status"}
			}
		}
		if st, at, err = folio.ApplySchedule(st, at, s.now()); err != nil {
			return err
		}
		upd.Status, upd.PublishedAt = &st, at
	}
	if f.authorEmail != nil {
		if upd.AuthorIDs, err = s.authorIDs(ctx, u, f); err != nil {
			return err
		}
	}
	if err := upd.Validate(); err != nil {
		return err
	}
	if err := s.checkTranslationOf(ctx, u, f.translationOf); err != nil {
		return err
	}
	a, err = s.store.UpdateArticle(ctx, a.ID, upd)
	if err != nil {
		return err
	}
	s.articleWritten(ctx, a.ID)
	s.logger.Info("article updated", "article_id", a.ID, "status", a.Status, "user_id", u.ID)
	writeJSON(w, http.StatusOK, s.articleJSON(a))
	return nil
}

// handleAPIArticleDelete moves an article to the trash; ?permanent=true
// deletes a trashed article forever (admins and editors only).
func (s *Server) handleAPIArticleDelete(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), currentUser(r)
	a, err := s.loadArticle(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	if r.URL.Query().Get("permanent") == "true" {
		if !u.Role.CanEditOthers() {
			s.writeJSONError(w, r, folio.ErrForbidden)
			return
		}
		if a.Status != folio.StatusTrashed {
			s.writeJSONError(w, r, &httpError{status: http.StatusConflict, code: "conflict", field: "status",
				message: "move the article to the trash before deleting it forever"})
			return
		}
		if err := s.store.DeleteArticle(ctx, a.ID); err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		s.articleWritten(ctx, a.ID)
		s.logger.Info("article deleted", "article_id", a.ID, "user_id", u.ID)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st := folio.StatusTrashed
	a, err = s.store.UpdateArticle(ctx, a.ID, folio.ArticleUpdate{Status: &st, PublishedAt: a.PublishedAt, EditorID: u.ID})
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.articleWritten(ctx, a.ID)
	s.logger.Info("article trashed", "article_id", a.ID, "user_id", u.ID)
	writeJSON(w, http.StatusOK, s.articleJSON(a))
}
