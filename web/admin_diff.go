package web

import (
	"html/template"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"folio"
)

// fragmentTmpl is the live preview beside the editor: the article's text
// as the public page renders it, without the page around it.
var fragmentTmpl = template.Must(template.New("fragment").Parse(`<h1>{{.TitleHTML}}</h1>
{{- with .QuestionHTML}}
<p class="question">{{.}}</p>{{end}}
<div class="post-body">
{{.Body}}
</div>`))

// fieldDiff is the change of one field between the current article and a
// revision, as runs of kept, deleted and inserted text.
type fieldDiff struct {
	Label string
	Parts []diffPart
}

type diffPart struct {
	Op   string // "same", "del", "ins"
	Text string
}

// diffFields compares the article's current text with rev's, line by line
// then cleaned up to whole words, and lists only fields that differ.
func diffFields(a *folio.Article, rev *folio.Revision) []fieldDiff {
	pairs := []struct{ label, cur, old string }{
		{"Title", a.Title, rev.Title},
		{"Question", a.Question, rev.Question},
		{"Body", a.Body, rev.Body},
		{"Summary", a.Summary, rev.Summary},
	}
	dmp := diffmatchpatch.New()
	var out []fieldDiff
	for _, p := range pairs {
		if p.cur == p.old {
			continue
		}
		c1, c2, lines := dmp.DiffLinesToChars(p.cur, p.old)
		diffs := dmp.DiffCharsToLines(dmp.DiffMain(c1, c2, false), lines)
		diffs = dmp.DiffCleanupSemantic(diffs)
		fd := fieldDiff{Label: p.label}
		for _, d := range diffs {
			op := "same"
			switch d.Type {
			case diffmatchpatch.DiffDelete:
				op = "del"
			case diffmatchpatch.DiffInsert:
				op = "ins"
			}
			if op == "same" && strings.Count(d.Text, "\n") > 6 {
				// Long unchanged stretches are cut to their edges.
				lines := strings.Split(d.Text, "\n")
				d.Text = strings.Join(lines[:3], "\n") + "\n…\n" + strings.Join(lines[len(lines)-3:], "\n")
			}
			fd.Parts = append(fd.Parts, diffPart{Op: op, Text: d.Text})
		}
		out = append(out, fd)
	}
	return out
}
