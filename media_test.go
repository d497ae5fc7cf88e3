package folio_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"folio"
)

func TestCleanMediaName(t *testing.T) {
	for in, want := range map[string]string{
		"Cover Photo.JPG":              "cover-photo",
		"../../etc/passwd":             "passwd",
		`C:\Users\ann\Desktop\été.png`: "ete",
		"..":                           "file",
		".hidden":                      "hidden",
		"":                             "file",
		"a\x00b.png":                   "a-b",
		"Россия.png":                   "file",
		"Smørrebrød & Øl.webp":         "smorrebrod-and-ol",
		"x.tar.gz":                     "x-tar",
		strings.Repeat("ab ", 50):      strings.TrimRight(strings.Repeat("ab-", 20), "-"),
		"--a--b--":                     "a-b",
	} {
		if got := folio.CleanMediaName(in); got != want {
			t.Errorf("CleanMediaName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMediaKey(t *testing.T) {
	now := time.Date(2026, 11, 3, 23, 0, 0, 0, time.FixedZone("X", -5*3600)) // 4 Nov UTC
	key, err := folio.MediaKey(now, "ABCDEF0123456789ffff", "My Cover.PNG", "image/png")
	if err != nil || key != "media/2026/11/abcdef012345-my-cover.png" {
		t.Errorf("MediaKey = %q, %v", key, err)
	}
	// The extension follows the sniffed type, not the name.
	if key, _ := folio.MediaKey(now, strings.Repeat("0", 64), "evil.html", "image/gif"); !strings.HasSuffix(key, "-evil.gif") {
		t.Errorf("MediaKey for a GIF named evil.html = %q", key)
	}
	for _, ct := range []string{"image/svg+xml", "text/html; charset=utf-8", "application/octet-stream", ""} {
		var ve *folio.ValidationError
		if _, err := folio.MediaKey(now, strings.Repeat("0", 64), "x", ct); !errors.As(err, &ve) {
			t.Errorf("MediaKey(%q) = %v, want a validation error", ct, err)
		}
	}
}

func TestMediaMarkdown(t *testing.T) {
	img := &folio.Media{Key: "media/2026/11/a-b.png", ContentType: "image/png", Alt: "A [bracket]\nline"}
	if got := img.Markdown(); got != `![A \[bracket\] line](/media/2026/11/a-b.png)` {
		t.Errorf("Markdown = %q", got)
	}
	pdf := &folio.Media{Key: "media/2026/11/a-report.pdf", ContentType: "application/pdf", Filename: "Report.pdf"}
	if got := pdf.Markdown(); got != `[Report.pdf](/media/2026/11/a-report.pdf)` {
		t.Errorf("Markdown = %q", got)
	}
}

// FuzzCleanMediaName checks that any uploaded name gives a key every
// BlobStore accepts, with no way out of the media directory.
func FuzzCleanMediaName(f *testing.F) {
	for _, s := range []string{"cover.png", "../../x", `..\..\x`, "a\x00b", "", ".", "..", "/abs/x.png",
		"Россия.jpg", "😀.gif", "a/b\\c", strings.Repeat("é", 100), "CON.png", "-.-", "a..b"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name string) {
		clean := folio.CleanMediaName(name)
		if clean == "" || len(clean) > 60 || !utf8.ValidString(clean) {
			t.Fatalf("CleanMediaName(%q) = %q", name, clean)
		}
		for _, r := range clean {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("CleanMediaName(%q) = %q has %q", name, clean, r)
			}
		}
		if strings.HasPrefix(clean, "-") || strings.HasSuffix(clean, "-") {
			t.Fatalf("CleanMediaName(%q) = %q", name, clean)
		}
		key, err := folio.MediaKey(now, strings.Repeat("a", 64), name, "image/png")
		if err != nil {
			t.Fatalf("MediaKey(%q): %v", name, err)
		}
		if err := folio.CheckBlobKey(key); err != nil || !strings.HasPrefix(key, "media/2026/01/aaaaaaaaaaaa-") || strings.Count(key, "/") != 3 {
			t.Fatalf("MediaKey(%q) = %q, %v", name, key, err)
		}
	})
}

func TestCheckBlobKey(t *testing.T) {
	for _, k := range []string{"a", "media/2026/11/abc-x.png", "cards/1.png", "a_b.c-d"} {
		if err := folio.CheckBlobKey(k); err != nil {
			t.Errorf("CheckBlobKey(%q) = %v", k, err)
		}
	}
	for _, k := range []string{"", "..", "../x", "/x", `a\b`, "a\x00", "a//b", "A", ".x", "a/.x", "a/"} {
		if err := folio.CheckBlobKey(k); !errors.Is(err, folio.ErrInvalidBlobKey) {
			t.Errorf("CheckBlobKey(%q) = %v", k, err)
		}
	}
}
