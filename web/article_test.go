package web

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"folio"
)

// interviewAnswer has the shape of the page that started Folio: a long
// answer in straight quotes that the typographer must curl, referring back
// to an earlier part of the interview. The words are ours.
const interviewAnswer = `Trade between the two river valleys has always followed the water, and that is still true today. What has changed is the "grid diplomacy" that now sits beside it: transmission lines, shared dispatch centres and the quiet work of engineers who have to agree on frequencies before politicians agree on anything.

It's worth remembering the scenario described in response to the first question of this interview --- a dry summer that halves hydropower output. In that world, the valley that can import electricity at night keeps its factories running, and the one that can't "rations by timetable".

Energy cooperation is therefore the backbone of the relationship, not a side project. Ports come second: a barge terminal costs less than a kilometre of motorway and moves forty times the freight.[^1]

Finally, people. Exchange programmes for grid operators sound dull, but they are what makes a crisis call at 3 a.m. go smoothly.

[^1]: A rough figure from river-freight operators; the exact ratio depends on the cargo.`

func referenceArticle() map[string]any {
	return map[string]any{
		"title":    "Grids and rivers: beyond energy, what else can the valleys share?",
		"question": "Besides cooperation on energy, what other areas of cooperation exist, or could be explored by the two valleys to strengthen their ties?",
		"body":     interviewAnswer,
		"summary":  "Why power lines, barges and people matter more than declarations.",
		"tags":     []string{"Russia", "Pakistan", "Energy"},
		"series":   map[string]any{"slug": "valley-interview", "title": "The valley interview", "position": 2},
		"status":   "published",
	}
}

func TestReferenceArticleAnatomy(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	e.mustCreateArticle(map[string]any{"title": "Part one: the dry summer", "question": "What happens in a dry summer?",
		"body": "It starts with the rivers.", "series": map[string]any{"slug": "valley-interview", "position": 1}, "status": "published"})
	e.clock.Advance(time.Minute)
	a := e.mustCreateArticle(referenceArticle())
	e.clock.Advance(time.Minute)
	e.mustCreateArticle(map[string]any{"title": "Part three: people", "body": "Exchanges.",
		"series": map[string]any{"slug": "valley-interview", "position": 3}, "status": "published"})

	res := e.do("GET", "/"+a.Slug, nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET article: %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	d := res.doc(t)
	canonical := e.srv.baseURL + "/" + a.Slug
	checks := []struct {
		name, got, want string
	}{
		{"h1", d.Find("h1").Text(), "Grids and rivers: beyond energy, what else can the valleys share?"},
		{"title", d.Find("title").Text(), "Grids and rivers: beyond energy, what else can the valleys share? — Folio"},
		{"byline author", d.Find(".byline a[rel=author]").Text(), "Admin"},
		{"author link", d.Find(".byline a[rel=author]").AttrOr("href", ""), "/author/admin"},
		{"comment count", d.Find(`.byline a[href="#comments"]`).Text(), "0 comments"},
		{"comments heading", d.Find("#comments h2").Text(), "0 comments"},
		{"time", d.Find(".byline time").First().AttrOr("datetime", ""), "2026-05-04T09:31:00Z"},
		{"question lead", d.Find("p.question").Text(), "Besides cooperation on energy, what other areas of cooperation exist, or could be explored by the two valleys to strengthen their ties?"},
		{"series", d.Find(".series-label span").Text(), "Part 2 of 3"},
		{"prev", d.Find(".series-nav a[rel=prev]").AttrOr("href", ""), "/part-one-the-dry-summer"},
		{"next", d.Find(".series-nav a[rel=next]").AttrOr("href", ""), "/part-three-people"},
		{"canonical", d.Find(`link[rel=canonical]`).AttrOr("href", ""), canonical},
		{"facebook", d.Find("a.share-facebook").AttrOr("href", ""), "https://www.facebook.com/sharer/sharer.php?u=" + url.QueryEscape(canonical)},
		{"facebook label", d.Find("a.share-facebook").Text(), "Share to Facebook"},
		{"og:type", d.Find(`meta[property="og:type"]`).AttrOr("content", ""), "article"},
		{"og:url", d.Find(`meta[property="og:url"]`).AttrOr("content", ""), canonical},
		{"og:site_name", d.Find(`meta[property="og:site_name"]`).AttrOr("content", ""), "Folio"},
		{"og:description", d.Find(`meta[property="og:description"]`).AttrOr("content", ""), "Why power lines, barges and people matter more than declarations."},
		{"published_time", d.Find(`meta[property="article:published_time"]`).AttrOr("content", ""), "2026-05-04T09:31:00Z"},
		{"article:author", d.Find(`meta[property="article:author"]`).AttrOr("content", ""), e.srv.baseURL + "/author/admin"},
		{"twitter", d.Find(`meta[name="twitter:card"]`).AttrOr("content", ""), "summary_large_image"},
		{"og:image", d.Find(`meta[property="og:image"]`).AttrOr("content", ""), canonical + "/share.png"},
		{"twitter:image", d.Find(`meta[name="twitter:image"]`).AttrOr("content", ""), canonical + "/share.png"},
		{"lang", d.Find("html").AttrOr("lang", ""), "en"},
		{"rss", d.Find(`link[type="application/rss+xml"]`).AttrOr("href", ""), e.srv.baseURL + "/feed.xml"},
		{"description", d.Find(`meta[name=description]`).AttrOr("content", ""), "Why power lines, barges and people matter more than declarations."},
	}
	for _, c := range checks {
		if strings.TrimSpace(c.got) != c.want {
			t.Errorf("%s = %q, want %q", c.name, strings.TrimSpace(c.got), c.want)
		}
	}
	var tags []string
	d.Find(`meta[property="article:tag"]`).Each(func(_ int, s *goquery.Selection) { tags = append(tags, s.AttrOr("content", "")) })
	if strings.Join(tags, ",") != "Russia,Pakistan,Energy" {
		t.Errorf("article:tag = %v", tags)
	}
	if got := d.Find(".post-footer .tags a").Length(); got != 3 {
		t.Errorf("tag links = %d, want 3", got)
	}
	body := d.Find(".post-body").Text()
	for _, want := range []string{"“grid diplomacy”", "It’s worth", "interview — a dry", "“rations by timetable”"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks typographic %q", want)
		}
	}
	if d.Find(".post-body .footnotes li").Length() != 1 {
		t.Errorf("footnote not rendered")
	}
	var labels []string
	d.Find(".share a").Each(func(_ int, s *goquery.Selection) { labels = append(labels, s.Text()) })
	if len(labels) != 8 {
		t.Errorf("share links = %v, want 8 (Facebook, X, Telegram, WhatsApp, VK, LinkedIn, e-mail, copy)", labels)
	}

	var ld map[string]any
	if err := json.Unmarshal([]byte(d.Find(`script[type="application/ld+json"]`).Text()), &ld); err != nil {
		t.Fatalf("JSON-LD: %v", err)
	}
	if ld["@type"] != "NewsArticle" || ld["datePublished"] != "2026-05-04T09:31:00Z" || ld["mainEntityOfPage"] != canonical {
		t.Errorf("JSON-LD = %v", ld)
	}
	if part, _ := ld["isPartOf"].(map[string]any); part["name"] != "The valley interview" {
		t.Errorf("JSON-LD isPartOf = %v", ld["isPartOf"])
	}
	if d.Find(".byline .dt-updated").Length() != 0 {
		t.Error("a never-edited article shows an Updated date")
	}
}

func TestUpdatedDateAfterEdit(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := e.mustCreateArticle(referenceArticle())
	if res := e.do("GET", "/"+a.Slug, nil); res.doc(t).Find(".dt-updated").Length() != 0 {
		t.Fatal("Updated shown before any edit")
	}
	e.clock.Advance(48 * time.Hour)
	res := e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"body": interviewAnswer + "\n\nCorrection: figures updated."})
	if res.StatusCode != 200 {
		t.Fatalf("PATCH: %d %s", res.StatusCode, res.body)
	}
	d := e.do("GET", "/"+a.Slug, nil).doc(t)
	if got := d.Find(".dt-updated").AttrOr("datetime", ""); got != "2026-05-06T09:30:00Z" {
		t.Errorf("Updated datetime = %q", got)
	}
	if !strings.Contains(d.Find(".post-body").Text(), "Correction: figures updated.") {
		t.Error("cached page not invalidated after an edit")
	}
	var ld map[string]any
	json.Unmarshal([]byte(d.Find(`script[type="application/ld+json"]`).Text()), &ld)
	if ld["dateModified"] != "2026-05-06T09:30:00Z" {
		t.Errorf("dateModified = %v", ld["dateModified"])
	}
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	draft := e.mustCreateArticle(map[string]any{"title": "A draft", "body": "secret draft words"})
	sched := e.mustCreateArticle(map[string]any{"title": "Scheduled piece", "body": "tomorrow's words", "status": "scheduled",
		"published_at": e.clock.Now().Add(time.Hour).Format(time.RFC3339), "tags": []string{"Later"}})
	pub := e.mustCreateArticle(map[string]any{"title": "Published piece", "body": "public words", "tags": []string{"Now"}, "status": "published"})

	for _, p := range []string{"/" + draft.Slug, "/" + sched.Slug, "/tag/later"} {
		if res := e.do("GET", p, nil); res.StatusCode != 404 {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/", "/feed.xml", "/atom.xml", "/feed.json", "/sitemap.xml"} {
		res := e.do("GET", p, nil)
		if strings.Contains(res.text(), "draft") || strings.Contains(res.text(), "Scheduled piece") {
			t.Errorf("%s shows an unpublished article", p)
		}
		if !strings.Contains(res.text(), pub.Slug) {
			t.Errorf("%s lacks the published article", p)
		}
	}

	// The scheduled article appears at its time, without a restart.
	e.advance(time.Hour)
	if res := e.do("GET", "/"+sched.Slug, nil); res.StatusCode != 200 {
		t.Errorf("scheduled article after its time = %d", res.StatusCode)
	}
	if !strings.Contains(e.do("GET", "/", nil).text(), "Scheduled piece") {
		t.Error("home page still cached without the scheduled article")
	}
	got := e.api(folio.RoleAdmin, "GET", "/api/v1/articles/"+itoa(sched.ID), nil)
	var st struct{ Status string }
	got.json(t, &st)
	if st.Status != "published" {
		t.Errorf("status after its time = %q, want published", st.Status)
	}

	// Trash hides it at once; deleting forever answers 410.
	if res := e.api(folio.RoleAdmin, "DELETE", "/api/v1/articles/"+itoa(pub.ID), nil); res.StatusCode != 200 {
		t.Fatalf("DELETE: %d %s", res.StatusCode, res.body)
	}
	if res := e.do("GET", "/"+pub.Slug, nil); res.StatusCode != 404 {
		t.Errorf("trashed article = %d, want 404", res.StatusCode)
	}
	if strings.Contains(e.do("GET", "/feed.xml", nil).text(), pub.Slug) {
		t.Error("trashed article still in the feed")
	}
	if res := e.api(folio.RoleAdmin, "DELETE", "/api/v1/articles/"+itoa(pub.ID)+"?permanent=true", nil); res.StatusCode != 204 {
		t.Fatalf("DELETE permanent: %d %s", res.StatusCode, res.body)
	}
	if res := e.do("GET", "/"+pub.Slug, nil); res.StatusCode != 410 {
		t.Errorf("deleted article = %d, want 410", res.StatusCode)
	}
}

func TestSlugChangeRedirects(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := e.mustCreateArticle(map[string]any{"title": "Old title", "body": "x", "status": "published"})
	res := e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"title": "A new title"})
	var got createdArticle
	res.json(t, &got)
	if got.Slug != "old-title" {
		t.Errorf("title change moved the slug to %q", got.Slug)
	}
	e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"slug": "new-slug"})
	res = e.do("GET", "/old-title", nil)
	if res.StatusCode != 301 || res.Header.Get("Location") != "/new-slug" {
		t.Errorf("old slug = %d → %q, want 301 → /new-slug", res.StatusCode, res.Header.Get("Location"))
	}
	if res := e.do("GET", "/new-slug", nil); res.StatusCode != 200 {
		t.Errorf("new slug = %d", res.StatusCode)
	}
}

func TestUnicodeSlugs(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	ru := e.mustCreateArticle(map[string]any{"title": "Россия и энергетика", "body": "Текст.", "lang": "ru", "status": "published"})
	if ru.Slug != "россия-и-энергетика" {
		t.Errorf("slug = %q", ru.Slug)
	}
	if !strings.Contains(ru.URL, "/%D1%80%D0%BE%D1%81") {
		t.Errorf("url %q is not percent-encoded", ru.URL)
	}
	res := e.do("GET", "/"+url.PathEscape(ru.Slug), nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET unicode slug = %d", res.StatusCode)
	}
	if lang := res.doc(t).Find("html").AttrOr("lang", ""); lang != "ru" {
		t.Errorf("lang = %q", lang)
	}
	ur := e.mustCreateArticle(map[string]any{"title": "پاکستان اور توانائی", "body": "متن", "lang": "ur", "status": "published"})
	d := e.do("GET", "/"+url.PathEscape(ur.Slug), nil).doc(t)
	if d.Find("html").AttrOr("dir", "") != "rtl" {
		t.Error("Urdu article lacks dir=rtl")
	}
	fr := e.mustCreateArticle(map[string]any{"title": "Café crème à Genève", "body": "x"})
	if fr.Slug != "cafe-creme-a-geneve" {
		t.Errorf("accented slug = %q", fr.Slug)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestTranslations links the language versions of one text with hreflang
// and a visible "Also in" list, and the API reports bad originals.
func TestTranslations(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	en := e.mustCreateArticle(map[string]any{"title": "Rivers and the grid", "body": "x", "lang": "en", "status": "published"})
	ru := e.mustCreateArticle(map[string]any{"title": "Реки и энергосистема", "body": "x", "lang": "ru", "status": "published", "translation_of": en.ID})
	draft := e.mustCreateArticle(map[string]any{"title": "Draft in Urdu", "body": "x", "lang": "ur", "translation_of": en.ID})
	d := e.do("GET", "/"+en.Slug, nil).doc(t)
	got := map[string]string{}
	d.Find(`link[rel=alternate][hreflang]`).Each(func(_ int, s *goquery.Selection) {
		got[s.AttrOr("hreflang", "")] = s.AttrOr("href", "")
	})
	want := map[string]string{"en": e.srv.baseURL + "/" + en.Slug, "ru": e.srv.baseURL + "/" + url.PathEscape(ru.Slug)}
	if len(got) != len(want) || got["en"] != want["en"] || got["ru"] != want["ru"] {
		t.Errorf("hreflang links = %v, want %v (no draft)", got, want)
	}
	if link := d.Find(`.translations a[hreflang=ru]`); link.Text() != "русский" || link.AttrOr("lang", "") != "ru" {
		t.Errorf("visible translation link = %q", link.Text())
	}
	if d.Find(`.translations a[hreflang=en]`).Length() != 0 {
		t.Error("the page links to itself as a translation")
	}
	for name, body := range map[string]map[string]any{
		"unknown original": {"translation_of": 999999},
		"itself":           {"translation_of": draft.ID},
		"wrong type":       {"translation_of": "en"},
	} {
		res := e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(draft.ID), body)
		if res.StatusCode != 422 || !strings.Contains(res.text(), "translation_of") {
			t.Errorf("%s: %d %s", name, res.StatusCode, res.body)
		}
	}
}
