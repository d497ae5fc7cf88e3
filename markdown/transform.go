package markdown

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxIDRunes keeps heading ids readable in a URL.
const maxIDRunes = 80

// articleTransformer decides, on the parsed tree, what HTML links, images,
// headings and table cells get. Deciding here rather than only in
// bluemonday means a refused URL leaves readable text instead of an empty
// <a> or a broken <img>.
type articleTransformer struct{}

func (articleTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	// The article page links to #comments; a heading called "Comments"
	// gets comments-1 so that link keeps reaching the comment section.
	used := map[string]bool{"comments": true}
	var unwrap []ast.Node
	var replace []*ast.AutoLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.SetAttributeString("id", []byte(uniqueID(headingID(nodeText(n, source)), used)))
		case *ast.Link:
			scheme, host, ok := parseURL(n.Destination)
			if !ok || !(scheme == "" || scheme == "http" || scheme == "https" || scheme == "mailto") {
				unwrap = append(unwrap, n)
				break
			}
			if host != "" {
				n.SetAttributeString("rel", []byte("noopener"))
			}
		case *ast.AutoLink:
			scheme, host, ok := parseURL(autoLinkURL(n, source))
			if !ok || !(scheme == "http" || scheme == "https" || scheme == "mailto") {
				replace = append(replace, n)
				break
			}
			if host != "" {
				n.SetAttributeString("rel", []byte("noopener"))
			}
		case *ast.Image:
			scheme, _, ok := parseURL(n.Destination)
			if !ok || !(scheme == "" || scheme == "http" || scheme == "https") {
				unwrap = append(unwrap, n)
				return ast.WalkSkipChildren, nil
			}
			n.SetAttributeString("loading", []byte("lazy"))
			n.SetAttributeString("decoding", []byte("async"))
			return ast.WalkSkipChildren, nil
		case *east.TableCell:
			switch n.Alignment {
			case east.AlignLeft, east.AlignCenter, east.AlignRight:
				n.SetAttributeString("class", []byte("align-"+n.Alignment.String()))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		unwrapNode(n)
	}
	for _, n := range replace {
		replaceAutoLink(n, source)
	}
}

// commentTransformer turns images into their alt text and keeps only
// http, https and mailto links, each marked as untrusted.
type commentTransformer struct{}

func (commentTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var unwrap []ast.Node
	var replace []*ast.AutoLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Image:
			unwrap = append(unwrap, n)
		case *ast.Link:
			n.Title = nil
			scheme, _, ok := parseURL(n.Destination)
			if !ok || !(scheme == "http" || scheme == "https" || scheme == "mailto") {
				unwrap = append(unwrap, n)
				break
			}
			n.SetAttributeString("rel", []byte("nofollow ugc noopener"))
		case *ast.AutoLink:
			scheme, _, ok := parseURL(autoLinkURL(n, source))
			if !ok || !(scheme == "http" || scheme == "https" || scheme == "mailto") {
				replace = append(replace, n)
				break
			}
			n.SetAttributeString("rel", []byte("nofollow ugc noopener"))
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		unwrapNode(n)
	}
	for _, n := range replace {
		replaceAutoLink(n, source)
	}
}

// inlineTransformer keeps the text of links and images, which have no place
// inside a heading.
type inlineTransformer struct{}

func (inlineTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var unwrap []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && (n.Kind() == ast.KindLink || n.Kind() == ast.KindImage) {
			unwrap = append(unwrap, n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unwrap {
		unwrapNode(n)
	}
}

// parseURL reads dest the way it will reach the browser: escaped by goldmark,
// then parsed by net/url as bluemonday does. ok is false for URLs that would
// not survive the sanitiser, and for empty ones.
func parseURL(dest []byte) (scheme, host string, ok bool) {
	raw := strings.TrimSpace(string(util.URLEscape(dest, true)))
	if raw == "" || strings.ContainsAny(raw, " \t\n") {
		return "", "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	return strings.ToLower(u.Scheme), u.Host, true
}

// autoLinkURL is the href goldmark writes for an autolink.
func autoLinkURL(n *ast.AutoLink, source []byte) []byte {
	u := n.URL(source)
	if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(string(u)), "mailto:") {
		return append([]byte("mailto:"), u...)
	}
	return u
}

// unwrapNode puts n's children where n was.
func unwrapNode(n ast.Node) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, n, c)
		c = next
	}
	parent.RemoveChild(parent, n)
}

// replaceAutoLink replaces a refused autolink with its label as text.
func replaceAutoLink(n *ast.AutoLink, source []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	s := ast.NewString(n.Label(source))
	s.SetRaw(true)
	parent.ReplaceChild(parent, n, s)
}

// headingID makes an id from a heading's text: lower case, letters, marks and
// digits of any script, words joined by hyphens. Non-Latin headings keep
// their words, so a Russian or Urdu heading still gets a meaningful anchor.
func headingID(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-' || r == '_' || r == '–' || r == '—':
			dash = true
		}
	}
	id := trimID(b.String(), maxIDRunes)
	if id == "" {
		return "section"
	}
	return id
}

// uniqueID returns id, or id-1, id-2… when it is already used.
func uniqueID(id string, used map[string]bool) string {
	if !used[id] {
		used[id] = true
		return id
	}
	for i := 1; ; i++ {
		c := id + "-" + strconv.Itoa(i)
		if !used[c] {
			used[c] = true
			return c
		}
	}
}

// trimID shortens a generated id to at most maxRunes runes.
func trimID(id string, maxRunes int) string {
	n := 0
	for i := range id {
		if n == maxRunes {
			return strings.TrimRight(id[:i], "-")
		}
		n++
	}
	return id
}
