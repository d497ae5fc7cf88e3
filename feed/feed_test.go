package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const feedURL = "https://folio.example/feed.xml"

// pkt is a non-UTC zone, to show every time is written in UTC.
var pkt = time.FixedZone("PKT", 5*60*60)

func testSite() Site {
	return Site{
		Title:       "Folio & Friends",
		Description: "Analysis, news and interviews",
		BaseURL:     "https://folio.example/",
		Lang:        "en",
		Updated:     time.Date(2017, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func testItems() []Item {
	published := time.Date(2017, 3, 14, 9, 30, 0, 0, pkt)
	return []Item{
		{
			URL:         "https://folio.example/russia-pakistan-defence",
			Title:       "Russia and Pakistan – “beyond defence”",
			Summary:     "Besides cooperation in defence terms, what other areas exist?",
			ContentHTML: "<p>The significance of the <em>incipient</em> relationship mustn’t be understated.</p>\n<h2 id=\"energy\">Energy &amp; trade</h2>\n<p>See <a href=\"https://example.org/?a=1&amp;b=2\" rel=\"noopener\">the report</a>.</p>",
			Published:   published,
			Updated:     published.Add(50 * time.Hour),
			Authors: []Person{
				{Name: "Admin", URL: "https://folio.example/author/admin"},
				{Name: "Amina Khan"},
			},
			Tags:  []string{"Russia", "Pakistan", "Defence & Security"},
			Image: "https://folio.example/russia-pakistan-defence/share.png",
		},
		{
			URL:         "https://folio.example/%D9%BE%D8%A7%DA%A9%D8%B3%D8%AA%D8%A7%D9%86",
			Title:       "پاکستان اور روس 🚀",
			Summary:     "دفاعی تعاون کے علاوہ",
			ContentHTML: "<p>دفاعی تعاون کے علاوہ، تعاون کے دیگر شعبے کون سے ہیں؟</p>",
			Published:   published.Add(-24 * time.Hour),
			Updated:     published.Add(-24 * time.Hour),
			Authors:     []Person{{Name: "Admin", URL: "https://folio.example/author/admin"}},
			Tags:        []string{"اردو"},
		},
		{
			// A short note: no HTML, no author, no tags, no update.
			URL:       "https://folio.example/note",
			Title:     "A note",
			Summary:   "Just a summary.",
			Published: published.Add(-48 * time.Hour),
		},
	}
}

// formats lists the three feed writers by name.
var formats = []struct {
	name string
	fn   func(Site, string, []Item) ([]byte, error)
}{
	{"rss", RSS},
	{"atom", Atom},
	{"json", JSON},
}

func TestGolden(t *testing.T) {
	t.Parallel()
	ext := map[string]string{"rss": ".xml", "atom": ".xml", "json": ".json"}
	for _, f := range formats {
		for _, empty := range []bool{false, true} {
			name := f.name
			items := testItems()
			if empty {
				name += "_empty"
				items = nil
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				got, err := f.fn(testSite(), feedURL, items)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, name+ext[f.name], got)
			})
		}
	}
	t.Run("sitemap", func(t *testing.T) {
		t.Parallel()
		got, err := Sitemap(testURLs())
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "sitemap.xml", got)
	})
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./feed -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (if the change is intended, run go test ./feed -update and review the diff)\ngot:\n%s", path, got)
	}
}

// TestGofeed reads every format back with a real feed parser and checks
// that a reader would see what was put in.
func TestGofeed(t *testing.T) {
	t.Parallel()
	wantType := map[string]string{"rss": "rss", "atom": "atom", "json": "json"}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			site, items := testSite(), testItems()
			out, err := f.fn(site, feedURL, items)
			if err != nil {
				t.Fatal(err)
			}
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("gofeed: %v\n%s", err, out)
			}
			if feed.FeedType != wantType[f.name] {
				t.Errorf("FeedType = %q, want %q", feed.FeedType, wantType[f.name])
			}
			if feed.Title != site.Title {
				t.Errorf("Title = %q, want %q", feed.Title, site.Title)
			}
			if feed.Link != site.BaseURL {
				t.Errorf("Link = %q, want %q", feed.Link, site.BaseURL)
			}
			if feed.FeedLink != feedURL {
				t.Errorf("FeedLink = %q, want %q", feed.FeedLink, feedURL)
			}
			if feed.Language != site.Lang {
				t.Errorf("Language = %q, want %q", feed.Language, site.Lang)
			}
			if f.name != "json" { // JSON Feed has no feed-level date
				// The newest update among items: the first item's.
				wantUpdated := items[0].Updated
				if feed.UpdatedParsed == nil || !feed.UpdatedParsed.Equal(wantUpdated) {
					t.Errorf("UpdatedParsed = %v, want %v", feed.UpdatedParsed, wantUpdated)
				}
			}
			if len(feed.Items) != len(items) {
				t.Fatalf("%d items, want %d", len(feed.Items), len(items))
			}
			for i, want := range items {
				got := feed.Items[i]
				if got.Title != want.Title {
					t.Errorf("item %d Title = %q, want %q", i, got.Title, want.Title)
				}
				if got.Link != want.URL {
					t.Errorf("item %d Link = %q, want %q", i, got.Link, want.URL)
				}
				if got.GUID != want.URL {
					t.Errorf("item %d GUID = %q, want %q", i, got.GUID, want.URL)
				}
				if got.PublishedParsed == nil || !got.PublishedParsed.Equal(want.Published) {
					t.Errorf("item %d PublishedParsed = %v, want %v", i, got.PublishedParsed, want.Published)
				}
				if f.name != "rss" && !want.Updated.IsZero() && (got.UpdatedParsed == nil || !got.UpdatedParsed.Equal(want.Updated)) {
					t.Errorf("item %d UpdatedParsed = %v, want %v", i, got.UpdatedParsed, want.Updated)
				}
				if got.Content != want.ContentHTML && !(f.name == "json" && want.ContentHTML == "") {
					t.Errorf("item %d Content = %q, want %q", i, got.Content, want.ContentHTML)
				}
				if got.Description != want.Summary {
					t.Errorf("item %d Description = %q, want %q", i, got.Description, want.Summary)
				}
				if !slices.Equal(got.Categories, want.Tags) {
					t.Errorf("item %d Categories = %q, want %q", i, got.Categories, want.Tags)
				}
				if names, want := authorNames(f.name, got), personNames(want.Authors); !slices.Equal(names, want) {
					t.Errorf("item %d authors = %q, want %q", i, names, want)
				}
				if want.Image != "" && f.name != "atom" { // gofeed reads no Atom item image
					if got.Image == nil || got.Image.URL != want.Image {
						t.Errorf("item %d Image = %+v, want %q", i, got.Image, want.Image)
					}
				}
			}
		})
	}
}

// authorNames returns every author name gofeed found on an item. For RSS it
// keeps only the first in Authors, so the dc:creator list is read instead.
func authorNames(format string, it *gofeed.Item) []string {
	if format == "rss" {
		if it.DublinCoreExt == nil {
			return nil
		}
		return it.DublinCoreExt.Creator
	}
	var names []string
	for _, p := range it.Authors {
		names = append(names, p.Name)
	}
	return names
}

func personNames(ps []Person) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}

func TestAtomAuthorFallback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		items      []Item
		wantAuthor bool
	}{
		{"every entry has an author", testItems()[:2], false},
		{"an entry without author", testItems(), true},
		{"no entries", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := Atom(testSite(), feedURL, c.items)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Authors []struct {
					Name string `xml:"name"`
				} `xml:"author"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if got := len(doc.Authors) == 1 && doc.Authors[0].Name == testSite().Title; got != c.wantAuthor {
				t.Errorf("feed author present = %v, want %v\n%s", got, c.wantAuthor, out)
			}
		})
	}
}

func TestUpdated(t *testing.T) {
	t.Parallel()
	site := testSite()
	day := func(d int) time.Time { return time.Date(2020, 1, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name  string
		items []Item
		want  time.Time
	}{
		{"no items", nil, site.Updated},
		{"newest update wins over order", []Item{{Published: day(1), Updated: day(2)}, {Published: day(3), Updated: day(9)}}, day(9)},
		{"published when never updated", []Item{{Published: day(5)}, {Published: day(1), Updated: day(4)}}, day(5)},
		{"items without times", []Item{{Title: "x"}}, site.Updated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := updated(site, c.items); !got.Equal(c.want) {
				t.Errorf("updated = %v, want %v", got, c.want)
			}
			out, err := RSS(site, feedURL, c.items)
			if err != nil {
				t.Fatal(err)
			}
			if want := "<lastBuildDate>" + c.want.UTC().Format(time.RFC1123Z) + "</lastBuildDate>"; !bytes.Contains(out, []byte(want)) {
				t.Errorf("RSS lacks %s:\n%s", want, out)
			}
		})
	}
}

// controls is every C0 control character.
func controls() string {
	var b strings.Builder
	for r := rune(0); r < 0x20; r++ {
		b.WriteRune(r)
	}
	return b.String()
}

// hostile strings must come out as the same text, minus what XML forbids.
var hostile = []string{
	"]]>",
	"a]]>b]]]]>c<![CDATA[d",
	"<script>alert(1)</script>",
	"before" + controls() + "after",
	"\x00\x08\x0b\x0c\x1b[31mred\x1b[0m",
	"non-characters \uFFFE\uFFFF and U+FFFD \uFFFD",
	"invalid UTF-8 \xff\xfe\xc3( and a lone surrogate \xed\xa0\x80",
	"emoji 🚀 👩🏽‍💻 👨‍👩‍👧 🇵🇰",
	"RTL پاکستان اور روس and \u202Eoverride\u202C and \u200Fmark",
	"&amp; &lt; &#0; &#x1; &nbsp; literal entities",
	`"double" 'single' <tag attr="x"> & ampersand`,
	"C1 \u0085 \u009f and \u2028 line \u2029 separators",
	"astral 𝔉𝔬𝔩𝔦𝔬 \U0010FFFD",
}

// xmlText is what a hostile string should read as: the test's own account
// of XML 1.0's Char production, independent of the package's.
func xmlText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, s)
}

// parsedText is xmlText after an XML parser's line-end normalisation, which
// applies to raw text and CDATA but not to character references.
func parsedText(s string) string {
	s = strings.ReplaceAll(xmlText(s), "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func TestHostileStrings(t *testing.T) {
	t.Parallel()
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			items := []Item{{
				URL:         "https://folio.example/x?a=1&b=" + h,
				Title:       h,
				Summary:     h,
				ContentHTML: h,
				Published:   time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
				Authors:     []Person{{Name: h}},
				Tags:        []string{h},
			}}
			site := Site{Title: h, Description: h, BaseURL: "https://folio.example/", Lang: "ur"}

			rss, err := RSS(site, feedURL, items)
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, rss)
			var r struct {
				Channel struct {
					Title string `xml:"title"`
					Item  struct {
						Title    string `xml:"title"`
						Desc     string `xml:"description"`
						Content  string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
						Creator  string `xml:"http://purl.org/dc/elements/1.1/ creator"`
						Category string `xml:"category"`
					} `xml:"item"`
				} `xml:"channel"`
			}
			if err := xml.Unmarshal(rss, &r); err != nil {
				t.Fatal(err)
			}
			want := xmlText(h)
			for name, got := range map[string]string{
				"channel title": r.Channel.Title, "title": r.Channel.Item.Title,
				"description": r.Channel.Item.Desc, "creator": r.Channel.Item.Creator,
				"category": r.Channel.Item.Category,
			} {
				if got != want {
					t.Errorf("rss %s = %q, want %q", name, got, want)
				}
			}
			if got, want := r.Channel.Item.Content, parsedText(h); got != want {
				t.Errorf("rss content = %q, want %q", got, want)
			}

			atom, err := Atom(site, feedURL, items)
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, atom)
			var a struct {
				Entry struct {
					Title    string `xml:"title"`
					Summary  string `xml:"summary"`
					Content  string `xml:"content"`
					Author   string `xml:"author>name"`
					Category struct {
						Term string `xml:"term,attr"`
					} `xml:"category"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal(atom, &a); err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]string{
				"title": a.Entry.Title, "summary": a.Entry.Summary,
				"author": a.Entry.Author,
			} {
				if got != want {
					t.Errorf("atom %s = %q, want %q", name, got, want)
				}
			}
			if got, want := a.Entry.Content, parsedText(h); got != want {
				t.Errorf("atom content = %q, want %q", got, want)
			}
			// encoding/xml writes tab, newline and CR in attributes as
			// character references, which parsers do not normalise.
			if got := a.Entry.Category.Term; got != want {
				t.Errorf("atom category = %q, want %q", got, want)
			}

			js, err := JSON(site, feedURL, items)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(js) {
				t.Fatalf("invalid JSON:\n%s", js)
			}
			var j struct {
				Title string `json:"title"`
				Items []struct {
					Title       string   `json:"title"`
					ContentHTML string   `json:"content_html"`
					Tags        []string `json:"tags"`
				} `json:"items"`
			}
			if err := json.Unmarshal(js, &j); err != nil {
				t.Fatal(err)
			}
			if j.Title != want || j.Items[0].Title != want || j.Items[0].ContentHTML != want || j.Items[0].Tags[0] != want {
				t.Errorf("json = %+v, want every field %q", j, want)
			}

			for name, out := range map[string][]byte{"rss": rss, "atom": atom} {
				if _, err := gofeed.NewParser().Parse(bytes.NewReader(out)); err != nil {
					t.Errorf("gofeed cannot read %s: %v", name, err)
				}
			}
		})
	}
}

// wellFormed fails t unless an XML decoder reads out to the end.
func wellFormed(t testing.TB, out []byte) {
	t.Helper()
	if err := readAll(out); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, out)
	}
}

func readAll(out []byte) error {
	if !utf8.Valid(out) {
		return errors.New("invalid UTF-8")
	}
	d := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestWellFormedCatches shows readAll rejects what the feed code must avoid,
// so passing it means something.
func TestWellFormedCatches(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"<a>\x00</a>",
		"<a>\x1b</a>",
		"<a><![CDATA[x]]>]]></a>",
		"<a>x &bogus; y</a>",
		"<a>\xff</a>",
		"<a><b></a>",
		"<a>\uFFFE</a>",
	} {
		if readAll([]byte(bad)) == nil {
			t.Errorf("readAll(%q) accepted it", bad)
		}
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"a\x00b\x1fc\x7fd", "abc\x7fd"},
		{"\uFFFE\uFFFF\uFFFD", "\uFFFD"},
		{"bad\xffbyte", "badbyte"},
		{"\xed\xa0\x80", ""},
		{"🚀\U0010FFFF", "🚀\U0010FFFF"},
	}
	for _, c := range cases {
		if got := clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func testURLs() []URL {
	return []URL{
		{Loc: "https://folio.example/", LastMod: time.Date(2017, 3, 16, 11, 30, 0, 0, pkt)},
		{Loc: "https://folio.example/russia-pakistan-defence", LastMod: time.Date(2017, 3, 16, 11, 30, 0, 0, pkt)},
		{Loc: "https://folio.example/search?q=a&page=2"},
		{Loc: "https://folio.example/%D9%BE%D8%A7%DA%A9"},
	}
}

func TestSitemap(t *testing.T) {
	t.Parallel()
	urls := testURLs()
	out, err := Sitemap(urls)
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		XMLName xml.Name
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(out, &set); err != nil {
		t.Fatal(err)
	}
	if set.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" || set.XMLName.Local != "urlset" {
		t.Errorf("root = %v", set.XMLName)
	}
	if len(set.URLs) != len(urls) {
		t.Fatalf("%d urls, want %d", len(set.URLs), len(urls))
	}
	for i, u := range urls {
		if set.URLs[i].Loc != u.Loc {
			t.Errorf("loc %d = %q, want %q", i, set.URLs[i].Loc, u.Loc)
		}
		want := ""
		if !u.LastMod.IsZero() {
			want = u.LastMod.UTC().Format("2006-01-02T15:04:05Z")
		}
		if set.URLs[i].LastMod != want {
			t.Errorf("lastmod %d = %q, want %q", i, set.URLs[i].LastMod, want)
		}
	}
	if !bytes.Contains(out, []byte("<lastmod>2017-03-16T06:30:00Z</lastmod>")) {
		t.Errorf("lastmod not in UTC W3C format:\n%s", out)
	}
}

func TestSitemapLimits(t *testing.T) {
	t.Parallel()
	urls := make([]URL, MaxSitemapURLs+1)
	for i := range urls {
		urls[i].Loc = "https://folio.example/a"
	}
	if _, err := Sitemap(urls); err == nil {
		t.Errorf("Sitemap accepted %d urls", len(urls))
	}
	if _, err := Sitemap(urls[:MaxSitemapURLs]); err != nil {
		t.Errorf("Sitemap refused %d urls: %v", MaxSitemapURLs, err)
	}
	empty, err := Sitemap(nil)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, empty)
}

func FuzzRSS(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h)
	}
	f.Add("title", "<p>content</p>")
	f.Fuzz(func(t *testing.T, title, content string) {
		items := []Item{{URL: "https://folio.example/x", Title: title, ContentHTML: content, Tags: []string{title}}}
		out, err := RSS(Site{Title: title, Description: content}, feedURL, items)
		if err != nil {
			t.Fatal(err)
		}
		wellFormed(t, out)
		var r struct {
			Item struct {
				Title   string `xml:"title"`
				Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		if want := xmlText(title); r.Item.Title != want {
			t.Errorf("title = %q, want %q", r.Item.Title, want)
		}
		if want := parsedText(content); r.Item.Content != want {
			t.Errorf("content = %q, want %q", r.Item.Content, want)
		}
	})
}

func FuzzAtom(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h)
	}
	f.Fuzz(func(t *testing.T, title, content string) {
		items := []Item{{URL: "https://folio.example/x", Title: title, ContentHTML: content, Tags: []string{title}}}
		out, err := Atom(Site{Title: title, Lang: title}, feedURL, items)
		if err != nil {
			t.Fatal(err)
		}
		wellFormed(t, out)
	})
}

func BenchmarkRSS(b *testing.B) {
	items := slices.Repeat(testItems(), 10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RSS(testSite(), feedURL, items); err != nil {
			b.Fatal(err)
		}
	}
}
