package web

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"folio"
	"folio/markdown"
)

// siteInfo is the site-wide part of every page, read from settings.
type siteInfo struct {
	Title       string
	Description string
	Lang        string
	BaseURL     string
	Loc         *time.Location
}

// Settings keys and their defaults.
const (
	settingTitle       = "site_title"
	settingDescription = "site_description"
	settingLang        = "site_lang"
	settingTimezone    = "timezone"
)

func (s *Server) site(ctx context.Context) (siteInfo, error) {
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
}

func newMeta(si siteInfo, title, description, path string) meta {
	full := si.Title
	if title != "" {
		full = title + " — " + si.Title
	}
	m := meta{Site: si, Title: full, Description: description, Lang: si.Lang}
	if path != "" {
		m.Canonical = si.BaseURL + path
	}
	m.Dir = dirOf(m.Lang)
	return m
}

// rtlLangs are the right-to-left scripts' main languages.
var rtlLangs = map[string]bool{"ar": true, "fa": true, "he": true, "ur": true, "ps": true, "sd": true, "ug": true, "yi": true, "dv": true, "ckb": true}

func dirOf(lang string) string {
	base, _, _ := strings.Cut(lang, "-")
	if rtlLangs[strings.ToLower(base)] {
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
	Words        int
	CommentLabel string
	Dir          string
}

func articlePath(slug string) string { return "/" + url.PathEscape(slug) }

// view prepares a for listings; full also renders the body.
func (s *Server) view(si siteInfo, a *folio.Article, full bool) (*articleView, error) {
	v := &articleView{
		Article:      a,
		URL:          articlePath(a.Slug),
		TitleHTML:    s.md.Inline(a.Title),
		CommentLabel: plural(a.CommentCount, "comment", "comments"),
		Dir:          dirOf(a.Lang),
	}
	v.AbsURL = si.BaseURL + v.URL
	if a.PublishedAt != nil {
		v.Date = a.PublishedAt.In(si.Loc).Format("2 January 2006")
		v.DateISO = a.PublishedAt.UTC().Format(time.RFC3339)
	}
	if a.ModifiedAt != nil {
		v.Updated = a.ModifiedAt.In(si.Loc).Format("2 January 2006")
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
		body, err := s.md.Article(a.Body)
		if err != nil {
			return nil, fmt.Errorf("render article %d: %w", a.ID, err)
		}
		v.Body = body
		plain := markdown.PlainText(a.Question + "\n\n" + a.Body)
		v.Words = len(strings.Fields(plain))
		v.ReadingMin = folio.ReadingMinutes(plain)
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

// plural is English "0 comments", "1 comment", "12 comments". Message
// catalogues for other languages come with the reader-experience work.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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

func shareLinks(title, abs string) []shareLink {
	u, t := url.QueryEscape(abs), url.QueryEscape(title)
	return []shareLink{
		{"facebook", "Share to Facebook", "https://www.facebook.com/sharer/sharer.php?u=" + u},
		{"x", "Share on X", "https://x.com/intent/post?url=" + u + "&text=" + t},
		{"telegram", "Share on Telegram", "https://t.me/share/url?url=" + u + "&text=" + t},
		{"whatsapp", "Share on WhatsApp", "https://wa.me/?text=" + url.QueryEscape(title+" "+abs)},
		{"vk", "Share on VK", "https://vk.com/share.php?url=" + u + "&title=" + t},
		{"linkedin", "Share on LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url=" + u},
		{"email", "Share by e-mail", "mailto:?subject=" + url.PathEscape(title) + "&body=" + url.PathEscape(abs)},
	}
}
