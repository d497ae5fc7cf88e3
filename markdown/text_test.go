package markdown

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src, want string
	}{
		{"empty", "", ""},
		{"blank", " \n\t\n", ""},
		{"emphasis and typography", `It's *"really"* **that** simple -- isn't it...`, `It’s “really” that simple – isn’t it…`},
		{"blocks are separated", "# Title\n\nFirst line\nsecond line.\n\n- one\n- two\n\n> quoted", "Title First line second line. one two quoted"},
		{"links keep their text", "[Russia](https://example.com) and <https://example.org> and www.example.net", "Russia and https://example.org and www.example.net"},
		{"images are dropped", "Before ![a chart](x.png) after", "Before after"},
		{"raw HTML is dropped", "<div>\nhidden\n</div>\n\nText <b>bold</b> here.", "Text bold here."},
		{"footnotes are dropped", "Claim.[^1] More.\n\n[^1]: The source.", "Claim. More."},
		{"code is kept literally", "Use `a -- b` or\n\n```\nx := \"y\"\n```", `Use a -- b or x := "y"`},
		{"escapes and entities", `5 \* 3 &amp; AT&T &copy; &#8212; \<b\>`, `5 * 3 & AT&T © — <b>`},
		{"tables", "| a | b |\n|---|---|\n| 1 | 2 |", "a b 1 2"},
		{"strikethrough", "~~old~~ new", "old new"},
		{"hard line break", "one  \ntwo\\\nthree", "one two three"},
		{"whitespace collapsed", "a\u00a0\u00a0b\t\tc", "a b c"},
		{"script text is only text", "<script>alert(1)</script>", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := PlainText(c.src); got != c.want {
				t.Errorf("PlainText(%q) = %q, want %q", c.src, got, c.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		max  int
		want string
	}{
		{"fits", "Short *text*.", 20, "Short text."},
		{"exact fit", "abcde", 5, "abcde"},
		{"cut at word", "The quick brown fox jumps", 16, "The quick brown…"},
		{"word ends at the limit", "The quick brown fox", 11, "The quick…"},
		{"trailing punctuation dropped", "One, two, three, four", 10, "One, two…"},
		{"no spaces cuts mid-run", "俄罗斯和巴基斯坦的关系正在发展", 6, "俄罗斯和巴…"},
		{"long first word is cut hard", "Incomprehensibilities abound", 10, "Incompreh…"},
		{"markdown removed first", "## Title\n\n**Bold** claim here", 12, "Title Bold…"},
		{"zero", "anything", 0, ""},
		{"one", "anything", 1, "…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Excerpt(c.src, c.max)
			if got != c.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", c.src, c.max, got, c.want)
			}
			if n := utf8.RuneCountInString(got); n > c.max && c.max >= 0 {
				t.Errorf("Excerpt(%q, %d) has %d runes", c.src, c.max, n)
			}
		})
	}
}

func TestSmart(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"", ""},
		{"No punctuation here", "No punctuation here"},
		{`"Quoted" title`, "“Quoted” title"},
		{`It's 'single' and the '90s`, "It’s ‘single’ and the ’90s"},
		{`Russia's "multi-aligning" partners`, "Russia’s “multi-aligning” partners"},
		{"1990--1999 --- and so on...", "1990–1999 — and so on…"},
		{"Smiths' house, doin' fine", "Smiths’ house, doin’ fine"},
		{`He said "she said 'yes'"`, "He said “she said ‘yes’”"},
		{`A 21" monitor`, `A 21" monitor`},
		{"a - b and x-y", "a - b and x-y"},
		{"Two.. dots", "Two.. dots"},
		{`<b>"x"</b> & co`, `<b>“x”</b> & co`},
		{"Россия и «Пакистан» -- \"друзья\"", "Россия и «Пакистан» – “друзья”"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			if got := Smart(c.in); got != c.want {
				t.Errorf("Smart(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// TestSmartMatchesInline checks the promise that a title reads the same in
// <title> (Smart) and in <h1> (Inline), on inputs that hold no Markdown.
func TestSmartMatchesInline(t *testing.T) {
	t.Parallel()
	inputs := []string{
		`"Hello," she said. It's 'fine'.`,
		`'twas the night; 'em all; rock 'n' roll`,
		`the '90s, '80s. and '70s`,
		`Smiths' "quote" 'single' it's "a"b" ... -- --- ----`,
		`5'10" tall "Monitor 21"" x`,
		`"'nested'" and '"other"'`,
		`don't won't y'all I'm you're we've they'll she'd`,
		`''double single'' and ""double double""`,
		`"unclosed and 'unclosed`,
		`closing" only' here`,
		`(parenthetical "quote") and ["bracket"]`,
		`"Quote." "Quote," "Quote!"`,
		`Q: "Why?" A: 'Because.'`,
		`x'y"z 1'2"3 a' b" 'c "d`,
		`Ёлки "палки" 'ёж' и ’90s`,
		`" spaced " and ' spaced '`,
		`He said "she said 'no'"`, // goldmark reads 'n as in rock 'n' roll
	}
	r := testRenderer()
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			checkSmartMatchesInline(t, r, in)
		})
	}
}

func checkSmartMatchesInline(t testing.TB, r *Renderer, in string) {
	t.Helper()
	got := strings.TrimSpace(Smart(in))
	want := html.UnescapeString(string(r.Inline(in)))
	if got != want {
		t.Errorf("Smart(%q) = %q, Inline gives %q", in, got, want)
	}
}
