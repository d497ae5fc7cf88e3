// Package feed writes a site's syndication files: RSS 2.0, Atom, JSON Feed
// 1.1 and the sitemap. It takes plain data and returns bytes, so the web
// package can cache and serve them and tests can compare them exactly.
//
// Every string is cleaned of characters XML 1.0 forbids (most C0 controls,
// U+FFFE, U+FFFF, invalid UTF-8) before it is written, in all four formats,
// so hostile titles or bodies cannot make a feed unreadable, and the JSON
// Feed carries the same text as the XML ones. Times are written in UTC.
package feed

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Content types to send each file with; readers and validators look at the
// media type before the body.
const (
	RSSContentType     = "application/rss+xml; charset=utf-8"
	AtomContentType    = "application/atom+xml; charset=utf-8"
	JSONContentType    = "application/feed+json; charset=utf-8"
	SitemapContentType = "application/xml; charset=utf-8"
)

// Site describes the publication a feed belongs to.
type Site struct {
	Title       string
	Description string
	BaseURL     string // absolute URL of the home page
	Lang        string // BCP 47 tag such as "en" or "ur"; may be empty
	// Updated is used as the feed's update time when it has no items.
	Updated time.Time
}

// Person is an author as feeds name them.
type Person struct {
	Name string
	URL  string // absolute URL of the author's page; may be empty
}

// Item is one article in a feed, newest first in the slice passed to the
// feed functions.
type Item struct {
	URL, Title, Summary string // Summary is plain text
	ContentHTML         string // full article HTML, already sanitised
	Published, Updated  time.Time
	Authors             []Person
	Tags                []string
	Image               string // absolute URL, optional
}

// updated is when the feed last changed: its newest item's update time, or
// site.Updated when there are no items (or none with a time).
func updated(site Site, items []Item) time.Time {
	var newest time.Time
	for _, it := range items {
		t := itemUpdated(it)
		if t.After(newest) {
			newest = t
		}
	}
	if newest.IsZero() {
		return site.Updated
	}
	return newest
}

// itemUpdated is it.Updated, falling back to it.Published.
func itemUpdated(it Item) time.Time {
	if it.Updated.IsZero() {
		return it.Published
	}
	return it.Updated
}

// rfc3339 formats t for Atom, JSON Feed and sitemaps ("" for the zero time).
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// clean removes what XML 1.0 cannot carry: control characters other than
// tab, newline and carriage return, the non-characters U+FFFE and U+FFFF,
// and bytes that are not UTF-8. Surrogates cannot occur in a valid Go
// string, so the Char production is covered.
func clean(s string) string {
	for i, r := range s {
		if !xmlChar(r) || r == utf8.RuneError && isInvalid(s[i:]) {
			return cleanSlow(s)
		}
	}
	return s
}

func cleanSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		if !xmlChar(r) || r == utf8.RuneError && isInvalid(s[i:]) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isInvalid reports whether s starts with a byte sequence that is not UTF-8
// (as opposed to a real U+FFFD).
func isInvalid(s string) bool {
	_, size := utf8.DecodeRuneInString(s)
	return size <= 1
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	case r <= 0xFFFD:
		return true
	case r < 0x10000:
		return false
	default:
		return r <= 0x10FFFF
	}
}

// cleanAll applies clean to each string, keeping non-empty results.
func cleanAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = clean(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
