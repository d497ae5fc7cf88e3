package markdown

import (
	"html/template"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// htmlCase is one Markdown input and properties its HTML must have.
type htmlCase struct {
	name     string
	src      string
	has      []string // CSS selectors that must match at least once
	hasNot   []string // CSS selectors that must not match
	contains []string // substrings of the HTML
	excludes []string // substrings the HTML must not contain
}

func (c htmlCase) check(t testing.TB, out template.HTML) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("parse output: %v", err)
	}
	for _, sel := range c.has {
		if doc.Find(sel).Length() == 0 {
			t.Errorf("no %s in\n%s", sel, out)
		}
	}
	for _, sel := range c.hasNot {
		if doc.Find(sel).Length() != 0 {
			t.Errorf("unexpected %s in\n%s", sel, out)
		}
	}
	for _, s := range c.contains {
		if !strings.Contains(string(out), s) {
			t.Errorf("missing %q in\n%s", s, out)
		}
	}
	for _, s := range c.excludes {
		if strings.Contains(string(out), s) {
			t.Errorf("unexpected %q in\n%s", s, out)
		}
	}
	if p := unsafeHTML(string(out)); p != "" {
		t.Errorf("unsafe output (%s):\n%s", p, out)
	}
}

// renderer is shared by every parallel test, which also exercises
// concurrent use under -race.
var testRenderer = sync.OnceValue(New)

func TestArticle(t *testing.T) {
	t.Parallel()
	cases := []htmlCase{
		{
			name:     "curly quotes and apostrophes",
			src:      `"Hello," she said. It's 'fine' in the '90s.`,
			contains: []string{"“Hello,” she said. It’s ‘fine’ in the ’90s."},
			excludes: []string{"&#34;", "&#39;", "&ldquo;"},
		},
		{
			name:     "dashes and ellipsis",
			src:      "1990--1999 --- a decade... of change",
			contains: []string{"1990–1999 — a decade… of change"},
		},
		{
			name:     "no typography in code",
			src:      "Run `a -- \"b\"` now.\n\n```\nx--\n\"y\"...\n```",
			contains: []string{`<code>a -- &#34;b&#34;</code>`, "x--\n&#34;y&#34;..."},
		},
		{
			name: "heading ids",
			src:  "## Why Russia?\n\n## Why Russia?\n\n### It's *complicated* -- really\n\n## Россия и Пакистан\n\n## Comments\n\n## !!!",
			has: []string{
				`h2[id="why-russia"]`, `h2[id="why-russia-1"]`,
				`h3[id="its-complicated-really"]`, `h2[id="россия-и-пакистан"]`,
				`h2[id="comments-1"]`, `h2[id="section"]`,
			},
			hasNot: []string{`[id="comments"]`},
		},
		{
			name: "footnotes with back-links",
			src:  "Claim one.[^a] Claim two.[^b]\n\n[^a]: First source.\n[^b]: Second source.",
			has: []string{
				`sup[id="fnref:1"] a.footnote-ref[href="#fn:1"][role="doc-noteref"]`,
				`sup[id="fnref:2"] a[href="#fn:2"]`,
				`div.footnotes[role="doc-endnotes"] ol li[id="fn:1"] a.footnote-backref[href="#fnref:1"][role="doc-backlink"]`,
				`li[id="fn:2"] a.footnote-backref[href="#fnref:2"]`,
			},
			contains: []string{"First source."},
		},
		{
			name: "table with alignment",
			src:  "| Year | Trade | Note |\n|:-----|------:|:----:|\n| 2016 | 1 bn  | *up* |",
			has: []string{
				"table thead tr th.align-left", "th.align-right", "th.align-center",
				"table tbody tr td.align-left", "td.align-right", "td.align-center em",
			},
			hasNot: []string{"[style]", "[align]"},
		},
		{
			name: "strikethrough",
			src:  "~~old~~ new",
			has:  []string{"del"},
		},
		{
			name: "links",
			src:  "[abroad](https://example.com/a), [home](/about), [up](#why), [mail](mailto:ed@example.com), [proto](//cdn.example.com/x) and https://bare.example.org/path.",
			has: []string{
				`a[href="https://example.com/a"][rel="noopener"]`,
				`a[href="/about"]:not([rel])`,
				`a[href="#why"]:not([rel])`,
				`a[href="mailto:ed@example.com"]:not([rel])`,
				`a[href="//cdn.example.com/x"][rel="noopener"]`,
				`a[href="https://bare.example.org/path"][rel="noopener"]`,
			},
			hasNot: []string{`[rel*="nofollow"]`},
		},
		{
			name:     "link title keeps punctuation",
			src:      `[x](https://example.com "Moscow: what's next?")`,
			contains: []string{`title="Moscow: what&#39;s next?"`},
		},
		{
			// An image alone in its paragraph is a figure, its title the
			// caption; an image within text keeps its title.
			name: "images",
			src:  "![Druzhba 2016: joint drills](/media/drills.jpg \"Photo: “MoD”\")\n\nSee ![map](/media/map.png \"The route\") above.",
			has: []string{
				`figure > img[src="/media/drills.jpg"][alt="Druzhba 2016: joint drills"][loading="lazy"][decoding="async"]`,
				`figure > figcaption`,
				`p > img[src="/media/map.png"][alt="map"][title="The route"][loading="lazy"]`,
			},
			hasNot:   []string{`figure img[title]`, `p > figure`},
			contains: []string{`<figcaption>Photo: “MoD”</figcaption>`},
		},
		{
			name:     "image with refused URL becomes its alt text",
			src:      `![a chart](data:image/png;base64,iVBORw0KGgo=) ![other](ftp://example.com/x.png)`,
			hasNot:   []string{"img"},
			contains: []string{"a chart", "other"},
		},
		{
			name: "ordered list start and nesting",
			src:  "3. three\n4. four\n   - inner",
			has:  []string{`ol[start="3"] li ul li`},
		},
		{
			name:     "raw HTML is not rendered",
			src:      "<div class=\"x\">block</div>\n\nText <b>bold</b> <span style=\"color:red\">red</span>.",
			hasNot:   []string{"div.x", "b", "span", "[style]"},
			contains: []string{"bold", "red"},
		},
		{
			name: "code language class",
			src:  "```go\nfmt.Println(1)\n```",
			has:  []string{`pre code.language-go`},
		},
		{
			name:     "blockquote and emphasis",
			src:      "> **Strong** and _em_ and ***both***",
			has:      []string{"blockquote p strong", "blockquote em", "em strong, strong em"},
			contains: []string{"Strong"},
		},
		{
			name:   "empty",
			src:    "",
			hasNot: []string{"p"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := testRenderer().Article(c.src)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, out)
		})
	}
}

// xssVectors are inputs that try to get script into a page. Each must come
// out of every renderer harmless; the text may remain, the markup may not.
var xssVectors = []string{
	`<script>alert(1)</script>`,
	"<script>\nalert(1)\n</script>",
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1))`,
	`[x](  javascript:alert(1)  )`,
	`[x](<javascript:alert(1)>)`,
	`[x](javascript&#58;alert(1))`,
	`[x](&#106;avascript:alert(1))`,
	`[x](&#x6A;avascript&colon;alert(1))`,
	`[x](java&#09;script:alert(1))`,
	`[x](\javascript:alert(1))`,
	`[x](vbscript:msgbox(1))`,
	`[x](file:///etc/passwd)`,
	`[x][ref]` + "\n\n[ref]: javascript:alert(1)",
	`<javascript:alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="&#106;avascript:alert(1)">x</a>`,
	`<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>`,
	`<img src=x onerror=alert(1)>`,
	`<img src="x" onerror="alert(1)">`,
	`![x](x" onerror="alert(1))`,
	`![x](x "\" onerror=\"alert(1)")`,
	`[x](https://example.com "\" onmouseover=\"alert(1)")`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`<iframe src="https://evil.example"></iframe>`,
	`<iframe srcdoc="<script>alert(1)</script>">`,
	`<style>body{background:url(javascript:alert(1))}</style>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<object data="evil.swf"></object><embed src="evil.swf">`,
	`<form action="javascript:alert(1)"><input type=submit></form>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<base href="javascript:alert(1)//">`,
	`<details open ontoggle=alert(1)>`,
	"<!--\n<script>alert(1)</script>\n-->",
	`<<script>script>alert(1)<</script>/script>`,
	"`<script>`` <script>alert(1)</script>",
	`[<img src=x onerror=alert(1)>](https://example.com)`,
	`[x](https://example.com/"><script>alert(1)</script>)`,
	"## <script>alert(1)</script>",
	"## x {#x onclick=alert(1)}",
	"[^1]\n\n[^1]: <script>alert(1)</script> [x](javascript:alert(1))",
	"| a |\n|---|\n| <script>alert(1)</script> |",
	"www.example.com/<script>alert(1)</script>",
	"https://example.com/\"onmouseover=\"alert(1)",
}

func TestXSS(t *testing.T) {
	t.Parallel()
	r := testRenderer()
	for _, src := range xssVectors {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			art, err := r.Article(src)
			if err != nil {
				t.Fatal(err)
			}
			outputs := map[string]template.HTML{
				"article": art,
				"comment": r.Comment(src),
				"inline":  r.Inline(src),
			}
			for name, out := range outputs {
				if p := unsafeHTML(string(out)); p != "" {
					t.Errorf("%s: %s in\n%s", name, p, out)
				}
				// Escaped text reads "&lt;script"; a literal "<script" is markup.
				lower := strings.ToLower(string(out))
				for _, bad := range []string{"<script", "<iframe", "<style", "<svg", "<math", "<img src=x"} {
					if strings.Contains(lower, bad) {
						t.Errorf("%s: %q in\n%s", name, bad, out)
					}
				}
			}
		})
	}
}

func TestComment(t *testing.T) {
	t.Parallel()
	const rel = `[rel="nofollow ugc noopener"]`
	cases := []htmlCase{
		{
			name: "links are marked untrusted",
			src:  "[site](https://example.com/a) and <https://example.org/b> and [mail](mailto:a@example.com)",
			has: []string{
				`a[href="https://example.com/a"]` + rel,
				`a[href="https://example.org/b"]` + rel,
				`a[href="mailto:a@example.com"]` + rel,
			},
			hasNot: []string{`a:not(` + rel + `)`},
		},
		{
			name: "bare URLs and emails are linked",
			src:  "see https://example.com/x?y=1 or www.example.net, write to me@example.com",
			has: []string{
				`a[href="https://example.com/x?y=1"]` + rel,
				`a[href="http://www.example.net"]` + rel,
				`a[href="mailto:me@example.com"]` + rel,
			},
		},
		{
			name:     "relative and other-scheme links become text",
			src:      "[admin](/admin) [frag](#x) [ftp](ftp://example.com/f) ftp://example.com/g [tel](tel:+123)",
			hasNot:   []string{"a"},
			contains: []string{"admin", "frag", "ftp", "tel"},
		},
		{
			name:     "link titles are dropped",
			src:      `[x](https://example.com "hover me")`,
			hasNot:   []string{"[title]"},
			excludes: []string{"hover me"},
		},
		{
			name:     "images become alt text",
			src:      "![a cat](https://example.com/cat.jpg) [![logo](https://example.com/l.png)](https://example.com)",
			hasNot:   []string{"img"},
			has:      []string{`a[href="https://example.com"]` + rel},
			contains: []string{"a cat", "logo"},
		},
		{
			name:     "headings are paragraphs",
			src:      "# Big\n\nSmall\n===\n\n## Bigger",
			hasNot:   []string{"h1", "h2", "h3", "h4", "h5", "h6"},
			contains: []string{"<p># Big</p>", "Small", "## Bigger"},
		},
		{
			name:     "raw HTML is shown escaped",
			src:      "<b>bold</b>\n\n<div>block</div>",
			hasNot:   []string{"b", "div"},
			contains: []string{"&lt;b&gt;bold&lt;/b&gt;", "&lt;div&gt;block&lt;/div&gt;"},
		},
		{
			name:     "no tables",
			src:      "| a | b |\n|---|---|\n| 1 | 2 |",
			hasNot:   []string{"table", "td"},
			contains: []string{"| a | b |"},
		},
		{
			name: "allowed blocks and spans",
			src:  "*em* **strong** `code`\n\n> quoted\n\n- one\n- two\n\n1. first\n\n```\ncode block\n```\n\n    indented",
			has: []string{
				"p em", "p strong", "p code", "blockquote p", "ul li", "ol li", "pre code",
			},
			contains: []string{"indented"},
		},
		{
			name:     "typography",
			src:      `I don't think "so" -- really...`,
			contains: []string{"I don’t think “so” – really…"},
		},
		{
			name:     "over the size limit: plain text",
			src:      "**not bold** https://example.com\r\nline two\n\n<b>x</b> " + strings.Repeat("[a](", MaxCommentBytes/4),
			has:      []string{"p br"},
			hasNot:   []string{"a", "strong", "b"},
			contains: []string{"<p>**not bold** https://example.com<br>\nline two</p>", "<p>&lt;b&gt;x&lt;/b&gt; [a]("},
		},
		{
			name: "at the size limit: Markdown",
			src:  "**bold**" + strings.Repeat(" ", MaxCommentBytes-8),
			has:  []string{"p strong"},
		},
		{
			name:   "no ids or classes from footnotes",
			src:    "x[^1]\n\n[^1]: note",
			hasNot: []string{"[id]", "sup", ".footnotes"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.check(t, testRenderer().Comment(c.src))
		})
	}
}

func TestInline(t *testing.T) {
	t.Parallel()
	blocks := []string{"p", "div", "h1", "h2", "ul", "ol", "li", "blockquote", "pre", "table", "a", "img", "hr"}
	cases := []struct {
		src  string
		want template.HTML
	}{
		{`Why "Russia" -- and *why* now?`, `Why “Russia” – and <em>why</em> now?`},
		{`It's **bold** and ` + "`code`", `It’s <strong>bold</strong> and <code>code</code>`},
		{"# Not a heading", "# Not a heading"},
		{"1. Not a list", "1. Not a list"},
		{"- not a list", "- not a list"},
		{"> not a quote", "&gt; not a quote"},
		{"  padded  ", "padded"},
		{"    indented like code", "indented like code"},
		{"one\n        two", "one\ntwo"},
		{"[a link](https://example.com) and ![an image](x.png)", "a link and an image"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"AT&T & co", "AT&amp;T &amp; co"},
		{"First paragraph.\n\nSecond paragraph.", "First paragraph.<br>Second paragraph."},
		{"", ""},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			t.Parallel()
			got := testRenderer().Inline(c.src)
			if got != c.want {
				t.Errorf("Inline(%q) = %q, want %q", c.src, got, c.want)
			}
			htmlCase{hasNot: blocks}.check(t, got)
		})
	}
}

// TestUnsafeHTMLCatches makes sure the invariant the XSS and fuzz tests rely
// on actually rejects what it claims to.
func TestUnsafeHTMLCatches(t *testing.T) {
	t.Parallel()
	bad := []string{
		`<script>x</script>`,
		`<p><iframe></iframe></p>`,
		`<style>p{}</style>`,
		`<img src="x" onerror="y">`,
		`<a href="javascript:x">x</a>`,
		`<a href=" JAVA&#x09;SCRIPT:x">x</a>`,
		`<a href="data:text/html,x">x</a>`,
		`<img src="vbscript:x">`,
		`<p style="color:red">x</p>`,
		`<svg><a href="#x">x</a></svg>`,
	}
	for _, s := range bad {
		if unsafeHTML(s) == "" {
			t.Errorf("unsafeHTML(%q) found nothing", s)
		}
	}
	good := []string{
		`<p><a href="https://x/" rel="noopener">x</a> <a href="/y">y</a> <a href="#z">z</a> <a href="mailto:a@b">a</a></p>`,
		`<img src="/a.png" alt="a" loading="lazy" decoding="async">`,
		`<p>&lt;script&gt;</p>`,
	}
	for _, s := range good {
		if p := unsafeHTML(s); p != "" {
			t.Errorf("unsafeHTML(%q) = %q, want nothing", s, p)
		}
	}
}

func BenchmarkArticle(b *testing.B) {
	r := New()
	src := longArticle()
	if n := len(strings.Fields(PlainText(src))); n < 1300 || n > 1500 {
		b.Fatalf("benchmark document has %d words, want about 1,400", n)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Article(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComment(b *testing.B) {
	r := New()
	src := "I don't agree -- see https://example.com/a and [this](https://example.org).\n\n> \"Quoted\" text\n\n- one\n- two"
	b.ReportAllocs()
	for b.Loop() {
		r.Comment(src)
	}
}

func BenchmarkPlainText(b *testing.B) {
	src := longArticle()
	b.ReportAllocs()
	for b.Loop() {
		PlainText(src)
	}
}

// longArticle builds a long-form answer of about 1,400 words with the
// features an analysis piece uses: headings, quotes, links, emphasis, a list,
// a blockquote and footnotes.
func longArticle() string {
	paragraphs := []string{
		`The significance of the "incipient" relationship between the two countries mustn't be understated, because it forms the backbone of their developing rapprochement and serves as the most symbolic manifestation of a new strategic thinking towards the region -- and towards the continent in general.[^1]`,
		`What differentiates one supplier from another in this field is that its "military diplomacy" is always aimed at reinforcing the existing balance of power between various parties, and at preventing one or the other from acquiring a *decisive* advantage that could compel it to start a war.`,
		`For example, the same supplier sells equipment to three pairs of partners at serious odds with one another, though none of them has received anything that could disrupt the balance. That's the **core** of the approach, as [the ministry](https://example.com/ministry) explained in 2016.`,
		`This is important to reflect on because it could form the basis for an enhanced partnership, one which would obviously draw a neighbour's ire but couldn't reasonably be argued as "directed against" it, or as a 'betrayal' of an older strategic partnership.`,
		`Thus far, exports have helped strengthen anti-terrorist capacities, but the trust and goodwill that these shipments have fostered could help form the basis of a more conventional relationship in the future... if the right circumstances unfold.`,
	}
	var b strings.Builder
	b.WriteString("## Defence as the backbone\n\n")
	for i := 0; i < 6; i++ {
		for _, p := range paragraphs {
			b.WriteString(p)
			b.WriteString("\n\n")
		}
		switch i {
		case 1:
			b.WriteString("## Beyond defence\n\n- energy and pipelines\n- trade corridors\n- education and culture\n\n")
		case 3:
			b.WriteString("> \"Which way the wind is blowing\" matters more than any single contract.[^2]\n\n")
		}
	}
	b.WriteString("## Conclusion\n\nAll told, the relationship is still young, and its \"strategic\" label is more promise than fact. Yet the direction is clear: both sides want options, neither wants to be taken for granted, and each sees in the other a partner that can widen its room for manoeuvre without closing any door it already has open. Whether that becomes a durable alignment depends less on declarations than on the slow, unglamorous work of contracts, exercises, exchanges and trust -- the kind of work that rarely makes headlines but, over a decade, changes maps.\n\n")
	b.WriteString("[^1]: See the joint statement, https://example.org/statement.\n")
	b.WriteString("[^2]: Interview, *Daily Review*, 2017.\n")
	return b.String()
}
