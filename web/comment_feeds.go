package web

import (
	"errors"
	"net/http"
	"strconv"

	"folio"
	"folio/feed"
)

const commentFeedItems = 30

// renderCommentFeed is /{slug}/comments.xml: the article's newest approved
// comments as RSS.
func (s *Server) renderCommentFeed(r *http.Request) (*page, error) {
	ctx := r.Context()
	a, err := s.store.FindArticleBySlug(ctx, r.PathValue("slug"))
	var re *folio.RedirectError
	if errors.As(err, &re) {
		return redirectPage(http.StatusMovedPermanently, articlePath(re.Slug)+"/comments.xml"), nil
	}
	if err != nil {
		return nil, err
	}
	if !a.IsPublic(s.now()) {
		return nil, folio.ErrNotFound
	}
	return s.commentFeed(r, folio.CommentFilter{ArticleID: a.ID}, a, articlePath(a.Slug)+"/comments.xml")
}

// renderSiteCommentFeed is /comments.xml: the site's newest approved comments.
func (s *Server) renderSiteCommentFeed(r *http.Request) (*page, error) {
	return s.commentFeed(r, folio.CommentFilter{}, nil, "/comments.xml")
}

func (s *Server) commentFeed(r *http.Request, f folio.CommentFilter, a *folio.Article, path string) (*page, error) {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	f.Statuses, f.Limit, f.PublicArticles = []folio.CommentStatus{folio.CommentApproved}, commentFeedItems, true
	cs, _, err := s.store.FindComments(ctx, f)
	if err != nil {
		return nil, err
	}
	site := feed.Site{Title: si.L.T("comments_feed") + " — " + si.Title, Description: si.Description, BaseURL: si.BaseURL,
		Lang: si.Lang, Updated: s.now().UTC()}
	if a != nil {
		site.Title = si.L.T("comments_on", a.Title) + " — " + si.Title
	}
	items := make([]feed.Item, 0, len(cs))
	for _, c := range cs {
		link := si.BaseURL + articlePath(c.ArticleSlug) + "#comment-" + strconv.FormatInt(c.ID, 10)
		items = append(items, feed.Item{URL: link, Title: c.Name + " — " + c.ArticleTitle, ContentHTML: string(s.md.Comment(c.Body)),
			Published: c.CreatedAt, Updated: c.CreatedAt, Authors: []feed.Person{{Name: c.Name}}})
	}
	b, err := feed.RSS(site, si.BaseURL+path, items)
	if err != nil {
		return nil, err
	}
	return newPage(http.StatusOK, feed.RSSContentType, b), nil
}

// handleSubscriptionConfirm is the link of the double opt-in mail.
func (s *Server) handleSubscriptionConfirm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 200 {
		s.statusPage(r, http.StatusNotFound, "").write(w, r)
		return
	}
	sub, err := s.store.ConfirmSubscription(r.Context(), folio.HashSecret(token))
	if err != nil {
		if !errors.Is(err, folio.ErrNotFound) {
			s.errorPage(r, err).write(w, r)
			return
		}
		s.statusPage(r, http.StatusNotFound, "This link is not valid any more. Subscribe again from the article.").write(w, r)
		return
	}
	s.logger.Info("comment subscription confirmed", "article_id", sub.ArticleID)
	s.statusPage(r, http.StatusOK, "Subscribed. You will receive new comments on this article by e-mail; every message has a link to stop them.").write(w, r)
}

// handleUnsubscribe ends a subscription in one click (GET from the mail,
// POST from a mail client's List-Unsubscribe-Post).
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	sub, sig := q.Get("sub"), q.Get("sig")
	if sub == "" || len(sub) > 200 || !s.comments.verify("unsub", sub, sig) {
		s.statusPage(r, http.StatusNotFound, "").write(w, r)
		return
	}
	err := s.store.DeleteSubscription(r.Context(), sub)
	if err != nil && !errors.Is(err, folio.ErrNotFound) {
		s.errorPage(r, err).write(w, r)
		return
	}
	s.statusPage(r, http.StatusOK, "Unsubscribed. You will receive no more comments from this article.").write(w, r)
}
