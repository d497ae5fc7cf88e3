package web

import (
	"html/template"
	"io/fs"
	"path"
	"strings"
)

// parseTemplates builds one template set per page: the layout plus the
// page's own file, so each page can define "content" and "head".
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"static": s.static.url,
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/comments.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" || name == "comments.html" || strings.HasPrefix(name, "admin_") {
			continue // the admin has its own layout (parseAdminTemplates)
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}
