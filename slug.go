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
// their accents ("Café" → "cafe"), letters of other scripts are kept with
// their marks as lowercase Unicode ("Россия" → "россия", "हिन्दी" stays),
// everything else becomes a single hyphen. The result may be empty (a title
// of only punctuation) and is at most MaxSlugLen runes.
func Slugify(title string) string {
	var b strings.Builder
	dash, latin := false, false
	emit := func(r rune) {
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	for _, r := range norm.NFC.String(title) {
		if s, ok := special[r]; ok {
			for _, sr := range s {
				if sr == ' ' {
					dash = b.Len() > 0
				} else {
					emit(sr)
				}
			}
			latin = true
			continue
		}
		switch {
		case unicode.Is(unicode.Latin, r):
			// "é" is "e" + U+0301 after NFD: keep the base letters only.
			for _, d := range norm.NFD.String(string(r)) {
				if sp, ok := special[d]; ok {
					for _, sr := range sp {
						emit(sr)
					}
				} else if !unicode.Is(unicode.Mn, d) {
					emit(d)
				}
			}
			latin = true
		case unicode.Is(unicode.M, r):
			// A combining mark: dropped after a Latin letter, kept in
			// scripts where it is part of the word (Devanagari vowel signs).
			if !latin && b.Len() > 0 && !dash {
				b.WriteRune(r)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			emit(r)
			latin = r < 0x80
		case r == '\'' || r == '’':
			// "Russia’s" → "russias", not "russia-s"
		default:
			dash = b.Len() > 0
			latin = false
		}
	}
	out := []rune(norm.NFC.String(b.String()))
	if len(out) > MaxSlugLen {
		out = out[:MaxSlugLen]
	}
	return strings.Trim(string(out), "-")
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
