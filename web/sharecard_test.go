package web

import (
	"bytes"
	"image"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"

	"folio"
)

func TestShareCardRoute(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	a := e.mustCreateArticle(referenceArticle())
	res := e.do("GET", "/"+a.Slug+"/share.png", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET share.png = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(res.body))
	if err != nil || cfg.Width != 1200 || cfg.Height != 630 {
		t.Fatalf("card = %dx%d, %v; want 1200x630", cfg.Width, cfg.Height, err)
	}
	before := res.body

	// A new title draws a new card: the write flushes the cached one.
	if r := e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"title": "A different title altogether"}); r.StatusCode != 200 {
		t.Fatalf("PATCH: %d %s", r.StatusCode, r.body)
	}
	after := e.do("GET", "/"+a.Slug+"/share.png", nil)
	if after.StatusCode != 200 || bytes.Equal(before, after.body) {
		t.Error("share card not redrawn after the title changed")
	}

	draft := e.mustCreateArticle(map[string]any{"title": "Unpublished", "body": "x"})
	if r := e.do("GET", "/"+draft.Slug+"/share.png", nil); r.StatusCode != 404 {
		t.Errorf("draft's card = %d, want 404", r.StatusCode)
	}
	e.api(folio.RoleAdmin, "PATCH", "/api/v1/articles/"+itoa(a.ID), map[string]any{"slug": "moved-here"})
	if r := e.do("GET", "/"+a.Slug+"/share.png", nil); r.StatusCode != 301 || r.Header.Get("Location") != "/moved-here/share.png" {
		t.Errorf("old slug's card = %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// inkBounds is the box around the pixels inked (well darker than the
// paper) inside r.
func inkBounds(img image.Image, r image.Rectangle) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if int(pr>>8)+int(pg>>8)+int(pb>>8) < (int(cardPaper.R)+int(cardPaper.G)+int(cardPaper.B))-150 {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box, n
}

// TestShareCardTruncates keeps a title far too long for the card inside
// its area, cut with an ellipsis, so it never runs into the byline.
func TestShareCardTruncates(t *testing.T) {
	t.Parallel()
	title := strings.Repeat("A very long title that goes on and on ", 20)
	b, err := shareCards.draw(shareCard{Site: "Folio", Title: title, Byline: "Maren Holt · 4 May 2026", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if _, n := inkBounds(img, image.Rect(0, titleBottom+20, cardW, 530)); n > 0 {
		t.Errorf("%d inked pixels between the title area and the byline rule", n)
	}
	if _, n := inkBounds(img, image.Rect(0, titleTop, cardW, titleBottom)); n < 5000 {
		t.Errorf("title area has only %d inked pixels", n)
	}
}

func TestShareCardText(t *testing.T) {
	t.Parallel()
	long := "Beyond cargo, what could the power grid and the waterway do for each other over the next twenty years, and what stands in the way of any of it happening before the next dry summer arrives in the valley?"
	tests := []struct {
		name, title, lang string
		rtl               bool
	}{
		{"latin, long", long, "en", false},
		{"cyrillic", "Баржи возвращаются: что изменилось на малых реках", "ru", false},
		{"urdu", "دریا، بجلی اور وادی کا مستقبل", "ur", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := shareCards.draw(shareCard{Site: "Folio", Title: tc.title, Byline: "Maren Holt · 4 May 2026", Lang: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			// The title is drawn (a missing glyph would leave the area
			// almost blank), inside the margins and the title area.
			area := image.Rect(0, titleTop-20, cardW, titleBottom+10)
			box, n := inkBounds(img, area)
			if n < 3000 {
				t.Fatalf("title area has %d inked pixels", n)
			}
			if box.Min.X < cardMargin-8 || box.Max.X > cardW-cardMargin+8 {
				t.Errorf("title overflows the margins: %v", box)
			}
			// Left-aligned in LTR, right-aligned in RTL.
			if start := box.Min.X - cardMargin; !tc.rtl && start > 10 {
				t.Errorf("LTR title starts %dpx from the left margin", start)
			}
			if end := cardW - cardMargin - box.Max.X; tc.rtl && end > 10 {
				t.Errorf("RTL title ends %dpx from the right margin", end)
			}
		})
	}
}

// TestShareCardShapesArabic checks that Arabic-script letters take their
// joined forms: the same letter gets a different glyph inside a word than
// standing alone, as it must for Urdu to be readable.
func TestShareCardShapesArabic(t *testing.T) {
	t.Parallel()
	faces, err := shareCards.faces()
	if err != nil {
		t.Fatal(err)
	}
	d := newCardDrawer()
	glyphs := func(s string) []font.GID {
		b, _ := d.layout(s, cardFontmap{faces.bold, faces.arabic}, 40, 1000, 1, "ur")
		var out []font.GID
		for _, run := range b.lines[0] {
			if run.Direction != di.DirectionRTL {
				t.Fatalf("%q shaped %v, want RTL", s, run.Direction)
			}
			for _, g := range run.Glyphs {
				out = append(out, g.GlyphID)
			}
		}
		return out
	}
	alone := glyphs("ب")
	word := glyphs("ببب") // initial, medial, final forms
	if len(alone) != 1 || len(word) != 3 {
		t.Fatalf("glyph counts %d, %d", len(alone), len(word))
	}
	if word[0] == word[1] || word[1] == word[2] || word[0] == alone[0] {
		t.Errorf("letters not joined: alone %v, in a word %v", alone, word)
	}
}

func TestShareCardURLEscapesSlug(t *testing.T) {
	t.Parallel()
	e := newTestServer(t)
	ru := e.mustCreateArticle(map[string]any{"title": "Баржи возвращаются", "body": "Текст.", "lang": "ru", "status": "published"})
	d := e.do("GET", "/"+url.PathEscape(ru.Slug), nil).doc(t)
	img := d.Find(`meta[property="og:image"]`).AttrOr("content", "")
	u, err := url.Parse(img)
	if err != nil || u.Path != "/"+ru.Slug+"/share.png" {
		t.Fatalf("og:image = %q (%v)", img, err)
	}
	if r := e.do("GET", u.RequestURI(), nil); r.StatusCode != 200 {
		t.Errorf("GET %s = %d", u.RequestURI(), r.StatusCode)
	}
}
