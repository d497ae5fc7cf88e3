package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"folio"
	"folio/spam"
)

// commentJSON is a comment as the API shows it to moderators. The e-mail
// address is shown here (moderators need it) and nowhere public.
type commentJSON struct {
	ID           int64               `json:"id"`
	Article      int64               `json:"article"`
	ArticleSlug  string              `json:"article_slug"`
	ArticleTitle string              `json:"article_title"`
	Parent       int64               `json:"parent,omitempty"`
	Name         string              `json:"name"`
	Email        string              `json:"email"`
	Website      string              `json:"website,omitempty"`
	Body         string              `json:"body"`
	Status       folio.CommentStatus `json:"status"`
	SpamScore    float64             `json:"spam_score"`
	ByUser       bool                `json:"by_user,omitempty"`
	URL          string              `json:"url"`
	CreatedAt    time.Time           `json:"created_at"`
}

func (s *Server) commentJSON(c *folio.Comment) commentJSON {
	return commentJSON{ID: c.ID, Article: c.ArticleID, ArticleSlug: c.ArticleSlug, ArticleTitle: c.ArticleTitle, Parent: c.ParentID,
		Name: c.Name, Email: c.Email, Website: c.Website, Body: c.Body, Status: c.Status, SpamScore: c.SpamScore, ByUser: c.UserID != 0,
		URL: s.baseURL + articlePath(c.ArticleSlug) + "#comment-" + strconv.FormatInt(c.ID, 10), CreatedAt: c.CreatedAt}
}

// handleAPICommentList is GET /api/v1/comments?status=&article=&limit=&offset=.
// Authors see the comments on their own articles only.
func (s *Server) handleAPICommentList(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	q := r.URL.Query()
	f := folio.CommentFilter{Limit: 50}
	for key, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (key == "limit" && (n < 1 || n > 500)) {
				s.writeJSONError(w, r, &httpError{status: http.StatusBadRequest, code: "bad_request", field: key,
					message: key + " must be a whole number (limit 1 to 500)"})
				return
			}
			*dst = n
		}
	}
	if v := q.Get("status"); v != "" {
		st, err := folio.ParseCommentStatus(v)
		if err != nil {
			s.writeJSONError(w, r, &httpError{status: http.StatusBadRequest, code: "bad_request", field: "status", message: "status must be approved, pending, spam or trash"})
			return
		}
		f.Statuses = []folio.CommentStatus{st}
	}
	if v := q.Get("article"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			s.writeJSONError(w, r, &httpError{status: http.StatusBadRequest, code: "bad_request", field: "article", message: "article must be an article id"})
			return
		}
		f.ArticleID = id
	}
	if !u.Role.CanEditOthers() {
		f.AuthorID = u.ID
	}
	cs, total, err := s.store.FindComments(r.Context(), f)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := struct {
		Comments []commentJSON `json:"comments"`
		Total    int           `json:"total"`
	}{Comments: make([]commentJSON, 0, len(cs)), Total: total}
	for _, c := range cs {
		out.Comments = append(out.Comments, s.commentJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
}

// loadModeratedComment finds comment {id} and checks that u may moderate it.
func (s *Server) loadModeratedComment(ctx context.Context, u *folio.User, idText string) (*folio.Comment, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id < 1 {
		return nil, folio.ErrNotFound
	}
	c, err := s.store.FindCommentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !u.Role.CanEditOthers() {
		a, err := s.store.FindArticleByID(ctx, c.ArticleID)
		if err != nil {
			return nil, err
		}
		if !isAuthorOf(u, a) {
			return nil, folio.ErrForbidden
		}
	}
	return c, nil
}

// moderate moves c to status, teaches the classifier the moderator's
// decision, flushes pages when public ones changed and tells subscribers
// about a newly public comment.
func (s *Server) moderate(ctx context.Context, u *folio.User, c *folio.Comment, status folio.CommentStatus) (*folio.Comment, error) {
	before, err := s.store.SetCommentStatus(ctx, c.ID, status)
	if err != nil {
		return nil, err
	}
	if before.Status != status {
		toks := spam.Tokens(before.Name, before.Website, before.Body)
		train := func(isSpam bool, delta int) {
			if err := s.store.TrainSpam(ctx, toks, isSpam, delta); err != nil {
				s.logger.Error("train spam classifier", "comment_id", c.ID, "err", err)
			}
		}
		switch {
		case status == folio.CommentSpam:
			train(true, 1)
			if before.Status == folio.CommentApproved {
				train(false, -1)
			}
		case status == folio.CommentApproved:
			train(false, 1)
			if before.Status == folio.CommentSpam {
				train(true, -1)
			}
		case before.Status == folio.CommentSpam:
			train(true, -1)
		}
		if before.Status == folio.CommentApproved || status == folio.CommentApproved {
			s.written(ctx)
		}
		if status == folio.CommentApproved {
			s.commentApproved(ctx, before)
		}
		s.logger.Info("comment moderated", "comment_id", c.ID, "from", before.Status, "to", status, "user_id", u.ID)
	}
	after := *before
	after.Status = status
	return &after, nil
}

// handleAPICommentUpdate is PATCH /api/v1/comments/{id} {status}.
func (s *Server) handleAPICommentUpdate(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), currentUser(r)
	c, err := s.loadModeratedComment(ctx, u, r.PathValue("id"))
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	var status string
	if err := decodeRequired(r, "status", &status, "is required"); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	st, err := folio.ParseCommentStatus(status)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	c, err = s.moderate(ctx, u, c, st)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.commentJSON(c))
}

// handleAPIArticleComments is PATCH /api/v1/articles/{id}/comments
// {closed: bool}: one article's comments on or off.
func (s *Server) handleAPIArticleComments(w http.ResponseWriter, r *http.Request) {
	a, err := s.loadArticle(r)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	var closed bool
	if err := decodeRequired(r, "closed", &closed, "is required (true or false)"); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	if err := s.store.SetArticleCommentsClosed(r.Context(), a.ID, closed); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.written(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"id": a.ID, "comments_closed": closed})
}
