package feed

import (
	"encoding/xml"
	"fmt"
	"time"
)

// Limits of one sitemap file (sitemaps.org); a larger site needs a sitemap
// index pointing at several files.
const (
	MaxSitemapURLs  = 50000
	MaxSitemapBytes = 50 << 20
)

// URL is one page in a sitemap.
type URL struct {
	Loc     string    // absolute URL
	LastMod time.Time // zero when unknown
}

type urlset struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// Sitemap returns a sitemaps.org 0.9 urlset with lastmod as a W3C datetime
// in UTC when it is known. It refuses more than MaxSitemapURLs URLs or
// MaxSitemapBytes of output, which search engines would reject anyway.
func Sitemap(urls []URL) ([]byte, error) {
	if len(urls) > MaxSitemapURLs {
		return nil, fmt.Errorf("sitemap: %d urls, at most %d fit in one file", len(urls), MaxSitemapURLs)
	}
	set := urlset{URLs: make([]sitemapURL, 0, len(urls))}
	for _, u := range urls {
		set.URLs = append(set.URLs, sitemapURL{Loc: clean(u.Loc), LastMod: rfc3339(u.LastMod)})
	}
	out, err := marshalXML(set)
	if err != nil {
		return nil, fmt.Errorf("encode sitemap: %w", err)
	}
	if len(out) > MaxSitemapBytes {
		return nil, fmt.Errorf("sitemap: %d bytes, at most %d fit in one file", len(out), MaxSitemapBytes)
	}
	return out, nil
}
