package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"folio"
)

// searchTests are full-text search and related articles' part of the
// contract. Engines rank differently (bm25, ts_rank_cd), so the tests
// check relative order and where <mark> goes, never scores or whole
// snippets.
var searchTests = []struct {
	name string
	fn   func(t *testing.T, e *env)
}{
	{"SearchRanking", testSearchRanking},
	{"SearchStemming", testSearchStemming},
	{"SearchPhrase", testSearchPhrase},
	{"SearchExclude", testSearchExclude},
	{"SearchFilters", testSearchFilters},
	{"SearchVisibility", testSearchVisibility},
	{"SearchFollowsWrites", testSearchFollowsWrites},
	{"SearchSnippet", testSearchSnippet},
	{"SearchHitFields", testSearchHitFields},
	{"SearchPaging", testSearchPaging},
	{"SearchHostile", testSearchHostile},
	{"SearchRankCap", testSearchRankCap},
	{"Related", testRelated},
	{"RelatedNewArticle", testRelatedNewArticle},
	{"AllTags", testAllTags},
}

// article is a published article with a body, tags and a summary.
type searchArticle struct {
	title, body, summary, question, lang string
	tags                                 []string
	status                               folio.Status
	at                                   time.Time
	series                               *folio.SeriesRef
	author                               *folio.User
}

func mustIndex(t testing.TB, e *env, au *folio.User, a searchArticle) *folio.Article {
	t.Helper()
	in := published(a.title, e.clock.Now().Add(-time.Hour), au)
	if a.author != nil {
		in.AuthorIDs = []int64{a.author.ID}
	}
	in.Body, in.Summary, in.Question, in.Lang, in.Tags, in.Series = a.body, a.summary, a.question, a.lang, a.tags, a.series
	if a.status != "" {
		in.Status = a.status
	}
	if !a.at.IsZero() {
		in.PublishedAt = &a.at
	}
	if in.Status == folio.StatusDraft {
		in.PublishedAt = nil
	}
	return mustCreateArticle(t, e, in)
}

// mustSearch parses text, applies f and searches.
func mustSearch(t testing.TB, e *env, text string, f func(*folio.SearchQuery)) *folio.SearchResults {
	t.Helper()
	q, err := folio.ParseSearch(text)
	if err != nil {
		t.Fatalf("ParseSearch(%q): %v", text, err)
	}
	if f != nil {
		f(q)
	}
	res, err := e.s.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", text, err)
	}
	return res
}

// hitTitles lists the titles of the hits, in order.
func hitTitles(res *folio.SearchResults) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Article.Title
	}
	return out
}

func checkHits(t testing.TB, label string, res *folio.SearchResults, want ...string) {
	t.Helper()
	got := hitTitles(res)
	if !slices.Equal(got, want) {
		t.Errorf("%s: hits %q, want %q", label, got, want)
	}
}

func checkHitSet(t testing.TB, label string, res *folio.SearchResults, want ...string) {
	t.Helper()
	got := hitTitles(res)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: hits %q, want %q (any order)", label, got, want)
	}
}

const filler = "The committee met on Tuesday to review the annual budget and the schedule of public hearings. "

func testSearchRanking(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "Budget notes", body: filler + "A pipeline, a pipeline and a pipeline."})
	mustIndex(t, e, au, searchArticle{title: "Pipeline politics", body: filler})
	mustIndex(t, e, au, searchArticle{title: "Harvest report", body: filler, tags: []string{"Pipeline"}})
	mustIndex(t, e, au, searchArticle{title: "Unrelated", body: filler + "Nothing to see."})
	mustIndex(t, e, au, searchArticle{title: "Late memo", body: filler + "The pipeline again."})
	res := mustSearch(t, e, "pipeline", nil)
	// Title beats tags beats a mention in the body; articles that have
	// the word in the body only come newest first, however often.
	checkHits(t, "pipeline", res, "Pipeline politics", "Harvest report", "Late memo", "Budget notes")
	if res.Total != 4 || res.More {
		t.Errorf("Total = %d, More = %v; want 4, false", res.Total, res.More)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Score > res.Hits[i-1].Score {
			t.Errorf("hit %d scores %v above hit %d's %v", i, res.Hits[i].Score, i-1, res.Hits[i-1].Score)
		}
	}
}

// testSearchRankCap writes more matches than folio.SearchRankCap: only the
// newest SearchRankCap+1 are ranked, so the strongest title match, the
// oldest article, is left out, and the one among the newest comes first.
func testSearchRankCap(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "Lantern lantern lanterns", body: "Lantern."})
	for i := range folio.SearchRankCap + 2 {
		a := searchArticle{title: fmt.Sprintf("Note %d", i), body: "A lantern was lit."}
		if i == folio.SearchRankCap/2 {
			a.title = "The lantern"
		}
		mustIndex(t, e, au, a)
	}
	res := mustSearch(t, e, "lantern", nil)
	if res.Total != folio.SearchRankCap || !res.More {
		t.Errorf("Total = %d, More = %v; want %d, true", res.Total, res.More, folio.SearchRankCap)
	}
	want := []string{"The lantern", fmt.Sprintf("Note %d", folio.SearchRankCap+1), fmt.Sprintf("Note %d", folio.SearchRankCap)}
	if got := hitTitles(res); len(got) < 3 || !slices.Equal(got[:3], want) {
		t.Errorf("lantern: hits %q, want %q first", got, want)
	}
}

func testSearchStemming(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "Energy", body: "The new pipeline carries gas across the border."})
	mustIndex(t, e, au, searchArticle{title: "Трубы", body: "Новый трубопровод построили за год.", lang: "ru"})
	mustIndex(t, e, au, searchArticle{title: "Studies", body: "Several universities studied the question."})
	tests := []struct{ q, want string }{
		{"pipelines", "Energy"},
		{"PIPELINE", "Energy"},
		{"carrying", "Energy"},
		{"трубопроводы", "Трубы"},
		{"трубопроводом", "Трубы"},
		{"study", "Studies"},
		{"university", "Studies"},
	}
	for _, tt := range tests {
		checkHits(t, tt.q, mustSearch(t, e, tt.q, nil), tt.want)
	}
	checkHits(t, "pipe", mustSearch(t, e, "pipe", nil))
}

func testSearchPhrase(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "A", body: "Global supply chains are fragile."})
	mustIndex(t, e, au, searchArticle{title: "B", body: "The chain of supply broke."})
	mustIndex(t, e, au, searchArticle{title: "C", body: "Supply was short; the chain held."})
	checkHits(t, `"supply chain"`, mustSearch(t, e, `"supply chain"`, nil), "A")
	checkHits(t, `"supply chains are"`, mustSearch(t, e, `"supply chains are"`, nil), "A")
	checkHitSet(t, "supply chain", mustSearch(t, e, `supply chain`, nil), "A", "B", "C")
	checkHits(t, `"chain of supply"`, mustSearch(t, e, `"chain of supply"`, nil), "B")
	// An unclosed quote runs to the end.
	checkHits(t, `"supply chain`, mustSearch(t, e, `"supply chain`, nil), "A")
}

func testSearchExclude(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "Coal", body: "Energy from coal plants."})
	mustIndex(t, e, au, searchArticle{title: "Solar", body: "Energy from solar farms."})
	mustIndex(t, e, au, searchArticle{title: "Mixed", body: "Energy policy: solar farms and coal plants."})
	checkHitSet(t, "energy -coal", mustSearch(t, e, "energy -coal", nil), "Solar")
	checkHitSet(t, `energy -"solar farms"`, mustSearch(t, e, `energy -"solar farms"`, nil), "Coal")
	checkHitSet(t, "energy -coal -solar", mustSearch(t, e, "energy -coal -solar", nil))
	// A hyphen inside a word is not an exclusion.
	checkHitSet(t, "coal-plants", mustSearch(t, e, "coal-plants", nil), "Coal", "Mixed")
}

func testSearchFilters(t *testing.T, e *env) {
	ann, bob := newUser(t, e, "Ann Lee"), newUser(t, e, "Bob Ray")
	now := e.clock.Now()
	mustIndex(t, e, ann, searchArticle{title: "Old dam", body: "A river dam.", tags: []string{"Water"}, at: now.AddDate(-1, 0, 0)})
	mustIndex(t, e, ann, searchArticle{title: "New dam", body: "A river dam.", tags: []string{"Energy"}, at: now.Add(-time.Hour),
		series: &folio.SeriesRef{Slug: "rivers", Title: "Rivers", Position: 1}})
	mustIndex(t, e, bob, searchArticle{title: "Bob dam", body: "A river dam.", lang: "fr", at: now.Add(-2 * time.Hour)})
	from := now.AddDate(0, -1, 0)
	tests := []struct {
		name string
		f    func(*folio.SearchQuery)
		want []string
	}{
		{"none", nil, []string{"Old dam", "New dam", "Bob dam"}},
		{"tag", func(q *folio.SearchQuery) { q.Tag = "water" }, []string{"Old dam"}},
		{"unknown tag", func(q *folio.SearchQuery) { q.Tag = "nope" }, nil},
		{"author", func(q *folio.SearchQuery) { q.Author = bob.Slug }, []string{"Bob dam"}},
		{"series", func(q *folio.SearchQuery) { q.Series = "rivers" }, []string{"New dam"}},
		{"lang", func(q *folio.SearchQuery) { q.Langs = []string{"fr"} }, []string{"Bob dam"}},
		{"site lang", func(q *folio.SearchQuery) { q.Langs = []string{"", "en"} }, []string{"Old dam", "New dam"}},
		{"from", func(q *folio.SearchQuery) { q.From = &from }, []string{"New dam", "Bob dam"}},
		{"to", func(q *folio.SearchQuery) { q.To = &from }, []string{"Old dam"}},
		{"tag and author", func(q *folio.SearchQuery) { q.Tag, q.Author = "energy", ann.Slug }, []string{"New dam"}},
		{"bad text", func(q *folio.SearchQuery) { q.Tag = "a\x00b" }, nil},
	}
	for _, tt := range tests {
		checkHitSet(t, tt.name, mustSearch(t, e, "dams", tt.f), tt.want...)
	}
}

func testSearchVisibility(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	now := e.clock.Now()
	mustIndex(t, e, au, searchArticle{title: "Public", body: "Zeppelin news."})
	mustIndex(t, e, au, searchArticle{title: "Draft", body: "Zeppelin news.", status: folio.StatusDraft})
	mustIndex(t, e, au, searchArticle{title: "Later", body: "Zeppelin news.", status: folio.StatusScheduled, at: now.Add(time.Hour)})
	trashed := mustIndex(t, e, au, searchArticle{title: "Trashed", body: "Zeppelin news."})
	mustUpdateArticle(t, e, trashed.ID, folio.ArticleUpdate{Status: ptr(folio.StatusTrashed)})
	checkHits(t, "before", mustSearch(t, e, "zeppelin", nil), "Public")
	// A scheduled article is public by time alone, before PublishDue runs.
	e.clock.Advance(2 * time.Hour)
	checkHitSet(t, "after the scheduled time", mustSearch(t, e, "zeppelin", nil), "Public", "Later")
	if _, err := e.s.PublishDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkHitSet(t, "after PublishDue", mustSearch(t, e, "zeppelin", nil), "Public", "Later")
}

func testSearchFollowsWrites(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	a := mustIndex(t, e, au, searchArticle{title: "Harbour", body: "Ferries and tugboats.", tags: []string{"Ports"}})
	checkHits(t, "tugboats", mustSearch(t, e, "tugboats", nil), "Harbour")
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Body: ptr("Cranes and containers."), Tags: &[]string{"Shipping"}})
	checkHits(t, "tugboats after edit", mustSearch(t, e, "tugboats", nil))
	checkHits(t, "containers after edit", mustSearch(t, e, "containers", nil), "Harbour")
	checkHits(t, "ports tag after edit", mustSearch(t, e, "ports", nil))
	checkHits(t, "shipping tag after edit", mustSearch(t, e, "shipping", nil), "Harbour")
	revs := mustRevisions(t, e, a.ID)
	if _, err := e.s.RestoreRevision(t.Context(), a.ID, revs[len(revs)-1].ID, au.ID); err != nil {
		t.Fatalf("RestoreRevision: %v", err)
	}
	checkHits(t, "tugboats after restore", mustSearch(t, e, "tugboats", nil), "Harbour")
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Status: ptr(folio.StatusDraft)})
	checkHits(t, "unpublished", mustSearch(t, e, "tugboats", nil))
	mustUpdateArticle(t, e, a.ID, folio.ArticleUpdate{Status: ptr(folio.StatusPublished)})
	checkHits(t, "republished", mustSearch(t, e, "tugboats", nil), "Harbour")
	if err := e.s.DeleteArticle(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	checkHits(t, "deleted", mustSearch(t, e, "tugboats", nil))
	// A new article may reuse the id space without old entries showing.
	mustIndex(t, e, au, searchArticle{title: "Fresh", body: "Nothing about boats."})
	checkHits(t, "tugboats after new article", mustSearch(t, e, "tugboats", nil))
}

func testSearchSnippet(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	body := strings.Repeat(filler, 5) + "Engineers said <script>alert(1)</script> the **pipelines** & valves at \"Port Qasim\" were <b>tested</b>. " +
		strings.Repeat(filler, 5)
	mustIndex(t, e, au, searchArticle{title: "Valves", body: body})
	res := mustSearch(t, e, "pipeline valve", nil)
	if len(res.Hits) != 1 {
		t.Fatalf("hits %q, want one", hitTitles(res))
	}
	sn := res.Hits[0].Snippet
	var marked []string
	for _, p := range sn {
		if p.Mark {
			marked = append(marked, p.Text)
		}
	}
	if !slices.Equal(marked, []string{"pipelines", "valves"}) {
		t.Errorf("marked %q, want [pipelines valves]; snippet %q", marked, sn.String())
	}
	h := sn.HTML()
	for _, want := range []string{"<mark>pipelines</mark>", "<mark>valves</mark>", "&amp;", "&#34;Port Qasim&#34;"} {
		if !strings.Contains(h, want) {
			t.Errorf("snippet HTML %q lacks %q", h, want)
		}
	}
	for _, bad := range []string{"<script", "<b>", "**"} {
		if strings.Contains(h, bad) {
			t.Errorf("snippet HTML %q contains %q", h, bad)
		}
	}
	if n := len(strings.Fields(sn.String())); n > 60 {
		t.Errorf("snippet has %d words, want a short extract", n)
	}
	if !strings.HasPrefix(sn.String(), "…") {
		t.Errorf("snippet %q starts at the beginning, want it around the match", sn.String())
	}
}

// testSearchHitFields checks that a hit carries what a result list shows:
// hits are loaded apart from FindArticles, without the body.
func testSearchHitFields(t *testing.T, e *env) {
	ann, bob := newUser(t, e, "Ann Lee"), newUser(t, e, "Bob Roy")
	in := published("Harbour cranes", e.clock.Now().Add(-time.Hour), ann, bob)
	in.Body, in.Summary, in.Lang = "The cranes at the harbour were repaired.", "Cranes again.", "en"
	in.Tags = []string{"Shipping", "Ports"}
	in.Series = &folio.SeriesRef{Slug: "harbours", Title: "Harbours", Position: 1}
	a := mustCreateArticle(t, e, in)
	res := mustSearch(t, e, "cranes", nil)
	if len(res.Hits) != 1 {
		t.Fatalf("hits %q, want one", hitTitles(res))
	}
	h := res.Hits[0].Article
	if h.ID != a.ID || h.Title != a.Title || h.Slug != a.Slug || h.Summary != "Cranes again." || h.Lang != "en" ||
		h.Status != folio.StatusPublished || h.PublishedAt == nil || !h.PublishedAt.Equal(*a.PublishedAt) {
		t.Errorf("hit %+v, want the article's own fields", h)
	}
	var authors, tags []string
	for _, au := range h.Authors {
		authors = append(authors, au.Name+"/"+au.Slug)
	}
	for _, tg := range h.Tags {
		tags = append(tags, tg.Name+"/"+tg.Slug)
	}
	if want := []string{"Ann Lee/" + ann.Slug, "Bob Roy/" + bob.Slug}; !slices.Equal(authors, want) {
		t.Errorf("authors %q, want %q", authors, want)
	}
	if want := []string{"Shipping/shipping", "Ports/ports"}; !slices.Equal(tags, want) {
		t.Errorf("tags %q, want %q", tags, want)
	}
	if h.Series == nil || h.Series.Slug != "harbours" || h.Series.Title != "Harbours" {
		t.Errorf("series %+v, want harbours", h.Series)
	}
	if h.Body != "" {
		t.Errorf("hit body %q, want none", h.Body)
	}
	if len(res.Hits[0].Snippet) == 0 {
		t.Error("no snippet")
	}
}

func testSearchPaging(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	for i := range 13 {
		mustIndex(t, e, au, searchArticle{title: fmt.Sprintf("Lighthouse %02d", i), body: "Keepers and lamps."})
	}
	first := mustSearch(t, e, "lighthouse", func(q *folio.SearchQuery) { q.Limit = 10 })
	second := mustSearch(t, e, "lighthouse", func(q *folio.SearchQuery) { q.Limit, q.Offset = 10, 10 })
	past := mustSearch(t, e, "lighthouse", func(q *folio.SearchQuery) { q.Limit, q.Offset = 10, 30 })
	if len(first.Hits) != 10 || len(second.Hits) != 3 || len(past.Hits) != 0 {
		t.Errorf("pages hold %d, %d, %d hits; want 10, 3, 0", len(first.Hits), len(second.Hits), len(past.Hits))
	}
	for _, r := range []*folio.SearchResults{first, second, past} {
		if r.Total != 13 {
			t.Errorf("Total = %d, want 13", r.Total)
		}
	}
	all := append(hitTitles(first), hitTitles(second)...)
	slices.Sort(all)
	if len(slices.Compact(all)) != 13 {
		t.Errorf("two pages hold %d distinct articles, want 13", len(slices.Compact(all)))
	}
}

// hostileQueries are inputs that must give results or a clear message.
var hostileQueries = []string{
	`"`, `""`, `"""`, `*`, `pipe*`, `NEAR(a b)`, `NEAR(`, `a AND`, `AND OR NOT`, `title:pipeline`, `{title}: x`,
	`'; DROP TABLE articles; --`, `1' OR '1'='1`, `\`, `a\"b`, `(`, `)`, `^pipeline`, `pipeline:*`, `a & b | !c`,
	`<-> pipeline`, `!!pipeline`, "pipe\x00line", "\xff\xfe pipeline", `-`, `--`, `- -`, `-"`, `-pipeline`,
	`"unclosed phrase`, strings.Repeat("pipeline ", 3000), strings.Repeat("x", 20000), strings.Repeat(`"a" `, 500),
	`🙂 pipeline`, `ا ب پ`, `%_%`, `$1`, `?`, `:memory:`, `NULL`, `NOT pipeline`,
}

func testSearchHostile(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "Pipeline", body: "A pipeline and a line."})
	for _, text := range hostileQueries {
		q, err := folio.ParseSearch(text)
		if err != nil {
			var ve *folio.ValidationError
			if !errors.As(err, &ve) || ve.Field != "q" {
				t.Errorf("ParseSearch(%.40q) = %v, want a *ValidationError for q", text, err)
			}
			continue
		}
		if _, err := e.s.Search(t.Context(), q); err != nil {
			t.Errorf("Search(%.40q): %v", text, err)
		}
	}
	// The words in a hostile query are still searched for.
	checkHits(t, "pipe*", mustSearch(t, e, "pipeline*", nil), "Pipeline")
	checkHits(t, "NEAR(", mustSearch(t, e, "NEAR(pipeline", nil))
	checkHits(t, "SQL", mustSearch(t, e, "pipeline' OR 1=1 --", nil))
}

func testRelated(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	dams := "Hydropower dams on the Indus river generate electricity; reservoirs, turbines and silt worry engineers. "
	a := mustIndex(t, e, au, searchArticle{title: "Indus dams", body: strings.Repeat(dams, 3), tags: []string{"Water"}})
	b := mustIndex(t, e, au, searchArticle{title: "Reservoir silt", body: strings.Repeat(dams, 2) + "Silt reduces reservoir capacity.", tags: []string{"Water"}})
	mustIndex(t, e, au, searchArticle{title: "Cricket", body: strings.Repeat("The batsman scored a century at the stadium before lunch. ", 3)})
	mustIndex(t, e, au, searchArticle{title: "Draft dams", body: strings.Repeat(dams, 3), status: folio.StatusDraft})
	mustIndex(t, e, au, searchArticle{title: "Barrages", body: strings.Repeat(dams, 3), lang: "ur"})
	refreshAll(t, e)
	got, err := e.s.RelatedArticles(t.Context(), a.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range got {
		titles = append(titles, r.Title)
	}
	if !slices.Equal(titles, []string{"Reservoir silt"}) {
		t.Errorf("related of %q = %q, want [Reservoir silt] (no draft, no other language, nothing unrelated)", a.Title, titles)
	}
	// Trashing b drops it from a's list at once, before any refresh.
	mustUpdateArticle(t, e, b.ID, folio.ArticleUpdate{Status: ptr(folio.StatusTrashed)})
	if got, err := e.s.RelatedArticles(t.Context(), a.ID, 5); err != nil || len(got) != 0 {
		t.Errorf("related after trashing = %d articles, %v; want none", len(got), err)
	}
	refreshAll(t, e)
	if got, err := e.s.RelatedArticles(t.Context(), a.ID, 5); err != nil || len(got) != 0 {
		t.Errorf("related after refresh = %d articles, %v; want none", len(got), err)
	}
}

func testRelatedNewArticle(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	corridor := "The CPEC corridor links Gwadar port to Kashgar with roads, railways and power plants. "
	old := mustIndex(t, e, au, searchArticle{title: "Corridor one", body: strings.Repeat(corridor, 3)})
	for i := range 3 {
		mustIndex(t, e, au, searchArticle{title: fmt.Sprintf("Noise %d", i), body: strings.Repeat(fmt.Sprintf("Weather report %d: rain, wind and fog over the hills. ", i), 3)})
	}
	refreshAll(t, e)
	v := mustVersion(t, e.s)
	mustIndex(t, e, au, searchArticle{title: "Corridor two", body: strings.Repeat(corridor, 2) + "Gwadar port expands."})
	refreshAll(t, e)
	got, err := e.s.RelatedArticles(t.Context(), old.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Title != "Corridor two" {
		var titles []string
		for _, r := range got {
			titles = append(titles, r.Title)
		}
		t.Errorf("related of the older article = %q, want Corridor two first", titles)
	}
	if mustVersion(t, e.s) <= v+1 {
		t.Error("content version did not move after the related lists changed")
	}
}

// refreshAll runs RefreshRelated until the marks it leaves are done too.
func refreshAll(t testing.TB, e *env) {
	t.Helper()
	for range 3 {
		if _, err := e.s.RefreshRelated(t.Context(), 1000); err != nil {
			t.Fatalf("RefreshRelated: %v", err)
		}
	}
}

func testAllTags(t *testing.T, e *env) {
	au := newUser(t, e, "Ann Lee")
	mustIndex(t, e, au, searchArticle{title: "A", body: "x", tags: []string{"CPEC", "Energy"}})
	mustIndex(t, e, au, searchArticle{title: "B", body: "x", tags: []string{"CPEC"}, status: folio.StatusDraft})
	tags, err := e.s.AllTags(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tg := range tags {
		got[tg.Name] = tg.Count
	}
	if got["CPEC"] != 2 || got["Energy"] != 1 || len(got) != 2 {
		t.Errorf("AllTags = %v, want CPEC:2 Energy:1", got)
	}
}
