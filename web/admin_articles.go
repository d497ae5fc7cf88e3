package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"folio"
)

const adminPerPage = 20

// publishAtLayout is the value format of <input type="datetime-local">,
// read in the site's time zone.
const publishAtLayout = "2006-01-02T15:04"

type dashboardPage struct {
	adminBase
	Counts []statusCount
	Recent []articleRow
}

type statusCount struct {
	Label, URL string
	N          int
}

// articleRow is an article in an admin list.
type articleRow struct {
	*folio.Article
	EditURL string
	Date    string
	Authors string
	CanEdit bool
}

func (s *Server) rows(ctx context.Context, u *folio.User, as []*folio.Article) ([]articleRow, error) {
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]articleRow, 0, len(as))
	for _, a := range as {
		row := articleRow{Article: a, EditURL: fmt.Sprintf("/admin/articles/%d", a.ID), CanEdit: canEdit(u, a)}
		t := a.UpdatedAt
		if a.PublishedAt != nil && a.Status != folio.StatusDraft {
			t = *a.PublishedAt
		}
		row.Date = t.In(si.Loc).Format("2 Jan 2006 15:04")
		names := make([]string, len(a.Authors))
		for i, au := range a.Authors {
			names[i] = au.Name
		}
		row.Authors = strings.Join(names, ", ")
		out = append(out, row)
	}
	return out, nil
}

// ownFilter limits authors to their own articles (DESIGN.md roles).
func ownFilter(u *folio.User, f folio.ArticleFilter) folio.ArticleFilter {
	if !u.Role.CanEditOthers() {
		f.AuthorID = u.ID
	}
	return f
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	page := dashboardPage{adminBase: s.base(ctx, r, u, "Dashboard", "dashboard")}
	for _, st := range []folio.Status{folio.StatusDraft, folio.StatusScheduled, folio.StatusPublished} {
		_, n, err := s.store.FindArticles(ctx, ownFilter(u, folio.ArticleFilter{Statuses: []folio.Status{st}, Limit: 1}))
		if err != nil {
			return err
		}
		page.Counts = append(page.Counts, statusCount{Label: statusLabel(st), URL: "/admin/articles?status=" + string(st), N: n})
	}
	pending, err := s.pendingCommentCount(ctx, u)
	if err != nil {
		return err
	}
	page.Counts = append(page.Counts, statusCount{Label: "Pending comments", URL: "/admin/comments", N: pending})
	recent, _, err := s.store.FindArticles(ctx, ownFilter(u, folio.ArticleFilter{Statuses: liveStatuses, Limit: 5}))
	if err != nil {
		return err
	}
	if page.Recent, err = s.rows(ctx, u, recent); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_dashboard.html", page)
	return nil
}

var liveStatuses = []folio.Status{folio.StatusDraft, folio.StatusScheduled, folio.StatusPublished}

func statusLabel(st folio.Status) string {
	switch st {
	case folio.StatusDraft:
		return "Drafts"
	case folio.StatusScheduled:
		return "Scheduled"
	case folio.StatusPublished:
		return "Published"
	case folio.StatusTrashed:
		return "Trash"
	}
	return "All"
}

type articlesPage struct {
	adminBase
	Rows    []articleRow
	Status  string
	Query   string
	Filters []statusCount
	Total   int
	Pager   pager
	Trash   bool
}

// handleAdminArticles lists articles with a status filter, a title search
// and pages of 20; /admin/trash is the same list for trashed articles.
func (s *Server) handleAdminArticles(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	trash := r.URL.Path == "/admin/trash"
	n, err := pageParam(r)
	if err != nil {
		return badRequest("page must be a positive whole number")
	}
	query := strings.TrimSpace(q.Get("q"))
	if len(query) > 200 {
		return badRequest("the search may be at most 200 characters")
	}
	status := q.Get("status")
	f := folio.ArticleFilter{Statuses: liveStatuses, Query: query, Limit: adminPerPage, Offset: (n - 1) * adminPerPage}
	switch {
	case trash:
		f.Statuses, status = []folio.Status{folio.StatusTrashed}, ""
	case status == "":
	case folio.Status(status).Valid() && status != string(folio.StatusTrashed):
		f.Statuses = []folio.Status{folio.Status(status)}
	default:
		return badRequest("status must be draft, scheduled or published")
	}
	as, total, err := s.store.FindArticles(ctx, ownFilter(u, f))
	if err != nil {
		return err
	}
	title, section, base := "Articles", "articles", "/admin/articles"
	if trash {
		title, section, base = "Trash", "trash", "/admin/trash"
	}
	page := articlesPage{adminBase: s.base(ctx, r, u, title, section), Status: status, Query: query, Total: total, Trash: trash}
	if page.Rows, err = s.rows(ctx, u, as); err != nil {
		return err
	}
	if !trash {
		for _, st := range []folio.Status{"", folio.StatusDraft, folio.StatusScheduled, folio.StatusPublished} {
			v := url.Values{}
			if st != "" {
				v.Set("status", string(st))
			}
			if query != "" {
				v.Set("q", query)
			}
			link := base
			if len(v) > 0 {
				link += "?" + v.Encode()
			}
			page.Filters = append(page.Filters, statusCount{Label: statusLabel(st), URL: link, N: boolInt(string(st) == status)})
		}
	}
	page.Pager = newPager(base, n, adminPerPage, total, func(_ string, p int) string {
		v := url.Values{}
		if status != "" {
			v.Set("status", status)
		}
		if query != "" {
			v.Set("q", query)
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	})
	s.render(w, r, http.StatusOK, "admin_articles.html", page)
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type editorPage struct {
	adminBase
	Form        *form
	Article     *folio.Article // nil for a new article
	Action      string
	CanPublish  bool
	CanDelete   bool
	IsPublic    bool
	PublicURL   string
	PreviewLink string
	Zone        string
	Langs       []string
	// TagSuggestions are offered under the tags (search_admin.go).
	TagSuggestions []folio.TagSuggestion
	// Media: the site keeps uploads, so the editor offers Insert image.
	Media bool
}

// articleValues fills the editor's fields from a stored article.
func articleValues(a *folio.Article, loc *time.Location) url.Values {
	v := url.Values{}
	v.Set("title", a.Title)
	v.Set("slug", a.Slug)
	v.Set("question", a.Question)
	v.Set("interviewee", a.Interviewee.Name)
	v.Set("interviewee_bio", a.Interviewee.Bio)
	v.Set("body", a.Body)
	v.Set("summary", a.Summary)
	v.Set("lang", a.Lang)
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	v.Set("tags", strings.Join(names, ", "))
	if a.Series != nil {
		v.Set("series", a.Series.Title)
		v.Set("part", strconv.Itoa(a.SeriesPosition))
	}
	if a.PublishedAt != nil && a.Status == folio.StatusScheduled {
		v.Set("published_at", a.PublishedAt.In(loc).Format(publishAtLayout))
	}
	return v
}

func (s *Server) editor(w http.ResponseWriter, r *http.Request, u *folio.User, status int, a *folio.Article, f *form) error {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	page := editorPage{adminBase: s.base(ctx, r, u, "New article", "new"), Form: f, Article: a, Action: "/admin/articles",
		CanDelete: u.Role.CanEditOthers(), Zone: si.Loc.String(), Langs: []string{"en", "ru", "ur", "de", "fr", "es", "ar"},
		Media: s.blobs != nil}
	if page.CanPublish, err = s.canPublish(ctx, u); err != nil {
		return err
	}
	if a != nil {
		page.PageTitle, page.Section = "Edit “"+a.Title+"”", "articles"
		page.Action = fmt.Sprintf("/admin/articles/%d", a.ID)
		page.IsPublic = a.IsPublic(s.now())
		page.PublicURL = si.BaseURL + articlePath(a.Slug)
		if page.TagSuggestions, err = s.articleTagSuggestions(ctx, a); err != nil {
			return err
		}
		if page.IsPublic {
			page.CanPublish = true // editing what is already public needs no new permission
		} else if a.Status != folio.StatusTrashed {
			if page.PreviewLink, err = s.previewLink(ctx, a.ID); err != nil {
				return err
			}
			page.PreviewLink = si.BaseURL + page.PreviewLink
		}
	}
	s.render(w, r, status, "admin_editor.html", page)
	return nil
}

func (s *Server) handleAdminArticleNew(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	return s.editor(w, r, u, http.StatusOK, nil, newForm(url.Values{}))
}

// loadAdminArticle finds the article of {id} that u may edit.
func (s *Server) loadAdminArticle(r *http.Request, u *folio.User) (*folio.Article, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return nil, folio.ErrNotFound
	}
	a, err := s.store.FindArticleByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !canEdit(u, a) {
		return nil, folio.ErrForbidden
	}
	return a, nil
}

func (s *Server) handleAdminArticleEdit(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	si, err := s.site(r.Context())
	if err != nil {
		return err
	}
	return s.editor(w, r, u, http.StatusOK, a, newForm(articleValues(a, si.Loc)))
}

// articleForm is the editor's content, read and checked.
type articleForm struct {
	title, slug, question, body, summary, lang string
	interviewee                                folio.Interviewee
	tags                                       []string
	series                                     *folio.SeriesRef
	publishAt                                  *time.Time
}

// readArticleForm reads the editor's fields, recording the errors the
// domain cannot name (times and numbers typed by hand) in f.
func readArticleForm(f *form, loc *time.Location) articleForm {
	af := articleForm{title: f.Get("title"), slug: strings.TrimSpace(f.Get("slug")), question: strings.TrimSpace(f.Get("question")),
		body: f.Get("body"), summary: strings.TrimSpace(f.Get("summary")), lang: strings.TrimSpace(f.Get("lang")),
		interviewee: folio.Interviewee{Name: strings.TrimSpace(f.Get("interviewee")), Bio: strings.TrimSpace(f.Get("interviewee_bio"))}}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			af.tags = append(af.tags, t)
		}
	}
	if series := strings.TrimSpace(f.Get("series")); series != "" {
		part := 1
		if p := strings.TrimSpace(f.Get("part")); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 10000 {
				f.Errors["part"] = "Part must be a whole number from 1 to 10000."
			}
			part = n
		}
		af.series = &folio.SeriesRef{Title: series, Position: part}
	}
	if at := strings.TrimSpace(f.Get("published_at")); at != "" {
		t, err := time.ParseInLocation(publishAtLayout, at, loc)
		if err != nil {
			if t, err = time.ParseInLocation("2006-01-02T15:04:05", at, loc); err != nil {
				f.Errors["published_at"] = "Publish at must be a date and time such as 2026-05-01T09:00."
			}
		}
		if err == nil {
			af.publishAt = &t
		}
	}
	return af
}

// articleFieldNames maps domain field names to the editor's.
var articleFieldNames = map[string]string{"author_email": "form", "status": "form"}

var errNotAllowedToPublish = &httpError{status: http.StatusForbidden, code: "forbidden", field: "status",
	message: "authors may not publish on this site; save a draft for an editor"}

// handleAdminArticleCreate saves a new article from the editor.
func (s *Server) handleAdminArticleCreate(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	action := f.Get("action")
	af := readArticleForm(f, si.Loc)
	in := folio.ArticleInput{Title: af.title, Slug: af.slug, Question: af.question, Interviewee: af.interviewee, Body: af.body, Summary: af.summary,
		Lang: af.lang, Tags: af.tags, Series: af.series, AuthorIDs: []int64{u.ID}, EditorID: u.ID}
	switch action {
	case "draft":
		in.Status = folio.StatusDraft
	case "publish":
		in.Status = folio.StatusPublished
	case "schedule":
		in.Status, in.PublishedAt = folio.StatusScheduled, af.publishAt
		if af.publishAt == nil && f.Err("published_at") == "" {
			f.Errors["published_at"] = "Choose when to publish."
		}
	default:
		return badRequest("unknown action; use Save draft, Publish or Schedule")
	}
	if in.Status != folio.StatusDraft {
		if ok, err := s.canPublish(ctx, u); err != nil {
			return err
		} else if !ok {
			return errNotAllowedToPublish
		}
	}
	if !f.Invalid() {
		if err := in.Validate(s.now()); err != nil {
			f.setErr(err, articleFieldNames)
		}
	}
	if f.Invalid() {
		return s.editor(w, r, u, http.StatusUnprocessableEntity, nil, f)
	}
	a, err := s.store.CreateArticle(ctx, in)
	if f.setErr(err, articleFieldNames) {
		return s.editor(w, r, u, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	s.articleWritten(ctx, a.ID)
	s.logger.Info("article created", "article_id", a.ID, "status", a.Status, "user_id", u.ID)
	seeOther(w, r, fmt.Sprintf("/admin/articles/%d?done=%s", a.ID, doneOf(a.Status)))
	return nil
}

func doneOf(st folio.Status) string {
	switch st {
	case folio.StatusPublished:
		return "published"
	case folio.StatusScheduled:
		return "scheduled"
	case folio.StatusTrashed:
		return "trashed"
	}
	return "draft"
}

// handleAdminArticleSave applies an editor button to a stored article:
// draft, publish, schedule, unpublish or trash.
func (s *Server) handleAdminArticleSave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	action := f.Get("action")
	now := s.now()
	wasPublic := a.IsPublic(now)
	var st folio.Status
	at := a.PublishedAt
	switch action {
	case "draft", "unpublish":
		st = folio.StatusDraft
	case "publish":
		st = folio.StatusPublished
		if !wasPublic {
			at = nil // now
		}
	case "schedule":
		st = folio.StatusScheduled
	case "trash":
		st = folio.StatusTrashed
		upd := folio.ArticleUpdate{Status: &st, PublishedAt: a.PublishedAt, EditorID: u.ID}
		if _, err := s.store.UpdateArticle(ctx, a.ID, upd); err != nil {
			return err
		}
		s.articleWritten(ctx, a.ID)
		s.logger.Info("article trashed", "article_id", a.ID, "user_id", u.ID)
		seeOther(w, r, "/admin/articles?done=trashed")
		return nil
	default:
		return badRequest("unknown action")
	}
	af := readArticleForm(f, si.Loc)
	if st == folio.StatusScheduled {
		at = af.publishAt
		if at == nil && f.Err("published_at") == "" {
			f.Errors["published_at"] = "Choose when to publish."
		}
	}
	if (st == folio.StatusPublished || st == folio.StatusScheduled) && !wasPublic {
		if ok, err := s.canPublish(ctx, u); err != nil {
			return err
		} else if !ok {
			return errNotAllowedToPublish
		}
	}
	upd := folio.ArticleUpdate{Title: &af.title, Question: &af.question, Interviewee: &af.interviewee, Body: &af.body, Summary: &af.summary,
		Lang: &af.lang, Tags: &af.tags, Series: af.series, ClearSeries: af.series == nil, EditorID: u.ID}
	slugChanged := af.slug != "" && af.slug != a.Slug
	if slugChanged {
		upd.Slug = &af.slug
	}
	if !f.Invalid() {
		var err error
		if st, at, err = folio.ApplySchedule(st, at, now); err != nil {
			f.setErr(err, articleFieldNames)
		}
		upd.Status, upd.PublishedAt = &st, at
	}
	if !f.Invalid() {
		if err := upd.Validate(); err != nil {
			f.setErr(err, articleFieldNames)
		}
	}
	if f.Invalid() {
		return s.editor(w, r, u, http.StatusUnprocessableEntity, a, f)
	}
	b, err := s.store.UpdateArticle(ctx, a.ID, upd)
	if f.setErr(err, articleFieldNames) {
		return s.editor(w, r, u, http.StatusUnprocessableEntity, a, f)
	}
	if err != nil {
		return err
	}
	s.articleWritten(ctx, b.ID)
	s.logger.Info("article saved", "article_id", b.ID, "status", b.Status, "user_id", u.ID)
	done := doneOf(b.Status)
	switch {
	case slugChanged && wasPublic:
		done = "slug"
	case action == "unpublish":
		done = "unpublished"
	}
	seeOther(w, r, fmt.Sprintf("/admin/articles/%d?done=%s", b.ID, done))
	return nil
}

// handleAdminAutosave saves a draft's fields without leaving the editor
// (admin.js calls it). A new article becomes a draft on its first
// autosave; anything but a draft is left alone, since autosaving a public
// article would publish half-written changes.
func (s *Server) handleAdminAutosave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	fail := func(status int, msg string) error {
		writeJSON(w, status, map[string]string{"error": msg})
		return nil
	}
	if err := parseForm(r); err != nil {
		status, body := errorStatus(err)
		return fail(status, body.Message)
	}
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	af := readArticleForm(f, si.Loc)
	if strings.TrimSpace(af.title) == "" {
		return fail(http.StatusUnprocessableEntity, "give the article a title to autosave it")
	}
	var a *folio.Article
	if r.PathValue("id") == "" {
		in := folio.ArticleInput{Title: af.title, Question: af.question, Interviewee: af.interviewee, Body: af.body, Summary: af.summary, Lang: af.lang,
			Tags: af.tags, Series: af.series, Status: folio.StatusDraft, AuthorIDs: []int64{u.ID}, EditorID: u.ID}
		if err := in.Validate(s.now()); err != nil {
			_, body := errorStatus(err)
			return fail(http.StatusUnprocessableEntity, body.Message)
		}
		if a, err = s.store.CreateArticle(ctx, in); err != nil {
			status, body := errorStatus(err)
			if status >= 500 {
				return err
			}
			return fail(status, body.Message)
		}
	} else {
		cur, err := s.loadAdminArticle(r, u)
		if err != nil {
			status, body := errorStatus(err)
			return fail(status, body.Message)
		}
		if cur.Status != folio.StatusDraft {
			return fail(http.StatusConflict, "only drafts are autosaved; use the buttons to save a "+string(cur.Status)+" article")
		}
		upd := folio.ArticleUpdate{Title: &af.title, Question: &af.question, Interviewee: &af.interviewee, Body: &af.body, Summary: &af.summary,
			Lang: &af.lang, Tags: &af.tags, Series: af.series, ClearSeries: af.series == nil, EditorID: u.ID, Autosave: true}
		if err := upd.Validate(); err != nil || f.Invalid() {
			msg := "check the highlighted fields"
			if err != nil {
				_, body := errorStatus(err)
				msg = body.Message
			}
			return fail(http.StatusUnprocessableEntity, msg)
		}
		if a, err = s.store.UpdateArticle(ctx, cur.ID, upd); err != nil {
			status, body := errorStatus(err)
			if status >= 500 {
				return err
			}
			return fail(status, body.Message)
		}
	}
	s.written(ctx)
	writeJSON(w, http.StatusOK, map[string]any{"id": a.ID, "edit_url": fmt.Sprintf("/admin/articles/%d", a.ID),
		"autosave_url": fmt.Sprintf("/admin/articles/%d/autosave", a.ID), "saved_at": s.now().In(si.Loc).Format("15:04:05")})
	return nil
}

// formArticle builds the article the editor's fields describe, without
// saving it, for the previews.
func (s *Server) formArticle(r *http.Request, u *folio.User, f *form, loc *time.Location) (*folio.Article, error) {
	ctx := r.Context()
	af := readArticleForm(f, loc)
	now := s.now()
	a := &folio.Article{Title: strings.TrimSpace(af.title), Slug: af.slug, Question: af.question, Interviewee: af.interviewee, Body: af.body,
		Summary: af.summary, Lang: af.lang, Status: folio.StatusDraft, CreatedAt: now, UpdatedAt: now,
		Authors: []folio.Author{{ID: u.ID, Name: u.Name, Slug: u.Slug, Email: u.Email, Bio: u.Bio}}}
	if id := f.Get("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n < 1 {
			return nil, badRequest("id must be an article number")
		}
		cur, err := s.store.FindArticleByID(ctx, n)
		if err != nil {
			return nil, err
		}
		if !canEdit(u, cur) {
			return nil, folio.ErrForbidden
		}
		a.ID, a.Authors, a.Status, a.PublishedAt, a.CreatedAt = cur.ID, cur.Authors, cur.Status, cur.PublishedAt, cur.CreatedAt
		a.CommentCount = cur.CommentCount
		if a.Slug == "" {
			a.Slug = cur.Slug
		}
	}
	if a.Title == "" {
		a.Title = "Untitled"
	}
	if a.Slug == "" {
		a.Slug = folio.Slugify(a.Title)
	}
	if af.publishAt != nil {
		a.PublishedAt = af.publishAt
	}
	if a.PublishedAt == nil {
		a.PublishedAt = &now
	}
	if tags, err := folio.NormalizeTags(af.tags); err == nil {
		for _, t := range tags {
			a.Tags = append(a.Tags, folio.Tag{Name: t, Slug: folio.Slugify(t)})
		}
	}
	if af.series != nil {
		slug := folio.Slugify(af.series.Title)
		sr, err := s.store.FindSeriesBySlug(ctx, slug)
		if err != nil {
			sr = &folio.Series{Slug: slug, Title: af.series.Title} // new: no ID, no navigation yet
		}
		a.Series, a.SeriesPosition = sr, af.series.Position
	}
	return a, nil
}

// handleAdminPreview renders the editor's unsaved fields exactly as the
// public page will look (the "Preview" button opens it in a new tab).
// With ?fragment=1 it returns only the article's rendered text, for the
// live preview beside the editor.
func (s *Server) handleAdminPreview(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	a, err := s.formArticle(r, u, f, si.Loc)
	if err != nil {
		return err
	}
	check := folio.ArticleUpdate{Body: &a.Body, Title: &a.Title, Question: &a.Question, Summary: &a.Summary}
	if err := check.Validate(); err != nil {
		return err
	}
	if r.URL.Query().Get("fragment") == "1" {
		v, err := s.viewCtx(r.Context(), si, a, true)
		if err != nil {
			return err
		}
		var sb strings.Builder
		if err := fragmentTmpl.Execute(&sb, v); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(sb.String()))
		return nil
	}
	if a.Series != nil && a.Series.ID == 0 {
		a.Series = nil // a series not saved yet has no navigation to show
	}
	p, err := s.renderArticleOf(r, a, true)
	if err != nil {
		return err
	}
	writePrivate(w, p)
	return nil
}

// writePrivate sends a rendered page that must not be cached or indexed.
func writePrivate(w http.ResponseWriter, p *page) {
	h := w.Header()
	h.Set("Content-Type", p.contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	w.WriteHeader(p.status)
	w.Write(p.body)
}

// previewKey is the site's secret for preview links, made on first use.
func (s *Server) previewKey(ctx context.Context) ([]byte, error) {
	const setting = "preview_key"
	k, err := s.store.Setting(ctx, setting)
	if err != nil {
		return nil, err
	}
	if k == "" {
		k = folio.NewSecret()
		if err := s.store.SetSetting(ctx, setting, k); err != nil {
			return nil, err
		}
		// Another node may have raced us; whichever write won is the key.
		if k, err = s.store.Setting(ctx, setting); err != nil {
			return nil, err
		}
	}
	return []byte(k), nil
}

func previewSig(key []byte, id int64) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "preview:%d", id)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// previewLink is the secret address of a draft's preview, for reviewers
// without an account.
func (s *Server) previewLink(ctx context.Context, id int64) (string, error) {
	key, err := s.previewKey(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/preview/%d/%s", id, previewSig(key, id)), nil
}

// handlePreviewLink shows a stored draft or scheduled article to whoever
// has its secret link: noindex, never cached, 404 for a wrong signature.
func (s *Server) handlePreviewLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.notFound(w, r)
		return
	}
	key, err := s.previewKey(ctx)
	if err != nil {
		s.errorPage(r, err).write(w, r)
		return
	}
	if !hmac.Equal([]byte(previewSig(key, id)), []byte(r.PathValue("sig"))) {
		s.notFound(w, r)
		return
	}
	a, err := s.store.FindArticleByID(ctx, id)
	if err == nil && a.Status == folio.StatusTrashed {
		err = folio.ErrNotFound
	}
	if err != nil {
		s.errorPage(r, err).write(w, r)
		return
	}
	if a.PublishedAt == nil {
		now := s.now()
		a.PublishedAt = &now
	}
	p, err := s.renderArticleOf(r, a, true)
	if err != nil {
		s.errorPage(r, err).write(w, r)
		return
	}
	writePrivate(w, p)
}

// handleAdminArticleRestore takes an article out of the trash, as a draft.
func (s *Server) handleAdminArticleRestore(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	if a.Status != folio.StatusTrashed {
		return &httpError{status: http.StatusConflict, code: "conflict", message: "only articles in the trash can be restored"}
	}
	st := folio.StatusDraft
	if _, err := s.store.UpdateArticle(r.Context(), a.ID, folio.ArticleUpdate{Status: &st, PublishedAt: a.PublishedAt, EditorID: u.ID}); err != nil {
		return err
	}
	s.articleWritten(r.Context(), a.ID)
	seeOther(w, r, "/admin/trash?done=restored")
	return nil
}

// handleAdminArticleDelete deletes a trashed article forever (admins and
// editors, as in the API).
func (s *Server) handleAdminArticleDelete(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	if !u.Role.CanEditOthers() {
		return folio.ErrForbidden
	}
	if a.Status != folio.StatusTrashed {
		return &httpError{status: http.StatusConflict, code: "conflict", message: "move the article to the trash before deleting it forever"}
	}
	if err := s.store.DeleteArticle(r.Context(), a.ID); err != nil {
		return err
	}
	s.articleWritten(r.Context(), a.ID)
	s.logger.Info("article deleted", "article_id", a.ID, "user_id", u.ID)
	seeOther(w, r, "/admin/trash?done=deleted")
	return nil
}

type revisionsPage struct {
	adminBase
	Article *folio.Article
	Rows    []revisionRow
}

type revisionRow struct {
	*folio.Revision
	Date    string
	Editor  string
	URL     string
	Current bool
}

func (s *Server) revisionRows(ctx context.Context, a *folio.Article) ([]revisionRow, error) {
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	revs, err := s.store.FindRevisions(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	users, err := s.store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, us := range users {
		names[us.ID] = us.Name
	}
	out := make([]revisionRow, len(revs))
	for i, rv := range revs {
		editor := names[rv.EditorID]
		if editor == "" {
			editor = "the system"
		}
		out[i] = revisionRow{Revision: rv, Date: rv.CreatedAt.In(si.Loc).Format("2 Jan 2006 15:04:05"), Editor: editor,
			URL: fmt.Sprintf("/admin/articles/%d/revisions/%d", a.ID, rv.ID), Current: i == 0}
	}
	return out, nil
}

func (s *Server) handleAdminRevisions(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	rows, err := s.revisionRows(r.Context(), a)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_revisions.html", revisionsPage{
		adminBase: s.base(r.Context(), r, u, "Revisions of “"+a.Title+"”", "articles"), Article: a, Rows: rows})
	return nil
}

type diffPage struct {
	adminBase
	Article  *folio.Article
	Revision revisionRow
	Fields   []fieldDiff
	Same     bool
}

// handleAdminRevision shows what restoring a revision would change: the
// diff from the current text to the revision's.
func (s *Server) handleAdminRevision(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	rows, err := s.revisionRows(r.Context(), a)
	if err != nil {
		return err
	}
	var rev *revisionRow
	for i := range rows {
		if strconv.FormatInt(rows[i].ID, 10) == r.PathValue("rev") {
			rev = &rows[i]
		}
	}
	if rev == nil {
		return folio.ErrNotFound
	}
	page := diffPage{adminBase: s.base(r.Context(), r, u, "Revision of “"+a.Title+"”", "articles"), Article: a, Revision: *rev}
	page.Fields = diffFields(a, rev.Revision)
	page.Same = len(page.Fields) == 0
	s.render(w, r, http.StatusOK, "admin_diff.html", page)
	return nil
}

func (s *Server) handleAdminRevisionRestore(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	a, err := s.loadAdminArticle(r, u)
	if err != nil {
		return err
	}
	rev, err := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if err != nil || rev < 1 {
		return folio.ErrNotFound
	}
	if _, err := s.store.RestoreRevision(r.Context(), a.ID, rev, u.ID); err != nil {
		return err
	}
	s.articleWritten(r.Context(), a.ID)
	s.logger.Info("revision restored", "article_id", a.ID, "revision_id", rev, "user_id", u.ID)
	seeOther(w, r, fmt.Sprintf("/admin/articles/%d?done=reverted", a.ID))
	return nil
}
