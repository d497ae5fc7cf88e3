// Package markdown turns Markdown written by authors and readers into HTML
// that is safe to put in a page, and into plain text for descriptions,
// feeds and reading time.
//
// It is the only place in Folio that produces template.HTML: every byte it
// returns has been rendered by goldmark without raw HTML and then filtered
// by a bluemonday allow-list, so templates never need a "safe" function.
package markdown

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Renderer holds the Markdown configurations and HTML policies for
// articles, comments and inline text. Building them costs far more than
// using them, so one Renderer is made at start and shared: it is safe for
// concurrent use.
type Renderer struct {
	article goldmark.Markdown
	comment goldmark.Markdown
	inline  goldmark.Markdown

	articlePolicy *bluemonday.Policy
	commentPolicy *bluemonday.Policy
	inlinePolicy  *bluemonday.Policy
}

// New builds a Renderer. It compiles everything once, so call it at start
// rather than per request.
func New() *Renderer {
	return &Renderer{
		article: goldmark.New(
			goldmark.WithExtensions(articleExtensions()...),
			goldmark.WithParserOptions(parser.WithASTTransformers(
				util.Prioritized(articleTransformer{}, 10000),
				util.Prioritized(longformTransformer{}, 10100),
			)),
			goldmark.WithRendererOptions(renderer.WithNodeRenderers(
				util.Prioritized(longformRenderer{}, 100),
			)),
		),
		comment: goldmark.New(
			goldmark.WithParser(commentParser()),
			goldmark.WithExtensions(extension.Linkify, typographer()),
		),
		inline: goldmark.New(
			goldmark.WithParser(inlineParser()),
			goldmark.WithExtensions(typographer()),
			goldmark.WithRendererOptions(renderer.WithNodeRenderers(
				util.Prioritized(inlineRenderer{}, 100),
			)),
		),
		articlePolicy: articlePolicy(),
		commentPolicy: commentPolicy(),
		inlinePolicy:  inlinePolicy(),
	}
}

// Article renders an article body: GitHub tables, strikethrough, bare-URL
// links, footnotes, typographic punctuation and linkable headings. Raw HTML
// in the source is dropped, links and images are limited to http, https,
// mailto (links) and relative URLs, and links to other hosts get
// rel="noopener". The error is non-nil only if rendering failed inside
// goldmark, which is a bug worth logging; the HTML is then empty.
func (r *Renderer) Article(src string) (template.HTML, error) {
	out, err := convert(r.article, src)
	if err != nil {
		return "", fmt.Errorf("render article: %w", err)
	}
	return template.HTML(r.articlePolicy.SanitizeBytes(out)), nil
}

// Comment renders a reader's comment with the small subset of Markdown a
// comment needs: paragraphs, emphasis, code, quotes, lists and links. Bare
// URLs become links; every link is rel="nofollow ugc noopener" and must be
// http, https or mailto. Images become their alt text; headings, tables and
// raw HTML are shown as the text that was typed.
//
// A comment longer than MaxCommentBytes is shown as escaped text in
// paragraphs instead, without Markdown.
func (r *Renderer) Comment(src string) template.HTML {
	if len(src) > MaxCommentBytes {
		return plainParagraphs(src)
	}
	out, err := convert(r.comment, src)
	if err != nil {
		// Never reached with a bytes.Buffer, but a comment must always show.
		return plainParagraphs(src)
	}
	return template.HTML(r.commentPolicy.SanitizeBytes(out))
}

// MaxCommentBytes bounds the comments Comment renders as Markdown. Some
// inputs (thousands of "[a](" or quotes on one line) take goldmark time
// that grows with the square of the line's length: about 0.2 s at this
// size on a 2-core machine, minutes at a megabyte. Anonymous readers write
// comments, so anything longer is shown as plain text, which costs linear
// time. Folio should refuse comments well below this anyway.
const MaxCommentBytes = 16 << 10

// plainParagraphs shows text as typed: escaped, blank lines separating
// paragraphs, line breaks kept.
func plainParagraphs(src string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(template.HTMLEscapeString(line))
		}
		b.WriteString("</p>\n")
	}
	return template.HTML(b.String())
}

// Inline renders a title or a question lead for use inside <h1> or <p>:
// typographic punctuation and emphasis (em, strong, code) only. Links and
// images become their text, paragraphs are joined with <br>, and no block
// element is ever produced.
func (r *Renderer) Inline(src string) template.HTML {
	out, err := convert(r.inline, dedent(src))
	if err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(bytes.TrimSpace(r.inlinePolicy.SanitizeBytes(out)))
}

// dedent removes leading blanks from every line. Indentation means nothing
// in a title, and goldmark will not start a paragraph on a line indented by
// four or more, which without a code-block parser would lose the text.
func dedent(s string) string {
	if !strings.ContainsAny(s, " \t") {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, " \t")
	}
	return strings.Join(lines, "")
}

// convert runs md over src. goldmark is well tested but a panic on hostile
// input must not take a request or a job down with it, so one becomes an
// error.
func convert(md goldmark.Markdown, src string) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("goldmark panic: %v", p)
		}
	}()
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := md.Convert([]byte(src), &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// typographer replaces straight quotes, dashes and dots with their
// typographic forms, written as characters rather than entities so that
// feeds and plain text get the same characters as pages. Angle quotes are
// left alone: "<<" in prose is more often code or arithmetic than «.
func typographer() goldmark.Extender {
	return extension.NewTypographer(extension.WithTypographicSubstitutions(
		map[extension.TypographicPunctuation][]byte{
			extension.LeftSingleQuote:  []byte("‘"),
			extension.RightSingleQuote: []byte("’"),
			extension.LeftDoubleQuote:  []byte("“"),
			extension.RightDoubleQuote: []byte("”"),
			extension.EnDash:           []byte("–"),
			extension.EmDash:           []byte("—"),
			extension.Ellipsis:         []byte("…"),
			extension.LeftAngleQuote:   nil,
			extension.RightAngleQuote:  nil,
			extension.Apostrophe:       []byte("’"),
		}))
}

// articleExtensions is the Markdown dialect of article bodies, shared by
// Article and PlainText so that plain text matches what the page shows.
func articleExtensions() []goldmark.Extender {
	return []goldmark.Extender{
		// Alignment goes in a class (see articleTransformer): style
		// attributes would need a looser Content-Security-Policy and the
		// align attribute is obsolete HTML.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
		extension.Strikethrough,
		extension.Linkify,
		extension.Footnote,
		typographer(),
	}
}

// commentParser knows only the blocks and spans a comment may use. Syntax it
// does not know (headings, raw HTML, thematic breaks) stays as typed text,
// which the HTML renderer escapes.
func commentParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(
			util.Prioritized(parser.NewListParser(), 300),
			util.Prioritized(parser.NewListItemParser(), 400),
			util.Prioritized(parser.NewCodeBlockParser(), 500),
			util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
			util.Prioritized(parser.NewBlockquoteParser(), 800),
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		parser.WithInlineParsers(
			util.Prioritized(parser.NewCodeSpanParser(), 100),
			util.Prioritized(parser.NewLinkParser(), 200),
			util.Prioritized(parser.NewAutoLinkParser(), 300),
			util.Prioritized(parser.NewEmphasisParser(), 500),
		),
		parser.WithParagraphTransformers(
			util.Prioritized(parser.LinkReferenceParagraphTransformer, 100),
		),
		parser.WithASTTransformers(
			util.Prioritized(commentTransformer{}, 10000),
		),
	)
}

// inlineParser reads everything as paragraphs so that a title such as
// "1. Introduction" or "# hashtags" stays literal text.
func inlineParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(
			util.Prioritized(parser.NewParagraphParser(), 1000),
		),
		parser.WithInlineParsers(
			util.Prioritized(parser.NewCodeSpanParser(), 100),
			util.Prioritized(parser.NewLinkParser(), 200),
			util.Prioritized(parser.NewEmphasisParser(), 500),
		),
		parser.WithASTTransformers(
			util.Prioritized(inlineTransformer{}, 10000),
		),
	)
}

// inlineRenderer writes paragraphs as <br>-separated runs of phrasing
// content, which is all an <h1> or <p> may hold.
type inlineRenderer struct{}

func (inlineRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindParagraph, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.PreviousSibling() != nil {
			_, _ = w.WriteString("<br>")
		}
		return ast.WalkContinue, nil
	})
}

var (
	// headingIDPattern matches the ids articleTransformer gives headings.
	headingIDPattern = regexp.MustCompile(`^[\p{L}\p{M}\p{N}_-]+$`)
	// footnoteIDPattern matches goldmark's footnote and back-reference ids.
	footnoteIDPattern = regexp.MustCompile(`^fn(ref[0-9]*)?:[0-9]+$`)
	codeLangClass     = regexp.MustCompile(`^language-[\p{L}\p{N}_+#.-]+$`)
)

// articlePolicy is bluemonday's user-generated-content policy without
// nofollow (authors are trusted to link), plus exactly what the article
// renderer emits: heading ids, footnote markup, alignment classes, code
// language classes, ordered list starts, link rel and lazy images.
func articlePolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)

	p.AllowAttrs("id").Matching(headingIDPattern).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("id").Matching(footnoteIDPattern).OnElements("sup", "li")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^footnote-(ref|backref)$`)).OnElements("a")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink)$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^footnotes$`)).OnElements("div")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-endnotes$`)).OnElements("div")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^noopener$`)).OnElements("a")
	p.AllowAttrs("title").OnElements("a", "img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	p.AllowAttrs("decoding").Matching(regexp.MustCompile(`^async$`)).OnElements("img")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^align-(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("class").Matching(codeLangClass).OnElements("code")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	// Long-form additions (longform.go): heading anchors, figures with
	// captions and sized images, pull quotes.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^anchor$`)).OnElements("a")
	p.AllowElements("figure", "figcaption")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^pull-quote$`)).OnElements("aside")
	return p
}

// commentPolicy allows only what Comment renders. nofollow is also enforced
// here, so a comment link cannot lose it even if the transformer is wrong.
func commentPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("class").Matching(codeLangClass).OnElements("code")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow ugc noopener$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	return p
}

// inlinePolicy allows the phrasing elements Inline renders and nothing else.
func inlinePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("em", "strong", "code", "br")
	return p
}
