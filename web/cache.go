package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// page is a rendered response: the same bytes for every reader, so it holds
// nothing personal and can be cached.
type page struct {
	status      int
	contentType string
	location    string // for redirects
	body        []byte
	gzip        []byte // nil when compression does not pay
	etag        string
	immutable   bool // a content-hashed static file: cache for a year

	// slot is where per-visit HTML goes (see slot.go), -1 for none; the
	// page is then served through writeSlotted. slotFor is the article
	// whose form goes there.
	slot     int
	slotFor  int64
	gzipHead []byte
	crcHead  uint32
	slotTag  atomic.Pointer[slotTag]

	// Header values built once, so a cache hit allocates nothing for them.
	// They are shared by every response and never modified.
	hdrType, hdrETag, hdrLen, hdrGzipLen []string
}

// newPage finishes a rendered body: computes its ETag and gzip form once,
// so serving it costs no more than writing bytes.
func newPage(status int, contentType string, body []byte) *page {
	sum := sha256.Sum256(body)
	p := &page{
		status:      status,
		contentType: contentType,
		body:        body,
		etag:        `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
		slot:        -1,
	}
	if status == http.StatusOK && bytes.Contains(body, []byte(slotMarker)) {
		p.cutSlot()
	}
	if len(body) > 512 && p.slot < 0 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			p.gzip = buf.Bytes()
		}
	}
	p.hdrType = []string{contentType}
	p.hdrETag = []string{p.etag}
	p.hdrLen = []string{strconv.Itoa(len(p.body))}
	p.hdrGzipLen = []string{strconv.Itoa(len(p.gzip))}
	return p
}

// write sends p, answering 304 when the client already has it.
func (p *page) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if p.location != "" {
		h.Set("Location", p.location)
	}
	if p.status != http.StatusOK {
		h.Set("Content-Type", p.contentType)
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(p.status)
		if r.Method != http.MethodHead {
			w.Write(p.body)
		}
		return
	}
	h["Etag"] = p.hdrETag
	h["Cache-Control"] = p.cacheControl()
	if p.gzip != nil {
		h["Vary"] = varyEncoding
	}
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm[0], p.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = p.hdrType
	body := p.body
	if ae := r.Header["Accept-Encoding"]; p.gzip != nil && len(ae) > 0 && acceptsGzip(ae[0]) {
		h["Content-Encoding"] = gzipEncoding
		h["Content-Length"] = p.hdrGzipLen
		body = p.gzip
	} else {
		// An explicit length avoids chunked encoding for bodies over 4 KB.
		h["Content-Length"] = p.hdrLen
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

var (
	varyEncoding   = []string{"Accept-Encoding"}
	gzipEncoding   = []string{"gzip"}
	revalidate     = []string{"public, max-age=0, must-revalidate"}
	immutableCache = []string{"public, max-age=31536000, immutable"}
)

func (p *page) cacheControl() []string {
	if p.immutable {
		return immutableCache
	}
	return revalidate
}

// etagMatch implements the weak comparison of If-None-Match (RFC 9110 13.1.2).
func etagMatch(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip,
// honouring an explicit q=0.
func acceptsGzip(ae string) bool {
	for ae != "" {
		var part string
		part, ae, _ = strings.Cut(ae, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if name != "gzip" && name != "*" {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return !(strings.HasPrefix(params, "q=0") && strings.Trim(strings.TrimPrefix(params, "q="), "0.") == "")
	}
	return false
}

// pageCache holds rendered public pages until content changes. Every write
// drops everything: a page shows lists, counts and links to other articles,
// so finer tracking would be easy to get wrong, and rendering a page again
// costs a millisecond. The generation guards against storing a page that
// was rendered from data older than the last flush.
type pageCache struct {
	mu       sync.RWMutex
	pages    map[string]*page
	size     int
	maxBytes int
	gen      uint64
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{pages: make(map[string]*page), maxBytes: maxBytes}
}

// get returns the cached page for key and the generation to pass to put.
func (c *pageCache) get(key string) (*page, uint64) {
	c.mu.RLock()
	p, gen := c.pages[key], c.gen
	c.mu.RUnlock()
	return p, gen
}

// put stores p unless the cache was flushed since gen was read.
func (c *pageCache) put(key string, gen uint64, p *page) {
	n := len(p.body) + len(p.gzip) + len(key)
	if n > c.maxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if old, ok := c.pages[key]; ok {
		c.size -= len(old.body) + len(old.gzip) + len(key)
	}
	for k, old := range c.pages { // map order is random: a cheap random eviction
		if c.size+n <= c.maxBytes {
			break
		}
		c.size -= len(old.body) + len(old.gzip) + len(k)
		delete(c.pages, k)
	}
	c.pages[key] = p
	c.size += n
}

// flush drops every page.
func (c *pageCache) flush() {
	c.mu.Lock()
	c.pages = make(map[string]*page)
	c.size = 0
	c.gen++
	c.mu.Unlock()
}

// generation is the page cache's flush count: anything derived from
// content and keyed by it is fresh while it is unchanged.
func (c *pageCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// len returns the number of cached pages.
func (c *pageCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.pages)
}
