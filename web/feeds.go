package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"folio"
	"folio/feed"
	"folio/markdown"
)

const feedItems = 20

// feedAnchor matches the "#" link markdown puts in each heading: useful on
// the page, noise in a feed reader, where it would show as "Heading#".
var feedAnchor = regexp.MustCompile(`<a href="#[^"]*" class="anchor">#</a>`)

// feedData loads the newest public articles as feed items, with full content.
func (s *Server) feedData(r *http.Request) (feed.Site, []feed.Item, error) {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return feed.Site{}, nil, err
	}
	as, _, err := s.store.FindArticles(ctx, folio.ArticleFilter{Public: true, Limit: feedItems})
	if err != nil {
		return feed.Site{}, nil, err
	}
	site := feed.Site{Title: si.Title, Description: si.Description, BaseURL: si.BaseURL, Lang: si.Lang, Updated: s.now().UTC()}
	items := make([]feed.Item, 0, len(as))
	for _, a := range as {
		v, err := s.viewCtx(ctx, si, a, true)
		if err != nil {
			return site, nil, err
		}
		content := feedAnchor.ReplaceAllString(string(v.Body), "")
		if a.Question != "" {
			content = "<blockquote class=\"question\"><p>" + string(v.QuestionHTML) + "</p></blockquote>\n" + content
		}
		it := feed.Item{URL: v.AbsURL, Title: markdown.Smart(a.Title), Summary: v.Excerpt, ContentHTML: content, Published: *a.PublishedAt, Updated: *a.PublishedAt}
		if a.ModifiedAt != nil {
			it.Updated = *a.ModifiedAt
		}
		for _, au := range a.Authors {
			it.Authors = append(it.Authors, feed.Person{Name: au.Name, URL: si.BaseURL + "/author/" + url.PathEscape(au.Slug)})
		}
		for _, t := range a.Tags {
			it.Tags = append(it.Tags, t.Name)
		}
		items = append(items, it)
	}
	return site, items, nil
}

func (s *Server) feedRenderer(contentType, path string, encode func(feed.Site, string, []feed.Item) ([]byte, error)) renderFunc {
	return func(r *http.Request) (*page, error) {
		site, items, err := s.feedData(r)
		if err != nil {
			return nil, err
		}
		b, err := encode(site, site.BaseURL+path, items)
		if err != nil {
			return nil, err
		}
		return newPage(http.StatusOK, contentType, b), nil
	}
}

// renderSitemap lists the home page, every public article, and the tag,
// author and series pages that have public articles.
func (s *Server) renderSitemap(r *http.Request) (*page, error) {
	ctx := r.Context()
	base := s.baseURL
	urls := []feed.URL{{Loc: base + "/"}}
	seenSeries := map[int64]bool{}
	for offset := 0; ; offset += 100 {
		as, total, err := s.store.FindArticles(ctx, folio.ArticleFilter{Public: true, Limit: 100, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			mod := *a.PublishedAt
			if a.ModifiedAt != nil {
				mod = *a.ModifiedAt
			}
			if offset == 0 && urls[0].LastMod.IsZero() {
				urls[0].LastMod = mod
			}
			urls = append(urls, feed.URL{Loc: base + articlePath(a.Slug), LastMod: mod})
			if a.Series != nil && !seenSeries[a.Series.ID] {
				seenSeries[a.Series.ID] = true
				urls = append(urls, feed.URL{Loc: base + "/series/" + url.PathEscape(a.Series.Slug)})
			}
		}
		if offset+100 >= total || len(as) == 0 || offset >= 50000 {
			break
		}
	}
	tags, err := s.store.FindTags(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		urls = append(urls, feed.URL{Loc: base + "/tag/" + url.PathEscape(t.Slug)})
	}
	authors, err := s.store.FindAuthors(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range authors {
		urls = append(urls, feed.URL{Loc: base + "/author/" + url.PathEscape(a.Slug)})
	}
	b, err := feed.Sitemap(urls)
	if err != nil {
		return nil, err
	}
	return newPage(http.StatusOK, feed.SitemapContentType, b), nil
}

func (s *Server) renderRobots(*http.Request) (*page, error) {
	var b strings.Builder
	b.WriteString("User-agent: *\nDisallow: /admin/\nDisallow: /api/\nDisallow: /search\n\n")
	b.WriteString("Sitemap: " + s.baseURL + "/sitemap.xml\n")
	return newPage(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String())), nil
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// handleReadyz answers 503 while the database cannot be reached, so a load
// balancer stops sending readers to this node.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	check := s.store.Ping
	if r, ok := s.store.(interface{ Ready(context.Context) error }); ok {
		check = r.Ready
	}
	if err := check(ctx); err != nil {
		s.logger.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
