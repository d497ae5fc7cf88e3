package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"folio"
	"folio/i18n"
	"folio/markdown"
)

const perPage = 10

// renderFunc renders one public response from the request alone, so its
// result can be cached and served to every reader.
type renderFunc func(r *http.Request) (*page, error)

// cached serves render's result from the page cache, rendering on a miss.
// Only outcomes that depend on content alone are stored: pages, redirects
// and 410s, not 404s (any path can be requested, and the cache is bounded).
func (s *Server) cached(key func(*http.Request) string, render renderFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		k := key(r)
		p, gen := s.cache.get(k)
		if p != nil {
			s.metrics.cacheHits.Inc()
			s.serve(w, r, p)
			return
		}
		s.metrics.cacheMiss.Inc()
		// Readers who miss the same page at once share one render: after a
		// flush, a popular page would otherwise be rendered once per waiting
		// reader, all competing for the CPU and the database pool. The
		// render outlives a reader who leaves, as the others still wait.
		v, _, _ := s.renders.Do(strconv.FormatUint(gen, 10)+" "+k, func() (any, error) {
			p, err := render(r.WithContext(context.WithoutCancel(r.Context())))
			if err != nil {
				p = s.errorPage(r, err)
			}
			if err == nil || p.status == http.StatusGone {
				s.cache.put(k, gen, p)
			}
			return p, nil
		})
		s.serve(w, r, v.(*page))
	}
}

// serve writes a page, filling its per-visit slot when it has one.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, p *page) {
	if p.slot >= 0 {
		p.writeSlotted(w, r, s.fillSlot, s.now())
		return
	}
	p.write(w, r)
}

func pathKey(r *http.Request) string { return r.URL.Path }

// pagedKey keys listings by path and page number only, so arbitrary query
// strings cannot fill the cache.
func pagedKey(r *http.Request) string {
	v := r.URL.Query().Get("page")
	if v == "" {
		return r.URL.Path
	}
	// The parsed number, so "?page=02" and "?page=2" share one entry; a
	// bad value renders a 404, which is never cached.
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 1:
		return r.URL.Path + "?page=invalid"
	case n == 1:
		return r.URL.Path
	}
	return r.URL.Path + "?page=" + strconv.Itoa(n)
}

// pageParam reads ?page=; anything but a positive integer is a 404.
func pageParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100000 {
		return 0, folio.ErrNotFound
	}
	return n, nil
}

// html renders the named template into a page; a template error never
// reaches the client half-written.
func (s *Server) html(status int, name string, data any) (*page, error) {
	var buf bytes.Buffer
	if err := s.tmpl[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, err
	}
	return newPage(status, "text/html; charset=utf-8", buf.Bytes()), nil
}

// statusPage renders the 404/410/500 page. It must not fail, so a failure
// to read settings or render falls back to plain text.
func (s *Server) statusPage(r *http.Request, status int, message string) *page {
	si, err := s.site(r.Context())
	if err != nil {
		si = siteInfo{Title: "Folio", Lang: "en", BaseURL: s.baseURL, Loc: time.UTC, L: i18n.For("en")}
	}
	title := http.StatusText(status)
	if status >= 500 {
		message = si.L.T("error_text")
	}
	data := struct {
		meta
		Status  int
		Heading string
		Message string
	}{newMeta(si, title, "", ""), status, title, message}
	data.NoIndex = true
	switch status {
	case http.StatusNotFound:
		data.Heading, data.Message = si.L.T("not_found"), si.L.T("not_found_text")
	case http.StatusGone:
		data.Heading, data.Message = si.L.T("gone"), si.L.T("gone_text")
	}
	data.Title = data.Heading + " — " + si.Title
	p, err := s.html(status, "status.html", data)
	if err != nil {
		s.logger.Error("render status page", "err", err)
		return newPage(status, "text/plain; charset=utf-8", []byte(title+"\n"))
	}
	return p
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.writeJSONError(w, r, folio.ErrNotFound)
		return
	}
	s.statusPage(r, http.StatusNotFound, "").write(w, r)
}

func redirectPage(status int, location string) *page {
	p := newPage(status, "text/html; charset=utf-8", []byte(`<a href="`+location+`">Moved</a>`))
	p.location = location
	return p
}

type listPage struct {
	meta
	Heading  string
	Intro    string
	Articles []*articleView
	Pager    pager
	Feed     string
}

// renderHome serves / and /page/{n}.
func (s *Server) renderHome(r *http.Request) (*page, error) {
	n := 1
	if v := r.PathValue("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 100000 {
			return nil, folio.ErrNotFound
		}
		if n == 1 {
			return redirectPage(http.StatusMovedPermanently, "/"), nil
		}
	}
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	as, total, err := s.store.FindArticles(ctx, folio.ArticleFilter{Public: true, Limit: perPage, Offset: (n - 1) * perPage})
	if err != nil {
		return nil, err
	}
	if n > 1 && len(as) == 0 {
		return nil, folio.ErrNotFound
	}
	views, err := s.views(si, as)
	if err != nil {
		return nil, err
	}
	title, desc := "", si.Description
	if desc == "" {
		desc = si.L.T("home_description", si.Title)
	}
	if n > 1 {
		title = si.L.T("page_n", n)
		desc += " " + title + "."
	}
	data := listPage{meta: newMeta(si, title, desc, homePageURL("", n)), Heading: si.Title,
		Intro: si.Description, Articles: views, Pager: newPager("", n, perPage, total, homePageURL)}
	if n == 1 {
		data.Title = si.Title
	}
	return s.html(http.StatusOK, "list.html", data)
}

func (s *Server) renderTag(r *http.Request) (*page, error) {
	ctx := r.Context()
	n, err := pageParam(r)
	if err != nil {
		return nil, err
	}
	tag, err := s.store.FindTagBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return s.renderListing(r, n, folio.ArticleFilter{TagID: tag.ID}, "/tag/"+url.PathEscape(tag.Slug),
		tag.Name, func(l *i18n.Locale) string { return l.T("tagged", tag.Name) })
}

func (s *Server) renderAuthor(r *http.Request) (*page, error) {
	ctx := r.Context()
	n, err := pageParam(r)
	if err != nil {
		return nil, err
	}
	u, err := s.store.FindUserBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	return s.renderListing(r, n, folio.ArticleFilter{AuthorID: u.ID}, "/author/"+url.PathEscape(u.Slug), u.Name,
		func(*i18n.Locale) string { return u.Bio })
}

// renderListing is the shared body of tag and author pages. An empty
// listing is a 404, so unused tags and authors without articles stay hidden.
func (s *Server) renderListing(r *http.Request, n int, f folio.ArticleFilter, path, heading string, introFor func(*i18n.Locale) string) (*page, error) {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	f.Public, f.Limit, f.Offset = true, perPage, (n-1)*perPage
	as, total, err := s.store.FindArticles(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, folio.ErrNotFound
	}
	views, err := s.views(si, as)
	if err != nil {
		return nil, err
	}
	intro := introFor(si.L)
	title := heading
	if n > 1 {
		title += " — " + si.L.T("page_n", n)
	}
	desc := intro
	if desc == "" {
		desc = si.L.T("on_site", heading, si.Title)
	}
	if n > 1 {
		desc += " " + si.L.T("page_n", n) + "."
	}
	data := listPage{meta: newMeta(si, title, desc, queryPageURL(path, n)), Heading: heading, Intro: intro,
		Articles: views, Pager: newPager(path, n, perPage, total, queryPageURL)}
	return s.html(http.StatusOK, "list.html", data)
}

type seriesPage struct {
	meta
	Series *folio.Series
	Parts  []*articleView
	Count  string // "3 parts"
}

func (s *Server) renderSeries(r *http.Request) (*page, error) {
	ctx := r.Context()
	sr, err := s.store.FindSeriesBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	as, _, err := s.store.FindArticles(ctx, folio.ArticleFilter{Public: true, SeriesID: sr.ID, BySeries: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, folio.ErrNotFound
	}
	parts, err := s.views(si, as)
	if err != nil {
		return nil, err
	}
	desc := sr.Description
	if desc == "" {
		desc = si.L.T("parts_of", si.L.N(len(parts), "parts"), sr.Title, si.Title)
	}
	return s.html(http.StatusOK, "series.html", seriesPage{meta: newMeta(si, sr.Title, desc, "/series/"+url.PathEscape(sr.Slug)),
		Series: sr, Parts: parts, Count: si.L.N(len(parts), "parts")})
}

// seriesNav is "Part 2 of 5" with previous and next links.
type seriesNav struct {
	Series     *folio.Series
	URL        string
	Pos, Total int
	Prev, Next *articleView
}

type articlePage struct {
	meta
	Headline string // the title as plain text, for meta tags
	Article  *articleView
	Series   *seriesNav
	Share    []shareLink
	JSONLD   map[string]any
	Comments *commentSection
	Related  []*articleView // search.go: similar articles, computed on write
	// Translations are the public versions of this text in every
	// language, this one included (hreflang); OtherLanguages shows the rest.
	Translations   []translationLink
	OtherLanguages []translationLink
}

// translationLink is one language version of an article.
type translationLink struct {
	Lang string // BCP 47
	Name string // the language's own name: "русский"
	URL  string // absolute
}

func (s *Server) renderArticle(r *http.Request) (*page, error) {
	ctx := r.Context()
	a, err := s.store.FindArticleBySlug(ctx, r.PathValue("slug"))
	var re *folio.RedirectError
	if errors.As(err, &re) {
		return redirectPage(http.StatusMovedPermanently, articlePath(re.Slug)), nil
	}
	if err != nil {
		return nil, err
	}
	if !a.IsPublic(s.now()) {
		return nil, folio.ErrNotFound
	}
	return s.renderArticleOf(r, a, false)
}

// renderArticleOf renders a's page. The admin's previews call it with
// preview set, so a draft looks exactly as readers will see it, marked
// noindex.
func (s *Server) renderArticleOf(r *http.Request, a *folio.Article, preview bool) (*page, error) {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	// The article's own language speaks the interface around it.
	si = si.withLang(a.Lang)
	v, err := s.viewCtx(ctx, si, a, true)
	if err != nil {
		return nil, err
	}
	data := articlePage{Article: v, Headline: markdown.Smart(a.Title), Share: shareLinks(si.L, markdown.Smart(a.Title), v.AbsURL)}
	desc := v.Excerpt
	if desc == "" && a.Question != "" {
		desc = markdown.Excerpt(a.Question, 240)
	}
	data.meta = newMeta(si, markdown.Smart(a.Title), desc, v.URL)
	data.NoIndex = preview
	data.Image = v.AbsURL + "/" + shareCardFile
	if a.Lang != "" {
		data.Lang, data.Dir = a.Lang, dirOf(a.Lang)
	}
	if a.Series != nil {
		if data.Series, err = s.seriesNav(r, si, a); err != nil {
			return nil, err
		}
	}
	if a.TranslationGroup != 0 {
		if err := s.translations(ctx, si, a, &data); err != nil {
			return nil, err
		}
	}
	data.JSONLD = jsonLD(si, data)
	if data.Related, err = s.relatedViews(ctx, si, a); err != nil {
		return nil, err
	}
	if data.Comments, err = s.commentSection(ctx, si, a, 1); err != nil {
		return nil, err
	}
	p, err := s.html(http.StatusOK, "article.html", data)
	if p != nil {
		p.slotFor = a.ID
	}
	return p, err
}

func (s *Server) seriesNav(r *http.Request, si siteInfo, a *folio.Article) (*seriesNav, error) {
	parts, _, err := s.store.FindArticles(r.Context(), folio.ArticleFilter{Public: true, SeriesID: a.Series.ID, BySeries: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	// "Part N of M" uses the editor's numbering, so part 2 stays part 2
	// even while part 1 waits for its publication date.
	nav := &seriesNav{Series: a.Series, URL: "/series/" + url.PathEscape(a.Series.Slug), Pos: a.SeriesPosition, Total: len(parts)}
	for i, p := range parts {
		nav.Total = max(nav.Total, p.SeriesPosition)
		if p.ID != a.ID {
			continue
		}
		if i > 0 {
			nav.Prev, _ = s.view(si, parts[i-1], false)
		}
		if i+1 < len(parts) {
			nav.Next, _ = s.view(si, parts[i+1], false)
		}
	}
	return nav, nil
}

// jsonLD describes the article for search engines as a schema.org
// NewsArticle; html/template escapes it for the script element.
func jsonLD(si siteInfo, p articlePage) map[string]any {
	a := p.Article
	authors := make([]map[string]any, 0, len(a.Authors))
	for _, au := range a.Authors {
		authors = append(authors, map[string]any{"@type": "Person", "name": au.Name, "url": si.BaseURL + "/author/" + url.PathEscape(au.Slug)})
	}
	modified := a.DateISO
	if a.UpdatedISO != "" {
		modified = a.UpdatedISO
	}
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         truncateRunes(markdown.Smart(a.Title), 110),
		"description":      p.Description,
		"datePublished":    a.DateISO,
		"dateModified":     modified,
		"author":           authors,
		"mainEntityOfPage": a.AbsURL,
		"url":              a.AbsURL,
		"wordCount":        a.Words,
		"publisher":        map[string]any{"@type": "Organization", "name": si.Title, "url": si.BaseURL + "/"},
	}
	if p.Image != "" {
		ld["image"] = []string{p.Image}
	}
	if p.Lang != "" {
		ld["inLanguage"] = p.Lang
	}
	if len(a.Tags) > 0 {
		kw := make([]string, len(a.Tags))
		for i, t := range a.Tags {
			kw[i] = t.Name
		}
		ld["keywords"] = kw
	}
	if p.Series != nil {
		ld["isPartOf"] = map[string]any{"@type": "CreativeWorkSeries", "name": p.Series.Series.Title, "url": si.BaseURL + p.Series.URL}
		ld["position"] = p.Series.Pos
	}
	return ld
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// translations fills the hreflang alternates of a: the public articles of
// its translation group, one per language.
func (s *Server) translations(ctx context.Context, si siteInfo, a *folio.Article, data *articlePage) error {
	group, _, err := s.store.FindArticles(ctx, folio.ArticleFilter{Public: true, TranslationGroup: a.TranslationGroup, Limit: 100})
	if err != nil || len(group) < 2 {
		return err
	}
	seen := map[string]bool{}
	for _, t := range group {
		lang := t.Lang
		if lang == "" {
			lang = si.Lang
		}
		if seen[lang] {
			continue // two versions in one language: hreflang names one
		}
		seen[lang] = true
		link := translationLink{Lang: lang, Name: languageName(lang), URL: si.BaseURL + articlePath(t.Slug)}
		data.Translations = append(data.Translations, link)
		if t.ID != a.ID {
			data.OtherLanguages = append(data.OtherLanguages, link)
		}
	}
	return nil
}

// languageName is a language's name in itself, as language pickers show it.
func languageName(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return lang
	}
	if name := display.Self.Name(tag); name != "" {
		return name
	}
	return lang
}
