package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// fuzzSeeds are shared by the fuzzers: the XSS vectors plus ordinary
// Markdown that reaches every feature.
func fuzzSeeds(f *testing.F) {
	for _, s := range xssVectors {
		f.Add(s)
	}
	f.Add(longArticle())
	f.Add("# H\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n~~x~~ [^1]\n\n[^1]: n\n\n![i](/i.png \"t\")")
	f.Add("- a\n  - b\n    > c\n\n```go\nx\n```\n\n    y\n\n***\n\n<https://a.example> www.b.example c@d.example")
	f.Add("[a]: https://example.com\n\n[x][a] [y][] [z]\n\n*a **b** c*")
}

func FuzzArticle(f *testing.F) {
	fuzzSeeds(f)
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Article(src)
		if err != nil {
			t.Fatalf("Article(%q): %v", src, err)
		}
		if p := unsafeHTML(string(out)); p != "" {
			t.Fatalf("Article(%q): %s in\n%s", src, p, out)
		}
	})
}

func FuzzComment(f *testing.F) {
	fuzzSeeds(f)
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out := r.Comment(src)
		if p := unsafeHTML(string(out)); p != "" {
			t.Fatalf("Comment(%q): %s in\n%s", src, p, out)
		}
		body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
		nodes, err := html.ParseFragment(strings.NewReader(string(out)), body)
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "img", "h1", "h2", "h3", "h4", "h5", "h6", "table", "div", "span", "sup":
					t.Fatalf("Comment(%q): <%s> in\n%s", src, n.Data, out)
				case "a":
					var rel string
					for _, a := range n.Attr {
						if a.Key == "rel" {
							rel = a.Val
						}
						if a.Key == "href" && urlScheme(a.Val) == "" {
							t.Fatalf("Comment(%q): relative link %q in\n%s", src, a.Val, out)
						}
					}
					if rel != "nofollow ugc noopener" {
						t.Fatalf("Comment(%q): link with rel %q in\n%s", src, rel, out)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
	})
}

func FuzzInline(f *testing.F) {
	fuzzSeeds(f)
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		out := string(r.Inline(src))
		body := &html.Node{Type: html.ElementNode, Data: "h1", DataAtom: atom.H1}
		nodes, err := html.ParseFragment(strings.NewReader(out), body)
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "em", "strong", "code", "br":
				default:
					t.Fatalf("Inline(%q): <%s> in\n%s", src, n.Data, out)
				}
				if len(n.Attr) > 0 {
					t.Fatalf("Inline(%q): attributes on <%s> in\n%s", src, n.Data, out)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		for _, n := range nodes {
			walk(n)
		}
	})
}

// smartAlphabet is text with no Markdown syntax, where Smart and Inline
// must agree.
const smartAlphabet = "ab t'\"-.,!?()90s e n l\u00e9\u0436 "

func FuzzSmart(f *testing.F) {
	f.Add([]byte(`"Hello," she said. It's 'fine' in the '90s -- really...`))
	f.Add([]byte(`'twas ''x'' ""y"" a'b"c`))
	r := New()
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Map arbitrary bytes onto the alphabet so the fuzzer explores
		// quote placement rather than Markdown syntax.
		alphabet := []rune(smartAlphabet)
		var b strings.Builder
		for _, c := range raw {
			b.WriteRune(alphabet[int(c)%len(alphabet)])
		}
		checkSmartMatchesInline(t, r, b.String())
	})
}

func FuzzExcerpt(f *testing.F) {
	f.Add("The quick brown fox jumps over the lazy dog", 10)
	f.Add("俄罗斯和巴基斯坦", 3)
	f.Add("a, b, c", 2)
	f.Fuzz(func(t *testing.T, src string, max int) {
		max %= 500
		got := Excerpt(src, max)
		if !utf8.ValidString(got) && utf8.ValidString(src) {
			t.Fatalf("Excerpt(%q, %d) = %q: invalid UTF-8", src, max, got)
		}
		if n := utf8.RuneCountInString(got); n > max && max >= 0 {
			t.Fatalf("Excerpt(%q, %d) = %q: %d runes", src, max, got, n)
		}
		if max > 0 && got != "" && !strings.HasSuffix(got, "…") && got != PlainText(src) {
			t.Fatalf("Excerpt(%q, %d) = %q: shortened without an ellipsis", src, max, got)
		}
	})
}
