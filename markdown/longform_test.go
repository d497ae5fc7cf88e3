package markdown

import (
	"reflect"
	"testing"
)

func TestArticleLongform(t *testing.T) {
	t.Parallel()
	cases := []htmlCase{
		{
			name: "heading anchors",
			src:  "## Why rivers?\n\n### It's cheap",
			has: []string{
				`h2[id="why-rivers"] > a.anchor[href="#why-rivers"]`,
				`h3[id="its-cheap"] > a.anchor[href="#its-cheap"]`,
			},
		},
		{
			name: "figure with size suffix",
			src:  `![A barge at dawn](https://example.com/b.jpg "Hallam, 5 a.m. =1200x800")`,
			has: []string{
				`figure > img[src="https://example.com/b.jpg"][alt="A barge at dawn"][width="1200"][height="800"][loading="lazy"]`,
			},
			hasNot:   []string{`img[title]`},
			contains: []string{`<figcaption>Hallam, 5 a.m.</figcaption>`},
		},
		{
			name:     "size suffix alone gives no caption",
			src:      `![Chart](/c.png "=640x360")`,
			has:      []string{`figure > img[width="640"][height="360"]`},
			hasNot:   []string{`figcaption`, `img[title]`},
			contains: []string{`alt="Chart"`},
		},
		{
			name:     "a size that is not a suffix stays in the caption",
			src:      `![x](/c.png "1200x800 pixels")`,
			hasNot:   []string{`img[width]`},
			contains: []string{`<figcaption>1200x800 pixels</figcaption>`},
		},
		{
			name:     "pull quote",
			src:      "> [!pull] A river is the one road *nobody* has to build.\n\n> A real quotation.",
			has:      []string{`aside.pull-quote > p > em`, `blockquote > p`},
			hasNot:   []string{`blockquote.pull-quote`},
			excludes: []string{"[!pull]"},
			contains: []string{"<p>A river is the one road"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := testRenderer().Article(c.src)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, out)
		})
	}
}

func TestArticleDocHeadings(t *testing.T) {
	t.Parallel()
	d, err := testRenderer().ArticleDoc("Intro.\n\n## First \"part\"\n\ntext\n\n### Detail\n\n## Comments\n\n## Россия")
	if err != nil {
		t.Fatal(err)
	}
	want := []Heading{
		{2, "first-part", "First “part”"},
		{3, "detail", "Detail"},
		{2, "comments-1", "Comments"},
		{2, "россия", "Россия"},
	}
	if !reflect.DeepEqual(d.Headings, want) {
		t.Errorf("headings = %+v, want %+v", d.Headings, want)
	}
	if d.HTML == "" {
		t.Error("no HTML")
	}
	plain, err := testRenderer().ArticleDoc("No headings here.")
	if err != nil || plain.Headings != nil {
		t.Errorf("headings of a plain body = %v, %v", plain.Headings, err)
	}
}
