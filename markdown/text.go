package markdown

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// PlainText returns the words a reader sees in an article body, with the
// same typographic punctuation, as one line of text: no markup, whitespace
// collapsed. Raw HTML, images and footnotes are left out, as the article
// page either drops them or sets them apart. It is meant for meta
// descriptions, feed summaries and reading time.
//
// PlainText builds its parser per call (tens of microseconds), which keeps
// the package free of shared state; callers on a hot path cache the result.
func PlainText(src string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	source := []byte(src)
	md := goldmark.New(goldmark.WithExtensions(articleExtensions()...))
	doc, err := parse(md, source)
	if err != nil {
		return strings.Join(strings.Fields(src), " ")
	}
	return nodeText(doc, source)
}

// parse parses source, turning a goldmark panic into an error as convert does.
func parse(md goldmark.Markdown, source []byte) (doc ast.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, fmt.Errorf("goldmark panic: %v", p)
		}
	}()
	return md.Parser().Parse(text.NewReader(source)), nil
}

// Excerpt returns the plain text of src cut to at most maxRunes runes,
// ellipsis included, at a word boundary when there is one in the second
// half of the budget (text without spaces, such as Chinese, is cut mid-run).
// Text that fits is returned whole, without an ellipsis.
func Excerpt(src string, maxRunes int) string {
	return cut(PlainText(src), maxRunes)
}

// cut shortens s to at most maxRunes runes including a trailing "…".
func cut(s string, maxRunes int) string {
	if maxRunes <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	// Keep maxRunes-1 runes to leave room for the ellipsis.
	end, n := 0, 0
	for i := range s {
		if n == maxRunes-1 {
			end = i
			break
		}
		n++
	}
	head := s[:end]
	if next, _ := utf8.DecodeRuneInString(s[end:]); !unicode.IsSpace(next) {
		if i := strings.LastIndexFunc(head, unicode.IsSpace); i >= len(head)/2 {
			head = head[:i]
		}
	}
	trimmed := strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:.-–—…", r)
	})
	if trimmed != "" {
		head = trimmed
	}
	return head + "…"
}

// nodeText returns the visible text under n, whitespace collapsed. Text
// is first written as goldmark's HTML renderer writes it (escapes and
// entities resolved, then HTML-escaped) and unescaped at the end, so it
// matches the rendered page character for character.
func nodeText(n ast.Node, source []byte) string {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writer := ghtml.DefaultWriter
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock {
			_ = w.WriteByte(' ')
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			if n.IsRaw() {
				writer.RawWrite(w, n.Segment.Value(source))
			} else {
				writer.Write(w, n.Segment.Value(source))
			}
			if n.SoftLineBreak() || n.HardLineBreak() {
				_ = w.WriteByte(' ')
			}
		case *ast.String:
			switch {
			case n.IsCode():
				_, _ = w.Write(n.Value)
			case n.IsRaw():
				writer.RawWrite(w, n.Value)
			default:
				writer.Write(w, n.Value)
			}
		case *ast.CodeSpan:
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					writer.RawWrite(w, t.Segment.Value(source))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				writer.RawWrite(w, seg.Value(source))
			}
			_ = w.WriteByte(' ')
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			writer.RawWrite(w, n.Label(source))
		case *ast.Image, *ast.RawHTML, *ast.HTMLBlock,
			*east.FootnoteLink, *east.FootnoteBacklink, *east.FootnoteList:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	_ = w.Flush()
	return strings.Join(strings.Fields(html.UnescapeString(buf.String())), " ")
}
