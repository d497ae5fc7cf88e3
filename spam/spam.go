// Package spam is Folio's comment spam classifier: multinomial naive Bayes
// over words, link hosts and a few shape features, trained from the
// moderators' decisions (approve = ham, spam = spam). It holds no state:
// counts live in the store, so every node scores alike and learns at once.
package spam

import (
	"math"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// MaxTokens bounds the distinct tokens one comment contributes, so a huge
// comment costs a bounded lookup.
const MaxTokens = 300

// Threshold is the score at and above which a comment is marked spam.
const Threshold = 0.9

// MinDocs is how many decisions of each kind the classifier needs before
// its score is trusted; below it Score returns 0.5 (unknown).
const MinDocs = 5

var urlRe = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>()\[\]"']+`)

// Tokens turns a comment into the features the classifier counts: lower-case
// words of two to 30 letters, "host:" tokens for linked sites, and shape
// tokens (many links, shouting, a website given). Each token appears once.
func Tokens(name, website, body string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if len(out) < MaxTokens && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	links := urlRe.FindAllString(body, -1)
	for _, l := range links {
		if !strings.Contains(l, "://") {
			l = "http://" + l
		}
		if u, err := url.Parse(l); err == nil && u.Host != "" {
			add("host:" + strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."))
		}
	}
	switch n := len(links); {
	case n == 0:
		add("shape:nolinks")
	case n == 1:
		add("shape:onelink")
	default:
		add("shape:links")
	}
	if website != "" {
		add("shape:website")
		if u, err := url.Parse(website); err == nil && u.Host != "" {
			add("site:" + strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."))
		}
	}
	letters, upper := 0, 0
	for _, r := range body {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters > 20 && upper*2 > letters {
		add("shape:shouting")
	}
	switch n := len(body); {
	case n < 40:
		add("shape:short")
	case n > 1500:
		add("shape:long")
	}
	for _, w := range strings.FieldsFunc(urlRe.ReplaceAllString(name+" "+body, " "), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\''
	}) {
		w = strings.Trim(strings.ToLower(w), "'")
		if n := len([]rune(w)); n >= 2 && n <= 30 {
			add(w)
		}
	}
	return out
}

// Score is the probability that a document with tokens is spam, given the
// per-token [spam, ham] document counts and the number of [spam, ham]
// documents trained. Tokens never seen are ignored; each token's
// probability is smoothed towards 0.5 (Robinson), so one rare word cannot
// decide alone. With fewer than MinDocs decisions of either kind it
// returns 0.5.
func Score(tokens []string, counts map[string][2]int, docs [2]int) float64 {
	if docs[0] < MinDocs || docs[1] < MinDocs {
		return 0.5
	}
	const strength, prior = 1.0, 0.5
	var logSpam, logHam float64
	for _, t := range tokens {
		c, ok := counts[t]
		if !ok || c[0]+c[1] == 0 {
			continue
		}
		ps := float64(c[0]) / float64(docs[0])
		ph := float64(c[1]) / float64(docs[1])
		p := ps / (ps + ph)
		n := float64(c[0] + c[1])
		p = (strength*prior + n*p) / (strength + n)
		p = math.Min(math.Max(p, 0.01), 0.99)
		logSpam += math.Log(p)
		logHam += math.Log(1 - p)
	}
	// Combine as naive Bayes with the class priors of the training set.
	logSpam += math.Log(float64(docs[0]) / float64(docs[0]+docs[1]))
	logHam += math.Log(float64(docs[1]) / float64(docs[0]+docs[1]))
	d := logHam - logSpam
	if d > 700 {
		return 0
	}
	return 1 / (1 + math.Exp(d))
}
