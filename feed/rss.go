package feed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// Namespaces used by the XML feeds.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// encoding/xml cannot write prefixed names from namespaces, so the RSS
// structs spell prefixes out in their tags and declare them on <rss>.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Self          rssSelf   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string     `xml:"title"`
	Link        string     `xml:"link"`
	GUID        rssGUID    `xml:"guid"`
	PubDate     string     `xml:"pubDate,omitempty"`
	Creators    []string   `xml:"dc:creator"`
	Categories  []string   `xml:"category"`
	Description string     `xml:"description,omitempty"`
	Content     *cdata     `xml:"content:encoded"`
	Image       *mediaItem `xml:"media:content"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// cdata keeps article HTML readable in the file; encoding/xml splits any
// "]]>" inside it so the section cannot be closed early.
type cdata struct {
	Text string `xml:",cdata"`
}

// mediaItem is a Media RSS image, the way most readers find an item's
// picture without a byte length (which <enclosure> would require).
type mediaItem struct {
	URL    string `xml:"url,attr"`
	Medium string `xml:"medium,attr"`
}

// RSS returns an RSS 2.0 document for items, with the full article in
// content:encoded, authors as dc:creator, tags as category, the item URL as
// a permalink guid and an atom:link to feedURL, as validators expect.
func RSS(site Site, feedURL string, items []Item) ([]byte, error) {
	doc := rssDoc{
		Version:   "2.0",
		NSAtom:    nsAtom,
		NSContent: nsContent,
		NSDC:      nsDC,
		NSMedia:   nsMedia,
		Channel: rssChannel{
			Title:         clean(site.Title),
			Link:          clean(site.BaseURL),
			Description:   clean(site.Description),
			Language:      clean(site.Lang),
			LastBuildDate: rfc1123(updated(site, items)),
			Self:          rssSelf{Href: clean(feedURL), Rel: "self", Type: "application/rss+xml"},
			Items:         make([]rssItem, 0, len(items)),
		},
	}
	for _, it := range items {
		ri := rssItem{
			Title:       clean(it.Title),
			Link:        clean(it.URL),
			GUID:        rssGUID{IsPermaLink: true, Value: clean(it.URL)},
			PubDate:     rfc1123(it.Published),
			Categories:  cleanAll(it.Tags),
			Description: clean(it.Summary),
		}
		for _, a := range it.Authors {
			if name := clean(a.Name); name != "" {
				ri.Creators = append(ri.Creators, name)
			}
		}
		if html := clean(it.ContentHTML); html != "" {
			ri.Content = &cdata{Text: html}
		}
		if img := clean(it.Image); img != "" {
			ri.Image = &mediaItem{URL: img, Medium: "image"}
		}
		doc.Channel.Items = append(doc.Channel.Items, ri)
	}
	out, err := marshalXML(doc)
	if err != nil {
		return nil, fmt.Errorf("encode rss: %w", err)
	}
	return out, nil
}

// rfc1123 formats t as RSS 2.0 dates are written ("" for the zero time).
func rfc1123(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC1123Z)
}

// marshalXML writes v as an indented XML document ending in a newline.
func marshalXML(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
