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
