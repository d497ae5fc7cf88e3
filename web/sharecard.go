package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"folio"
	"folio/markdown"
)

// shareCardFile is the article sub-resource that holds its share card.
const shareCardFile = "share.png"

// Share card geometry: the 1.91:1 size Facebook, X, LinkedIn and
// Telegram all show large.
const (
	cardW, cardH = 1200, 630
	cardMargin   = 80
)

//go:embed sharefont/*.ttf
var shareFontFS embed.FS

var (
	cardPaper  = color.RGBA{0xfb, 0xf8, 0xf2, 0xff}
	cardInk    = color.RGBA{0x1d, 0x1d, 0x1f, 0xff}
	cardMuted  = color.RGBA{0x55, 0x55, 0x5c, 0xff}
	cardAccent = color.RGBA{0x8a, 0x2d, 0x0d, 0xff}
)

// cardFaces are the share card's fonts: Noto Sans for Latin, Greek and
// Cyrillic, Noto Naskh Arabic for Arabic-script languages (Urdu, Arabic,
// Persian). Parsed on first use, so a server that never draws a card never
// pays for them.
type cardFaces struct {
	bold, regular, arabic *font.Face
}

// cardFontmap picks, for each rune, the first face that has a glyph for it.
type cardFontmap []*font.Face

func (m cardFontmap) ResolveFace(r rune) *font.Face {
	for _, f := range m {
		if _, ok := f.NominalGlyph(r); ok {
			return f
		}
	}
	return m[0]
}

// cardDrawer draws share cards. go-text faces and shapers keep caches
// that are not safe for concurrent use, so drawing is serialised; cards are
// drawn once per content change and then served from the page cache.
type cardDrawer struct {
	mu     sync.Mutex
	faces  func() (*cardFaces, error)
	shaper shaping.HarfbuzzShaper
	seg    shaping.Segmenter
	wrap   shaping.LineWrapper
}

// shareCards is shared by every Server in the process: it holds only the
// embedded fonts, parsed once, and the shaper's caches.
var shareCards = newCardDrawer()

func newCardDrawer() *cardDrawer {
	return &cardDrawer{faces: sync.OnceValues(loadCardFaces)}
}

func loadCardFaces() (*cardFaces, error) {
	load := func(name string) (*font.Face, error) {
		b, err := shareFontFS.ReadFile("sharefont/" + name)
		if err != nil {
			return nil, err
		}
		f, err := font.ParseTTF(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		return f, nil
	}
	var cf cardFaces
	var err error
	if cf.bold, err = load("NotoSans-Bold.ttf"); err != nil {
		return nil, err
	}
	if cf.regular, err = load("NotoSans-Regular.ttf"); err != nil {
		return nil, err
	}
	if cf.arabic, err = load("NotoNaskhArabic-Bold.ttf"); err != nil {
		return nil, err
	}
	return &cf, nil
}

// shareCard is what a card shows.
type shareCard struct {
	Site   string
	Title  string
	Byline string // authors and date, already localised
	Lang   string
}

// textBlock is shaped, wrapped text ready to draw.
type textBlock struct {
	lines []shaping.Line
	size  int // pixels per em
	dir   di.Direction
}

// paragraphDir is the direction of the first strongly directional letter
// (the rule of Unicode's bidi algorithm, P2–P3): an Urdu title is laid out
// right to left even when it holds Latin words.
func paragraphDir(s string) di.Direction {
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko):
			return di.DirectionRTL
		case unicode.IsLetter(r):
			return di.DirectionLTR
		}
	}
	return di.DirectionLTR
}

// layout shapes text with faces at size and wraps it to width, keeping at
// most maxLines lines and ending a cut one with an ellipsis. It reports how
// many lines the whole text would need.
func (d *cardDrawer) layout(text string, faces cardFontmap, size, width, maxLines int, lang string) (textBlock, bool) {
	runes := []rune(text)
	dir := paragraphDir(text)
	in := shaping.Input{
		Text: runes, RunStart: 0, RunEnd: len(runes), Direction: dir,
		Face: faces[0], Size: fixed.I(size), Language: language.NewLanguage(lang),
	}
	var outs []shaping.Output
	for _, run := range d.seg.Split(in, faces) {
		outs = append(outs, d.shaper.Shape(run))
	}
	ell := []rune("…")
	trunc := d.shaper.Shape(shaping.Input{Text: ell, RunEnd: 1, Direction: dir, Face: faces.ResolveFace(ell[0]), Size: fixed.I(size)})
	cfg := shaping.WrapConfig{Direction: dir, TruncateAfterLines: maxLines, Truncator: trunc, BreakPolicy: shaping.WhenNecessary}
	lines, truncated := d.wrap.WrapParagraph(cfg, width, runes, shaping.NewSliceIterator(outs))
	return textBlock{lines: lines, size: size, dir: dir}, truncated == 0
}

// lineWidth is the advance of a wrapped line.
func lineWidth(l shaping.Line) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, run := range l {
		w += run.Advance
	}
	return w
}

// drawLine rasterises one line with its baseline at y, against the left
// margin, or the right one when align is right to left.
func drawLine(dst draw.Image, l shaping.Line, align di.Direction, y int, c color.Color) {
	runs := make([]shaping.Output, len(l))
	for _, run := range l {
		runs[run.VisualIndex] = run
	}
	x := fixed.I(cardMargin)
	if align == di.DirectionRTL {
		x = fixed.I(cardW-cardMargin) - lineWidth(l)
	}
	z := vector.NewRasterizer(cardW, cardH)
	z.DrawOp = draw.Over
	for _, run := range runs {
		upem := float32(run.Face.Upem())
		scale := float32(run.Size) / 64 / upem
		for _, g := range run.Glyphs {
			gx := float32(x+g.XOffset) / 64
			gy := float32(y) - float32(g.YOffset)/64
			if outline, ok := run.Face.GlyphData(g.GlyphID).(font.GlyphOutline); ok {
				drawOutline(z, outline, gx, gy, scale)
			}
			x += g.XAdvance
		}
	}
	z.Draw(dst, dst.Bounds(), image.NewUniform(c), image.Point{})
}

func drawOutline(z *vector.Rasterizer, o font.GlyphOutline, x, y, scale float32) {
	pt := func(p font.SegmentPoint) (float32, float32) { return x + p.X*scale, y - p.Y*scale }
	open := false
	for _, s := range o.Segments {
		switch s.Op {
		case ot.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(pt(s.Args[0]))
			open = true
		case ot.SegmentOpLineTo:
			z.LineTo(pt(s.Args[0]))
		case ot.SegmentOpQuadTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case ot.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy := pt(s.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	if open {
		z.ClosePath()
	}
}

// titleSizes are tried largest first until the title fits.
var titleSizes = [...]int{76, 68, 60, 54, 48, 44}

// Title area, between the site name and the byline.
const titleTop, titleBottom = 170, 520

// draw renders c as a PNG.
func (d *cardDrawer) draw(c shareCard) ([]byte, error) {
	faces, err := d.faces()
	if err != nil {
		return nil, fmt.Errorf("share card fonts: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()

	img := image.NewRGBA(image.Rect(0, 0, cardW, cardH))
	draw.Draw(img, img.Bounds(), image.NewUniform(cardPaper), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, cardW, 14), image.NewUniform(cardAccent), image.Point{}, draw.Src)

	width := cardW - 2*cardMargin
	title := cardFontmap{faces.bold, faces.arabic}
	meta := cardFontmap{faces.regular, faces.arabic}

	// The site name and byline line up with the title: on the right for
	// a right-to-left title. Each block is drawn before the next is laid
	// out, because the line wrapper reuses its buffers.
	align := paragraphDir(c.Title)
	if site, _ := d.layout(c.Site, title, 34, width, 1, c.Lang); len(site.lines) > 0 {
		drawLine(img, site.lines[0], align, 110, cardAccent)
	}

	var block textBlock
	for _, size := range titleSizes {
		lineH := size * 6 / 5
		maxLines := (titleBottom - titleTop) / lineH
		var fits bool
		block, fits = d.layout(c.Title, title, size, width, maxLines, c.Lang)
		if fits {
			break
		}
	}
	lineH := block.size * 6 / 5
	y := titleTop + block.size
	for _, l := range block.lines {
		drawLine(img, l, align, y, cardInk)
		y += lineH
	}

	draw.Draw(img, image.Rect(cardMargin, 532, cardW-cardMargin, 534), image.NewUniform(color.RGBA{0xd9, 0xd3, 0xc7, 0xff}), image.Point{}, draw.Src)
	if by, _ := d.layout(c.Byline, meta, 30, width, 1, c.Lang); len(by.lines) > 0 {
		drawLine(img, by.lines[0], align, 585, cardMuted)
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderShareCard serves /{slug}/share.png through the page cache: from
// the blob store when a share_card job has drawn the article's current
// card, drawn here otherwise.
func (s *Server) renderShareCard(r *http.Request) (*page, error) {
	ctx := r.Context()
	a, err := s.store.FindArticleBySlug(ctx, r.PathValue("slug"))
	var re *folio.RedirectError
	if errors.As(err, &re) {
		return redirectPage(http.StatusMovedPermanently, articlePath(re.Slug)+"/"+shareCardFile), nil
	}
	if err != nil {
		return nil, err
	}
	if !a.IsPublic(s.now()) {
		return nil, folio.ErrNotFound
	}
	c, err := s.shareCardOf(ctx, a)
	if err != nil {
		return nil, err
	}
	if s.blobs != nil {
		if rc, _, err := s.blobs.Get(ctx, c.key(a.ID)); err == nil {
			b, err := io.ReadAll(rc)
			rc.Close()
			if err == nil {
				return newPage(http.StatusOK, "image/png", b), nil
			}
		}
	}
	b, err := shareCards.draw(c)
	if err != nil {
		return nil, err
	}
	return newPage(http.StatusOK, "image/png", b), nil
}

// shareCardOf is what a's card shows.
func (s *Server) shareCardOf(ctx context.Context, a *folio.Article) (shareCard, error) {
	si, err := s.site(ctx)
	if err != nil {
		return shareCard{}, err
	}
	si = si.withLang(a.Lang)
	names := make([]string, len(a.Authors))
	for i, au := range a.Authors {
		names[i] = au.Name
	}
	byline := strings.Join(names, ", ")
	if a.PublishedAt != nil {
		byline += " · " + si.L.Date(a.PublishedAt.In(si.Loc))
	}
	lang := a.Lang
	if lang == "" {
		lang = si.Lang
	}
	return shareCard{Site: si.Title, Title: markdown.Smart(a.Title), Byline: byline, Lang: lang}, nil
}

// shareCardVersion changes when the drawing changes, so stored cards of
// the old look are drawn again.
const shareCardVersion = "1"

// key names the card's blob after the article and a hash of what it
// shows: a new title makes a new key, never a stale read.
func (c shareCard) key(articleID int64) string {
	h := sha256.Sum256([]byte(shareCardVersion + "\x00" + c.Site + "\x00" + c.Title + "\x00" + c.Byline + "\x00" + c.Lang))
	return fmt.Sprintf("%s%s.png", shareCardPrefix(articleID), hex.EncodeToString(h[:8]))
}

func shareCardPrefix(articleID int64) string { return fmt.Sprintf("cards/%d-", articleID) }

// storeShareCard is the share_card job: it draws the article's card into
// the blob store unless the current one is there already, and removes the
// article's older cards. Without a blob store, or for an article that is
// not public, there is nothing to do.
func (s *Server) storeShareCard(ctx context.Context, articleID int64) error {
	if s.blobs == nil {
		return nil
	}
	a, err := s.store.FindArticleByID(ctx, articleID)
	if errors.Is(err, folio.ErrNotFound) {
		return s.deleteShareCards(ctx, articleID, "")
	}
	if err != nil {
		return err
	}
	if !a.IsPublic(s.now()) {
		return s.deleteShareCards(ctx, articleID, "")
	}
	c, err := s.shareCardOf(ctx, a)
	if err != nil {
		return err
	}
	key := c.key(a.ID)
	if _, err := s.blobs.Stat(ctx, key); err == nil {
		return nil // drawn already, by this job's earlier run or another node
	} else if !errors.Is(err, folio.ErrNotFound) {
		return err
	}
	b, err := shareCards.draw(c)
	if err != nil {
		return err
	}
	if _, err := s.blobs.Put(ctx, key, bytes.NewReader(b), "image/png"); err != nil {
		return fmt.Errorf("store share card: %w", err)
	}
	s.logger.Info("share card drawn", "article_id", a.ID, "key", key)
	return s.deleteShareCards(ctx, articleID, key)
}

// deleteShareCards removes the article's cards but keep.
func (s *Server) deleteShareCards(ctx context.Context, articleID int64, keep string) error {
	var old []string
	err := s.blobs.List(ctx, shareCardPrefix(articleID), func(b folio.BlobInfo) error {
		if b.Key != keep {
			old = append(old, b.Key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list share cards: %w", err)
	}
	for _, k := range old {
		if err := s.blobs.Delete(ctx, k); err != nil {
			return fmt.Errorf("delete share card: %w", err)
		}
	}
	return nil
}
