package folio

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "Hello World", "hello-world"},
		{"surrounding and repeated separators", "  Hello,   World!  ", "hello-world"},
		{"digits", "Go 1.26 released", "go-1-26-released"},
		{"already a slug", "hello-world", "hello-world"},
		{"double hyphen", "x--y", "x-y"},
		{"leading and trailing hyphens", "-x-", "x"},
		{"french accents", "Café Crème", "cafe-creme"},
		{"decomposed accent", "Cafe\u0301", "cafe"},
		{"german sharp s", "Straße", "strasse"},
		{"polish", "Łódź", "lodz"},
		{"danish ligature", "Ærø", "aero"},
		{"turkish dotted capital I", "İstanbul", "istanbul"},
		{"vietnamese", "Việt Nam", "viet-nam"},
		{"ampersand", "Tom & Jerry", "tom-and-jerry"},
		{"ampersand alone", "&", "and"},
		{"ampersand at end", "R&", "r-and"},
		{"ascii apostrophe", "Russia's future", "russias-future"},
		{"typographic apostrophe", "Russia’s future", "russias-future"},
		{"cyrillic", "Россия", "россия"},
		{"cyrillic uppercase and spaces", "РОССИЯ и Мир", "россия-и-мир"},
		// й, ё and ї are letters of their own, not "и", "е", "і" with an accent.
		{"cyrillic short i", "Андрей", "андрей"},
		{"cyrillic yo", "Ёлка", "ёлка"},
		{"ukrainian yi", "Україна", "україна"},
		{"urdu", "پاکستان کی سیاست", "پاکستان-کی-سیاست"},
		// آ (alef madda) and ئ (yeh with hamza) are Urdu letters, not alef and yeh.
		{"urdu alef madda", "آزادی", "آزادی"},
		{"urdu yeh hamza", "گئی", "گئی"},
		{"arabic", "العربية", "العربية"},
		{"hindi vowel signs", "हिन्दी", "हिन्दी"},
		{"japanese voiced kana", "がっこう", "がっこう"},
		{"korean", "한국어", "한국어"},
		{"greek", "ΑΘΗΝΑ", "αθηνα"},
		{"emoji only", "🙂🙂", ""},
		{"punctuation only", "!!! ???", ""},
		{"empty", "", ""},
		{"emoji between words", "good 🙂 news", "good-news"},
		{"url", "https://example.com/a?b=c", "https-example-com-a-b-c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Slugify(tt.in); got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSlugifyMaxLen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		prefix string // the slug starts with this
	}{
		{"ascii", strings.Repeat("a", 200), strings.Repeat("a", MaxSlugLen)},
		{"two-byte runes", strings.Repeat("ж", 200), strings.Repeat("ж", MaxSlugLen)},
		{"three-byte runes", strings.Repeat("ک", 200), strings.Repeat("ک", MaxSlugLen)},
		{"hyphen at the cut", strings.Repeat("a", MaxSlugLen) + " b", strings.Repeat("a", MaxSlugLen)},
		{"word after hyphen at the cut", strings.Repeat("a", MaxSlugLen-1) + " b", strings.Repeat("a", MaxSlugLen-1)},
		{"expansion at the cut", strings.Repeat("a", MaxSlugLen-1) + "ß", strings.Repeat("a", MaxSlugLen-1)},
		{"ampersand at the cut", strings.Repeat("a", MaxSlugLen-2) + "&b", strings.Repeat("a", MaxSlugLen-2)},
		{"accents", strings.Repeat("é", 200), strings.Repeat("e", MaxSlugLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Slugify(tt.in)
			checkSlugShape(t, tt.in, got)
			if !strings.HasPrefix(got, tt.prefix) {
				t.Errorf("Slugify(%q) = %q, want a slug starting with %q", tt.in, got, tt.prefix)
			}
		})
	}
}

// checkSlugShape checks the invariants every Slugify result has.
func checkSlugShape(t testing.TB, in, got string) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Errorf("Slugify(%q) = %q: not valid UTF-8", in, got)
	}
	if n := utf8.RuneCountInString(got); n > MaxSlugLen {
		t.Errorf("Slugify(%q) = %q: %d runes, want at most %d", in, got, n, MaxSlugLen)
	}
	if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") {
		t.Errorf("Slugify(%q) = %q: leading or trailing hyphen", in, got)
	}
	if strings.Contains(got, "--") {
		t.Errorf("Slugify(%q) = %q: double hyphen", in, got)
	}
	if again := Slugify(got); again != got {
		t.Errorf("Slugify(%q) = %q, but Slugify(%q) = %q: not idempotent", in, got, got, again)
	}
	if got != "" && got != strings.ToLower(got) {
		t.Errorf("Slugify(%q) = %q: not lowercase", in, got)
	}
}

func TestValidateSlug(t *testing.T) {
	t.Parallel()
	tests := []struct {
		slug    string
		wantErr bool
	}{
		{"hello-world", false},
		{"a", false},
		{"2025", false},
		{strings.Repeat("a", MaxSlugLen), false},
		{"россия", false},
		{"андрей", false},
		{"پاکستان-کی-سیاست", false},
		{"admin-panel", false}, // only the exact route word is reserved
		{"", true},
		{strings.Repeat("a", MaxSlugLen+1), true},
		{"Hello", true},
		{"РОССИЯ", true},
		{"hello world", true},
		{"hello--world", true},
		{"-hello", true},
		{"hello-", true},
		{"hello_world", true},
		{"café", true},
		{"a/b", true},
		{"admin", true},
		{"api", true},
		{"tag", true},
		{"page", true},
		{"author", true},
		{"series", true},
		{"search", true},
		{"healthz", true},
		{"feed.xml", true},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			t.Parallel()
			err := ValidateSlug("slug", tt.slug)
			if !tt.wantErr {
				if err != nil {
					t.Errorf("ValidateSlug(%q) = %v, want nil", tt.slug, err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ValidateSlug(%q) = %v, want a *ValidationError", tt.slug, err)
			}
			if ve.Field != "slug" {
				t.Errorf("ValidateSlug(%q) field = %q, want %q", tt.slug, ve.Field, "slug")
			}
		})
	}
}

func TestReservedSlugs(t *testing.T) {
	t.Parallel()
	// The route words DESIGN.md lists; an article with one of these slugs
	// could never be reached.
	words := []string{
		"admin", "api", "tag", "page", "author", "series", "search", "feed.xml", "atom.xml",
		"feed.json", "sitemap.xml", "robots.txt", "healthz", "readyz", "metrics",
	}
	for _, w := range words {
		if !IsReservedSlug(w) {
			t.Errorf("IsReservedSlug(%q) = false, want true", w)
		}
	}
	for _, w := range []string{"hello", "admins", "", "Admin"} {
		if IsReservedSlug(w) {
			t.Errorf("IsReservedSlug(%q) = true, want false", w)
		}
	}
}
