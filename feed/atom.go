package feed

import (
	"encoding/xml"
	"fmt"
)

type atomFeed struct {
	XMLName  xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string       `xml:"xml:lang,attr,omitempty"`
	NSMedia  string       `xml:"xmlns:media,attr"`
	ID       string       `xml:"id"`
	Title    string       `xml:"title"`
	Subtitle string       `xml:"subtitle,omitempty"`
	Updated  string       `xml:"updated"`
	Links    []atomLink   `xml:"link"`
	Authors  []atomPerson `xml:"author"`
	Entries  []atomEntry  `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Text string `xml:",cdata"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary,omitempty"`
	Content    *atomContent   `xml:"content"`
	Image      *mediaItem     `xml:"media:content"`
}

// Atom returns an RFC 4287 feed for items. The feed's id is feedURL and an
// entry's id is its URL, the only identifiers an Item carries. The site's
// title stands in as feed author when some entry has no author of its own,
// since RFC 4287 requires every entry to have one.
func Atom(site Site, feedURL string, items []Item) ([]byte, error) {
	feed := atomFeed{
		Lang:     clean(site.Lang),
		NSMedia:  nsMedia,
		ID:       clean(feedURL),
		Title:    clean(site.Title),
		Subtitle: clean(site.Description),
		Updated:  rfc3339(updated(site, items)),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: clean(feedURL)},
			{Rel: "alternate", Type: "text/html", Href: clean(site.BaseURL)},
		},
		Entries: make([]atomEntry, 0, len(items)),
	}
	needAuthor := false
	for _, it := range items {
		e := atomEntry{
			ID:        clean(it.URL),
			Title:     clean(it.Title),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: clean(it.URL)}},
			Published: rfc3339(it.Published),
			Updated:   rfc3339(itemUpdated(it)),
			Summary:   clean(it.Summary),
		}
		for _, a := range it.Authors {
			if name := clean(a.Name); name != "" {
				e.Authors = append(e.Authors, atomPerson{Name: name, URI: clean(a.URL)})
			}
		}
		if len(e.Authors) == 0 {
			needAuthor = true
		}
		for _, tag := range cleanAll(it.Tags) {
			e.Categories = append(e.Categories, atomCategory{Term: tag})
		}
		if html := clean(it.ContentHTML); html != "" {
			e.Content = &atomContent{Type: "html", Text: html}
		}
		if img := clean(it.Image); img != "" {
			e.Image = &mediaItem{URL: img, Medium: "image"}
		}
		feed.Entries = append(feed.Entries, e)
	}
	if needAuthor {
		feed.Authors = []atomPerson{{Name: feed.Title, URI: clean(site.BaseURL)}}
	}
	out, err := marshalXML(feed)
	if err != nil {
		return nil, fmt.Errorf("encode atom: %w", err)
	}
	return out, nil
}
