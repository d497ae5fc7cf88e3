package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"strconv"
	"time"
)

// slotMarker marks where a cached page takes per-visit HTML (the comment
// form with its signed token, a remembered name, a notice). It is template
// text only: bluemonday drops unknown elements from content and every
// other string is escaped, so readers cannot forge it.
const slotMarker = "<folio-visit-slot></folio-visit-slot>"

// slotFiller returns the per-visit HTML for a page's slot. It runs on every
// view of the page, so it must be cheap: no template execution, no queries.
type slotFiller func(r *http.Request, p *page) []byte

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
// older than twice the window (the token lives longer, see comments).
func (p *page) slotETag(now time.Time) string {
	return `W/` + p.etag[:len(p.etag)-1] + "." + strconv.FormatInt(now.Unix()/int64(slotWindow/time.Second), 36) + `"`
}

const slotWindow = 6 * time.Hour

// writeSlotted serves a page whose slot is filled for this visit.
func (p *page) writeSlotted(w http.ResponseWriter, r *http.Request, fill slotFiller, now time.Time) {
	h := w.Header()
	etag := p.slotETag(now)
	h["Etag"] = []string{etag}
	h["Cache-Control"] = noCache
	h["Vary"] = varyEncoding
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm[0], etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = p.hdrType
	slot := fill(r, p)
	head, tail := p.body[:p.slot], p.body[p.slot:]
	if ae := r.Header["Accept-Encoding"]; len(ae) > 0 && acceptsGzip(ae[0]) {
		h["Content-Encoding"] = gzipEncoding
		rest := storedDeflate(p.crcHead, len(head), slot, tail)
		h["Content-Length"] = []string{strconv.Itoa(len(p.gzipHead) + len(rest))}
		if r.Method != http.MethodHead {
			w.Write(p.gzipHead)
			w.Write(rest)
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

// storedDeflate ends a gzip stream whose compressed prefix (crc, n bytes)
// was flushed at a byte boundary: slot and tail go in stored (uncompressed)
// deflate blocks, the last one final, then the gzip trailer. Storing costs
// a few bytes against compressing the ~2 KB after the slot on every view.
func storedDeflate(crc uint32, n int, slot, tail []byte) []byte {
	total := len(slot) + len(tail)
	out := make([]byte, 0, total+5*(total/65535+1)+8)
	data := make([]byte, 0, total)
	data = append(append(data, slot...), tail...)
	for len(data) > 0 || len(out) == 0 {
		chunk := data[:min(len(data), 65535)]
		data = data[len(chunk):]
		final := byte(0)
		if len(data) == 0 {
			final = 1
		}
		out = append(out, final) // BFINAL, BTYPE=00 (stored), padded to the byte
		out = binary.LittleEndian.AppendUint16(out, uint16(len(chunk)))
		out = binary.LittleEndian.AppendUint16(out, ^uint16(len(chunk)))
		out = append(out, chunk...)
	}
	crc = crc32.Update(crc, crc32.IEEETable, slot)
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(n+total))
}
