// Package i18n holds the public site's interface strings in message
// catalogues, one JSON file per language under catalog/, with each
// language's plural rule and date format. English is the default and the
// fallback for any key a catalogue lacks, so a partial translation still
// renders a whole page.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// Default is the language used when none is set or a language has no
// catalogue.
const Default = "en"

// Locale formats interface strings, counts and dates for one language. A
// Locale is read-only after load and safe for concurrent use.
type Locale struct {
	// Lang is the catalogue's language tag ("en", "ru", "ur").
	Lang string
	// Name is the language's own name for itself.
	Name string
	// Dir is "rtl" for right-to-left languages, "" otherwise.
	Dir string

	messages map[string]string
	plurals  map[string][]string
	months   [12]string
	date     string
	rule     func(n int) int
	fallback *Locale
}

type catalogFile struct {
	Name     string              `json:"name"`
	Months   []string            `json:"months"`
	Date     string              `json:"date"`
	Messages map[string]string   `json:"messages"`
	Plurals  map[string][]string `json:"plurals"`
}

// rules are CLDR cardinal plural rules reduced to integers: each returns
// the index of the form to use in a catalogue's plural list.
var rules = map[string]func(int) int{
	// one, other
	"en": func(n int) int {
		if n == 1 {
			return 0
		}
		return 1
	},
	// one (1, 21, 31…), few (2–4, 22–24…), many (0, 5–20, 25–30…)
	"ru": func(n int) int {
		if n < 0 {
			n = -n
		}
		switch d, h := n%10, n%100; {
		case d == 1 && h != 11:
			return 0
		case d >= 2 && d <= 4 && (h < 12 || h > 14):
			return 1
		default:
			return 2
		}
	},
}

var rtl = map[string]bool{"ar": true, "fa": true, "he": true, "ur": true, "ps": true, "sd": true, "ug": true, "yi": true, "dv": true, "ckb": true}

// IsRTL reports whether lang (a BCP 47 tag) is written right to left.
func IsRTL(lang string) bool { return rtl[base(lang)] }

func base(lang string) string {
	b, _, _ := strings.Cut(lang, "-")
	b, _, _ = strings.Cut(b, "_")
	return strings.ToLower(b)
}

var locales = mustLoad()

func mustLoad() map[string]*Locale {
	ls, err := load()
	if err != nil {
		// The catalogues are embedded: a broken one is a build defect,
		// caught by the package's tests.
		panic(err)
	}
	return ls
}

func load() (map[string]*Locale, error) {
	files, err := catalogFS.ReadDir("catalog")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Locale, len(files))
	for _, f := range files {
		lang := strings.TrimSuffix(f.Name(), path.Ext(f.Name()))
		b, err := catalogFS.ReadFile("catalog/" + f.Name())
		if err != nil {
			return nil, err
		}
		var c catalogFile
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", f.Name(), err)
		}
		if len(c.Months) != 12 {
			return nil, fmt.Errorf("i18n: catalog %s: %d months, want 12", f.Name(), len(c.Months))
		}
		l := &Locale{Lang: lang, Name: c.Name, messages: c.Messages, plurals: c.Plurals, date: c.Date, rule: rules[lang]}
		if l.rule == nil {
			l.rule = rules["en"]
		}
		if IsRTL(lang) {
			l.Dir = "rtl"
		}
		copy(l.months[:], c.Months)
		out[lang] = l
	}
	en, ok := out[Default]
	if !ok {
		return nil, fmt.Errorf("i18n: no %s catalog", Default)
	}
	for lang, l := range out {
		if lang != Default {
			l.fallback = en
		}
	}
	return out, nil
}

// For returns the locale for a BCP 47 tag, matching on its base language
// ("ru-RU" gets Russian) and falling back to English.
func For(lang string) *Locale {
	if l, ok := locales[base(lang)]; ok {
		return l
	}
	return locales[Default]
}

// Has reports whether lang has a catalogue of its own.
func Has(lang string) bool {
	_, ok := locales[base(lang)]
	return ok
}

// Langs lists the languages with a catalogue.
func Langs() []string {
	out := make([]string, 0, len(locales))
	for l := range locales {
		out = append(out, l)
	}
	return out
}

// T returns the message for key, formatted with args when there are any.
// A key missing from the catalogue comes from English; a key missing
// everywhere is returned as it is, so the mistake shows on the page.
func (l *Locale) T(key string, args ...any) string {
	msg, ok := l.messages[key]
	if !ok && l.fallback != nil {
		msg, ok = l.fallback.messages[key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// N returns the plural form of key that suits n, with n in it:
// "1 comment", "5 комментариев".
func (l *Locale) N(n int, key string) string {
	forms, ok := l.plurals[key]
	rule := l.rule
	if !ok && l.fallback != nil {
		forms, ok, rule = l.fallback.plurals[key], true, l.fallback.rule
	}
	if !ok || len(forms) == 0 {
		return strconv.Itoa(n) + " " + key
	}
	i := min(rule(n), len(forms)-1)
	return fmt.Sprintf(forms[i], n)
}

// Date formats t as a long date in the locale: "4 May 2026", "4 мая 2026".
// t should already be in the site's time zone.
func (l *Locale) Date(t time.Time) string {
	r := strings.NewReplacer("{day}", strconv.Itoa(t.Day()), "{month}", l.months[t.Month()-1], "{year}", strconv.Itoa(t.Year()))
	return r.Replace(l.date)
}

// Keys lists the message keys of the locale's own catalogue, for tests
// that check translations are complete.
func (l *Locale) Keys() (messages, plurals []string) {
	for k := range l.messages {
		messages = append(messages, k)
	}
	for k := range l.plurals {
		plurals = append(plurals, k)
	}
	return messages, plurals
}

// PluralForms returns the number of forms key has in the locale's own
// catalogue (0 if it has none).
func (l *Locale) PluralForms(key string) int { return len(l.plurals[key]) }

// Forms is the number of plural forms the locale's rule distinguishes.
func (l *Locale) Forms() int {
	seen := map[int]bool{}
	for n := range 200 {
		seen[l.rule(n)] = true
	}
	return len(seen)
}
