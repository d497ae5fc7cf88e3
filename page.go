package folio

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Page is a standalone page such as About or Contact: no date, no author,
// not in feeds or listings. Pages live under /p/{slug}, so their slugs never
// collide with articles'.
type Page struct {
	ID        int64
	Title     string
	Slug      string
	Body      string // Markdown
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate normalises and checks a page; an empty Slug is derived from the
// title.
func (p *Page) Validate() error {
	p.Title = strings.TrimSpace(p.Title)
	p.Slug = strings.TrimSpace(p.Slug)
	if err := validateText(p.Title, "", p.Body, ""); err != nil {
		return err
	}
	if p.Slug == "" {
		p.Slug = Slugify(p.Title)
		if p.Slug == "" {
			return Invalid("slug", "is required when the title has no letters or digits")
		}
	}
	if Slugify(p.Slug) != p.Slug || utf8.RuneCountInString(p.Slug) > MaxSlugLen {
		return Invalid("slug", "may contain only lowercase letters, digits and hyphens")
	}
	return nil
}

// MenuItem is one link of the site menu shown in the public header.
type MenuItem struct {
	Label string
	URL   string // a site path ("/p/about") or an absolute http(s) URL
}

// MaxMenuItems bounds the menu so the header stays usable.
const MaxMenuItems = 20

// ValidateMenu trims and checks items in their order and drops empty rows.
func ValidateMenu(items []MenuItem) ([]MenuItem, error) {
	out := make([]MenuItem, 0, len(items))
	for _, it := range items {
		it.Label = strings.TrimSpace(it.Label)
		it.URL = strings.TrimSpace(it.URL)
		if it.Label == "" && it.URL == "" {
			continue
		}
		switch {
		case it.Label == "":
			return nil, Invalid("menu", "the link to %q needs a label", it.URL)
		case it.URL == "":
			return nil, Invalid("menu", "%q needs a URL", it.Label)
		case !utf8.ValidString(it.Label) || strings.ContainsRune(it.Label, 0) || utf8.RuneCountInString(it.Label) > 60:
			return nil, Invalid("menu", "labels must be text of at most 60 characters")
		case !validMenuURL(it.URL):
			return nil, Invalid("menu", "%q must be a site path such as /p/about or an http(s) address", it.URL)
		}
		out = append(out, it)
	}
	if len(out) > MaxMenuItems {
		return nil, Invalid("menu", "at most %d links", MaxMenuItems)
	}
	return out, nil
}

func validMenuURL(s string) bool {
	if len(s) > 500 || strings.ContainsAny(s, " \t\r\n\x00") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		// Browsers read "//host" and "/\\host" as another site.
		return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.HasPrefix(s, "/\\")
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
