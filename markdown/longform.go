package markdown

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strconv"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Heading is one section heading of an article, for its table of contents.
type Heading struct {
	Level int    // 2 to 6; the page's <h1> is the title
	ID    string // the fragment the heading's anchor link points to
	Text  string // plain text, typographic punctuation applied
}

// Doc is a rendered article body with its section headings.
type Doc struct {
	HTML     template.HTML
	Headings []Heading
}

// pullQuoteMarker starts a blockquote that is a pull quote rather than a
// quotation: "> [!pull] The line to set large."
const pullQuoteMarker = "[!pull]"

// sizeSuffix is the documented way to give an image its intrinsic size:
// a title ending in "=WIDTHxHEIGHT", as in
// ![Barges at Hallam](https://example.com/b.jpg "Barges at dawn =1200x800").
var sizeSuffix = regexp.MustCompile(`(?:^|\s)=([1-9][0-9]{0,4})x([1-9][0-9]{0,4})\s*$`)

var headingsKey = parser.NewContextKey()

var imageSizeKey = parser.NewContextKey()

// DocOptions are what the caller knows beyond the Markdown.
type DocOptions struct {
	// ImageSize gives an image's intrinsic size by its URL as written
	// (the site's uploads, say), for images without a =WxH suffix; ok
	// false leaves the image unsized. Called once per such image.
	ImageSize func(src string) (width, height int, ok bool)
}

// ArticleDoc renders an article body as Article does and also returns its
// headings, so the page can show a table of contents.
func (r *Renderer) ArticleDoc(src string) (Doc, error) {
	return r.ArticleDocWith(src, DocOptions{})
}

// ArticleDocWith is ArticleDoc with options.
func (r *Renderer) ArticleDocWith(src string, o DocOptions) (Doc, error) {
	pc := parser.NewContext()
	if o.ImageSize != nil {
		pc.Set(imageSizeKey, o.ImageSize)
	}
	out, err := convertContext(r.article, src, pc)
	if err != nil {
		return Doc{}, fmt.Errorf("render article: %w", err)
	}
	d := Doc{HTML: template.HTML(r.articlePolicy.SanitizeBytes(out))}
	if hs, ok := pc.Get(headingsKey).([]Heading); ok {
		d.Headings = hs
	}
	return d, nil
}

// convertContext is convert with a parser context to read back from.
func convertContext(md goldmark.Markdown, src string, pc parser.Context) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("goldmark panic: %v", p)
		}
	}()
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// longformTransformer runs after articleTransformer, on links and images it
// has already vetted. It gives headings an anchor link and records them,
// turns an image alone in its paragraph into a figure with a caption, reads
// the =WxH size suffix of image titles, and marks pull quotes.
type longformTransformer struct{}

func (longformTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	imageSize, _ := pc.Get(imageSizeKey).(func(string) (int, int, bool))
	var headings []Heading
	var figures []*ast.Paragraph
	var pulls []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id, _ := n.AttributeString("id")
			idb, _ := id.([]byte)
			if len(idb) == 0 {
				return ast.WalkSkipChildren, nil
			}
			headings = append(headings, Heading{Level: n.Level, ID: string(idb), Text: Smart(nodeText(n, source))})
			a := ast.NewLink()
			a.Destination = append([]byte("#"), idb...)
			a.SetAttributeString("class", []byte("anchor"))
			a.AppendChild(a, ast.NewString([]byte("#")))
			n.AppendChild(n, a)
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			if !sizeImage(n) && imageSize != nil {
				if w, h, ok := imageSize(string(n.Destination)); ok && w > 0 && h > 0 {
					n.SetAttributeString("width", []byte(strconv.Itoa(w)))
					n.SetAttributeString("height", []byte(strconv.Itoa(h)))
				}
			}
			if p, ok := n.Parent().(*ast.Paragraph); ok && onlyChild(p, n, source) {
				figures = append(figures, p)
			}
			return ast.WalkSkipChildren, nil
		case *ast.Blockquote:
			if isPullQuote(n, source) {
				pulls = append(pulls, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, p := range figures {
		img := p.FirstChild()
		for img.Kind() != ast.KindImage {
			img = img.NextSibling()
		}
		f := &figure{}
		p.Parent().ReplaceChild(p.Parent(), p, f)
		f.AppendChild(f, img)
	}
	for _, b := range pulls {
		stripPullMarker(b, source)
		q := &pullQuote{}
		b.Parent().ReplaceChild(b.Parent(), b, q)
		for c := b.FirstChild(); c != nil; {
			next := c.NextSibling()
			q.AppendChild(q, c)
			c = next
		}
	}
	if len(headings) > 0 {
		pc.Set(headingsKey, headings)
	}
}

// sizeImage moves a "=WxH" title suffix into width and height attributes,
// which let the browser reserve the image's space before it loads, and
// reports whether there was one.
func sizeImage(img *ast.Image) bool {
	m := sizeSuffix.FindSubmatchIndex(img.Title)
	if m == nil {
		return false
	}
	img.SetAttributeString("width", img.Title[m[2]:m[3]])
	img.SetAttributeString("height", img.Title[m[4]:m[5]])
	img.Title = bytes.TrimSpace(img.Title[:m[0]])
	if len(img.Title) == 0 {
		img.Title = nil
	}
	return true
}

// onlyChild reports whether img is all there is in p but blank text.
func onlyChild(p *ast.Paragraph, img ast.Node, source []byte) bool {
	for c := p.FirstChild(); c != nil; c = c.NextSibling() {
		if c == img {
			continue
		}
		t, ok := c.(*ast.Text)
		if !ok || len(bytes.TrimSpace(t.Segment.Value(source))) > 0 {
			return false
		}
	}
	return true
}

func isPullQuote(b *ast.Blockquote, source []byte) bool {
	p, ok := b.FirstChild().(*ast.Paragraph)
	if !ok || p.Lines().Len() == 0 {
		return false
	}
	first := p.Lines().At(0)
	return bytes.HasPrefix(first.Value(source), []byte(pullQuoteMarker))
}

// stripPullMarker removes "[!pull]" from the start of the quote: the
// marker is parsed as plain text, in one or more leading text nodes.
func stripPullMarker(b *ast.Blockquote, source []byte) {
	p := b.FirstChild()
	left := len(pullQuoteMarker)
	for c := p.FirstChild(); c != nil && left > 0; {
		next := c.NextSibling()
		t, ok := c.(*ast.Text)
		if !ok {
			break
		}
		n := t.Segment.Len()
		if n <= left {
			p.RemoveChild(p, t)
			left -= n
		} else {
			t.Segment = t.Segment.WithStart(t.Segment.Start + left)
			left = 0
		}
		c = next
	}
	// Drop the blank the marker leaves behind.
	if t, ok := p.FirstChild().(*ast.Text); ok {
		v := t.Segment.Value(source)
		trimmed := bytes.TrimLeft(v, " \t")
		t.Segment = t.Segment.WithStart(t.Segment.Start + len(v) - len(trimmed))
	}
}

// altText is an image's description: the text of its children (nodeText
// skips images, whose alt text is not visible text).
func altText(img *ast.Image, source []byte) string {
	var b []byte
	for c := img.FirstChild(); c != nil; c = c.NextSibling() {
		b = append(b, nodeText(c, source)...)
	}
	return string(b)
}

var (
	kindFigure    = ast.NewNodeKind("Figure")
	kindPullQuote = ast.NewNodeKind("PullQuote")
)

// figure is an image set apart, with its title as a caption.
type figure struct{ ast.BaseBlock }

func (*figure) Kind() ast.NodeKind { return kindFigure }

func (f *figure) Dump(source []byte, level int) { ast.DumpHelper(f, source, level, nil, nil) }

// pullQuote is a line of the article repeated large to draw the eye.
type pullQuote struct{ ast.BaseBlock }

func (*pullQuote) Kind() ast.NodeKind { return kindPullQuote }

func (q *pullQuote) Dump(source []byte, level int) { ast.DumpHelper(q, source, level, nil, nil) }

// longformRenderer writes figures and pull quotes.
type longformRenderer struct{}

func (longformRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindFigure, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		img, ok := n.FirstChild().(*ast.Image)
		if !ok {
			return ast.WalkSkipChildren, nil
		}
		_, _ = w.WriteString("<figure>\n<img src=\"")
		_, _ = w.Write(util.EscapeHTML(util.URLEscape(img.Destination, true)))
		_, _ = w.WriteString(`" alt="`)
		_, _ = w.Write(util.EscapeHTML([]byte(altText(img, source))))
		_ = w.WriteByte('"')
		html.RenderAttributes(w, img, html.ImageAttributeFilter)
		_, _ = w.WriteString(">\n")
		if len(img.Title) > 0 {
			_, _ = w.WriteString("<figcaption>")
			_, _ = w.Write(util.EscapeHTML([]byte(Smart(string(util.UnescapePunctuations(img.Title))))))
			_, _ = w.WriteString("</figcaption>\n")
		}
		_, _ = w.WriteString("</figure>\n")
		return ast.WalkSkipChildren, nil
	})
	reg.Register(kindPullQuote, func(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString("<aside class=\"pull-quote\">\n")
		} else {
			_, _ = w.WriteString("</aside>\n")
		}
		return ast.WalkContinue, nil
	})
}
