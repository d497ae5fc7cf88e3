package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// staticFiles serves the embedded CSS and JS under content-hash names
// (/static/style.3f2a1c9e.css), so they can be cached for a year and a
// new release never meets a stale copy.
type staticFiles struct {
	byName map[string]string // "style.css" → "/static/style.3f2a1c9e.css"
	byPath map[string]*page  // "style.3f2a1c9e.css" → bytes
}

func newStaticFiles(fsys fs.FS) (*staticFiles, error) {
	sf := &staticFiles{byName: map[string]string{}, byPath: map[string]*page{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		p := newPage(http.StatusOK, ct, b)
		p.immutable = true
		sf.byName[name] = "/static/" + hashed
		sf.byPath[hashed] = p
		return nil
	})
	return sf, err
}

// url returns the hashed URL of a static file; templates call it as
// {{static "style.css"}}. An unknown name is a template bug, caught by tests.
func (sf *staticFiles) url(name string) string {
	if u, ok := sf.byName[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	p, ok := s.static.byPath[r.PathValue("file")]
	if !ok {
		s.notFound(w, r)
		return
	}
	p.write(w, r)
}
