package folio

import (
	"cmp"
	"context"
	"html"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// SearchStore is the full-text part of the Store: search, related
// articles and the tag list the editor's suggestions draw on.
type SearchStore interface {
	// Search returns one page of public articles matching q, best first,
	// each with a snippet: those with a searched word in the title, tags,
	// question or summary by relevance, then those with it in the body
	// only, newest first. q must come from ParseSearch. Ranking looks at
	// no more than SearchRankCap matches, the newest, so a query for a
	// word found in every article costs what a rarer one does. Hits hold
	// what a result list shows: no body, comment count or series
	// description, and authors without e-mail or bio.
	Search(ctx context.Context, q *SearchQuery) (*SearchResults, error)
	// RelatedArticles returns up to limit public articles stored as related
	// to article id, best first; none when the list is not computed yet.
	RelatedArticles(ctx context.Context, id int64, limit int) ([]*Article, error)
	// RefreshRelated recomputes the related lists that article writes
	// marked stale, at most max articles per call, and returns how many
	// lists changed. It bumps the content version when any did, so every
	// node drops the pages that show them. Safe to call from many nodes.
	RefreshRelated(ctx context.Context, max int) (int, error)
	// AllTags lists every tag with its number of articles of any status,
	// for the editor's tag suggestions.
	AllTags(ctx context.Context) ([]*Tag, error)
}

// Search limits. Queries are short by nature; anything longer is cut so
// that no input makes the engine work hard.
const (
	MaxSearchQueryLen = 500 // bytes of query text considered
	MaxSearchParts    = 12  // terms, phrases and exclusions together
	MaxPhraseWords    = 8
	SearchRankCap     = 1000 // matches ranked at most, newest first
	SearchPerPage     = 10
	MaxSearchPage     = SearchRankCap / SearchPerPage
	// MaxIndexedTokens bounds the body words indexed, so that saving a
	// megabyte of text stays quick; the first ones are the ones that count.
	MaxIndexedTokens = 60000
)

// SearchQuery is a parsed search: what ParseSearch made of the reader's
// text, plus filters. Terms, phrases and exclusions hold stemmed words
// (Stem), never the reader's raw syntax, so engines build their own query
// language from plain tokens.
type SearchQuery struct {
	Text    string     // the query as typed, cleaned and shortened
	Terms   [][]string // each a word, or a phrase when longer than one
	Exclude [][]string // each must not occur
	Notice  string     // what was dropped, for the reader ("query shortened")

	Tag    string   // tag slug
	Author string   // author slug
	Series string   // series slug
	Langs  []string // article languages ("" is the site's own)
	From   *time.Time
	To     *time.Time // exclusive
	Limit  int
	Offset int
}

// Stems returns every stem the query looks for, for highlighting.
func (q *SearchQuery) Stems() map[string]bool {
	out := map[string]bool{}
	for _, t := range q.Terms {
		for _, w := range t {
			out[w] = true
		}
	}
	return out
}

// SearchResults is one page of hits.
type SearchResults struct {
	Hits []*SearchHit
	// Total counts the matches ranked; when More is set there are more
	// than SearchRankCap and Total is the cap.
	Total int
	More  bool
}

// SearchHit is one article found, with its relevance (higher is better,
// comparable within one result list only) and a snippet.
type SearchHit struct {
	Article *Article
	Score   float64
	Snippet Snippet
}

// Snippet is a short extract of an article, split where the matching words
// start and end, so templates can wrap matches in <mark> and escape all
// the text themselves.
type Snippet []SnippetPart

// SnippetPart is a run of text, marked when it is a matching word.
type SnippetPart struct {
	Text string
	Mark bool
}

// HTML returns the snippet as HTML: text escaped, matches in <mark>. For the
// JSON API; templates range over the parts.
func (s Snippet) HTML() string {
	var b strings.Builder
	for _, p := range s {
		if p.Mark {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(p.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(p.Text))
		}
	}
	return b.String()
}

// String returns the snippet as plain text.
func (s Snippet) String() string {
	var b strings.Builder
	for _, p := range s {
		b.WriteString(p.Text)
	}
	return b.String()
}

// ParseSearch turns what a reader typed into a SearchQuery. Words are
// required, "double quotes" make a phrase, -word and -"a phrase" exclude;
// every other character only separates words, so *, NEAR(, AND, quotes or
// SQL mean nothing special. Input that is invalid UTF-8, very long or has
// many parts is cleaned and cut, with a Notice. It returns a
// *ValidationError for "q" when nothing is left to look for.
func ParseSearch(text string) (*SearchQuery, error) {
	q := &SearchQuery{}
	text = strings.ToValidUTF8(text, " ")
	text = strings.ReplaceAll(text, "\x00", " ")
	if len(text) > MaxSearchQueryLen {
		cut := MaxSearchQueryLen
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		if sp := strings.LastIndexAny(text[:cut], " \t\n"); sp > 0 {
			cut = sp // not in the middle of a word
		}
		text = text[:cut]
		q.Notice = "shortened"
	}
	text = strings.Join(strings.Fields(text), " ")
	q.Text = text
	if text == "" {
		return q, Invalid("q", "enter words to search for")
	}

	type part struct {
		words   []string
		exclude bool
		phrase  bool
	}
	var parts []part
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		exclude := false
		if rs[i] == '-' && i+1 < len(rs) && (rs[i+1] == '"' || isWordRune(rs[i+1])) {
			exclude = true
			i++
		}
		if rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			words := Tokenize(string(rs[i+1 : end]))
			if len(words) > 0 {
				parts = append(parts, part{words: words, exclude: exclude, phrase: true})
			}
			i = end + 1
			continue
		}
		end := i
		for end < len(rs) && !unicode.IsSpace(rs[end]) && rs[end] != '"' && (isWordRune(rs[end]) || strings.ContainsRune("-./_'’", rs[end])) {
			end++
		}
		if end == i {
			i++ // punctuation such as ( or * only separates words
			continue
		}
		if words := Tokenize(string(rs[i:end])); len(words) > 0 {
			parts = append(parts, part{words: words, exclude: exclude})
		}
		i = end
	}

	// Drop stop words standing alone when something better is there, as
	// "the" or "и" alone would match nearly every article.
	hasContent := false
	for _, p := range parts {
		if !p.exclude && (len(p.words) > 1 || !isStopWord(p.words[0])) {
			hasContent = true
		}
	}
	seen := map[string]bool{}
	for _, p := range parts {
		if hasContent && !p.phrase && len(p.words) == 1 && isStopWord(p.words[0]) {
			continue
		}
		if len(p.words) > MaxPhraseWords {
			p.words = p.words[:MaxPhraseWords]
			q.Notice = "shortened"
		}
		stems := make([]string, len(p.words))
		for i, w := range p.words {
			stems[i] = Stem(w)
		}
		key := strings.Join(stems, " ")
		if p.exclude {
			key = "-" + key
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(q.Terms)+len(q.Exclude) >= MaxSearchParts {
			q.Notice = "shortened"
			break
		}
		if p.exclude {
			q.Exclude = append(q.Exclude, stems)
		} else {
			q.Terms = append(q.Terms, stems)
		}
	}
	if len(q.Terms) == 0 {
		if len(q.Exclude) > 0 {
			return q, Invalid("q", "add a word to search for; excluding words alone finds nothing")
		}
		return q, Invalid("q", "enter words to search for")
	}
	return q, nil
}

// isWordRune reports whether r belongs to a word: letters, digits and the
// combining marks of scripts such as Urdu and Hindi.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// maxTokenLen drops "words" longer than any real one (base64, hashes).
const maxTokenLen = 64

// Tokenize splits text into lowercase words. Apostrophes inside a word
// ("don't", "O’Brien") are dropped rather than splitting it.
func Tokenize(text string) []string {
	var out []string
	var b []byte // the word so far, lowercased
	runes := 0
	flush := func() {
		if len(b) > 0 && len(b) <= maxTokenLen*4 && runes <= maxTokenLen {
			out = append(out, string(b))
		}
		b, runes = b[:0], 0
	}
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case r < utf8.RuneSelf && asciiWord[r]:
			b, runes = append(b, asciiLower(byte(r))), runes+1
		case r >= utf8.RuneSelf && isWordRune(r):
			b, runes = utf8.AppendRune(b, unicode.ToLower(r)), runes+1
		case (r == '\'' || r == '’') && len(b) > 0 && i+n < len(text) && isWordRune(firstRune(text[i+n:])):
			// keep the word whole
		default:
			flush()
		}
		i += n
	}
	flush()
	return out
}

// Stem reduces a lowercase word to its stem, by the word's script: the
// Snowball English stemmer for Latin, Russian for Cyrillic; other scripts
// are kept whole. Stemming by script rather than by the article's
// language means a query stems the same way as the text it should find.
func Stem(w string) string {
	stemCache.RLock()
	st, ok := stemCache.m[w]
	stemCache.RUnlock()
	if ok {
		return st
	}
	st = stem(w)
	stemCache.Lock()
	if len(stemCache.m) >= stemCacheMax {
		clear(stemCache.m) // hostile queries only churn it
	}
	// Cloned, both: w may be a word of a whole article's text, and a
	// stem may be w itself.
	stemCache.m[strings.Clone(w)] = strings.Clone(st)
	stemCache.Unlock()
	return st
}

// stemCache remembers the stems of the words met so far: a site's words
// come again from one article and search to the next, and looking one up
// costs a few dozen nanoseconds where the stemmer takes a microsecond
// (over a tenth of an article write's time went to stemming).
var stemCache = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

// stemCacheMax bounds stemCache: about 8 MB of words and stems.
const stemCacheMax = 100_000

func stem(w string) string {
	r, _ := utf8.DecodeRuneInString(w)
	switch {
	case r < 0x80 || unicode.Is(unicode.Latin, r):
		if !isASCII(w) {
			return w // the English stemmer knows no accents
		}
		return english.Stem(w, true)
	case unicode.Is(unicode.Cyrillic, r):
		return russian.Stem(strings.ReplaceAll(w, "ё", "е"), true)
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isStopWord(w string) bool {
	return english.IsStopWord(w) || russian.IsStopWord(w)
}

// StemText tokenizes and stems text into space-separated stems, what
// engines index. At most limit words are kept (0 means no limit).
func StemText(text string, limit int) string {
	words := Tokenize(text)
	if limit > 0 && len(words) > limit {
		words = words[:limit]
	}
	for i, w := range words {
		words[i] = Stem(w)
	}
	return strings.Join(words, " ")
}

// SearchDoc is an article's text as engines index it: stemmed words per
// field, title weighted highest, then tags, then the question and summary,
// then the body.
type SearchDoc struct {
	Title, Tags, Question, Summary, Body string
}

// NewSearchDoc stems a's text for indexing. Tag names and the
// interviewee's name go in Tags.
func NewSearchDoc(a *Article) SearchDoc {
	names := make([]string, 0, len(a.Tags)+1)
	for _, t := range a.Tags {
		names = append(names, t.Name)
	}
	if a.Interviewee.Name != "" {
		names = append(names, a.Interviewee.Name)
	}
	return SearchDoc{
		Title:    StemText(a.Title, 0),
		Tags:     StemText(strings.Join(names, " \n "), 0),
		Question: StemText(SearchPlainText(a.Question), 0),
		Summary:  StemText(a.Summary, 0),
		Body:     StemText(SearchPlainText(a.Body), MaxIndexedTokens),
	}
}

var (
	srImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	srLink     = regexp.MustCompile(`\]\((?:[^()]|\([^)]*\))*\)`)
	srRefDef   = regexp.MustCompile(`(?m)^\s{0,3}\[[^\]]+\]:\s*\S+.*$`)
	srHTMLTag  = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)
	srAutolink = regexp.MustCompile(`<(https?://[^<>\s]+)>`)
	srMarks    = strings.NewReplacer("**", "", "__", "", "`", "", "~~", "", "[", "", "]", "", "\\", "")
	srLineHead = regexp.MustCompile(`(?m)^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)`)
)

// SearchPlainText strips Markdown and HTML markup from s well enough for
// indexing and snippets: link targets, images' URLs, tags and emphasis
// marks go, the words stay. (markdown.PlainText renders properly; this
// one needs no renderer and is what both engines index.)
// Each expression runs only when the text holds what it needs, as most
// prose has no links, tags or list marks and the regexps cost more than
// the look.
func SearchPlainText(s string) string {
	if strings.Contains(s, "![") {
		s = srImage.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "](") {
		s = srLink.ReplaceAllString(s, "]")
	}
	if strings.Contains(s, "]:") {
		s = srRefDef.ReplaceAllString(s, "")
	}
	if strings.IndexByte(s, '<') >= 0 {
		s = srAutolink.ReplaceAllString(s, "$1")
		s = srHTMLTag.ReplaceAllString(s, " ")
	}
	if mayHaveLineHead(s) {
		s = srLineHead.ReplaceAllString(s, "")
	}
	if strings.ContainsAny(s, "*_`~[]\\") {
		s = srMarks.Replace(s)
	}
	return s
}

// mayHaveLineHead reports whether some line of s, after at most three
// white-space characters, starts with a heading, quote or list mark, as
// srLineHead needs.
func mayHaveLineHead(s string) bool {
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i-1] != '\n' {
			continue
		}
		j := i
		for j < len(s) && j < i+3 && isRegexpSpace(s[j]) {
			j++
		}
		if j < len(s) && strings.IndexByte("#>-*+0123456789", s[j]) >= 0 {
			return true
		}
	}
	return false
}

// isRegexpSpace is \s in Go's regexp syntax.
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// snippetWords is about how long a snippet is.
const snippetWords = 32

// snippetWindow finds the words of text and the best window of them,
// words[best..last]; ok is false when text has no words.
func snippetWindow(text string, stems map[string]bool) (words []snippetWord, best, last, found int, ok bool) {
	// Only words that begin as some stem does can match (stemPrefixes);
	// the rest need no lowercasing or stemming, which keeps long texts
	// cheap. A word met twice is stemmed once.
	prefixes := stemPrefixes(stems)
	var memo map[string]string
	words = make([]snippetWord, 0, len(text)/6)
	for i, j := nextWord(text, 0); i < len(text); i, j = nextWord(text, j) {
		w := snippetWord{start: i, end: j}
		if hasStemPrefix(text[i:j], prefixes) {
			if st := stemMemo(&memo, text[i:j]); stems[st] {
				w.match = st
			}
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return nil, 0, 0, 0, false
	}
	// Slide a window of snippetWords words; keep the one with the most
	// distinct matches, then the most matches.
	bestDistinct, bestCount := -1, -1
	counts := map[string]int{}
	distinct, count := 0, 0
	for i := range words {
		if m := words[i].match; m != "" {
			if counts[m] == 0 {
				distinct++
			}
			counts[m]++
			count++
		}
		if i >= snippetWords {
			if m := words[i-snippetWords].match; m != "" {
				counts[m]--
				if counts[m] == 0 {
					distinct--
				}
				count--
			}
		}
		if i >= snippetWords-1 || i == len(words)-1 {
			if distinct > bestDistinct || (distinct == bestDistinct && count > bestCount) {
				best, bestDistinct, bestCount = max(0, i-snippetWords+1), distinct, count
			}
		}
	}
	// Start a few words before the first match, for context.
	if bestDistinct > 0 {
		for i := best; i < len(words) && i < best+snippetWords; i++ {
			if words[i].match != "" {
				if i-4 > best {
					best = i - 4
				}
				break
			}
		}
	}
	last = min(len(words), best+snippetWords) - 1
	return words, best, last, bestDistinct, true
}

type snippetWord struct {
	start, end int
	match      string
}

// MakeSnippet picks the stretch of text (plain, not Markdown) with the most
// distinct matching words and splits it into parts, matches marked. With
// no match it is the text's start.
func MakeSnippet(text string, stems map[string]bool) Snippet {
	words, best, last, _, ok := snippetWindow(text, stems)
	if !ok {
		return nil
	}
	from, to := words[best].start, words[last].end
	if to < len(text) {
		// Keep a closing punctuation mark.
		if r, n := utf8.DecodeRuneInString(text[to:]); unicode.IsPunct(r) && r != '(' && r != '"' {
			to += n
		}
	}
	var out Snippet
	add := func(s string, mark bool) {
		if s == "" {
			return
		}
		if !mark && len(out) > 0 && !out[len(out)-1].Mark {
			out[len(out)-1].Text += s
			return
		}
		out = append(out, SnippetPart{Text: s, Mark: mark})
	}
	if best > 0 {
		add("… ", false)
	}
	pos := from
	for i := best; i <= last; i++ {
		w := words[i]
		if w.match == "" {
			continue
		}
		add(collapseSpace(text[pos:w.start]), false)
		add(text[w.start:w.end], true)
		pos = w.end
	}
	add(collapseSpace(text[pos:to]), false)
	if last < len(words)-1 {
		add(" …", false)
	}
	return out
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// collapseSpace turns runs of white space (newlines of Markdown) into one
// space, keeping a leading or trailing one.
func collapseSpace(s string) string {
	if s == "" {
		return s
	}
	f := strings.Fields(s)
	lead := unicode.IsSpace(firstRune(s))
	r, _ := utf8.DecodeLastRuneInString(s)
	trail := unicode.IsSpace(r)
	out := strings.Join(f, " ")
	if lead && (out != "" || trail) {
		out = " " + out
	}
	if trail && out != " " {
		out += " "
	}
	return out
}

// Keyword is a stem and its weight in an article's term vector.
type Keyword struct {
	Term   string
	Weight float64
}

// Keywords returns the n stems that occur most in doc, stop words, very
// short stems and numbers left out; title and tag words count three times.
// Weights are 1 + ln(frequency). Related-article scoring compares these.
func Keywords(doc SearchDoc, n int) []Keyword {
	tf := map[string]int{}
	count := func(text string, times int) {
		for _, w := range strings.Fields(text) {
			if utf8.RuneCountInString(w) < 3 || isStopWord(w) || strings.Trim(w, "0123456789") == "" {
				continue
			}
			tf[w] += times
		}
	}
	count(doc.Title, 3)
	count(doc.Tags, 3)
	count(doc.Question, 1)
	count(doc.Summary, 1)
	count(doc.Body, 1)
	out := make([]Keyword, 0, len(tf))
	for t, c := range tf {
		out = append(out, Keyword{Term: t, Weight: 1 + math.Log(float64(c))})
	}
	slices.SortFunc(out, func(a, b Keyword) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Term, b.Term))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// TagSuggestion is a tag the editor may want to add to an article.
type TagSuggestion struct {
	Name     string `json:"name"`
	Existing bool   `json:"existing"` // a tag the site already uses
	Count    int    `json:"count"`    // occurrences in the text
}

// connectors may join the words of a name ("Bank of England").
var connectors = map[string]bool{"of": true, "and": true, "for": true, "the": true, "de": true, "al": true, "bin": true}

// SuggestTags proposes tags for an article's text (title, summary, body…
// as plain text or Markdown): the site's existing tags that occur in it,
// then names that recur: runs of capitalised words and acronyms
// (countries, organisations, projects such as "CPEC") found at least
// twice. Tags in current are left out. At most n, strongest first.
func SuggestTags(text string, existing []*Tag, current []string, n int) []TagSuggestion {
	text = SearchPlainText(text)
	if len(text) > 256<<10 {
		text = text[:256<<10]
	}
	have := map[string]bool{}
	for _, c := range current {
		have[Slugify(c)] = true
	}
	words := Tokenize(text)
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = Stem(w)
	}
	var out []TagSuggestion
	// Existing tags whose words occur in order.
	for _, t := range existing {
		slug := Slugify(t.Name)
		if have[slug] || slug == "" {
			continue
		}
		tw := Tokenize(t.Name)
		if len(tw) == 0 {
			continue
		}
		for i := range tw {
			tw[i] = Stem(tw[i])
		}
		count := 0
		for i := 0; i+len(tw) <= len(stems); i++ {
			if slices.Equal(stems[i:i+len(tw)], tw) {
				count++
			}
		}
		if count > 0 {
			have[slug] = true
			out = append(out, TagSuggestion{Name: t.Name, Existing: true, Count: count})
		}
	}
	// Recurring names.
	counts := map[string]int{}
	var order []string
	for _, name := range properNouns(text) {
		if counts[name] == 0 {
			order = append(order, name)
		}
		counts[name]++
	}
	for _, name := range order {
		slug := Slugify(name)
		if counts[name] < 2 || have[slug] || slug == "" {
			continue
		}
		have[slug] = true
		out = append(out, TagSuggestion{Name: name, Count: counts[name]})
	}
	slices.SortStableFunc(out, func(a, b TagSuggestion) int {
		if a.Existing != b.Existing {
			if a.Existing {
				return -1
			}
			return 1
		}
		return b.Count - a.Count
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// properNouns lists the runs of capitalised words in text and its
// acronyms, leaving out a lone capitalised word that starts a sentence
// (usually an ordinary word) and lone stop words.
func properNouns(text string) []string {
	type tok struct {
		word          string
		sentenceStart bool
	}
	var toks []tok
	start := true
	rs := []rune(text)
	for i := 0; i < len(rs); {
		r := rs[i]
		if !isWordRune(r) {
			if r == '.' || r == '!' || r == '?' || r == ':' || r == '"' || r == '“' || (r == '\n' && i > 0 && rs[i-1] == '\n') {
				start = true
			}
			if !unicode.IsSpace(r) && r != '.' && r != '!' && r != '?' && r != ':' && r != '"' && r != '“' && r != '’' && r != '\'' {
				toks = append(toks, tok{}) // other punctuation ends a name
			}
			i++
			continue
		}
		j := i
		for j < len(rs) && (isWordRune(rs[j]) || ((rs[j] == '-' || rs[j] == '\'' || rs[j] == '’') && j+1 < len(rs) && isWordRune(rs[j+1]))) {
			j++
		}
		toks = append(toks, tok{word: string(rs[i:j]), sentenceStart: start})
		start = false
		i = j
	}
	isCap := func(w string) bool {
		r := firstRune(w)
		return unicode.IsUpper(r)
	}
	isAcronym := func(w string) bool {
		n := utf8.RuneCountInString(w)
		return n >= 2 && n <= 8 && strings.ToUpper(w) == w && strings.ToLower(w) != w
	}
	// Words seen capitalised inside a sentence are names wherever they are.
	midCap := map[string]bool{}
	for _, t := range toks {
		if t.word != "" && !t.sentenceStart && isCap(t.word) {
			midCap[t.word] = true
		}
	}
	var out []string
	for i := 0; i < len(toks); {
		if toks[i].word == "" || !isCap(toks[i].word) {
			i++
			continue
		}
		if w := toks[i].word; toks[i].sentenceStart && !isAcronym(w) && !midCap[w] {
			// "The", "Critics": capitalised only because a sentence starts.
			toks[i].sentenceStart = false
			toks[i].word = strings.ToLower(w)
			continue
		}
		j := i + 1
		for j < len(toks) {
			w := toks[j].word
			if w != "" && isCap(w) && !toks[j].sentenceStart {
				j++
				continue
			}
			if w != "" && connectors[w] && j+1 < len(toks) && toks[j+1].word != "" && isCap(toks[j+1].word) && !toks[j+1].sentenceStart {
				j += 2
				continue
			}
			break
		}
		words := make([]string, 0, j-i)
		for _, t := range toks[i:j] {
			words = append(words, t.word)
		}
		i = j
		for len(words) > 0 && connectors[words[len(words)-1]] {
			words = words[:len(words)-1]
		}
		if len(words) == 0 {
			continue
		}
		name := strings.Join(words, " ")
		if len(words) == 1 {
			w := words[0]
			if isStopWord(strings.ToLower(w)) || utf8.RuneCountInString(w) < 2 {
				continue
			}
		}
		if len(words) > 5 {
			continue // a headline in title case, not a name
		}
		out = append(out, name)
	}
	return out
}

// SnippetOf makes a snippet from Markdown. A quick scan finds the words
// that match and the best stretch of snippetWords words among them; only
// its neighbourhood is cleaned of markup and cut into parts, so a long
// article costs one pass over its bytes, not a conversion.
func SnippetOf(markdown string, stems map[string]bool) (Snippet, int) {
	if len(markdown) > 64<<10 {
		markdown = strings.ToValidUTF8(markdown[:64<<10], "")
	}
	from, distinct, ok := bestStretch(markdown, stems)
	if !ok {
		return nil, 0
	}
	to := skipWords(markdown, from, snippetWords)
	lo, hi := max(0, from-snippetMargin), min(len(markdown), to+snippetMargin)
	for lo > 0 && !utf8.RuneStart(markdown[lo]) {
		lo--
	}
	for hi < len(markdown) && !utf8.RuneStart(markdown[hi]) {
		hi++
	}
	sn := MakeSnippet(SearchPlainText(markdown[lo:hi]), stems)
	if len(sn) > 0 {
		if lo > 0 && !strings.HasPrefix(sn[0].Text, "…") {
			sn = append(Snippet{{Text: "… "}}, sn...)
		}
		if hi < len(markdown) && !strings.HasSuffix(sn[len(sn)-1].Text, "…") {
			sn = append(sn, SnippetPart{Text: " …"})
		}
	}
	return sn, distinct
}

// snippetMargin is how many bytes of Markdown around the chosen stretch are
// cleaned with it, so that markup cut at the edges (a link's target, an
// emphasis mark) does not reach the snippet.
const snippetMargin = 160

// snippetMatch is a matching word found by bestStretch.
type snippetMatch struct {
	word  int // index among the text's words
	start int // byte offset
	stem  string
}

// bestStretch returns the byte offset where the snippet's stretch of text
// starts: the first matching word of the first run of snippetWords words
// that holds every stem; failing that, of the run with the most distinct
// matches, then the most matches (the earliest wins a tie); the first
// word when nothing matches. ok is false when text has no words.
func bestStretch(text string, stems map[string]bool) (from, distinct int, ok bool) {
	prefixes := stemPrefixes(stems)
	var matches []snippetMatch
	var memo map[string]string
	// The scan stops at the first stretch holding every word searched
	// for; with one word, at its first occurrence.
	window := map[string]int{}
	lo, full := 0, false
	first, n := -1, 0
	for i, j := nextWord(text, 0); i < len(text) && !full; i, j = nextWord(text, j) {
		if first < 0 {
			first = i
		}
		if hasStemPrefix(text[i:j], prefixes) {
			if st := stemMemo(&memo, text[i:j]); stems[st] {
				m := snippetMatch{word: n, start: i, stem: st}
				matches = append(matches, m)
				window[st]++
				for matches[lo].word <= m.word-snippetWords {
					if window[matches[lo].stem]--; window[matches[lo].stem] == 0 {
						delete(window, matches[lo].stem)
					}
					lo++
				}
				full = len(window) == len(stems)
			}
		}
		n++
	}
	if first < 0 {
		return 0, 0, false
	}
	if full {
		return matches[lo].start, len(window), true
	}
	if len(matches) == 0 {
		return first, 0, true
	}
	// Windows that start at a match cover every best window.
	counts := map[string]int{}
	bestDistinct, bestCount, best := -1, -1, 0
	d, c, hi := 0, 0, 0
	for lo := range matches {
		for hi < len(matches) && matches[hi].word < matches[lo].word+snippetWords {
			if counts[matches[hi].stem] == 0 {
				d++
			}
			counts[matches[hi].stem]++
			c++
			hi++
		}
		if d > bestDistinct || (d == bestDistinct && c > bestCount) {
			best, bestDistinct, bestCount = lo, d, c
		}
		counts[matches[lo].stem]--
		if counts[matches[lo].stem] == 0 {
			d--
		}
		c--
	}
	return matches[best].start, bestDistinct, true
}

// skipWords returns the byte offset just past the n-th word of text from
// offset from.
func skipWords(text string, from, n int) int {
	end := from
	eachWord(text, from, func(_, j int) bool {
		end = j
		n--
		return n > 0
	})
	return end
}

// eachWord calls fn with the byte range of every word of text from offset
// from, as snippetWindow splits them, until fn returns false.
func eachWord(text string, from int, fn func(i, j int) bool) {
	for i := from; i < len(text); {
		var r rune
		n := 1
		if c := text[i]; c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		if !isWordRune(r) {
			i += n
			continue
		}
		j := wordEnd(text, i+n)
		if !fn(i, j) {
			return
		}
		i = j
	}
}

// wordEnd returns where the word going on at offset j of text ends: word
// characters, and apostrophes between them.
func wordEnd(text string, j int) int {
	for j < len(text) {
		if c := text[j]; c < utf8.RuneSelf {
			if asciiWord[c] {
				j++
				continue
			}
			if c == '\'' && j+1 < len(text) && isWordRune(firstRune(text[j+1:])) {
				j++
				continue
			}
			return j
		}
		r, n := utf8.DecodeRuneInString(text[j:])
		if isWordRune(r) {
			j += n
			continue
		}
		if r == '’' && j+n < len(text) && isWordRune(firstRune(text[j+n:])) {
			j += n
			continue
		}
		return j
	}
	return j
}

// asciiWord marks the ASCII bytes isWordRune accepts.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

// stemPrefixes returns the beginnings a word must have to stem to one of
// stems: a stem's runes less its last two, but at least two. The Snowball
// stemmers only strip endings or change a word's last letter ("happy",
// "happi"), which the English and Russian vocabularies that come with them
// confirm word by word, but for three English exceptions that keep one
// ("dying", "die").
func stemPrefixes(stems map[string]bool) []string {
	out := make([]string, 0, len(stems))
	for st := range stems {
		r := []rune(st)
		keep := max(min(2, len(r)), len(r)-2)
		if st == "die" || st == "lie" || st == "tie" {
			keep = 1
		}
		if p := string(r[:keep]); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// hasStemPrefix reports whether the raw word w, as Tokenize and Stem see it
// (lowercased, apostrophes dropped, ё as е), begins with one of prefixes.
// It allocates nothing: it runs for every word of a snippet's text.
func hasStemPrefix(w string, prefixes []string) bool {
	for _, p := range prefixes {
		if foldedHasPrefix(w, p) {
			return true
		}
	}
	return false
}

func foldedHasPrefix(w, p string) bool {
	i := 0
	for j := 0; j < len(p); {
		if i >= len(w) {
			return false
		}
		var r rune
		if c := w[i]; c < utf8.RuneSelf {
			r = rune(asciiLower(c))
			i++
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(w[i:])
			i += n
			if r = unicode.ToLower(r); r == 'ё' {
				r = 'е'
			}
		}
		if r == '\'' || r == '’' {
			continue
		}
		pr, n := rune(p[j]), 1
		if pr >= utf8.RuneSelf {
			if pr, n = utf8.DecodeRuneInString(p[j:]); pr == 'ё' {
				pr = 'е' // Stem keeps ё in a word of Latin script
			}
		}
		if r != pr {
			return false
		}
		j += n
	}
	return true
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// nextWord returns the bounds of the first word at or after byte i of
// text; start is len(text) when there is none. It is the snippet scans'
// inner loop, so ASCII bytes are classified by table.
func nextWord(text string, i int) (start, end int) {
	for i < len(text) {
		size := 1
		if c := text[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else {
			var r rune
			if r, size = utf8.DecodeRuneInString(text[i:]); !isWordRune(r) {
				i += size
				continue
			}
		}
		return i, wordEnd(text, i+size)
	}
	return len(text), len(text)
}

// stemMemo stems one raw word as the index does, remembering the answer in
// *memo (made on first use): a snippet meets the same words again and again.
func stemMemo(memo *map[string]string, raw string) string {
	if st, ok := (*memo)[raw]; ok {
		return st
	}
	st := Stem(strings.Join(Tokenize(raw), ""))
	if *memo == nil {
		*memo = map[string]string{}
	}
	(*memo)[raw] = st
	return st
}
