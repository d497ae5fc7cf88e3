package folio

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testNow is the clock the validation tests use: not UTC and not on a
// microsecond, so truncation and zone conversion show.
func testNow() time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("IST", 5*3600+30*60))
}

func ptr[T any](v T) *T { return &v }

func TestArticleInputValidate(t *testing.T) {
	t.Parallel()
	future := testNow().Add(time.Hour)
	past := testNow().Add(-time.Hour)
	nowUTC := testNow().UTC().Truncate(time.Microsecond)
	manyTags := make([]string, MaxTags+1)
	for i := range manyTags {
		manyTags[i] = fmt.Sprintf("tag %d", i)
	}
	tests := []struct {
		name      string
		in        ArticleInput
		wantField string                              // "" means valid
		check     func(t *testing.T, in ArticleInput) // runs on the validated input
	}{
		{
			name: "minimal draft",
			in:   ArticleInput{Title: "  Hello  "},
			check: func(t *testing.T, in ArticleInput) {
				if in.Title != "Hello" {
					t.Errorf("Title = %q, want trimmed %q", in.Title, "Hello")
				}
				if in.Status != StatusDraft {
					t.Errorf("Status = %q, want %q", in.Status, StatusDraft)
				}
				if in.PublishedAt != nil {
					t.Errorf("PublishedAt = %v, want nil for a draft", in.PublishedAt)
				}
				if in.Slug != "" {
					t.Errorf("Slug = %q, want empty (the store derives it)", in.Slug)
				}
			},
		},
		{name: "empty title", in: ArticleInput{}, wantField: "title"},
		{name: "blank title", in: ArticleInput{Title: " \t\n "}, wantField: "title"},
		{name: "title at limit", in: ArticleInput{Title: strings.Repeat("ж", MaxTitleLen)}},
		{name: "title too long", in: ArticleInput{Title: strings.Repeat("ж", MaxTitleLen+1)}, wantField: "title"},
		{name: "title with NUL", in: ArticleInput{Title: "a\x00b"}, wantField: "title"},
		{name: "title invalid UTF-8", in: ArticleInput{Title: "a\xffb"}, wantField: "title"},
		{name: "body with NUL", in: ArticleInput{Title: "t", Body: "x\x00"}, wantField: "body"},
		{name: "body invalid UTF-8", in: ArticleInput{Title: "t", Body: "\xc3\x28"}, wantField: "body"},
		{name: "body at limit", in: ArticleInput{Title: "t", Body: strings.Repeat(strings.Repeat("a", 1023)+"\n", MaxBodyBytes/1024)}},
		{name: "line at limit", in: ArticleInput{Title: "t", Body: "x\n" + strings.Repeat("a", MaxLineBytes)}},
		{name: "line too long", in: ArticleInput{Title: "t", Body: "x\n" + strings.Repeat("[a](", MaxLineBytes/4+1)}, wantField: "body"},
		{name: "body too long", in: ArticleInput{Title: "t", Body: strings.Repeat("a", MaxBodyBytes+1)}, wantField: "body"},
		{name: "question too long", in: ArticleInput{Title: "t", Question: strings.Repeat("q", MaxQuestion+1)}, wantField: "question"},
		{name: "question invalid UTF-8", in: ArticleInput{Title: "t", Question: "\xff"}, wantField: "question"},
		{name: "summary too long", in: ArticleInput{Title: "t", Summary: strings.Repeat("s", MaxSummaryLen+1)}, wantField: "summary"},
		{name: "summary with NUL", in: ArticleInput{Title: "t", Summary: "\x00"}, wantField: "summary"},
		{name: "explicit slug", in: ArticleInput{Title: "t", Slug: " my-slug "}, check: func(t *testing.T, in ArticleInput) {
			if in.Slug != "my-slug" {
				t.Errorf("Slug = %q, want %q", in.Slug, "my-slug")
			}
		}},
		{name: "reserved slug", in: ArticleInput{Title: "t", Slug: "admin"}, wantField: "slug"},
		{name: "uppercase slug", in: ArticleInput{Title: "t", Slug: "My-Slug"}, wantField: "slug"},
		{name: "slug with space", in: ArticleInput{Title: "t", Slug: "my slug"}, wantField: "slug"},
		{name: "symbols-only title", in: ArticleInput{Title: "!!!"}, check: func(t *testing.T, in ArticleInput) {
			if in.Slug != "" {
				t.Errorf("Slug = %q, want empty", in.Slug)
			}
		}},
		{name: "lang normalised", in: ArticleInput{Title: "t", Lang: " EN-us "}, check: func(t *testing.T, in ArticleInput) {
			if in.Lang != "en-US" {
				t.Errorf("Lang = %q, want %q", in.Lang, "en-US")
			}
		}},
		{name: "lang urdu", in: ArticleInput{Title: "t", Lang: "ur"}, check: func(t *testing.T, in ArticleInput) {
			if in.Lang != "ur" {
				t.Errorf("Lang = %q, want %q", in.Lang, "ur")
			}
		}},
		{name: "bad lang", in: ArticleInput{Title: "t", Lang: "not a language"}, wantField: "lang"},
		{name: "bad lang symbols", in: ArticleInput{Title: "t", Lang: "<script>"}, wantField: "lang"},
		{name: "lang too long", in: ArticleInput{Title: "t", Lang: "en-" + strings.Repeat("abcdefgh-", 5) + "x"}, wantField: "lang"},
		{name: "unknown status", in: ArticleInput{Title: "t", Status: "bogus"}, wantField: "status"},
		{name: "published without time", in: ArticleInput{Title: "t", Status: StatusPublished}, check: func(t *testing.T, in ArticleInput) {
			if in.Status != StatusPublished {
				t.Errorf("Status = %q, want %q", in.Status, StatusPublished)
			}
			checkTimePtr(t, "PublishedAt", in.PublishedAt, nowUTC)
		}},
		{name: "published with time", in: ArticleInput{Title: "t", Status: StatusPublished, PublishedAt: ptr(past)}, check: func(t *testing.T, in ArticleInput) {
			checkTimePtr(t, "PublishedAt", in.PublishedAt, past.UTC().Truncate(time.Microsecond))
		}},
		{name: "scheduled without time", in: ArticleInput{Title: "t", Status: StatusScheduled}, wantField: "published_at"},
		{name: "scheduled in the future", in: ArticleInput{Title: "t", Status: StatusScheduled, PublishedAt: ptr(future)}, check: func(t *testing.T, in ArticleInput) {
			if in.Status != StatusScheduled {
				t.Errorf("Status = %q, want %q", in.Status, StatusScheduled)
			}
			checkTimePtr(t, "PublishedAt", in.PublishedAt, future.UTC().Truncate(time.Microsecond))
		}},
		{name: "scheduled in the past", in: ArticleInput{Title: "t", Status: StatusScheduled, PublishedAt: ptr(past)}, check: func(t *testing.T, in ArticleInput) {
			if in.Status != StatusPublished {
				t.Errorf("Status = %q, want %q (a past time publishes now)", in.Status, StatusPublished)
			}
			checkTimePtr(t, "PublishedAt", in.PublishedAt, past.UTC().Truncate(time.Microsecond))
		}},
		{name: "scheduled exactly now", in: ArticleInput{Title: "t", Status: StatusScheduled, PublishedAt: ptr(testNow())}, check: func(t *testing.T, in ArticleInput) {
			if in.Status != StatusPublished {
				t.Errorf("Status = %q, want %q", in.Status, StatusPublished)
			}
		}},
		{name: "tags deduplicated case-blind", in: ArticleInput{Title: "t", Tags: []string{"Go", " go ", "Rust", "", "  ", "New   York", "GO"}}, check: func(t *testing.T, in ArticleInput) {
			want := []string{"Go", "Rust", "New York"}
			if !reflect.DeepEqual(in.Tags, want) {
				t.Errorf("Tags = %q, want %q", in.Tags, want)
			}
		}},
		{name: "tags at limit", in: ArticleInput{Title: "t", Tags: manyTags[:MaxTags]}},
		{name: "too many tags", in: ArticleInput{Title: "t", Tags: manyTags}, wantField: "tags"},
		{name: "tag too long", in: ArticleInput{Title: "t", Tags: []string{strings.Repeat("x", MaxTagLen+1)}}, wantField: "tags"},
		{name: "tag of symbols", in: ArticleInput{Title: "t", Tags: []string{"!!!"}}, wantField: "tags"},
		{name: "tag with NUL", in: ArticleInput{Title: "t", Tags: []string{"a\x00b"}}, wantField: "tags"},
		{name: "series", in: ArticleInput{Title: "t", Series: &SeriesRef{Title: " Interview with X ", Position: 1}}, check: func(t *testing.T, in ArticleInput) {
			want := SeriesRef{Slug: "interview-with-x", Title: "Interview with X", Position: 1}
			if *in.Series != want {
				t.Errorf("Series = %+v, want %+v", *in.Series, want)
			}
		}},
		{name: "series position at upper bound", in: ArticleInput{Title: "t", Series: &SeriesRef{Slug: "s", Position: 10000}}},
		{name: "series position zero", in: ArticleInput{Title: "t", Series: &SeriesRef{Slug: "s", Position: 0}}, wantField: "series"},
		{name: "series position negative", in: ArticleInput{Title: "t", Series: &SeriesRef{Slug: "s", Position: -1}}, wantField: "series"},
		{name: "series position too big", in: ArticleInput{Title: "t", Series: &SeriesRef{Slug: "s", Position: 10001}}, wantField: "series"},
		{name: "series without slug or title", in: ArticleInput{Title: "t", Series: &SeriesRef{Position: 1}}, wantField: "series"},
		{name: "series bad slug", in: ArticleInput{Title: "t", Series: &SeriesRef{Slug: "Bad Slug", Position: 1}}, wantField: "series"},
		{name: "interviewee name too long", in: ArticleInput{Title: "t", Interviewee: Interviewee{Name: strings.Repeat("n", 201)}}, wantField: "interviewee"},
		{name: "interviewee bio invalid UTF-8", in: ArticleInput{Title: "t", Interviewee: Interviewee{Bio: "\xff"}}, wantField: "interviewee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			err := in.Validate(testNow())
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if tt.check != nil {
					tt.check(t, in)
				}
				return
			}
			checkInvalid(t, err, tt.wantField)
		})
	}
}

func TestArticleUpdateValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		upd       ArticleUpdate
		wantField string
		check     func(t *testing.T, upd ArticleUpdate)
	}{
		{name: "empty update", upd: ArticleUpdate{}},
		{name: "title trimmed", upd: ArticleUpdate{Title: ptr("  New  ")}, check: func(t *testing.T, upd ArticleUpdate) {
			if *upd.Title != "New" {
				t.Errorf("Title = %q, want %q", *upd.Title, "New")
			}
		}},
		{name: "blank title", upd: ArticleUpdate{Title: ptr("  ")}, wantField: "title"},
		{name: "title too long", upd: ArticleUpdate{Title: ptr(strings.Repeat("t", MaxTitleLen+1))}, wantField: "title"},
		{name: "body only", upd: ArticleUpdate{Body: ptr("new body")}},
		{name: "body NUL", upd: ArticleUpdate{Body: ptr("\x00")}, wantField: "body"},
		{name: "reserved slug", upd: ArticleUpdate{Slug: ptr("api")}, wantField: "slug"},
		{name: "empty slug", upd: ArticleUpdate{Slug: ptr("")}, wantField: "slug"},
		{name: "bad lang", upd: ArticleUpdate{Lang: ptr("??")}, wantField: "lang"},
		{name: "lang normalised", upd: ArticleUpdate{Lang: ptr("RU")}, check: func(t *testing.T, upd ArticleUpdate) {
			if *upd.Lang != "ru" {
				t.Errorf("Lang = %q, want %q", *upd.Lang, "ru")
			}
		}},
		{name: "bad status", upd: ArticleUpdate{Status: ptr(Status("gone"))}, wantField: "status"},
		{name: "trash", upd: ArticleUpdate{Status: ptr(StatusTrashed)}},
		{name: "tags normalised", upd: ArticleUpdate{Tags: &[]string{"A", "a", " b "}}, check: func(t *testing.T, upd ArticleUpdate) {
			if want := []string{"A", "b"}; !reflect.DeepEqual(*upd.Tags, want) {
				t.Errorf("Tags = %q, want %q", *upd.Tags, want)
			}
		}},
		{name: "tags cleared", upd: ArticleUpdate{Tags: &[]string{}}, check: func(t *testing.T, upd ArticleUpdate) {
			if upd.Tags == nil || len(*upd.Tags) != 0 {
				t.Errorf("Tags = %v, want an empty list", upd.Tags)
			}
		}},
		{name: "series bad position", upd: ArticleUpdate{Series: &SeriesRef{Slug: "s"}}, wantField: "series"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			upd := tt.upd
			err := upd.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				if tt.check != nil {
					tt.check(t, upd)
				}
				return
			}
			checkInvalid(t, err, tt.wantField)
		})
	}
}

func TestApplySchedule(t *testing.T) {
	t.Parallel()
	future := testNow().Add(time.Minute)
	tests := []struct {
		name       string
		status     Status
		at         *time.Time
		wantStatus Status
		wantAt     *time.Time
		wantErr    bool
	}{
		{"draft keeps no time", StatusDraft, nil, StatusDraft, nil, false},
		{"publish now", StatusPublished, nil, StatusPublished, ptr(testNow().UTC().Truncate(time.Microsecond)), false},
		{"schedule later", StatusScheduled, &future, StatusScheduled, ptr(future.UTC().Truncate(time.Microsecond)), false},
		{"schedule without time", StatusScheduled, nil, "", nil, true},
		{"unknown", Status("x"), nil, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st, at, err := ApplySchedule(tt.status, tt.at, testNow())
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ApplySchedule(%q) = %q, %v, nil; want an error", tt.status, st, at)
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplySchedule(%q) error: %v", tt.status, err)
			}
			if st != tt.wantStatus {
				t.Errorf("status = %q, want %q", st, tt.wantStatus)
			}
			if tt.wantAt == nil {
				if at != nil {
					t.Errorf("at = %v, want nil", at)
				}
				return
			}
			checkTimePtr(t, "at", at, *tt.wantAt)
		})
	}
}

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      []string
		want    []string
		wantErr bool
	}{
		{"nil", nil, []string{}, false},
		{"order kept", []string{"Zeta", "alpha", "Mid"}, []string{"Zeta", "alpha", "Mid"}, false},
		{"spaces collapsed", []string{"  New \t York "}, []string{"New York"}, false},
		{"case-blind duplicates", []string{"Go", "GO", "go"}, []string{"Go"}, false},
		{"same slug duplicates", []string{"Café", "cafe"}, []string{"Café"}, false},
		{"empties dropped", []string{"", " ", "x"}, []string{"x"}, false},
		{"cyrillic", []string{"Политика", "политика"}, []string{"Политика"}, false},
		{"symbols only", []string{"???"}, nil, true},
		{"invalid UTF-8", []string{"\xff"}, nil, true},
		{"too long", []string{strings.Repeat("ж", MaxTagLen+1)}, nil, true},
		{"at length limit", []string{strings.Repeat("ж", MaxTagLen)}, []string{strings.Repeat("ж", MaxTagLen)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeTags(tt.in)
			if tt.wantErr {
				checkInvalid(t, err, "tags")
				return
			}
			if err != nil {
				t.Fatalf("NormalizeTags(%q) error: %v", tt.in, err)
			}
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("NormalizeTags(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReadingMinutes(t *testing.T) {
	t.Parallel()
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	tests := []struct {
		name string
		text string
		want int
	}{
		{"empty", "", 1},
		{"blank", " \n\t ", 1},
		{"one word", "hello", 1},
		{"220 words", words(220), 1},
		{"221 words", words(221), 2},
		{"440 words", words(440), 2},
		{"441 words", words(441), 3},
		{"newlines count as spaces", strings.Repeat("word\n\n", 660), 3},
		{"reference page length", words(1400), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ReadingMinutes(tt.text); got != tt.want {
				t.Errorf("ReadingMinutes(%s) = %d, want %d", tt.name, got, tt.want)
			}
		})
	}
}

func TestArticleIsPublic(t *testing.T) {
	t.Parallel()
	now := testNow()
	tests := []struct {
		status Status
		at     *time.Time
		want   bool
	}{
		{StatusPublished, ptr(now.Add(-time.Second)), true},
		{StatusPublished, ptr(now), true},
		{StatusPublished, nil, false},
		{StatusScheduled, ptr(now.Add(-time.Second)), true},
		{StatusScheduled, ptr(now.Add(time.Second)), false},
		{StatusDraft, ptr(now.Add(-time.Hour)), false},
		{StatusTrashed, ptr(now.Add(-time.Hour)), false},
	}
	for _, tt := range tests {
		a := Article{Status: tt.status, PublishedAt: tt.at}
		if got := a.IsPublic(now); got != tt.want {
			t.Errorf("IsPublic(%s, %v) = %v, want %v", tt.status, tt.at, got, tt.want)
		}
	}
}

// checkInvalid checks that err is a *ValidationError naming field.
func checkInvalid(t testing.TB, err error, field string) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *ValidationError for %q", err, field)
	}
	if ve.Field != field {
		t.Errorf("error field = %q (%v), want %q", ve.Field, err, field)
	}
	if ve.Message == "" {
		t.Errorf("error for %q has no message", field)
	}
}

// checkTimePtr checks that got is want, in UTC.
func checkTimePtr(t testing.TB, name string, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %v", name, want)
		return
	}
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", name, *got, want)
	}
	if got.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", name, got.Location())
	}
}
