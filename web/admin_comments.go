package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"folio"
)

// The moderation queue: comments by status with their spam score,
// approve/spam/trash/pending one by one or in bulk, reply as the site,
// comment settings and, for admins, export or erasure of one commenter's
// data. Authors moderate the comments on their own articles only.

func (s *Server) adminCommentRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/comments", s.adminAuth(anyRole, s.handleAdminComments))
	mux.Handle("POST /admin/comments/bulk", s.adminAuth(anyRole, s.handleAdminCommentsBulk))
	mux.Handle("POST /admin/comments/{id}/status", s.adminAuth(anyRole, s.handleAdminCommentStatus))
	mux.Handle("POST /admin/comments/{id}/reply", s.adminAuth(anyRole, s.handleAdminCommentReply))
	mux.Handle("POST /admin/comments/{id}/article", s.adminAuth(anyRole, s.handleAdminArticleCommentsToggle))
	mux.Handle("GET /admin/comments/settings", s.adminAuth(adminRole, s.handleAdminCommentSettings))
	mux.Handle("POST /admin/comments/settings", s.adminAuth(adminRole, s.handleAdminCommentSettingsSave))
	mux.Handle("GET /admin/comments/privacy", s.adminAuth(adminRole, s.handleAdminCommentPrivacy))
	mux.Handle("POST /admin/comments/privacy", s.adminAuth(adminRole, s.handleAdminCommentPrivacyAction))
}

// commentNotices are the confirmations of this page, chosen by ?done=.
var commentNotices = map[string]string{
	"approved": "Comment approved. It is public.",
	"spam":     "Marked as spam. The filter learns from it.",
	"trash":    "Moved to the trash.",
	"pending":  "Held for moderation again.",
	"bulk":     "Done.",
	"replied":  "Reply published.",
	"settings": "Comment settings saved.",
	"closed":   "Comments on that article are closed.",
	"opened":   "Comments on that article are open.",
	"erased":   "Everything stored about that address was erased.",
}

type commentRow struct {
	*folio.Comment
	Body       template.HTML
	Date       string
	ArticleURL string
	Score      string // "0.97"
	Likely     bool   // likely spam
	ClosedArt  bool
}

type commentsAdminPage struct {
	adminBase
	View    string // "queue", "settings", "privacy"
	Status  folio.CommentStatus
	Tabs    []statusCount
	Rows    []commentRow
	Total   int
	Pager   pager
	Form    *form
	Erased  int
	Pending int
}

const adminCommentsPerPage = 50

// moderationFilter limits authors to comments on their own articles.
func moderationFilter(u *folio.User, f folio.CommentFilter) folio.CommentFilter {
	if !u.Role.CanEditOthers() {
		f.AuthorID = u.ID
	}
	return f
}

// pendingCommentCount is the dashboard's count of comments to moderate.
func (s *Server) pendingCommentCount(ctx context.Context, u *folio.User) (int, error) {
	counts, err := s.store.CountComments(ctx, moderationFilter(u, folio.CommentFilter{Statuses: []folio.CommentStatus{folio.CommentPending}}))
	return counts[folio.CommentPending], err
}

func (s *Server) handleAdminComments(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	st := folio.CommentPending
	if v := q.Get("status"); v != "" {
		var err error
		if st, err = folio.ParseCommentStatus(v); err != nil {
			return badRequest("unknown status")
		}
	}
	n, err := pageParam(r)
	if err != nil {
		return badRequest("unknown page")
	}
	counts, err := s.store.CountComments(ctx, moderationFilter(u, folio.CommentFilter{}))
	if err != nil {
		return err
	}
	cs, total, err := s.store.FindComments(ctx, moderationFilter(u, folio.CommentFilter{Statuses: []folio.CommentStatus{st},
		Limit: adminCommentsPerPage, Offset: (n - 1) * adminCommentsPerPage}))
	if err != nil {
		return err
	}
	b := s.base(ctx, r, u, "Comments", "comments")
	b.Notice = commentNotices[q.Get("done")]
	p := commentsAdminPage{adminBase: b, View: "queue", Status: st, Total: total, Pending: counts[folio.CommentPending],
		Pager: newPager("/admin/comments?status="+string(st), n, adminCommentsPerPage, total, func(base string, n int) string {
			return base + "&page=" + strconv.Itoa(n)
		})}
	for _, t := range []struct {
		st    folio.CommentStatus
		label string
	}{{folio.CommentPending, "Pending"}, {folio.CommentApproved, "Approved"}, {folio.CommentSpam, "Spam"}, {folio.CommentTrash, "Trash"}} {
		p.Tabs = append(p.Tabs, statusCount{Label: fmt.Sprintf("%s (%d)", t.label, counts[t.st]), URL: "/admin/comments?status=" + string(t.st)})
	}
	loc := time.UTC
	if tz, err := s.store.Setting(ctx, settingTimezone); err == nil && tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	closed := map[int64]bool{}
	for _, c := range cs {
		if _, ok := closed[c.ArticleID]; !ok {
			if closed[c.ArticleID], err = s.store.ArticleCommentsClosed(ctx, c.ArticleID); err != nil {
				return err
			}
		}
		p.Rows = append(p.Rows, commentRow{Comment: c, Body: s.md.Comment(c.Body), Date: c.CreatedAt.In(loc).Format("2 Jan 2006 15:04"),
			ArticleURL: articlePath(c.ArticleSlug), Score: strconv.FormatFloat(c.SpamScore, 'f', 2, 64),
			Likely: c.SpamScore >= 0.7, ClosedArt: closed[c.ArticleID]})
	}
	s.render(w, r, http.StatusOK, "admin_comments.html", p)
	return nil
}

// back returns to the queue the form came from.
func commentsBack(r *http.Request, done string) string {
	st := r.PostForm.Get("from")
	if _, err := folio.ParseCommentStatus(st); err != nil {
		st = string(folio.CommentPending)
	}
	return "/admin/comments?status=" + st + "&done=" + done
}

func (s *Server) handleAdminCommentStatus(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.loadModeratedComment(ctx, u, r.PathValue("id"))
	if err != nil {
		return err
	}
	st, err := folio.ParseCommentStatus(r.PostForm.Get("status"))
	if err != nil {
		return err
	}
	if _, err := s.moderate(ctx, u, c, st); err != nil {
		return err
	}
	seeOther(w, r, commentsBack(r, string(st)))
	return nil
}

func (s *Server) handleAdminCommentsBulk(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	st, err := folio.ParseCommentStatus(r.PostForm.Get("action"))
	if err != nil {
		return err
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		return folio.Invalid("id", "select at least one comment")
	}
	if len(ids) > 500 {
		return folio.Invalid("id", "select at most 500 comments at once")
	}
	for _, id := range ids {
		c, err := s.loadModeratedComment(ctx, u, id)
		if err != nil {
			return err
		}
		if _, err := s.moderate(ctx, u, c, st); err != nil {
			return err
		}
	}
	seeOther(w, r, commentsBack(r, "bulk"))
	return nil
}

// handleAdminCommentReply publishes a reply by the logged-in user (badged
// on the page) and approves the comment it answers.
func (s *Server) handleAdminCommentReply(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	parent, err := s.loadModeratedComment(ctx, u, r.PathValue("id"))
	if err != nil {
		return err
	}
	if parent.Status != folio.CommentApproved {
		if parent, err = s.moderate(ctx, u, parent, folio.CommentApproved); err != nil {
			return err
		}
	}
	c := &folio.Comment{ArticleID: parent.ArticleID, ParentID: parent.ID, Name: u.Name, Email: u.Email,
		Website: "", Body: r.PostForm.Get("body"), UserID: u.ID, Status: folio.CommentApproved}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.store.CreateComment(ctx, c, folio.CommentCreate{}); err != nil {
		return err
	}
	s.written(ctx)
	s.commentApproved(ctx, c)
	s.logger.Info("comment reply", "comment_id", c.ID, "parent_id", parent.ID, "user_id", u.ID)
	seeOther(w, r, commentsBack(r, "replied"))
	return nil
}

func (s *Server) handleAdminArticleCommentsToggle(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	if err := parseForm(r); err != nil {
		return err
	}
	c, err := s.loadModeratedComment(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	closed := r.PostForm.Get("closed") == "1"
	if err := s.store.SetArticleCommentsClosed(r.Context(), c.ArticleID, closed); err != nil {
		return err
	}
	s.written(r.Context())
	done := "opened"
	if closed {
		done = "closed"
	}
	seeOther(w, r, commentsBack(r, done))
	return nil
}

func (s *Server) handleAdminCommentSettings(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	set, err := s.commentSettings(ctx)
	if err != nil {
		return err
	}
	v := url.Values{}
	v.Set("moderation", strconv.FormatBool(set.Moderate))
	v.Set("notify", strconv.FormatBool(set.Notify))
	v.Set("close_days", strconv.Itoa(set.CloseDays))
	b := s.base(ctx, r, u, "Comment settings", "comments")
	b.Notice = commentNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "admin_comments.html", commentsAdminPage{adminBase: b, View: "settings", Form: newForm(v)})
	return nil
}

func (s *Server) handleAdminCommentSettingsSave(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	days := strings.TrimSpace(f.Get("close_days"))
	if days == "" {
		days = "0"
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 0 || n > 36500 {
		f.Errors["close_days"] = "Enter a number of days (0 keeps comments open)."
		s.render(w, r, http.StatusUnprocessableEntity, "admin_comments.html",
			commentsAdminPage{adminBase: s.base(ctx, r, u, "Comment settings", "comments"), View: "settings", Form: f})
		return nil
	}
	for k, v := range map[string]string{
		settingCommentModeration: strconv.FormatBool(f.Get("moderation") == "true"),
		settingCommentNotify:     strconv.FormatBool(f.Get("notify") == "true"),
		settingCommentCloseDays:  strconv.Itoa(n),
	} {
		if err := s.store.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	s.written(ctx)
	s.logger.Info("comment settings saved", "by", u.ID)
	seeOther(w, r, "/admin/comments/settings?done=settings")
	return nil
}

func (s *Server) handleAdminCommentPrivacy(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	b := s.base(r.Context(), r, u, "Commenter data", "comments")
	b.Notice = commentNotices[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "admin_comments.html", commentsAdminPage{adminBase: b, View: "privacy", Form: newForm(url.Values{})})
	return nil
}

// handleAdminCommentPrivacyAction exports (as a JSON download) or erases
// everything stored about one e-mail address.
func (s *Server) handleAdminCommentPrivacyAction(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	f, err := postedForm(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	email := folio.NormalizeEmail(f.Get("email"))
	if email == "" || !strings.Contains(email, "@") || len(email) > folio.MaxCommentEmail {
		f.Errors["email"] = "Enter the commenter's e-mail address."
		s.render(w, r, http.StatusUnprocessableEntity, "admin_comments.html",
			commentsAdminPage{adminBase: s.base(ctx, r, u, "Commenter data", "comments"), View: "privacy", Form: f})
		return nil
	}
	switch f.Get("action") {
	case "export":
		data, err := s.store.CommenterData(ctx, email)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", `attachment; filename="commenter-data.json"`)
		writeJSON(w, http.StatusOK, CommenterExport(data))
		return nil
	case "erase":
		n, err := s.store.EraseCommenter(ctx, email)
		if err != nil {
			return err
		}
		s.written(ctx)
		s.logger.Info("commenter erased", "comments", n, "by", u.ID)
		seeOther(w, r, "/admin/comments/privacy?done=erased")
		return nil
	}
	return badRequest("unknown action")
}

// CommenterExport is the JSON form of everything stored about a commenter,
// shared by the admin download and `folio comments export`.
func CommenterExport(d *folio.CommenterData) any {
	type comment struct {
		ID        int64     `json:"id"`
		Article   string    `json:"article"`
		Name      string    `json:"name"`
		Website   string    `json:"website,omitempty"`
		Body      string    `json:"body"`
		Status    string    `json:"status"`
		AddrHash  string    `json:"address_hash,omitempty"`
		CreatedAt time.Time `json:"created_at"`
	}
	type sub struct {
		Article   int64     `json:"article"`
		Confirmed bool      `json:"confirmed"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := struct {
		Email         string    `json:"email"`
		Comments      []comment `json:"comments"`
		Subscriptions []sub     `json:"subscriptions"`
	}{Email: d.Email, Comments: []comment{}, Subscriptions: []sub{}}
	for _, c := range d.Comments {
		out.Comments = append(out.Comments, comment{c.ID, c.ArticleSlug, c.Name, c.Website, c.Body, string(c.Status), c.AddrHash, c.CreatedAt})
	}
	for _, sb := range d.Subscriptions {
		out.Subscriptions = append(out.Subscriptions, sub{sb.ArticleID, sb.Confirmed, sb.CreatedAt})
	}
	return out
}
