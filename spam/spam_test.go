package spam

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

type example struct {
	spam bool
	body string
}

func loadLabelled(t testing.TB) []example {
	t.Helper()
	f, err := os.Open("testdata/labelled.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, body, ok := strings.Cut(line, "\t")
		if !ok || (label != "spam" && label != "ham") {
			t.Fatalf("bad line %q", line)
		}
		out = append(out, example{label == "spam", body})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// model is an in-memory copy of what the store keeps.
type model struct {
	counts map[string][2]int
	docs   [2]int
}

func (m *model) train(ex example) {
	i := 1
	if ex.spam {
		i = 0
	}
	m.docs[i]++
	for _, tok := range Tokens("", "", ex.body) {
		c := m.counts[tok]
		c[i]++
		m.counts[tok] = c
	}
}

// TestLabelled trains on the first 70% of the labelled set and scores the
// rest: the classifier must catch most spam and almost never mark a real
// comment as spam, which would hide it.
func TestLabelled(t *testing.T) {
	all := loadLabelled(t)
	if len(all) < 200 {
		t.Fatalf("labelled set has %d examples, want at least 200", len(all))
	}
	cut := len(all) * 7 / 10
	m := &model{counts: map[string][2]int{}}
	for _, ex := range all[:cut] {
		m.train(ex)
	}
	var spamTotal, spamCaught, hamTotal, hamFlagged, correct int
	for _, ex := range all[cut:] {
		s := Score(Tokens("", "", ex.body), m.counts, m.docs)
		if (s >= 0.5) == ex.spam {
			correct++
		}
		if ex.spam {
			spamTotal++
			if s >= Threshold {
				spamCaught++
			}
		} else {
			hamTotal++
			if s >= Threshold {
				hamFlagged++
				t.Logf("ham marked spam (%.3f): %s", s, ex.body)
			}
		}
	}
	acc := float64(correct) / float64(len(all)-cut)
	t.Logf("accuracy %.3f, spam caught %d/%d, ham flagged %d/%d", acc, spamCaught, spamTotal, hamFlagged, hamTotal)
	if acc < 0.95 {
		t.Errorf("accuracy %.3f, want ≥ 0.95", acc)
	}
	if float64(spamCaught) < 0.8*float64(spamTotal) {
		t.Errorf("caught %d of %d spam at the threshold, want ≥ 80%%", spamCaught, spamTotal)
	}
	if hamFlagged > 0 {
		t.Errorf("%d real comments marked spam", hamFlagged)
	}
}

func TestScoreUntrained(t *testing.T) {
	tests := []struct {
		name string
		docs [2]int
	}{{"nothing", [2]int{}}, {"only spam", [2]int{50, 0}}, {"few ham", [2]int{50, MinDocs - 1}}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s := Score([]string{"cheap"}, map[string][2]int{"cheap": {40, 0}}, tc.docs); s != 0.5 {
				t.Errorf("score = %v, want 0.5 until trained", s)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		name, website, body string
		want, notWant       []string
	}{
		{"words", "", "Hello, World! It's fine", []string{"hello", "world", "it's", "fine", "shape:nolinks", "shape:short"}, []string{"hello,"}},
		{"hosts", "", "see https://www.Cheap.example/x and http://b.example", []string{"host:cheap.example", "host:b.example", "shape:links"}, []string{"https", "www"}},
		{"website", "https://me.example", "plain text here", []string{"shape:website", "site:me.example"}, nil},
		{"shouting", "", "THIS IS A VERY LOUD COMMENT ABOUT NOTHING", []string{"shape:shouting"}, nil},
		{"unicode", "", "Очень интересно, спасибо", []string{"очень", "интересно", "спасибо"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]bool{}
			for _, tok := range Tokens("", tc.website, tc.body) {
				if got[tok] {
					t.Errorf("token %q twice", tok)
				}
				got[tok] = true
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("missing %q in %v", w, got)
				}
			}
			for _, w := range tc.notWant {
				if got[w] {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
	if n := len(Tokens("", "", strings.Repeat("word", 1)+strings.Repeat(" a1b2c3", 5000)+strings.Repeat(" x", 10))); n > MaxTokens {
		t.Errorf("%d tokens, want at most %d", n, MaxTokens)
	}
}

func FuzzTokens(f *testing.F) {
	f.Add("name", "https://x.example", "body http://a.example <b>x</b>")
	f.Fuzz(func(t *testing.T, name, website, body string) {
		toks := Tokens(name, website, body)
		if len(toks) > MaxTokens {
			t.Fatalf("%d tokens", len(toks))
		}
		s := Score(toks, map[string][2]int{toks[0]: {3, 1}}, [2]int{10, 10})
		if s < 0 || s > 1 || s != s {
			t.Fatalf("score %v", s)
		}
	})
}
