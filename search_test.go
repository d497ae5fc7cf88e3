package folio

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseSearch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in          string
		terms, excl []string // stems, phrases joined by spaces
		wantErr     bool
		notice      bool
	}{
		{in: "pipelines", terms: []string{"pipelin"}},
		{in: "  Pipeline   POLITICS ", terms: []string{"pipelin", "polit"}},
		{in: `"supply chains" Gwadar`, terms: []string{"suppli chain", "gwadar"}},
		{in: `energy -coal -"solar farms"`, terms: []string{"energi"}, excl: []string{"coal", "solar farm"}},
		{in: `coal-plants`, terms: []string{"coal plant"}},
		{in: `the pipeline`, terms: []string{"pipelin"}},
		{in: `"the pipeline"`, terms: []string{"the pipelin"}},
		{in: `the`, terms: []string{"the"}},
		{in: `NEAR(pipe* AND line)`, terms: []string{"near", "pipe", "line"}},
		{in: `'; DROP TABLE articles; --`, terms: []string{"drop", "tabl", "articl"}},
		{in: "трубопроводы и газ", terms: []string{"трубопровод", "газ"}},
		{in: "ёлка", terms: []string{"елк"}},
		{in: "O’Brien's", terms: []string{"obrien"}},
		{in: "pipe\x00line", terms: []string{"pipe", "line"}},
		{in: "pipeline pipelines", terms: []string{"pipelin"}},
		{in: "-coal", excl: []string{"coal"}, wantErr: true},
		{in: "", wantErr: true},
		{in: `"" * ( ) -`, wantErr: true},
		{in: strings.Repeat("a", 20000), wantErr: true, notice: true},
		{in: strings.Repeat("word ", 200), terms: []string{"word"}, notice: true},
		{in: "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron", notice: true,
			terms: []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"}},
	}
	for _, tt := range tests {
		q, err := ParseSearch(tt.in)
		var ve *ValidationError
		if tt.wantErr != (err != nil) || (err != nil && (!errors.As(err, &ve) || ve.Field != "q")) {
			t.Errorf("ParseSearch(%.30q) error = %v, want error %v for q", tt.in, err, tt.wantErr)
		}
		join := func(ps [][]string) []string {
			var out []string
			for _, p := range ps {
				out = append(out, strings.Join(p, " "))
			}
			return out
		}
		if !tt.wantErr && !slices.Equal(join(q.Terms), tt.terms) {
			t.Errorf("ParseSearch(%.30q) terms = %q, want %q", tt.in, join(q.Terms), tt.terms)
		}
		if !slices.Equal(join(q.Exclude), tt.excl) {
			t.Errorf("ParseSearch(%.30q) exclude = %q, want %q", tt.in, join(q.Exclude), tt.excl)
		}
		if (q.Notice != "") != tt.notice {
			t.Errorf("ParseSearch(%.30q) notice = %q, want one: %v", tt.in, q.Notice, tt.notice)
		}
	}
}

func TestStem(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{"pipeline", "pipelines"},
		{"study", "studies", "studied"},
		{"трубопровод", "трубопроводы", "трубопроводами"},
		{"газ", "газа", "газом"},
	}
	for _, group := range same {
		for _, w := range group[1:] {
			if Stem(w) != Stem(group[0]) {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q; want equal", w, Stem(w), group[0], Stem(group[0]))
			}
		}
	}
	for _, w := range []string{"پاکستان", "café", "2025", "東京"} {
		if Stem(w) != w {
			t.Errorf("Stem(%q) = %q, want it kept", w, Stem(w))
		}
	}
}

func TestMakeSnippet(t *testing.T) {
	t.Parallel()
	stems := map[string]bool{Stem("pipeline"): true, Stem("gas"): true}
	long := strings.Repeat("Nothing here at all. ", 30)
	tests := []struct {
		name, text string
		marks      []string
		prefix     bool // starts with an ellipsis
	}{
		{"start", "Gas pipelines cross borders.", []string{"Gas", "pipelines"}, false},
		{"middle", long + "The gas pipeline & <valves>." + long, []string{"gas", "pipeline"}, true},
		{"none", "Nothing matches.", nil, false},
		{"apostrophe", "The pipeline's owner.", []string{"pipeline's"}, false},
	}
	for _, tt := range tests {
		sn := MakeSnippet(tt.text, stems)
		var marks []string
		for _, p := range sn {
			if p.Mark {
				marks = append(marks, p.Text)
			}
		}
		if !slices.Equal(marks, tt.marks) {
			t.Errorf("%s: marks %q, want %q (%q)", tt.name, marks, tt.marks, sn.String())
		}
		if strings.HasPrefix(sn.String(), "…") != tt.prefix {
			t.Errorf("%s: snippet %q, want ellipsis first: %v", tt.name, sn.String(), tt.prefix)
		}
	}
	h := MakeSnippet(long+"The gas pipeline & <valves>."+long, stems).HTML()
	if !strings.Contains(h, "<mark>gas</mark> <mark>pipeline</mark> &amp; &lt;valves&gt;.") {
		t.Errorf("HTML = %q", h)
	}
}

func TestSnippetOf(t *testing.T) {
	t.Parallel()
	stems := map[string]bool{Stem("pipeline"): true, Stem("gas"): true}
	filler := strings.Repeat("Nothing [here](https://example.com/a_b) at **all**. ", 40)
	tests := []struct {
		name, md string
		marks    []string
		distinct int
		prefix   bool
	}{
		{"start", "Gas *pipelines* cross borders.", []string{"Gas", "pipelines"}, 2, false},
		// The stretch with both words wins over an earlier one with one.
		{"best", "A gas field. " + filler + "The [gas](/g) pipeline & <b>valves</b>." + filler, []string{"gas", "pipeline"}, 2, true},
		{"list", filler + "\n\n- the gas ~~pipe~~ pipelines\n- more\n", []string{"gas", "pipelines"}, 2, true},
		{"none", "Nothing matches here.", nil, 0, false},
		{"no words", "*** --- ***", nil, 0, false},
	}
	for _, tt := range tests {
		sn, distinct := SnippetOf(tt.md, stems)
		var marks []string
		for _, p := range sn {
			if p.Mark {
				marks = append(marks, p.Text)
			}
		}
		if !slices.Equal(marks, tt.marks) || distinct != tt.distinct {
			t.Errorf("%s: marks %q, distinct %d; want %q, %d (%q)", tt.name, marks, distinct, tt.marks, tt.distinct, sn.String())
		}
		if strings.HasPrefix(sn.String(), "…") != tt.prefix {
			t.Errorf("%s: snippet %q, want ellipsis first: %v", tt.name, sn.String(), tt.prefix)
		}
		for _, bad := range []string{"**", "](", "<b>", "~~", "\n"} {
			if strings.Contains(sn.String(), bad) {
				t.Errorf("%s: snippet %q holds %q", tt.name, sn.String(), bad)
			}
		}
		if n := len(strings.Fields(sn.String())); n > snippetWords+4 {
			t.Errorf("%s: snippet has %d words", tt.name, n)
		}
	}
}

func BenchmarkSnippetOf(b *testing.B) {
	stems := map[string]bool{Stem("pipeline"): true, Stem("the"): true}
	md := strings.Repeat("Engineers said the valves at Port Qasim were tested, and farmers disagreed. ", 80) +
		"A new pipeline. " + strings.Repeat("More words about other matters entirely. ", 40)
	for b.Loop() {
		SnippetOf(md, stems)
	}
}

func TestSuggestTags(t *testing.T) {
	t.Parallel()
	text := `The China–Pakistan Economic Corridor, or CPEC, links Gwadar to Kashgar. Critics of CPEC say the
Asian Development Bank was not consulted. The Asian Development Bank disagrees. In Gwadar, fishermen protest.
Energy projects dominate. Pipelines carry gas.`
	existing := []*Tag{{Name: "Pipeline"}, {Name: "Energy"}, {Name: "Cricket"}, {Name: "Water"}}
	got := SuggestTags(text, existing, []string{"energy"}, 10)
	var names []string
	for _, s := range got {
		names = append(names, s.Name)
	}
	want := []string{"Pipeline", "CPEC", "Gwadar", "Asian Development Bank"}
	if !slices.Equal(names, want) {
		t.Errorf("SuggestTags = %q, want %q", names, want)
	}
	if len(got) > 0 && !got[0].Existing {
		t.Errorf("first suggestion %+v should be an existing tag", got[0])
	}
}

func TestKeywords(t *testing.T) {
	t.Parallel()
	doc := SearchDoc{Title: StemText("Gwadar port", 0), Body: StemText("The port of Gwadar; the port grows. 2025 and 2026.", 0)}
	kw := Keywords(doc, 2)
	if len(kw) != 2 || kw[0].Term != "port" || kw[1].Term != "gwadar" {
		t.Errorf("Keywords = %+v, want port then gwadar", kw)
	}
}

// FuzzParseSearch checks that no input panics, that every term is made of
// word characters only (so no engine syntax gets through) and that the
// limits hold.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{`"supply chain" -coal`, `NEAR(a b)`, "\xff\x00", `-"`, `a AND b OR c*`, `'; --`, "трубы"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseSearch(s)
		if q == nil {
			t.Fatal("nil query")
		}
		if err == nil && len(q.Terms) == 0 {
			t.Fatal("no error and no terms")
		}
		if len(q.Terms)+len(q.Exclude) > MaxSearchParts || len(q.Text) > MaxSearchQueryLen || !utf8.ValidString(q.Text) {
			t.Fatalf("limits broken: %d parts, %d bytes", len(q.Terms)+len(q.Exclude), len(q.Text))
		}
		for _, part := range append(slices.Clone(q.Terms), q.Exclude...) {
			if len(part) == 0 || len(part) > MaxPhraseWords {
				t.Fatalf("part of %d words", len(part))
			}
			for _, w := range part {
				if w == "" {
					t.Fatal("empty word")
				}
				for _, r := range w {
					if !isWordRune(r) {
						t.Fatalf("word %q holds %q", w, r)
					}
				}
			}
		}
		MakeSnippet(s, q.Stems())
	})
}

func BenchmarkSnippetOfRare(b *testing.B) {
	stems := map[string]bool{Stem("kamanbel"): true}
	md := strings.Repeat("Engineers said the valves at Port Qasim were tested, and farmers disagreed. ", 40) +
		"A new kamanbel. " + strings.Repeat("More words about other matters entirely. ", 40)
	for b.Loop() {
		SnippetOf(md, stems)
	}
}

// FuzzStemPrefix checks the promise the snippet scans rely on to skip
// words unstemmed: every word of the text begins with its own stem's
// prefix (stemPrefixes), whatever its script, case or apostrophes.
func FuzzStemPrefix(f *testing.F) {
	for _, s := range []string{
		"dying lying tying skies news happy relational generalization hopping luxuriating",
		"O'Connell's pipeline’s Ёлки ёжик Ёжиков трубопроводами",
		"Straße café naïve aё 東京 2025 x'y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var memo map[string]string
		for i, j := nextWord(s, 0); i < len(s); i, j = nextWord(s, j) {
			raw := s[i:j]
			st := stemMemo(&memo, raw)
			if st == "" {
				continue
			}
			if p := stemPrefixes(map[string]bool{st: true}); !hasStemPrefix(raw, p) {
				t.Fatalf("%q stems to %q but does not begin with %q", raw, st, p)
			}
		}
	})
}

func TestStemPrefixSkipsOthers(t *testing.T) {
	t.Parallel()
	p := stemPrefixes(map[string]bool{Stem("pipelines"): true, Stem("die"): true})
	for w, want := range map[string]bool{"Pipeline's": true, "PIPES": false, "dying": true, "Gas": false, "pip": false} {
		if got := hasStemPrefix(w, p); got != want {
			t.Errorf("hasStemPrefix(%q, %q) = %v, want %v", w, p, got, want)
		}
	}
}

// tokenizeRef is Tokenize as first written, rune by rune: FuzzTokenize
// holds the quicker one to it.
func tokenizeRef(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 && b.Len() <= maxTokenLen*4 && utf8.RuneCountInString(b.String()) <= maxTokenLen {
			out = append(out, b.String())
		}
		b.Reset()
	}
	rs := []rune(text)
	for i, r := range rs {
		switch {
		case isWordRune(r):
			b.WriteString(strings.ToLower(string(r)))
		case (r == '\'' || r == '’') && b.Len() > 0 && i+1 < len(rs) && isWordRune(rs[i+1]):
		default:
			flush()
		}
	}
	flush()
	return out
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Don't O’Brien's", "ЁЛКИ-палки 2025", "\xff\xfeA'\xff", "İstanbul ΣΟΦΙΑ", strings.Repeat("a", 70) + " b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Tokenize(s), tokenizeRef(s); !slices.Equal(got, want) {
			t.Fatalf("Tokenize(%q) = %q, want %q", s, got, want)
		}
	})
}
