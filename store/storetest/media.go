package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"folio"
)

var mediaTests = []struct {
	name string
	fn   func(t *testing.T, e *env)
}{
	{"MediaCreateFind", testMediaCreateFind},
	{"MediaList", testMediaList},
	{"MediaConflict", testMediaConflict},
	{"MediaAlt", testMediaAlt},
	{"MediaDelete", testMediaDelete},
	{"MediaBadInput", testMediaBadInput},
}

func newMedia(name string, by int64) *folio.Media {
	sum := fmt.Sprintf("%064x", len(name)*7919+int(by))
	return &folio.Media{Key: "media/2026/11/" + sum[:12] + "-" + name + ".png", Filename: name + ".PNG",
		ContentType: "image/png", Size: int64(100 + len(name)), SHA256: sum, Width: 640, Height: 480, UploadedBy: by}
}

func mustCreateMedia(t testing.TB, e *env, m *folio.Media) *folio.Media {
	t.Helper()
	if err := e.s.CreateMedia(t.Context(), m); err != nil {
		t.Fatalf("CreateMedia(%q): %v", m.Key, err)
	}
	return m
}

func testMediaCreateFind(t *testing.T, e *env) {
	u := newUser(t, e, "Ann Lee")
	v := mustVersion(t, e.s)
	m := newMedia("cover", u.ID)
	m.Alt = "A harbour at dawn"
	mustCreateMedia(t, e, m)
	if m.ID == 0 {
		t.Fatal("CreateMedia set no ID")
	}
	checkTime(t, "CreatedAt", m.CreatedAt, e.clock.Stored())
	want := *m
	for name, find := range map[string]func() (*folio.Media, error){
		"ByID":  func() (*folio.Media, error) { return e.s.FindMediaByID(t.Context(), m.ID) },
		"ByKey": func() (*folio.Media, error) { return e.s.FindMediaByKey(t.Context(), m.Key) },
	} {
		got, err := find()
		if err != nil {
			t.Fatalf("FindMedia%s: %v", name, err)
		}
		checkTime(t, name+" CreatedAt", got.CreatedAt, want.CreatedAt)
		got.CreatedAt = want.CreatedAt
		if *got != want {
			t.Errorf("FindMedia%s = %+v, want %+v", name, *got, want)
		}
	}
	// A document without dimensions or uploader.
	pdf := &folio.Media{Key: "media/2026/11/0123456789ab-report.pdf", Filename: "Report (final).pdf",
		ContentType: "application/pdf", Size: 5, SHA256: strings.Repeat("0", 64)}
	mustCreateMedia(t, e, pdf)
	got, err := e.s.FindMediaByID(t.Context(), pdf.ID)
	if err != nil || got.UploadedBy != 0 || got.Width != 0 || got.Filename != "Report (final).pdf" {
		t.Errorf("FindMediaByID(pdf) = %+v, %v", got, err)
	}
	if got := mustVersion(t, e.s); got != v {
		t.Errorf("ContentVersion %d → %d after uploads; media changes no page", v, got)
	}
	_, err = e.s.FindMediaByID(t.Context(), pdf.ID+100)
	wantErr(t, "FindMediaByID(unknown)", err, folio.ErrNotFound)
	_, err = e.s.FindMediaByKey(t.Context(), "media/none.png")
	wantErr(t, "FindMediaByKey(unknown)", err, folio.ErrNotFound)
	_, err = e.s.FindMediaByKey(t.Context(), "bad\x00key")
	wantErr(t, "FindMediaByKey(NUL)", err, folio.ErrNotFound)
}

func testMediaList(t *testing.T, e *env) {
	u := newUser(t, e, "Ann Lee")
	var keys []string
	for i := range 7 {
		m := mustCreateMedia(t, e, newMedia(fmt.Sprintf("img%d", i), u.ID))
		keys = append(keys, m.Key)
		if i%2 == 0 {
			e.clock.Advance(time.Second) // some share a second: id breaks the tie
		}
	}
	var got []string
	for off := 0; off < 10; off += 3 {
		page, total, err := e.s.FindMedia(t.Context(), folio.MediaFilter{Limit: 3, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if total != 7 {
			t.Errorf("total = %d, want 7", total)
		}
		for _, m := range page {
			got = append(got, m.Key)
		}
	}
	for i, k := range got {
		if want := keys[len(keys)-1-i]; k != want {
			t.Errorf("FindMedia position %d = %q, want %q (newest first)", i, k, want)
		}
	}
	if len(got) != 7 {
		t.Errorf("paging saw %d files, want 7", len(got))
	}
	all, _, err := e.s.FindMedia(t.Context(), folio.MediaFilter{})
	if err != nil || len(all) != 7 {
		t.Errorf("FindMedia(default) = %d files, %v", len(all), err)
	}
}

func testMediaConflict(t *testing.T, e *env) {
	m := mustCreateMedia(t, e, newMedia("dup", 0))
	again := *m
	again.ID = 0
	err := e.s.CreateMedia(t.Context(), &again)
	var ce *folio.ConflictError
	if !errors.As(err, &ce) || ce.Field != "key" {
		t.Errorf("second CreateMedia = %v, want a *ConflictError for key", err)
	}
}

func testMediaAlt(t *testing.T, e *env) {
	m := mustCreateMedia(t, e, newMedia("alt", 0))
	got, err := e.s.UpdateMediaAlt(t.Context(), m.ID, "  Two cats\non a wall  ")
	if err != nil {
		t.Fatal(err)
	}
	if got.Alt != "Two cats on a wall" || got.Key != m.Key {
		t.Errorf("UpdateMediaAlt = %+v", got)
	}
	if f, _ := e.s.FindMediaByID(t.Context(), m.ID); f.Alt != "Two cats on a wall" {
		t.Errorf("stored alt = %q", f.Alt)
	}
	_, err = e.s.UpdateMediaAlt(t.Context(), m.ID+1, "x")
	wantErr(t, "UpdateMediaAlt(unknown)", err, folio.ErrNotFound)
	var ve *folio.ValidationError
	if _, err := e.s.UpdateMediaAlt(t.Context(), m.ID, strings.Repeat("a", folio.MaxAltLen+1)); !errors.As(err, &ve) || ve.Field != "alt" {
		t.Errorf("UpdateMediaAlt(too long) = %v", err)
	}
	if _, err := e.s.UpdateMediaAlt(t.Context(), m.ID, "bad \xff"); !errors.As(err, &ve) {
		t.Errorf("UpdateMediaAlt(invalid UTF-8) = %v", err)
	}
}

func testMediaDelete(t *testing.T, e *env) {
	a := mustCreateMedia(t, e, newMedia("a", 0))
	b := mustCreateMedia(t, e, newMedia("bb", 0))
	if err := e.s.DeleteMedia(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.s.FindMediaByID(t.Context(), a.ID)
	wantErr(t, "FindMediaByID(deleted)", err, folio.ErrNotFound)
	wantErr(t, "DeleteMedia(again)", e.s.DeleteMedia(t.Context(), a.ID), folio.ErrNotFound)
	if list, total, _ := e.s.FindMedia(t.Context(), folio.MediaFilter{}); total != 1 || list[0].ID != b.ID {
		t.Errorf("after delete FindMedia = %d files", total)
	}
	// The key is free again.
	again := newMedia("a", 0)
	mustCreateMedia(t, e, again)
}

func testMediaBadInput(t *testing.T, e *env) {
	var ve *folio.ValidationError
	for name, m := range map[string]*folio.Media{
		"nil":          nil,
		"bad key":      {Key: "../x.png", Filename: "x", ContentType: "image/png", SHA256: "00"},
		"NUL filename": {Key: "media/x.png", Filename: "a\x00b", ContentType: "image/png", SHA256: "00"},
		"unknown user": {Key: "media/y.png", Filename: "y", ContentType: "image/png", SHA256: "00", UploadedBy: 999},
	} {
		if err := e.s.CreateMedia(t.Context(), m); !errors.As(err, &ve) {
			t.Errorf("CreateMedia(%s) = %v, want a validation error", name, err)
		}
	}
	if _, total, _ := e.s.FindMedia(t.Context(), folio.MediaFilter{}); total != 0 {
		t.Errorf("refused files left %d rows", total)
	}
}
