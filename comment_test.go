package folio

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var scriptTag = regexp.MustCompile(`(?i)<script[\s/>]`)

func TestCommentValidate(t *testing.T) {
	tests := []struct {
		name      string
		c         Comment
		field     string // "" for valid
		wantBody  string
		wantSite  string
		wantEmail string
	}{
		{name: "valid", c: Comment{Name: " Ann ", Email: " Ann@Example.COM ", Body: " Hi "}, wantBody: "Hi", wantEmail: "ann@example.com"},
		{name: "html dropped", c: Comment{Name: "A", Email: "a@example.com", Body: `Hi <b>there</b><script>alert(1)</script>!`}, wantBody: "Hi there!"},
		{name: "code kept", c: Comment{Name: "A", Email: "a@example.com", Body: "Use `<b>` tags"}, wantBody: "Use `<b>` tags"},
		{name: "bidi dropped", c: Comment{Name: "A", Email: "a@example.com", Body: "a\u202Eb\x00c"}, wantBody: "abc"},
		{name: "bare website", c: Comment{Name: "A", Email: "a@example.com", Body: "x", Website: "example.com"}, wantSite: "https://example.com"},
		{name: "no name", c: Comment{Name: "<b></b>", Email: "a@example.com", Body: "x"}, field: ""},
		{name: "long name", c: Comment{Name: strings.Repeat("n", MaxCommentName+1), Email: "a@example.com", Body: "x"}, field: "name"},
		{name: "no email", c: Comment{Name: "A", Body: "x"}, field: "email"},
		{name: "bad email", c: Comment{Name: "A", Email: "a@b@c", Body: "x"}, field: "email"},
		{name: "named email", c: Comment{Name: "A", Email: "Bob <b@example.com>", Body: "x"}, field: "email"},
		{name: "empty body", c: Comment{Name: "A", Email: "a@example.com", Body: "<p></p>"}, field: "body"},
		{name: "long body", c: Comment{Name: "A", Email: "a@example.com", Body: strings.Repeat("x", MaxCommentBody+1)}, field: "body"},
		{name: "links", c: Comment{Name: "A", Email: "a@example.com", Body: "http://a.x www.b.x [c](http://c.x) mailto:d@x"}, field: "body"},
		{name: "js website", c: Comment{Name: "A", Email: "a@example.com", Body: "x", Website: "javascript:alert(1)"}, field: "website"},
		{name: "negative parent", c: Comment{Name: "A", Email: "a@example.com", Body: "x", ParentID: -1}, field: "parent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.name == "no name" {
				tc.field = "name"
			}
			var ve *ValidationError
			if tc.field != "" {
				if !errors.As(err, &ve) || ve.Field != tc.field {
					t.Fatalf("err = %v, want a ValidationError for %q", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantBody != "" && tc.c.Body != tc.wantBody {
				t.Errorf("body = %q, want %q", tc.c.Body, tc.wantBody)
			}
			if tc.wantSite != "" && tc.c.Website != tc.wantSite {
				t.Errorf("website = %q", tc.c.Website)
			}
			if tc.wantEmail != "" && tc.c.Email != tc.wantEmail {
				t.Errorf("email = %q", tc.c.Email)
			}
		})
	}
}

// FuzzCommentValidate: whatever a reader sends, Validate does not panic,
// and what it accepts is bounded, clean text without HTML tags.
func FuzzCommentValidate(f *testing.F) {
	f.Add("Ann", "ann@example.com", "https://x.example", "Hello <script>alert(1)</script> *world*", int64(0))
	f.Add("\u202E", "a@b.c", "", "`<b>` <i>x</i> <!-- c --> \x00", int64(3))
	f.Fuzz(func(t *testing.T, name, email, website, body string, parent int64) {
		c := Comment{Name: name, Email: email, Website: website, Body: body, ParentID: parent}
		if err := c.Validate(); err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("not a ValidationError: %v", err)
			}
			return
		}
		for _, s := range []string{c.Name, c.Email, c.Website, c.Body} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.ContainsRune(s, '\u202E') {
				t.Fatalf("unclean text %q", s)
			}
		}
		if len(c.Body) > MaxCommentBody || c.Body == "" || c.Name == "" || CountLinks(c.Body) > MaxCommentLinks || c.ParentID < 0 {
			t.Fatalf("accepted out of bounds: %+v", c)
		}
		if !strings.Contains(c.Body, "`") && scriptTag.MatchString(c.Body) {
			t.Fatalf("script tag kept: %q", c.Body)
		}
	})
}
