package folio

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{
		"", "Hello World", "Café Crème", "Straße", "Łódź", "Россия и мир", "Андрей", "پاکستان کی سیاست",
		"آزادی", "हिन्दी", "がっこう", "한국어", "🙂", "Tom & Jerry", "Russia’s", "a--b", "-x-", "\xff\xfe",
		"e\u0301\u0301", "İ", "ǅ", "ǽ", "ŉ", "ﬁ", "\u0345", strings.Repeat("a", MaxSlugLen-1) + "ß",
		strings.Repeat("a", MaxSlugLen-2) + "&b", strings.Repeat("ж ", 60),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Slugify(in)
		checkSlugShape(t, in, got)
		if got != "" && ValidateSlug("slug", got) != nil && !IsReservedSlug(got) {
			t.Errorf("ValidateSlug(Slugify(%q) = %q) = %v", in, got, ValidateSlug("slug", got))
		}
	})
}

func FuzzArticleInputValidate(f *testing.F) {
	f.Add("Hello", "", "body", "en", "Go,Rust", "draft", 1, int64(0))
	f.Add("  Café  ", "cafe", "", "EN-us", "go, GO ,", "published", 0, int64(-3600))
	f.Add("Interview", "", "q", "ur", "", "scheduled", 3, int64(3600))
	f.Add("Old", "", "", "", "", "scheduled", 10000, int64(-1))
	f.Add("!!!", "admin", "\x00", "??", "!!!", "bogus", -1, int64(1))
	f.Fuzz(func(t *testing.T, title, slug, body, lang, tags, status string, position int, offset int64) {
		now := testNow()
		in := ArticleInput{
			Title:  title,
			Slug:   slug,
			Body:   body,
			Lang:   lang,
			Status: Status(status),
		}
		if tags != "" {
			in.Tags = strings.Split(tags, ",")
		}
		if position != 0 {
			in.Series = &SeriesRef{Title: title, Position: position}
		}
		if offset != 0 {
			at := now.Add(time.Duration(offset) * time.Second)
			in.PublishedAt = &at
		}
		err := in.Validate(now)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field == "" || ve.Message == "" {
				t.Fatalf("Validate() = %#v, want a *ValidationError with a field and a message", err)
			}
			return
		}
		checkValidInput(t, in, now)

		// Validating a valid input again changes nothing.
		again := in
		again.Tags = append([]string(nil), in.Tags...)
		if in.Series != nil {
			s := *in.Series
			again.Series = &s
		}
		if err := again.Validate(now); err != nil {
			t.Fatalf("second Validate() = %v, want nil", err)
		}
		if len(in.Tags) == 0 {
			again.Tags, in.Tags = nil, nil
		}
		if !reflect.DeepEqual(again, in) {
			t.Fatalf("second Validate() changed the input:\n got %+v\nwant %+v", again, in)
		}
	})
}

// checkValidInput checks the invariants of an input Validate accepted.
func checkValidInput(t testing.TB, in ArticleInput, now time.Time) {
	t.Helper()
	if in.Title == "" || in.Title != strings.TrimSpace(in.Title) {
		t.Errorf("Title = %q: empty or not trimmed", in.Title)
	}
	for name, v := range map[string]string{"title": in.Title, "body": in.Body, "slug": in.Slug, "lang": in.Lang} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			t.Errorf("%s = %q: invalid UTF-8 or NUL", name, v)
		}
	}
	if utf8.RuneCountInString(in.Title) > MaxTitleLen {
		t.Errorf("Title has %d runes", utf8.RuneCountInString(in.Title))
	}
	if in.Slug != "" {
		if err := ValidateSlug("slug", in.Slug); err != nil {
			t.Errorf("Slug %q accepted but ValidateSlug says %v", in.Slug, err)
		}
	}
	switch in.Status {
	case StatusDraft, StatusTrashed:
	case StatusPublished:
		if in.PublishedAt == nil {
			t.Errorf("published without PublishedAt")
		}
	case StatusScheduled:
		if in.PublishedAt == nil || !in.PublishedAt.After(now) {
			t.Errorf("scheduled with PublishedAt %v, not after now %v", in.PublishedAt, now)
		}
	default:
		t.Errorf("Status = %q accepted", in.Status)
	}
	if at := in.PublishedAt; at != nil {
		if at.Location() != time.UTC || !at.Equal(at.Truncate(time.Microsecond)) {
			t.Errorf("PublishedAt = %v: not UTC microseconds", at)
		}
	}
	if len(in.Tags) > MaxTags {
		t.Errorf("%d tags accepted", len(in.Tags))
	}
	seen := map[string]bool{}
	for _, tag := range in.Tags {
		s := Slugify(tag)
		if s == "" || seen[s] || tag != strings.TrimSpace(tag) || utf8.RuneCountInString(tag) > MaxTagLen {
			t.Errorf("tag %q accepted in %q", tag, in.Tags)
		}
		seen[s] = true
	}
	if s := in.Series; s != nil {
		if s.Position < 1 || s.Position > 10000 {
			t.Errorf("series position %d accepted", s.Position)
		}
		if s.Slug == "" || Slugify(s.Slug) != s.Slug {
			t.Errorf("series slug %q accepted", s.Slug)
		}
	}
}

func FuzzValidateMenu(f *testing.F) {
	f.Add("About", "/p/about", "Feed", "https://example.com/feed.xml")
	f.Add(" ", " ", "x", "javascript:alert(1)")
	f.Add("Home", "//evil.example", "Evil", "/\\evil.example")
	f.Add("Мы", "/p/о-нас", "", "")
	f.Add("Evil", "/\\evil.example", "", "")
	f.Fuzz(func(t *testing.T, l1, u1, l2, u2 string) {
		items := []MenuItem{{Label: l1, URL: u1}, {Label: l2, URL: u2}}
		out, err := ValidateMenu(items)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "menu" {
				t.Fatalf("ValidateMenu = %v, want a *ValidationError for menu", err)
			}
			return
		}
		for _, it := range out {
			if it.Label == "" || it.Label != strings.TrimSpace(it.Label) || !utf8.ValidString(it.Label) ||
				utf8.RuneCountInString(it.Label) > 60 {
				t.Errorf("label %q accepted", it.Label)
			}
			if !safeMenuURL(it.URL) {
				t.Errorf("URL %q accepted: a menu link must stay on the site or be http(s)", it.URL)
			}
		}
		again, err := ValidateMenu(out)
		if err != nil || !reflect.DeepEqual(again, out) {
			t.Errorf("ValidateMenu is not idempotent: %+v → %+v, %v", out, again, err)
		}
	})
}

// safeMenuURL reports whether a browser would keep u on the site (a path)
// or follow it to an http(s) address.
func safeMenuURL(u string) bool {
	if strings.ContainsAny(u, " \t\r\n\x00") {
		return false
	}
	if strings.HasPrefix(u, "/") {
		// Browsers read "//host" and "/\host" as another site.
		return len(u) == 1 || (u[1] != '/' && u[1] != '\\')
	}
	lower := strings.ToLower(u)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}
