package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// slotMarker marks where a cached page takes per-visit HTML (the comment
// form with its signed token, a remembered name, a notice). It is template
// text only: bluemonday drops unknown elements from content and every
// other string is escaped, so readers cannot forge it.
const slotMarker = "<folio-visit-slot></folio-visit-slot>"

// slotFiller appends the per-visit HTML for a page's slot to dst and
// returns the extended slice. It runs on every view of the page, so it must
// be cheap: no template execution, no queries, no allocation it can avoid.
type slotFiller func(dst []byte, r *http.Request, p *page) []byte

// slotBufs recycles the buffers slots are filled into.
var slotBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// cutSlot removes the marker from p's body and prepares the gzip prefix:
// the compressed bytes before the slot, ended with a sync flush so more
// deflate blocks can follow, and their CRC so the trailer can be finished
// per request without compressing the whole page again.
func (p *page) cutSlot() {
	i := bytes.Index(p.body, []byte(slotMarker))
	if i < 0 || bytes.Count(p.body, []byte(slotMarker)) != 1 {
		p.slot = -1
		return
	}
	p.body = append(p.body[:i:i], p.body[i+len(slotMarker):]...)
	p.slot = i
	var buf bytes.Buffer
	buf.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff}) // gzip header: deflate, max compression, unknown OS
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(p.body[:i])
	fw.Flush()
	p.gzipHead = buf.Bytes()
	p.crcHead = crc32.ChecksumIEEE(p.body[:i])
}

// slotETag is a weak validator for a page with a slot. It changes every
// slotWindow, so a copy revalidated with 304 never carries a form token
// older than twice the window (the token lives longer, see comments). The
// header value is kept for the window, so views do not rebuild it.
func (p *page) slotETag(now time.Time) []string {
	win := now.Unix() / int64(slotWindow/time.Second)
	if t := p.slotTag.Load(); t != nil && t.window == win {
		return t.header
	}
	t := &slotTag{window: win, header: []string{`W/` + p.etag[:len(p.etag)-1] + "." + strconv.FormatInt(win, 36) + `"`}}
	p.slotTag.Store(t)
	return t.header
}

// slotTag is a page's current weak ETag and the window it belongs to.
type slotTag struct {
	window int64
	header []string
}

const slotWindow = 6 * time.Hour

// writeSlotted serves a page whose slot is filled for this visit.
func (p *page) writeSlotted(w http.ResponseWriter, r *http.Request, fill slotFiller, now time.Time) {
	h := w.Header()
	etag := p.slotETag(now)
	h["Etag"] = etag
	h["Cache-Control"] = noCache
	h["Vary"] = varyEncoding
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm[0], etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = p.hdrType
	buf := slotBufs.Get().(*[]byte)
	slot := fill((*buf)[:0], r, p)
	defer func() {
		if cap(slot) <= 64<<10 { // keep a rare huge slot from pinning memory
			*buf = slot[:0]
			slotBufs.Put(buf)
		}
	}()
	head, tail := p.body[:p.slot], p.body[p.slot:]
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae[0]) {
		h["Content-Encoding"] = gzipEncoding
		h["Content-Length"] = []string{strconv.Itoa(len(p.gzipHead) + storedLen(slot, tail))}
		if r.Method != http.MethodHead {
			w.Write(p.gzipHead)
			writeStored(w, p.crcHead, len(head), slot, tail)
		}
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(len(head) + len(slot) + len(tail))}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(head)
	w.Write(slot)
	w.Write(tail)
}

var noCache = []string{"no-cache"}

// writeStored ends a gzip stream whose compressed prefix (crc, n bytes)
// was flushed at a byte boundary: slot and tail go out in stored
// (uncompressed) deflate blocks, the last one final, then the gzip
// trailer. Storing costs a few bytes against compressing the ~2 KB after
// the slot on every view.
func writeStored(w io.Writer, crc uint32, n int, slot, tail []byte) {
	var hdr [8]byte
	block := func(b []byte, final bool) {
		hdr[0] = 0 // BFINAL, BTYPE=00 (stored), padded to the byte
		if final {
			hdr[0] = 1
		}
		binary.LittleEndian.PutUint16(hdr[1:], uint16(len(b)))
		binary.LittleEndian.PutUint16(hdr[3:], ^uint16(len(b)))
		w.Write(hdr[:5])
		w.Write(b)
	}
	for rest := slot; len(rest) > 0; rest = rest[min(len(rest), maxStored):] {
		block(rest[:min(len(rest), maxStored)], false)
	}
	rest := tail
	for {
		chunk := rest[:min(len(rest), maxStored)]
		rest = rest[len(chunk):]
		block(chunk, len(rest) == 0)
		if len(rest) == 0 {
			break
		}
	}
	crc = crc32.Update(crc, crc32.IEEETable, slot)
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	binary.LittleEndian.PutUint32(hdr[0:], crc)
	binary.LittleEndian.PutUint32(hdr[4:], uint32(n+len(slot)+len(tail)))
	w.Write(hdr[:8])
}

// maxStored is the most a stored deflate block holds.
const maxStored = 65535

// storedLen is how many bytes writeStored writes for slot and tail.
func storedLen(slot, tail []byte) int {
	blocks := (len(slot)+maxStored-1)/maxStored + max(1, (len(tail)+maxStored-1)/maxStored)
	return 5*blocks + len(slot) + len(tail) + 8
}
