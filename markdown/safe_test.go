package markdown

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// forbiddenElements may never appear in rendered output, whatever the input.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "style": true, "object": true, "embed": true,
	"svg": true, "math": true, "form": true, "input": true, "textarea": true,
	"button": true, "meta": true, "link": true, "base": true, "frame": true,
	"frameset": true, "template": true, "noscript": true, "video": true, "audio": true,
}

// allowedAttrs is every attribute the renderers are meant to emit.
var allowedAttrs = map[string]bool{
	"href": true, "src": true, "alt": true, "title": true, "id": true, "class": true,
	"role": true, "rel": true, "loading": true, "decoding": true, "start": true,
	"width": true, "height": true, // image sizes from the "=WxH" title suffix, digits only
}

// schemeRE finds a URL scheme the way a browser does once tabs and newlines
// are removed.
var schemeRE = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.\-]*):`)

// unsafeHTML parses out as a browser would (golang.org/x/net/html, in a
// <body>) and returns a description of the first thing in it that could run
// script, load active content or escape the allow-list, or "" if none.
// It knows nothing about how the renderers work, so it checks them rather
// than restating them.
func unsafeHTML(out string) string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(out), body)
	if err != nil {
		return "unparseable: " + err.Error()
	}
	var problem string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if problem != "" {
			return
		}
		if n.Type == html.ElementNode {
			if forbiddenElements[n.Data] || n.Namespace != "" {
				problem = fmt.Sprintf("element <%s>", n.Data)
				return
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"):
					problem = fmt.Sprintf("event handler %s=%q on <%s>", a.Key, a.Val, n.Data)
				case !allowedAttrs[key] || a.Namespace != "":
					problem = fmt.Sprintf("attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
				case key == "href" || key == "src":
					if s := urlScheme(a.Val); s != "" && s != "http" && s != "https" && s != "mailto" {
						problem = fmt.Sprintf("%s with scheme %q: %q", key, s, a.Val)
					}
				}
				if problem != "" {
					return
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
	return problem
}

// urlScheme returns the lower-cased scheme a browser would see in v, or ""
// for a relative URL.
func urlScheme(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	m := schemeRE.FindStringSubmatch(v)
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}
