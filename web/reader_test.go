package web

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"folio/demo"
)

// TestArticlePageWeight keeps the demo's long article (the reference
// page's shape, ~1,450 words) under 60 KB of HTML, CSS and JavaScript,
// images excluded, as served uncompressed.
func TestArticlePageWeight(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	if _, err := demo.Seed(context.Background(), e.store); err != nil {
		t.Fatal(err)
	}
	// The demo dates its articles from the real clock.
	if d := time.Since(e.clock.Now()); d > 0 {
		e.clock.Advance(d + time.Hour)
	}
	e.srv.Invalidate()
	res := e.do("GET", "/"+demo.LongSlug, nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET article = %d", res.StatusCode)
	}
	total := len(res.body)
	assets := regexp.MustCompile(`(?:href|src)="(/static/[^"]+\.(?:css|js))"`).FindAllStringSubmatch(res.text(), -1)
	if len(assets) < 2 {
		t.Fatalf("found %d stylesheets and scripts, want the CSS and the JS", len(assets))
	}
	for _, m := range assets {
		r := e.do("GET", m[1], nil)
		if r.StatusCode != 200 {
			t.Fatalf("GET %s = %d", m[1], r.StatusCode)
		}
		total += len(r.body)
		if strings.HasSuffix(m[1], ".css") && len(r.body) >= 20*1024 {
			t.Errorf("style.css is %d bytes, want < 20 KB", len(r.body))
		}
	}
	t.Logf("article page: %d bytes HTML, %d bytes with CSS and JS", len(res.body), total)
	if total >= 60*1024 {
		t.Errorf("article page weighs %d bytes, want < 60 KB", total)
	}
}

func TestLocalisedArticles(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	ru := e.mustCreateArticle(map[string]any{"title": "Баржи возвращаются", "body": "Текст о баржах.", "lang": "ru",
		"tags": []string{"Реки"}, "status": "published"})
	ur := e.mustCreateArticle(map[string]any{"title": "دریا اور بجلی", "body": "متن۔", "lang": "ur", "status": "published"})
	ruPath, urPath := "/"+url.PathEscape(ru.Slug), "/"+url.PathEscape(ur.Slug)

	d := e.do("GET", ruPath, nil).doc(t)
	checks := []struct{ name, got, want string }{
		{"lang", d.Find("html").AttrOr("lang", ""), "ru"},
		{"comments", d.Find(`.byline a[href="#comments"]`).Text(), "0 комментариев"},
		{"date", d.Find(".byline time").First().Text(), "4 мая 2026"},
		{"share", d.Find("a.share-facebook").Text(), "Поделиться в Facebook"},
		{"skip link", d.Find("a.skip").Text(), "Перейти к тексту"},
		{"header stays in the site's language", d.Find(".site-header").AttrOr("lang", ""), "en"},
		{"tag link", d.Find(".post-footer .tags a").AttrOr("href", ""), "/tag/" + url.PathEscape("реки")},
	}
	// Russian has three plural forms: 1 комментарий, 2 комментария, 5 комментариев.
	total := 0
	for _, tc := range []struct {
		n    int
		want string
	}{{1, "1 комментарий"}, {2, "2 комментария"}, {5, "5 комментариев"}, {21, "21 комментарий"}} {
		for ; total < tc.n; total++ {
			if err := insertApprovedComment(e, ru.Slug); err != nil {
				t.Fatal(err)
			}
		}
		got := e.do("GET", ruPath, nil).doc(t).Find("#comments h2").Text()
		checks = append(checks, struct{ name, got, want string }{"comments heading", got, tc.want})
	}
	for _, c := range checks {
		if strings.TrimSpace(c.got) != c.want {
			t.Errorf("ru %s = %q, want %q", c.name, strings.TrimSpace(c.got), c.want)
		}
	}

	d = e.do("GET", urPath, nil).doc(t)
	if d.Find("html").AttrOr("dir", "") != "rtl" || d.Find("html").AttrOr("lang", "") != "ur" {
		t.Error("Urdu article lacks lang=ur dir=rtl")
	}
	if got := d.Find(".site-header").AttrOr("dir", ""); got != "ltr" {
		t.Errorf("English header on an Urdu page: dir = %q, want ltr", got)
	}
	if got := strings.TrimSpace(d.Find("#comments h2").Text()); got != "0 تبصرے" {
		t.Errorf("ur comments = %q", got)
	}
}

func TestTableOfContentsAndFigures(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	long := e.mustCreateArticle(map[string]any{"title": "Three parts", "status": "published",
		"body": "Intro.\n\n## One\n\nText.\n\n## Two\n\n![A barge](/b.png \"At dawn =800x450\")\n\n### Two and a half\n\nMore."})
	short := e.mustCreateArticle(map[string]any{"title": "Two parts", "status": "published", "body": "## One\n\nx\n\n## Two\n\ny"})

	d := e.do("GET", "/"+long.Slug, nil).doc(t)
	var hrefs []string
	d.Find("nav.toc li a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#one #two #two-and-a-half" {
		t.Errorf("TOC links = %v", hrefs)
	}
	for _, h := range hrefs {
		if d.Find(".post-body [id='"+h[1:]+"'] a.anchor").Length() != 1 {
			t.Errorf("no heading with an anchor for %s", h)
		}
	}
	img := d.Find(".post-body figure img")
	if img.AttrOr("width", "") != "800" || img.AttrOr("height", "") != "450" || img.AttrOr("loading", "") != "lazy" ||
		img.AttrOr("alt", "") != "A barge" || d.Find(".post-body figure figcaption").Text() != "At dawn" {
		t.Errorf("figure = %v", goquery.NodeName(img))
	}
	if n := e.do("GET", "/"+short.Slug, nil).doc(t).Find("nav.toc").Length(); n != 0 {
		t.Error("a two-section article has a table of contents")
	}

	// Feeds keep the section ids but not the "#" links.
	feed := e.do("GET", "/feed.json", nil).text()
	if !strings.Contains(feed, `id=\"two-and-a-half\"`) || strings.Contains(feed, "anchor") {
		t.Errorf("feed headings: want ids without anchor links in %.400s", feed)
	}
}
