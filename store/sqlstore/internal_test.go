package sqlstore

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"folio"
)

func TestSlugCandidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcd-", 15) + "abcde" // 80 runes
	cyr := strings.Repeat("я", folio.MaxSlugLen)
	tests := []struct {
		base string
		n    int
		want string
	}{
		{"hello", 1, "hello"},
		{"hello", 2, "hello-2"},
		{"hello", 123, "hello-123"},
		{long, 1, long},
		{long, 2, long[:78] + "-2"},
		{long, 10, long[:77] + "-10"},
		{long, 1000, long[:74] + "-1000"}, // the cut lands after a hyphen, which goes
		{cyr, 2, cyr[:2*78] + "-2"},       // runes, not bytes
		{"a-" + cyr, 2, "a-" + cyr[:2*76] + "-2"},
	}
	for _, tt := range tests {
		got := slugCandidate(tt.base, tt.n)
		if got != tt.want {
			t.Errorf("slugCandidate(%q, %d) = %q, want %q", tt.base, tt.n, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > folio.MaxSlugLen {
			t.Errorf("slugCandidate(%q, %d) has %d runes, over %d", tt.base, tt.n, n, folio.MaxSlugLen)
		}
		if strings.Contains(got, "--") {
			t.Errorf("slugCandidate(%q, %d) = %q has a double hyphen", tt.base, tt.n, got)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"100%", `100\%`},
		{"a_b", `a\_b`},
		{`back\slash`, `back\\slash`},
		{`%_\`, `\%\_\\`},
	}
	for _, tt := range tests {
		if got := escapeLike(tt.in); got != tt.want {
			t.Errorf("escapeLike(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, n int
		want    string
	}{
		{1, 1, "$1"},
		{1, 3, "$1, $2, $3"},
		{4, 2, "$4, $5"},
		{1, 0, ""},
	}
	for _, tt := range tests {
		if got := placeholders(tt.from, tt.n); got != tt.want {
			t.Errorf("placeholders(%d, %d) = %q, want %q", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestNullTimeScan(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 1, 2, 3, 4, 5, 6_000, time.UTC)
	tests := []struct {
		name    string
		src     any
		want    nullTime
		wantErr bool
	}{
		{"null", nil, nullTime{}, false},
		{"sqlite text", "2026-01-02T03:04:05.000006Z", nullTime{want, true}, false},
		{"sqlite bytes", []byte("2026-01-02T03:04:05.000006Z"), nullTime{want, true}, false},
		{"postgres time in a zone", want.Add(789).In(time.FixedZone("X", 5*3600)), nullTime{want, true}, false},
		{"garbage", "yesterday", nullTime{}, true},
		{"integer", int64(5), nullTime{}, true},
	}
	for _, tt := range tests {
		var got nullTime
		err := got.Scan(tt.src)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: Scan error = %v, want error %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && (got.Valid != tt.want.Valid || got.Time != tt.want.Time) {
			t.Errorf("%s: Scan = %#v, want %#v", tt.name, got, tt.want)
		}
	}
	if (nullTime{}).Ptr() != nil {
		t.Error("NULL Ptr() is not nil")
	}
}

func TestFieldOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"users.email", "email"},
		{"users_email_key", "email"},
		{"articles.slug", "slug"},
		{"articles_slug_key", "slug"},
		{"api_tokens.hash", "hash"},
		{"settings.key", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fieldOf(tt.name); got != tt.want {
			t.Errorf("fieldOf(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestUniqueIDs(t *testing.T) {
	t.Parallel()
	got := uniqueIDs([]int64{3, 1, 3, 2, 1})
	want := []int64{3, 1, 2}
	if len(got) != len(want) {
		t.Fatalf("uniqueIDs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("uniqueIDs = %v, want %v", got, want)
		}
	}
}
