package folio

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugLen bounds slugs (in runes) so URLs stay shareable.
const MaxSlugLen = 80

// reservedSlugs are the first path segments the router owns. An article with
// one of these slugs could never be reached, so they are refused.
var reservedSlugs = map[string]bool{
	"admin": true, "api": true, "tag": true, "tags": true, "page": true, "author": true,
	"authors": true, "series": true, "search": true, "static": true, "assets": true,
	"feed": true, "feed.xml": true, "atom.xml": true, "feed.json": true, "rss": true,
	"sitemap.xml": true, "robots.txt": true, "healthz": true, "readyz": true,
	"metrics": true, "favicon.ico": true, "media": true, "login": true, "logout": true,
	"setup": true, "comments": true, "comments.xml": true, "opensearch.xml": true,
	"preview": true, "p": true,
}

// IsReservedSlug reports whether slug collides with a route word.
func IsReservedSlug(slug string) bool { return reservedSlugs[slug] }

// special holds Latin letters that Unicode does not decompose into a base
// letter plus marks, so NFD alone would drop them.
var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'œ': "oe", 'Œ': "oe",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŋ': "n", 'Ŋ': "n", '&': " and ",
}

// Slugify turns a title in any script into a URL slug: Latin letters lose
// their accents ("Café" → "cafe"), letters of other scripts are kept as
// lowercase Unicode letters ("Россия" → "россия"), everything else becomes a
// single hyphen. The result may be empty (a title of only punctuation).
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	n := 0
	for _, r := range norm.NFD.String(title) {
		if n >= MaxSlugLen {
			break
		}
		if unicode.Is(unicode.Mn, r) {
			continue // combining accent: "é" is "e" + U+0301 after NFD
		}
		if s, ok := special[r]; ok {
			for _, sr := range s {
				if sr == ' ' {
					dash = b.Len() > 0
					continue
				}
				if dash {
					b.WriteByte('-')
					n++
					dash = false
				}
				b.WriteRune(sr)
				n++
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash {
				b.WriteByte('-')
				n++
				dash = false
			}
			b.WriteRune(unicode.ToLower(r))
			n++
			continue
		}
		if r == '\'' || r == '’' {
			continue // "Russia’s" → "russias", not "russia-s"
		}
		dash = b.Len() > 0
	}
	return norm.NFC.String(strings.Trim(b.String(), "-"))
}

// ValidateSlug checks an explicitly chosen slug. field names the input field
// in the returned *ValidationError.
func ValidateSlug(field, slug string) error {
	switch {
	case slug == "":
		return Invalid(field, "must not be empty")
	case len([]rune(slug)) > MaxSlugLen:
		return Invalid(field, "must be at most %d characters", MaxSlugLen)
	case Slugify(slug) != slug:
		return Invalid(field, "may contain only lowercase letters, digits and single hyphens (try %q)", Slugify(slug))
	case IsReservedSlug(slug):
		return Invalid(field, "%q is reserved for a site route; choose another slug", slug)
	}
	return nil
}
