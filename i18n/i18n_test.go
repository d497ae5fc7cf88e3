package i18n

import (
	"slices"
	"testing"
	"time"
)

func TestPlurals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 comments"},
		{"en", 1, "1 comment"},
		{"en", 12, "12 comments"},
		{"ru", 1, "1 комментарий"},
		{"ru", 2, "2 комментария"},
		{"ru", 4, "4 комментария"},
		{"ru", 5, "5 комментариев"},
		{"ru", 11, "11 комментариев"},
		{"ru", 12, "12 комментариев"},
		{"ru", 21, "21 комментарий"},
		{"ru", 22, "22 комментария"},
		{"ru", 111, "111 комментариев"},
		{"ru", 0, "0 комментариев"},
		{"ru-RU", 3, "3 комментария"},
		{"ur", 1, "1 تبصرہ"},
		{"ur", 7, "7 تبصرے"},
		{"fr", 1, "1 comment"}, // no catalogue: English
	}
	for _, tc := range tests {
		if got := For(tc.lang).N(tc.n, "comments"); got != tc.want {
			t.Errorf("For(%q).N(%d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestDatesAndMessages(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	for lang, want := range map[string]string{"en": "4 May 2026", "ru": "4 мая 2026", "ur": "4 مئی 2026"} {
		if got := For(lang).Date(d); got != want {
			t.Errorf("%s date = %q, want %q", lang, got, want)
		}
	}
	if got := For("ru").T("part_of", 2, 3); got != "Часть 2 из 3" {
		t.Errorf("ru part_of = %q", got)
	}
	if got := For("en").T("no_such_key"); got != "no_such_key" {
		t.Errorf("missing key = %q", got)
	}
	if For("ur").Dir != "rtl" || For("ru").Dir != "" || !IsRTL("ar-EG") {
		t.Error("direction wrong")
	}
}

// TestCataloguesComplete keeps translations in step with English: every
// key English has, every catalogue has, with as many plural forms as its
// language's rule distinguishes.
func TestCataloguesComplete(t *testing.T) {
	t.Parallel()
	enMsgs, enPlurals := For("en").Keys()
	if len(Langs()) < 3 {
		t.Fatalf("catalogues = %v, want at least en, ru, ur", Langs())
	}
	for _, lang := range Langs() {
		l := For(lang)
		msgs, plurals := l.Keys()
		for _, k := range enMsgs {
			if !slices.Contains(msgs, k) {
				t.Errorf("%s lacks message %q", lang, k)
			}
		}
		for _, k := range enPlurals {
			if !slices.Contains(plurals, k) {
				t.Errorf("%s lacks plural %q", lang, k)
			} else if got, want := l.PluralForms(k), l.Forms(); got != want {
				t.Errorf("%s plural %q has %d forms, its rule needs %d", lang, k, got, want)
			}
		}
	}
}
