package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"folio"
	"folio/i18n"
)

// Search: GET /search (HTML, noindex, never cached: any query string can
// be asked for), GET /api/v1/search (JSON, public), /opensearch.xml, and
// the related articles under each article, which Run keeps fresh.

// searchRequest is a search as the URL states it.
type searchRequest struct {
	Q, Tag, Author, Series, Lang, From, To string
	Page                                   int
}

func parseSearchRequest(r *http.Request) searchRequest {
	v := r.URL.Query()
	get := func(k string) string {
		s := strings.TrimSpace(strings.ToValidUTF8(v.Get(k), ""))
		if len(s) > 200 && k != "q" {
			s = s[:200]
		}
		return s
	}
	sr := searchRequest{Q: get("q"), Tag: get("tag"), Author: get("author"), Series: get("series"),
		Lang: get("lang"), From: get("from"), To: get("to"), Page: 1}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 {
		sr.Page = min(n, folio.MaxSearchPage)
	}
	return sr
}

// url returns the search page's URL for sr, with the given page.
func (sr searchRequest) url(page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": sr.Q, "tag": sr.Tag, "author": sr.Author, "series": sr.Series,
		"lang": sr.Lang, "from": sr.From, "to": sr.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

func (sr searchRequest) filtered() bool {
	return sr.Tag != "" || sr.Author != "" || sr.Series != "" || sr.Lang != "" || sr.From != "" || sr.To != ""
}

// query turns sr into a store query. A *folio.ValidationError names what
// the reader must fix.
func (sr searchRequest) query(siteLang string) (*folio.SearchQuery, error) {
	q, err := folio.ParseSearch(sr.Q)
	if err != nil {
		return q, err
	}
	q.Tag, q.Author, q.Series = sr.Tag, sr.Author, sr.Series
	if sr.Lang != "" {
		q.Langs = []string{sr.Lang}
		if sr.Lang == siteLang {
			q.Langs = append(q.Langs, "")
		}
	}
	for _, d := range []struct {
		field, v string
		dst      **time.Time
		add      int
	}{{"from", sr.From, &q.From, 0}, {"to", sr.To, &q.To, 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.v)
		if err != nil {
			return q, folio.Invalid(d.field, "must be a date such as 2025-03-14")
		}
		t = t.AddDate(0, 0, d.add) // "to" includes its whole day
		*d.dst = &t
	}
	q.Limit, q.Offset = folio.SearchPerPage, (sr.Page-1)*folio.SearchPerPage
	return q, nil
}

// searchHit is one result prepared for the template.
type searchHit struct {
	*articleView
	Snippet folio.Snippet
}

type searchPage struct {
	meta
	Req         searchRequest
	Searched    bool   // a query was given
	Message     string // why nothing was searched, or a notice
	Hits        []searchHit
	Count       string // "12 results"
	Pager       pager
	Suggestions []link
	Tags        []link
	Langs       []link // language filter choices
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	p, err := s.renderSearch(r)
	if err != nil {
		p = s.errorPage(r, err)
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	p.write(w, r)
}

func (s *Server) renderSearch(r *http.Request) (*page, error) {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	sr := parseSearchRequest(r)
	L := si.L
	title := L.T("search")
	if sr.Q != "" {
		title = L.T("search_results_for", truncateRunes(sr.Q, 80))
	}
	data := searchPage{meta: newMeta(si, title, "", "/search"), Req: sr, Searched: sr.Q != ""}
	data.NoIndex = true
	data.Canonical = ""
	for _, l := range i18n.Langs() {
		data.Langs = append(data.Langs, link{Name: i18n.For(l).Name, URL: l})
	}
	if !data.Searched && !sr.filtered() {
		return s.html(http.StatusOK, "search.html", data)
	}
	q, err := sr.query(si.Lang)
	var ve *folio.ValidationError
	if errors.As(err, &ve) {
		data.Message = searchMessage(L, ve, q)
		data.Searched = false
		return s.html(http.StatusOK, "search.html", data)
	}
	if err != nil {
		return nil, err
	}
	if q.Notice != "" {
		data.Message = L.T("search_shortened")
	}
	res, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, h := range res.Hits {
		v, err := s.view(si, h.Article, false)
		if err != nil {
			return nil, err
		}
		data.Hits = append(data.Hits, searchHit{articleView: v, Snippet: h.Snippet})
	}
	data.Count = L.N(res.Total, "search_results")
	if res.More {
		data.Count = L.T("search_more", res.Total)
	}
	pages := (res.Total + folio.SearchPerPage - 1) / folio.SearchPerPage
	data.Pager = pager{Page: sr.Page, Pages: pages}
	if sr.Page > 1 {
		data.Pager.Prev = sr.url(sr.Page - 1)
	}
	if sr.Page < pages {
		data.Pager.Next = sr.url(sr.Page + 1)
	}
	if len(data.Hits) == 0 {
		if err := s.searchSuggestions(ctx, &data, q); err != nil {
			return nil, err
		}
	}
	return s.html(http.StatusOK, "search.html", data)
}

// searchMessage words a query problem for the reader.
func searchMessage(L *i18n.Locale, ve *folio.ValidationError, q *folio.SearchQuery) string {
	switch {
	case ve.Field == "from" || ve.Field == "to":
		return L.T("search_bad_date")
	case q != nil && len(q.Exclude) > 0:
		return L.T("search_only_excluded")
	}
	return L.T("search_empty")
}

// searchSuggestions fills the "No results" page: the same words without
// filters, each word alone, and the site's biggest topics.
func (s *Server) searchSuggestions(ctx context.Context, data *searchPage, q *folio.SearchQuery) error {
	L := data.L
	sr := data.Req
	if sr.filtered() {
		data.Suggestions = append(data.Suggestions, link{L.T("search_everywhere"), searchRequest{Q: sr.Q}.url(1)})
	}
	words := strings.Fields(sr.Q)
	if len(words) > 1 && len(words) <= 6 {
		for _, w := range words {
			w = strings.Trim(w, `"-`)
			if len(folio.Tokenize(w)) == 0 {
				continue
			}
			data.Suggestions = append(data.Suggestions, link{L.T("search_word", w), searchRequest{Q: w}.url(1)})
		}
	}
	tags, err := s.store.FindTags(ctx)
	if err != nil {
		return err
	}
	slices.SortStableFunc(tags, func(a, b *folio.Tag) int { return b.Count - a.Count })
	for _, t := range tags[:min(len(tags), 8)] {
		data.Tags = append(data.Tags, link{t.Name, "/tag/" + url.PathEscape(t.Slug)})
	}
	return nil
}

// searchJSON is the API's answer.
type searchJSON struct {
	Query   string          `json:"query"`
	Total   int             `json:"total"`
	More    bool            `json:"more"`
	Page    int             `json:"page"`
	Pages   int             `json:"pages"`
	Notice  string          `json:"notice,omitempty"`
	Results []searchHitJSON `json:"results"`
}

type searchHitJSON struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Summary     string    `json:"summary,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	Authors     []string  `json:"authors"`
	Tags        []string  `json:"tags"`
	Score       float64   `json:"score"`
	// Snippet is HTML: text escaped, matching words in <mark>.
	Snippet string `json:"snippet"`
}

// handleAPISearch serves GET /api/v1/search; it needs no token, as it
// shows only what the public site shows.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, err := s.site(ctx)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	sr := parseSearchRequest(r)
	q, err := sr.query(si.Lang)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	res, err := s.store.Search(ctx, q)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := searchJSON{Query: q.Text, Total: res.Total, More: res.More, Page: sr.Page,
		Pages: (res.Total + folio.SearchPerPage - 1) / folio.SearchPerPage, Notice: q.Notice, Results: []searchHitJSON{}}
	for _, h := range res.Hits {
		a := h.Article
		j := searchHitJSON{ID: a.ID, Title: a.Title, URL: si.BaseURL + articlePath(a.Slug), Summary: a.Summary, Lang: a.Lang,
			Score: h.Score, Snippet: h.Snippet.HTML(), Authors: []string{}, Tags: []string{}}
		if a.PublishedAt != nil {
			j.PublishedAt = *a.PublishedAt
		}
		for _, au := range a.Authors {
			j.Authors = append(j.Authors, au.Name)
		}
		for _, t := range a.Tags {
			j.Tags = append(j.Tags, t.Name)
		}
		out.Results = append(out.Results, j)
	}
	writeJSON(w, http.StatusOK, out)
}

// openSearchContentType is the OpenSearch description's media type.
const openSearchContentType = "application/opensearchdescription+xml; charset=utf-8"

// renderOpenSearch describes the site's search so browsers can offer it.
func (s *Server) renderOpenSearch(r *http.Request) (*page, error) {
	si, err := s.site(r.Context())
	if err != nil {
		return nil, err
	}
	short := truncateRunes(si.Title, 16)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">` + "\n")
	fmt.Fprintf(&b, "<ShortName>%s</ShortName>\n", xmlEscape(short))
	fmt.Fprintf(&b, "<Description>%s</Description>\n", xmlEscape(si.L.T("search_in", si.Title)))
	b.WriteString("<InputEncoding>UTF-8</InputEncoding>\n")
	fmt.Fprintf(&b, "<Image height=\"16\" width=\"16\" type=\"image/svg+xml\">%s</Image>\n", xmlEscape(si.BaseURL+s.static.url("favicon.svg")))
	fmt.Fprintf(&b, "<Url type=\"text/html\" method=\"get\" template=\"%s\"/>\n", xmlEscape(si.BaseURL+"/search?q={searchTerms}"))
	fmt.Fprintf(&b, "<Url type=\"application/json\" method=\"get\" template=\"%s\"/>\n", xmlEscape(si.BaseURL+"/api/v1/search?q={searchTerms}"))
	fmt.Fprintf(&b, "<Url type=\"application/opensearchdescription+xml\" rel=\"self\" template=\"%s\"/>\n", xmlEscape(si.BaseURL+"/opensearch.xml"))
	b.WriteString("</OpenSearchDescription>\n")
	return newPage(http.StatusOK, openSearchContentType, []byte(b.String())), nil
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// relatedCount is how many related articles an article page shows.
const relatedCount = 5

// relatedViews returns the related articles of a for its page.
func (s *Server) relatedViews(ctx context.Context, si siteInfo, a *folio.Article) ([]*articleView, error) {
	rel, err := s.store.RelatedArticles(ctx, a.ID, relatedCount)
	if err != nil {
		return nil, err
	}
	return s.views(si, rel)
}

// refreshRelated brings stale related lists up to date; Run calls it each
// tick, off the request path. A change bumps the content version, which
// the same tick then sees, so cached pages go on every node.
func (s *Server) refreshRelated(ctx context.Context) {
	n, err := s.store.RefreshRelated(ctx, 50)
	if err != nil {
		if ctx.Err() == nil {
			s.logger.Error("refresh related articles", "err", err)
		}
		return
	}
	if n > 0 {
		s.logger.Debug("related articles refreshed", "changed", n)
	}
}
