package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"folio"
	"folio/blob/local"
	"folio/blob/pgblob"
	"folio/internal/pgtest"
	"folio/store/postgres"
)

// mediaEnv is a test server with a blob store: SQLite with a local
// directory, or PostgreSQL with its own blob tables.
type mediaEnv struct {
	*testEnv
	blobs folio.BlobStore
}

func newMediaServer(t *testing.T, engine string) *mediaEnv {
	t.Helper()
	switch engine {
	case "sqlite":
		blobs, err := local.New(filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatal(err)
		}
		e := newTestServer(t)
		e.srv.blobs = blobs
		return &mediaEnv{e, blobs}
	case "postgres":
		pgtest.Require(t)
		st, err := postgres.Open(context.Background(), pgtest.NewSchema(t, pgtest.BaseURL()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		blobs := pgblob.New(st.DB())
		return &mediaEnv{newTestServerOn(t, st, &st.Now, func(c *Config) { c.Blobs = blobs }), blobs}
	}
	t.Fatalf("unknown engine %s", engine)
	return nil
}

func testPNG(t testing.TB, w, h int, seed uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{seed, uint8(x), 0, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartBody builds an upload: a "file" part (when name is not "-")
// and any extra fields.
func multipartBody(t testing.TB, name string, data []byte, fields ...string) (string, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	if name != "-" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

func (e *mediaEnv) upload(role folio.Role, name string, data []byte, fields ...string) *response {
	e.t.Helper()
	body, ct := multipartBody(e.t, name, data, fields...)
	return e.do("POST", "/api/v1/media", body, "Authorization: Bearer "+e.tokens[role], "Content-Type: "+ct)
}

// checkConsistent checks that every row has its bytes and every blob
// under media/ its row.
func (e *mediaEnv) checkConsistent(t *testing.T, wantFiles int) {
	t.Helper()
	ctx := context.Background()
	list, total, err := e.store.FindMedia(ctx, folio.MediaFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total != wantFiles {
		t.Errorf("%d media rows, want %d", total, wantFiles)
	}
	rows := map[string]bool{}
	for _, m := range list {
		rows[m.Key] = true
		if info, err := e.blobs.Stat(ctx, m.Key); err != nil || info.SHA256 != m.SHA256 || info.Size != m.Size {
			t.Errorf("row %s: blob %+v, %v", m.Key, info, err)
		}
	}
	n := 0
	e.blobs.List(ctx, "media/", func(info folio.BlobInfo) error {
		n++
		if !rows[info.Key] {
			t.Errorf("blob %s has no row", info.Key)
		}
		return nil
	})
	if n != wantFiles {
		t.Errorf("%d blobs, want %d", n, wantFiles)
	}
}

func TestMedia(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			testMediaFlow(t, newMediaServer(t, engine))
		})
	}
}

func testMediaFlow(t *testing.T, e *mediaEnv) {
	pic := testPNG(t, 64, 48, 1)
	sum := sha256.Sum256(pic)
	res := e.upload(folio.RoleAuthor, `C:\Photos\Harbour at Dawn.PNG`, pic, "alt", "Boats at dawn")
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload = %d %s", res.StatusCode, res.body)
	}
	var m mediaJSON
	res.json(t, &m)
	wantKey := fmt.Sprintf("media/2026/05/%s-harbour-at-dawn.png", hex.EncodeToString(sum[:])[:12])
	if m.Key != wantKey || m.ContentType != "image/png" || m.Width != 64 || m.Height != 48 || m.Size != int64(len(pic)) ||
		m.Alt != "Boats at dawn" || m.Filename != "Harbour at Dawn.PNG" || m.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("upload = %+v", m)
	}
	if m.Markdown != "![Boats at dawn](/"+wantKey+")" || m.URL != e.ts.URL+"/"+wantKey {
		t.Errorf("markdown %q, url %q", m.Markdown, m.URL)
	}

	// Served from the blob store, cacheable forever.
	res = e.do("GET", "/"+wantKey, nil)
	if res.StatusCode != http.StatusOK || !bytes.Equal(res.body, pic) {
		t.Fatalf("GET = %d, %d bytes", res.StatusCode, len(res.body))
	}
	for h, want := range map[string]string{
		"Content-Type": "image/png", "ETag": `"` + m.SHA256 + `"`, "X-Content-Type-Options": "nosniff",
		"Cache-Control": "public, max-age=31536000, immutable", "Content-Disposition": "",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if res := e.do("GET", "/"+wantKey, nil, `If-None-Match: "`+m.SHA256+`"`); res.StatusCode != http.StatusNotModified || len(res.body) != 0 {
		t.Errorf("If-None-Match = %d", res.StatusCode)
	}
	if res := e.do("GET", "/"+wantKey, nil, "Range: bytes=0-9"); res.StatusCode == http.StatusPartialContent {
		if !bytes.Equal(res.body, pic[:10]) {
			t.Errorf("Range body = %x", res.body)
		}
	} else if res.StatusCode != http.StatusOK {
		t.Errorf("Range = %d", res.StatusCode)
	}
	for _, p := range []string{"/media/2026/05/nothing.png", "/media/../folio.db", "/media/%2e%2e/x", "/media/A.PNG", "/media/"} {
		if res := e.do("GET", p, nil); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusTemporaryRedirect { // ServeMux cleans ".." with a redirect
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}

	// The same bytes under the same name are the same file.
	res = e.upload(folio.RoleAdmin, "Harbour at Dawn.PNG", pic)
	var again mediaJSON
	res.json(t, &again)
	if res.StatusCode != http.StatusOK || again.ID != m.ID {
		t.Errorf("second upload = %d id %d, want 200 id %d", res.StatusCode, again.ID, m.ID)
	}

	// In an article the upload gets its size (the page does not jump while
	// it loads) and loads lazily; an unknown /media/ path stays unsized.
	art := e.mustCreateArticle(map[string]any{"title": "Harbour pictures", "status": "published",
		"body": m.Markdown + "\n\nNot uploaded: ![gone](/media/2026/05/000000000000-gone.png)"})
	page := e.do("GET", "/"+art.Slug, nil).doc(t)
	img := page.Find(`.post img[src="/` + wantKey + `"]`)
	w, _ := img.Attr("width")
	h, _ := img.Attr("height")
	lazy, _ := img.Attr("loading")
	if img.Length() != 1 || w != "64" || h != "48" || lazy != "lazy" {
		t.Errorf("article image: %d found, width %q height %q loading %q", img.Length(), w, h, lazy)
	}
	if _, sized := page.Find(`img[src$="-gone.png"]`).Attr("width"); sized {
		t.Error("an image that is no upload got a size")
	}

	// A PDF downloads.
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	res = e.upload(folio.RoleEditor, "Annual report.pdf", pdf)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("PDF upload = %d %s", res.StatusCode, res.body)
	}
	var doc mediaJSON
	res.json(t, &doc)
	res = e.do("GET", "/"+doc.Key, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="Annual report.pdf"` {
		t.Errorf("PDF GET = %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if doc.Markdown != "[Annual report.pdf](/"+doc.Key+")" {
		t.Errorf("PDF markdown = %q", doc.Markdown)
	}

	// Bad uploads: a clear 4xx, nothing stored.
	var gifBuf bytes.Buffer
	gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 3, 2), []color.Color{color.Black, color.White}), nil)
	for _, tt := range []struct {
		name   string
		file   string
		data   []byte
		status int
		want   string
	}{
		{"svg", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 415, "SVG"},
		{"html named png", "x.png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), 415, "accepted"},
		{"text", "x.txt", []byte("hello"), 415, "accepted"},
		{"empty", "x.png", nil, 415, "accepted"},
		{"broken png", "x.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 40)...), 422, "not a readable png"},
		{"too large", "big.png", append(append([]byte{}, pic...), make([]byte, MaxMediaBytes)...), 413, "larger than 10 MiB"},
		{"no file", "-", nil, 422, "choose a file"},
	} {
		res := e.upload(folio.RoleAuthor, tt.file, tt.data)
		if res.StatusCode != tt.status || !strings.Contains(res.text(), tt.want) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, res.StatusCode, truncate(res.text()), tt.status, tt.want)
		}
	}
	if res := e.upload(folio.RoleAuthor, "tiny.gif", gifBuf.Bytes()); res.StatusCode != http.StatusCreated {
		t.Errorf("GIF upload = %d %s", res.StatusCode, res.body)
	}
	if res := e.do("POST", "/api/v1/media", "x", "Authorization: Bearer "+e.tokens[folio.RoleAuthor], "Content-Type: application/json"); res.StatusCode != 400 {
		t.Errorf("JSON body = %d, want 400", res.StatusCode)
	}
	if res := e.do("POST", "/api/v1/media", "x", "Content-Type: multipart/form-data; boundary=x"); res.StatusCode != 401 {
		t.Errorf("no token = %d, want 401", res.StatusCode)
	}
	e.checkConsistent(t, 3)

	// List, alt, delete.
	var list struct {
		Media []mediaJSON `json:"media"`
		Total int         `json:"total"`
	}
	e.api(folio.RoleAuthor, "GET", "/api/v1/media?limit=2", nil).json(t, &list)
	if list.Total != 3 || len(list.Media) != 2 {
		t.Errorf("list = %d of %d", len(list.Media), list.Total)
	}
	if res := e.api(folio.RoleAuthor, "GET", "/api/v1/media?limit=x", nil); res.StatusCode != 400 {
		t.Errorf("limit=x = %d", res.StatusCode)
	}
	if res := e.api(folio.RoleAuthor, "PATCH", fmt.Sprintf("/api/v1/media/%d", doc.ID), map[string]any{"alt": "x"}); res.StatusCode != 403 {
		t.Errorf("author PATCH of an editor's file = %d, want 403", res.StatusCode)
	}
	res = e.api(folio.RoleAuthor, "PATCH", fmt.Sprintf("/api/v1/media/%d", m.ID), map[string]any{"alt": "Fishing boats"})
	if res.StatusCode != 200 || !strings.Contains(res.text(), "Fishing boats") {
		t.Errorf("PATCH alt = %d %s", res.StatusCode, res.body)
	}
	if res := e.api(folio.RoleAuthor, "DELETE", fmt.Sprintf("/api/v1/media/%d", doc.ID), nil); res.StatusCode != 403 {
		t.Errorf("author DELETE of an editor's file = %d, want 403", res.StatusCode)
	}
	if res := e.api(folio.RoleAdmin, "DELETE", fmt.Sprintf("/api/v1/media/%d", doc.ID), nil); res.StatusCode != 204 {
		t.Errorf("DELETE = %d %s", res.StatusCode, res.body)
	}
	if res := e.api(folio.RoleAdmin, "DELETE", fmt.Sprintf("/api/v1/media/%d", doc.ID), nil); res.StatusCode != 404 {
		t.Errorf("second DELETE = %d", res.StatusCode)
	}
	if res := e.do("GET", "/"+doc.Key, nil); res.StatusCode != 404 {
		t.Errorf("GET deleted file = %d", res.StatusCode)
	}
	e.checkConsistent(t, 2)
}

// TestMediaFailedRowLeavesNoBytes: when the row cannot be written the
// bytes already stored are removed again.
func TestMediaFailedRowLeavesNoBytes(t *testing.T) {
	e := newMediaServer(t, "sqlite")
	e.store.(interface{ DB() *sql.DB }).DB().Exec(`CREATE TRIGGER no_media BEFORE INSERT ON media BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
	res := e.upload(folio.RoleAdmin, "a.png", testPNG(t, 2, 2, 9))
	if res.StatusCode != 500 || strings.Contains(res.text(), "disk full") {
		t.Errorf("upload = %d %s, want a plain 500", res.StatusCode, res.body)
	}
	e.checkConsistent(t, 0)
}

func TestAdminMedia(t *testing.T) {
	e := newMediaServer(t, "sqlite")
	author := e.session(e.users[folio.RoleAuthor])
	res := e.do("GET", "/admin/media", nil, author)
	if res.StatusCode != 200 || res.doc(t).Find(`form[enctype="multipart/form-data"] input[type=file][name=file]`).Length() != 1 {
		t.Fatalf("media page = %d", res.StatusCode)
	}
	if res.doc(t).Find(`nav a[href="/admin/media"]`).Length() != 1 {
		t.Error("no Media link in the admin menu")
	}
	body, ct := multipartBody(t, "cover.png", testPNG(t, 8, 8, 3), "alt", "A cover")
	res = e.do("POST", "/admin/media", body, author, "Content-Type: "+ct, "Sec-Fetch-Site: same-origin")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload = %d %s", res.StatusCode, truncate(res.text()))
	}
	doc := e.do("GET", res.Header.Get("Location"), nil, author).doc(t)
	if doc.Find(".notice").Text() == "" || doc.Find(`img.thumb[alt="A cover"]`).Length() != 1 {
		t.Error("the list shows no notice or thumbnail")
	}
	md, _ := doc.Find("input.copy").Attr("value")
	if !strings.HasPrefix(md, "![A cover](/media/2026/05/") {
		t.Errorf("markdown = %q", md)
	}
	list, _, _ := e.store.FindMedia(context.Background(), folio.MediaFilter{})
	id := list[0].ID
	// Cross-site posts are refused (CSRF).
	body, ct = multipartBody(t, "evil.png", testPNG(t, 8, 8, 4))
	if res := e.do("POST", "/admin/media", body, author, "Content-Type: "+ct, "Sec-Fetch-Site: cross-site"); res.StatusCode != 403 {
		t.Errorf("cross-site upload = %d", res.StatusCode)
	}
	// A bad file shows a message, not a 500.
	body, ct = multipartBody(t, "x.svg", []byte("<svg></svg>"))
	res = e.do("POST", "/admin/media", body, author, "Content-Type: "+ct, "Sec-Fetch-Site: same-origin")
	if res.StatusCode != 415 || !strings.Contains(res.doc(t).Find("[role=alert]").Text(), "SVG") {
		t.Errorf("SVG upload = %d", res.StatusCode)
	}
	// A script asking for JSON gets the file (the editor's Insert image).
	body, ct = multipartBody(t, "inline.png", testPNG(t, 4, 4, 5))
	res = e.do("POST", "/admin/media", body, author, "Content-Type: "+ct, "Sec-Fetch-Site: same-origin", "Accept: application/json")
	if res.StatusCode != 201 || !strings.Contains(res.text(), `"markdown": "![](/media/`) {
		t.Errorf("JSON upload = %d %s", res.StatusCode, res.body)
	}
	if res := e.post(fmt.Sprintf("/admin/media/%d", id), url.Values{"alt": {"New alt"}}, author); res.StatusCode != http.StatusSeeOther {
		t.Errorf("alt = %d", res.StatusCode)
	}
	if m, _ := e.store.FindMediaByID(context.Background(), id); m.Alt != "New alt" {
		t.Errorf("alt = %q", m.Alt)
	}
	if res := e.post(fmt.Sprintf("/admin/media/%d/delete", id), nil, author); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete = %d", res.StatusCode)
	}
	e.checkConsistent(t, 1)
	if res := e.do("GET", "/admin/media", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("media page without a session = %d", res.StatusCode)
	}
	// The editor's Insert image: without a script, a link to this page;
	// the file input (shown by insert-image.js) has its label.
	doc = e.do("GET", "/admin/articles/new", nil, author).doc(t)
	if doc.Find(`#insert-image .insert-image-fallback a[href="/admin/media"]`).Length() != 1 ||
		doc.Find(`label[for=insert-image-file]`).Text() != "Insert image" ||
		doc.Find(`#insert-image-file:not([name])`).Length() != 1 || doc.Find(`#insert-image-status[aria-live]`).Length() != 1 {
		t.Error("the editor lacks the Insert image fallback link, its labelled file input or its live status")
	}
	plain := newTestServer(t)
	if plain.do("GET", "/admin/articles/new", nil, plain.session(plain.users[folio.RoleAuthor])).doc(t).Find("#insert-image").Length() != 0 {
		t.Error("Insert image offered on a site without media")
	}
}
