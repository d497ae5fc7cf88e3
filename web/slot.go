package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
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
	h["Cache-Control"] = privateNoCache
	h["Vary"] = varyEncoding
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm[0], etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = p.hdrType
	// The response goes out in one Write: net/http's 4 KB buffer would
	// otherwise send each piece larger than it in a syscall of its own,
	// which costs more than copying the page (measured with pprof).
	buf := slotBufs.Get().(*[]byte)
	out := fill((*buf)[:0], r, p)
	n := len(out)
	slot := out[:n:n]
	defer func() {
		if cap(out) <= 1<<20 { // keep a rare huge page from pinning memory
			*buf = out[:0]
			slotBufs.Put(buf)
		}
	}()
	head, tail := p.body[:p.slot], p.body[p.slot:]
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae[0]) {
		h["Content-Encoding"] = gzipEncoding
		out = append(out, p.gzipHead...)
		out = appendStored(out, p.crcHead, len(head), slot, tail)
	} else {
		out = append(out, head...)
		out = append(out, slot...)
		out = append(out, tail...)
	}
	h["Content-Length"] = []string{strconv.Itoa(len(out) - n)}
	if r.Method != http.MethodHead {
		w.Write(out[n:])
	}
}

// privateNoCache keeps shared caches (CDNs, proxies) from storing a page
// whose slot carries one visitor's remembered name and e-mail, or a form
// token that must not be shared.
var privateNoCache = []string{"private, no-cache"}

// appendStored ends a gzip stream whose compressed prefix (crc, n bytes)
// was flushed at a byte boundary: slot and tail go in stored (uncompressed)
// deflate blocks, the last one final, then the gzip trailer. Storing costs
// a few bytes against compressing the ~2 KB after the slot on every view.
func appendStored(out []byte, crc uint32, n int, slot, tail []byte) []byte {
	block := func(b []byte, final bool) {
		flag := byte(0) // BFINAL, BTYPE=00 (stored), padded to the byte
		if final {
			flag = 1
		}
		out = append(out, flag)
		out = binary.LittleEndian.AppendUint16(out, uint16(len(b)))
		out = binary.LittleEndian.AppendUint16(out, ^uint16(len(b)))
		out = append(out, b...)
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
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(n+len(slot)+len(tail)))
}

// maxStored is the most a stored deflate block holds.
const maxStored = 65535
