package markdown

import (
	"strings"
	"testing"
)

// TestMediaImage checks that an uploaded image's Markdown (folio.Media's
// Markdown) survives the sanitiser as an <img> of the site's own path.
func TestMediaImage(t *testing.T) {
	out, err := New().Article("![Boats at dawn](/media/2026/05/abcdef012345-harbour.png)")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `<img src="/media/2026/05/abcdef012345-harbour.png" alt="Boats at dawn"`) {
		t.Errorf("Article = %s", out)
	}
}

// TestMediaImageSize: an image the caller knows the size of gets width and
// height (and stays lazy); a =WxH suffix wins; unknown images stay unsized.
func TestMediaImageSize(t *testing.T) {
	var asked []string
	o := DocOptions{ImageSize: func(src string) (int, int, bool) {
		asked = append(asked, src)
		if src == "/media/2026/05/abcdef012345-harbour.png" {
			return 1200, 800, true
		}
		return 0, 0, false
	}}
	doc, err := New().ArticleDocWith("![Boats](/media/2026/05/abcdef012345-harbour.png)\n\n"+
		"Inline ![other](/media/2026/05/000000000000-x.png) image.\n\n"+
		"![Sized](/media/2026/05/abcdef012345-harbour.png \"=300x200\")", o)
	if err != nil {
		t.Fatal(err)
	}
	out := string(doc.HTML)
	for _, want := range []string{
		`<img src="/media/2026/05/abcdef012345-harbour.png" alt="Boats" loading="lazy" decoding="async" width="1200" height="800">`,
		`<img src="/media/2026/05/000000000000-x.png" alt="other" loading="lazy" decoding="async">`,
		`width="300" height="200"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	if len(asked) != 2 {
		t.Errorf("ImageSize asked for %q, want the two unsized images", asked)
	}
}
