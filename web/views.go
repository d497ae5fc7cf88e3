package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"folio"
	"folio/i18n"
	"folio/markdown"
)

// siteInfo is the site-wide part of every page, read from settings.
type siteInfo struct {
	Title       string
	Description string
	Lang        string
	BaseURL     string
	Loc         *time.Location
	Menu        []folio.MenuItem // the ordered site menu, shown in the header
	// L formats interface strings, counts and dates. It is the site
	// language's locale, or the article's on an article page.
	L *i18n.Locale
}

// withLang returns si speaking lang, when lang has a catalogue.
func (si siteInfo) withLang(lang string) siteInfo {
	if lang != "" && i18n.Has(lang) {
		si.L = i18n.For(lang)
	}
	return si
}

// Settings keys and their defaults.
const (
	settingTitle       = "site_title"
	settingDescription = "site_description"
	settingLang        = "site_lang"
	settingTimezone    = "timezone"
)

// site returns the settings every page shows. They change only through
// writes that flush the page cache, so they are read once per cache
// generation instead of six queries and a time-zone file per render.
func (s *Server) site(ctx context.Context) (siteInfo, error) {
	gen := s.cache.generation()
	if c := s.siteCache.Load(); c != nil && c.gen == gen {
		return c.si, nil
	}
	si, err := s.loadSite(ctx)
	if err == nil {
		s.siteCache.Store(&cachedSite{gen: gen, si: si}) // a flush meanwhile makes gen stale
	}
	return si, err
}

// cachedSite is siteInfo as read in one page-cache generation.
type cachedSite struct {
	gen uint64
	si  siteInfo
}

func (s *Server) loadSite(ctx context.Context) (siteInfo, error) {
	si := siteInfo{Title: "Folio", Lang: "en", BaseURL: s.baseURL, Loc: time.UTC}
	for key, dst := range map[string]*string{settingTitle: &si.Title, settingDescription: &si.Description, settingLang: &si.Lang} {
		v, err := s.store.Setting(ctx, key)
		if err != nil {
			return si, fmt.Errorf("read setting %s: %w", key, err)
		}
		if v != "" {
			*dst = v
		}
	}
	tz, err := s.store.Setting(ctx, settingTimezone)
	if err != nil {
		return si, fmt.Errorf("read setting %s: %w", settingTimezone, err)
	}
	if loc, err := time.LoadLocation(tz); err == nil && tz != "" {
		si.Loc = loc
	}
	si.L = i18n.For(si.Lang)
	// Admin additions: the base URL set in Settings and the site menu.
	if v, err := s.store.Setting(ctx, settingBaseURL); err != nil {
		return si, fmt.Errorf("read setting %s: %w", settingBaseURL, err)
	} else if v != "" {
		si.BaseURL = v
	}
	if si.Menu, err = s.store.Menu(ctx); err != nil {
		return si, fmt.Errorf("read menu: %w", err)
	}
	return si, nil
}

// meta is the part of every HTML page that the layout reads.
type meta struct {
	Site        siteInfo
	Title       string // the whole <title>
	Description string
	Canonical   string
	NoIndex     bool
	Lang        string
	Dir         string
	Menu        []folio.MenuItem // the site menu for the header
	// L is the page's locale: interface strings come from it.
	L *i18n.Locale
	// Image is the absolute URL of the page's share image, if any.
	Image string
}

// SiteDir is the direction of the site's own language, for the parts of a
// page (the header) that stay in it when an article is in another.
func (m meta) SiteDir() string {
	if i18n.IsRTL(m.Site.Lang) {
		return "rtl"
	}
	return "ltr"
}

func newMeta(si siteInfo, title, description, path string) meta {
	full := si.Title
	if title != "" {
		full = title + " — " + si.Title
	}
	m := meta{Site: si, Title: full, Description: description, Lang: si.Lang, L: si.L, Menu: si.Menu}
	if m.L == nil {
		m.L = i18n.For(si.Lang)
	}
	if path != "" {
		m.Canonical = si.BaseURL + path
	}
	m.Dir = dirOf(m.Lang)
	return m
}

func dirOf(lang string) string {
	if i18n.IsRTL(lang) {
		return "rtl"
	}
	return ""
}

// articleView is an article prepared for a template: URLs built, dates
// formatted in the site's time zone, Markdown rendered.
type articleView struct {
	*folio.Article
	URL          string // path, slug percent-encoded
	AbsURL       string
	TitleHTML    template.HTML
	QuestionHTML template.HTML
	Body         template.HTML
	Excerpt      string
	Date         string
	DateISO      string
	Updated      string
	UpdatedISO   string
	ReadingMin   int
	ReadingLabel string
	Words        int
	CommentLabel string
	Dir          string
	// AuthorLinks, TagLinks and SeriesURL are built here rather than in
	// templates so that every page spells a URL the same way (one
	// percent-encoding, upper case), and so one page has one address.
	AuthorLinks []link
	TagLinks    []link
	SeriesURL   string
	// L is the locale the view's labels were made in.
	L *i18n.Locale
	// TOC lists the body's sections when it has enough of them to need
	// a table of contents.
	TOC []markdown.Heading
}

// link is a named URL path.
type link struct {
	Name string
	URL  string
}

// tocMinHeadings is how many section headings make a table of contents
// worth its space.
const tocMinHeadings = 3

func articlePath(slug string) string { return "/" + url.PathEscape(slug) }

// view prepares a for listings; full also renders the body (viewCtx
// with the request's context is better then: it looks up uploads).
func (s *Server) view(si siteInfo, a *folio.Article, full bool) (*articleView, error) {
	return s.viewCtx(context.Background(), si, a, full)
}

// maxSizedImages bounds the upload lookups of one article render.
const maxSizedImages = 50

// mediaSizer gives the pixel size of the site's own uploaded images by
// their URL in an article, so the page reserves their space before they
// load. One lookup per image, when the body is rendered (once per change,
// then the page is cached); anything else stays unsized.
func (s *Server) mediaSizer(ctx context.Context) func(string) (int, int, bool) {
	n := 0
	return func(src string) (int, int, bool) {
		p := strings.TrimPrefix(src, s.baseURL)
		if s.blobs == nil || !strings.HasPrefix(p, "/media/") || n >= maxSizedImages {
			return 0, 0, false
		}
		key := p[1:]
		if folio.CheckBlobKey(key) != nil {
			return 0, 0, false
		}
		n++
		m, err := s.store.FindMediaByKey(ctx, key)
		if err != nil {
			if !errors.Is(err, folio.ErrNotFound) && ctx.Err() == nil {
				s.logger.Warn("image size lookup", "key", key, "err", err)
			}
			return 0, 0, false
		}
		return m.Width, m.Height, m.IsImage() && m.Width > 0 && m.Height > 0
	}
}

func (s *Server) viewCtx(ctx context.Context, si siteInfo, a *folio.Article, full bool) (*articleView, error) {
	v := &articleView{
		Article:      a,
		URL:          articlePath(a.Slug),
		TitleHTML:    s.md.Inline(a.Title),
		CommentLabel: si.L.N(a.CommentCount, "comments"),
		Dir:          dirOf(a.Lang),
		L:            si.L,
	}
	v.AbsURL = si.BaseURL + v.URL
	for _, au := range a.Authors {
		v.AuthorLinks = append(v.AuthorLinks, link{au.Name, "/author/" + url.PathEscape(au.Slug)})
	}
	for _, t := range a.Tags {
		v.TagLinks = append(v.TagLinks, link{t.Name, "/tag/" + url.PathEscape(t.Slug)})
	}
	if a.Series != nil {
		v.SeriesURL = "/series/" + url.PathEscape(a.Series.Slug)
	}
	if a.PublishedAt != nil {
		v.Date = si.L.Date(a.PublishedAt.In(si.Loc))
		v.DateISO = a.PublishedAt.UTC().Format(time.RFC3339)
	}
	if a.ModifiedAt != nil {
		v.Updated = si.L.Date(a.ModifiedAt.In(si.Loc))
		v.UpdatedISO = a.ModifiedAt.UTC().Format(time.RFC3339)
	}
	if a.Summary != "" {
		v.Excerpt = a.Summary
	} else {
		v.Excerpt = markdown.Excerpt(a.Body, 240)
	}
	if a.Question != "" {
		v.QuestionHTML = s.md.Inline(a.Question)
	}
	if full {
		doc, err := s.md.ArticleDocWith(a.Body, markdown.DocOptions{ImageSize: s.mediaSizer(ctx)})
		if err != nil {
			return nil, fmt.Errorf("render article %d: %w", a.ID, err)
		}
		v.Body = doc.HTML
		if len(doc.Headings) >= tocMinHeadings {
			v.TOC = doc.Headings
		}
		plain := markdown.PlainText(a.Question + "\n\n" + a.Body)
		v.Words = len(strings.Fields(plain))
		v.ReadingMin = folio.ReadingMinutes(plain)
		v.ReadingLabel = si.L.N(v.ReadingMin, "min_read")
	}
	return v, nil
}

func (s *Server) views(si siteInfo, as []*folio.Article) ([]*articleView, error) {
	out := make([]*articleView, 0, len(as))
	for _, a := range as {
		v, err := s.view(si, a, false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// pager links the pages of a listing.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func newPager(base string, page, perPage, total int, pageURL func(string, int) string) pager {
	p := pager{Page: page, Pages: (total + perPage - 1) / perPage}
	if page > 1 {
		p.Prev = pageURL(base, page-1)
	}
	if page < p.Pages {
		p.Next = pageURL(base, page+1)
	}
	return p
}

// homePageURL gives /page/n URLs (and / for the first page).
func homePageURL(_ string, n int) string {
	if n <= 1 {
		return "/"
	}
	return fmt.Sprintf("/page/%d", n)
}

// queryPageURL gives ?page=n URLs for tag and author listings.
func queryPageURL(base string, n int) string {
	if n <= 1 {
		return base
	}
	return fmt.Sprintf("%s?page=%d", base, n)
}

// shareLink is one of the article's share buttons; all are plain links so
// they work without JavaScript.
type shareLink struct {
	Name  string
	Label string
	URL   string
}

func shareLinks(l *i18n.Locale, title, abs string) []shareLink {
	u, t := url.QueryEscape(abs), url.QueryEscape(title)
	return []shareLink{
		{"facebook", l.T("share_facebook"), "https://www.facebook.com/sharer/sharer.php?u=" + u},
		{"x", l.T("share_x"), "https://x.com/intent/post?url=" + u + "&text=" + t},
		{"telegram", l.T("share_telegram"), "https://t.me/share/url?url=" + u + "&text=" + t},
		{"whatsapp", l.T("share_whatsapp"), "https://wa.me/?text=" + url.QueryEscape(title+" "+abs)},
		{"vk", l.T("share_vk"), "https://vk.com/share.php?url=" + u + "&title=" + t},
		{"linkedin", l.T("share_linkedin"), "https://www.linkedin.com/sharing/share-offsite/?url=" + u},
		{"email", l.T("share_email"), "mailto:?subject=" + url.PathEscape(title) + "&body=" + url.PathEscape(abs)},
	}
}
