package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSlottedPage checks that a cached page with a slot is served with
// fresh per-visit bytes, identically in plain and gzip form, for slots and
// tails of every size (including more than one stored deflate block).
func TestSlottedPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		head, tail, slot string
	}{
		{"small", "<p>head</p>", "<p>tail</p>", "<form>token=1</form>"},
		{"empty slot", strings.Repeat("<p>head words</p>", 500), "</html>", ""},
		{"empty tail", strings.Repeat("<p>head</p>", 100), "", "slot"},
		{"big tail", "<h1>x</h1>", strings.Repeat("tail bytes ", 20000), strings.Repeat("s", 70000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPage(http.StatusOK, "text/html; charset=utf-8", []byte(tc.head+slotMarker+tc.tail))
			if p.slot != len(tc.head) {
				t.Fatalf("slot at %d, want %d", p.slot, len(tc.head))
			}
			want := tc.head + tc.slot + tc.tail
			fill := func(dst []byte, _ *http.Request, _ *page) []byte { return append(dst, tc.slot...) }
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, enc := range []string{"", "gzip"} {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", "/x", nil)
				if enc != "" {
					req.Header.Set("Accept-Encoding", enc)
				}
				p.writeSlotted(rec, req, fill, now)
				body := rec.Body.Bytes()
				if cl := rec.Header().Get("Content-Length"); cl != itoa(int64(len(body))) {
					t.Errorf("%s: Content-Length %s, body %d", enc, cl, len(body))
				}
				if enc == "gzip" {
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatal(err)
					}
					if body, err = io.ReadAll(zr); err != nil {
						t.Fatalf("gzip stream: %v", err)
					}
				}
				if string(body) != want {
					t.Errorf("%s: body differs (%d bytes, want %d)", enc, len(body), len(want))
				}
			}
			// A revalidation in the same window is a 304, in the next a 200.
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/x", nil)
			req.Header.Set("If-None-Match", p.slotETag(now)[0])
			p.writeSlotted(rec, req, fill, now)
			if rec.Code != http.StatusNotModified {
				t.Errorf("same window = %d, want 304", rec.Code)
			}
			rec = httptest.NewRecorder()
			p.writeSlotted(rec, req, fill, now.Add(slotWindow))
			if rec.Code != http.StatusOK {
				t.Errorf("next window = %d, want 200", rec.Code)
			}
		})
	}
}

func TestSlotMarkerOnlyFromTemplates(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := e.mustCreateArticle(map[string]any{"title": slotMarker, "body": "x " + slotMarker + "\n\n<" + "folio-visit-slot>", "question": slotMarker,
		"status": "published", "tags": []string{slotMarker}})
	res := e.do("GET", "/"+a.Slug, nil)
	if strings.Contains(res.text(), slotMarker) {
		t.Error("reader-controlled text produced the slot marker")
	}
}
