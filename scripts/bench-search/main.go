// Command bench-search generates a large site and measures search on it:
// index build time, database size, top-10 search latency under concurrent
// clients for a mix of rare and very common terms, and article write
// latency with the index on. It writes through the store for the index
// (IndexPending, CreateArticle) and bulk SQL for the raw articles.
//
//	go run ./scripts/bench-search -engine sqlite -n 100000
//	go run ./scripts/bench-search -engine postgres -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -n 100000
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"folio"
	"folio/store/postgres"
	"folio/store/sqlite"

	"github.com/jackc/pgx/v5"
)

type store interface {
	folio.Store
	DB() *sql.DB
	IndexPending(ctx context.Context) (int, error)
	OptimizeSearch(ctx context.Context) error
	MergeSearchIndex(ctx context.Context) error
}

func main() {
	engine := flag.String("engine", "sqlite", "sqlite or postgres")
	dbURL := flag.String("db", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL URL (a schema bench_search is created in it)")
	dir := flag.String("dir", os.TempDir(), "directory for the SQLite file")
	n := flag.Int("n", 100000, "articles to generate")
	clients := flag.Int("clients", 10, "concurrent search clients")
	dur := flag.Duration("duration", 20*time.Second, "how long to search")
	writes := flag.Int("writes", 200, "articles written through CreateArticle with the index on")
	reuse := flag.Bool("reuse", false, "reuse an existing database of the right size")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the search run to this file")
	related := flag.Bool("related", false, "also compute related lists beside the writes, as the related_refresh job does")
	optimize := flag.Bool("optimize", false, "with -reuse, optimize the search index first (IndexPending does after a build)")
	flag.Parse()
	ctx := context.Background()
	log.SetFlags(0)

	var st store
	var sizeOf func() (total, search int64)
	switch *engine {
	case "sqlite":
		path := filepath.Join(*dir, fmt.Sprintf("folio-bench-search-%d.db", *n))
		if !*reuse {
			for _, suf := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suf)
			}
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			log.Fatal(err)
		}
		st = s
		sizeOf = func() (int64, int64) {
			var total int64
			for _, suf := range []string{"", "-wal"} {
				if fi, err := os.Stat(path + suf); err == nil {
					total += fi.Size()
				}
			}
			var search int64
			s.DB().QueryRowContext(ctx, `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'search_%' OR name LIKE 'article_terms%'`).Scan(&search)
			return total, search
		}
	case "postgres":
		conn, err := pgx.Connect(ctx, *dbURL)
		if err != nil {
			log.Fatal(err)
		}
		if !*reuse {
			if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS bench_search CASCADE; CREATE SCHEMA bench_search`); err != nil {
				log.Fatal(err)
			}
		}
		conn.Close(ctx)
		u := *dbURL + "&search_path=bench_search"
		s, err := postgres.Open(ctx, u)
		if err != nil {
			log.Fatal(err)
		}
		st = s
		sizeOf = func() (int64, int64) {
			var total, search int64
			s.DB().QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0),
				COALESCE(SUM(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname IN ('search_docs', 'article_terms')), 0)
				FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
				WHERE ns.nspname = 'bench_search' AND c.relkind = 'r'`).Scan(&total, &search)
			return total, search
		}
	default:
		log.Fatalf("unknown engine %q", *engine)
	}
	defer st.Close()

	g := newGenerator(1)
	var count int
	st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM articles`).Scan(&count)
	if count < *n {
		t0 := time.Now()
		authorID := g.load(ctx, st, *n, *engine == "sqlite")
		log.Printf("generated %d articles (bulk SQL) in %s", *n, time.Since(t0).Round(time.Millisecond))
		_ = authorID
		t0 = time.Now()
		k, err := st.IndexPending(ctx)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("index build: %d articles in %s (%.0f articles/s)", k, time.Since(t0).Round(time.Millisecond), float64(k)/time.Since(t0).Seconds())
		if *engine == "postgres" {
			st.DB().ExecContext(ctx, `VACUUM ANALYZE bench_search.search_docs`)
			st.DB().ExecContext(ctx, `ANALYZE`)
		} else {
			st.DB().ExecContext(ctx, `ANALYZE`)
			// ANALYZE samples FTS5's tables again; OptimizeSearch drops them.
			if err := st.OptimizeSearch(ctx); err != nil {
				log.Fatal(err)
			}
			st.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		}
	} else {
		dfFile := filepath.Join(*dir, fmt.Sprintf("folio-bench-search-%s-%d.df.json", *engine, *n))
		if b, err := os.ReadFile(dfFile); err == nil && json.Unmarshal(b, &g.df) == nil {
			log.Printf("document frequencies read from %s", dfFile)
		} else {
			g.vocabOnly(*n)
			if b, err := json.Marshal(g.df); err == nil {
				os.WriteFile(dfFile, b, 0o644)
			}
		}
		if *optimize {
			t0 := time.Now()
			if err := st.OptimizeSearch(ctx); err != nil {
				log.Fatal(err)
			}
			log.Printf("index optimized in %s", time.Since(t0).Round(time.Millisecond))
		}
	}
	total, search := sizeOf()
	log.Printf("database size: %.1f MiB total, search tables %.1f MiB", float64(total)/(1<<20), float64(search)/(1<<20))

	// Steady state: the related_refresh job merges what earlier writes
	// left in PostgreSQL's GIN pending list soon after them.
	if err := st.MergeSearchIndex(ctx); err != nil {
		log.Fatal(err)
	}
	rare, common := g.queries(st, ctx, *n)
	log.Printf("query mix: %d rare-term queries (df <= 5%%), %d common-term queries (df >= 50%%)", len(rare), len(common))
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
	}
	searchBench(ctx, st, rare, common, *clients, *dur)
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	writeBench(ctx, st, g, *writes, *related)
}

// searchBench runs clients goroutines, each issuing a query mix (one
// common query in ten) for dur.
func searchBench(ctx context.Context, st store, rare, common []string, clients int, dur time.Duration) {
	type sample struct {
		d      time.Duration
		common bool
	}
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			var mine []sample
			for time.Now().Before(deadline) {
				isCommon := r.IntN(10) == 0
				text := rare[r.IntN(len(rare))]
				if isCommon {
					text = common[r.IntN(len(common))]
				}
				t0 := time.Now()
				q, err := folio.ParseSearch(text)
				if err != nil {
					log.Fatalf("parse %q: %v", text, err)
				}
				q.Limit = 10
				if _, err := st.Search(ctx, q); err != nil {
					log.Fatalf("search %q: %v", text, err)
				}
				mine = append(mine, sample{time.Since(t0), isCommon})
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	report := func(label string, keep func(sample) bool) {
		var ds []time.Duration
		for _, s := range all {
			if keep(s) {
				ds = append(ds, s.d)
			}
		}
		if len(ds) == 0 {
			return
		}
		slices.Sort(ds)
		p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
		log.Printf("search %-7s %6d queries, %6.0f/s: p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms", label, len(ds),
			float64(len(ds))/dur.Seconds(), ms(p(0.5)), ms(p(0.9)), ms(p(0.99)), ms(ds[len(ds)-1]))
	}
	log.Printf("search at %d concurrent clients for %s (top 10, snippets included):", clients, dur)
	report("all", func(sample) bool { return true })
	report("rare", func(s sample) bool { return !s.common })
	report("common", func(s sample) bool { return s.common })
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// writeBench creates and then updates articles one at a time through the
// store, with the search index (and related marks) written in the same
// transaction. Beside the writer runs the index's upkeep that the
// related_refresh job every article write queues does first
// (MergeSearchIndex: PostgreSQL's GIN pending list), at most as often as
// River fetches jobs, so writes are timed against the index as the site
// keeps it. With -related the job's related lists are computed beside
// them too, as a burst of writes would have it on a one-machine site;
// their cost is reported apart.
func writeBench(ctx context.Context, st store, g *generator, k int, related bool) {
	if k <= 0 {
		return // -writes 0: search figures only
	}
	var author int64
	st.DB().QueryRowContext(ctx, `SELECT MIN(id) FROM users`).Scan(&author)
	// Indexing marked every generated article's related list stale: a
	// backlog the job works through over hours after a real import. The
	// writes are timed in the steady state, where the job keeps up, so
	// the backlog is dropped; the job then refreshes what the writes mark.
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM related_dirty`); err != nil {
		log.Fatal(err)
	}
	// One goroutine per job's work, woken by writes; a wake-up during a
	// run makes one more run after it.
	type worker struct {
		what  string
		wake  chan struct{}
		done  chan struct{}
		runs  []time.Duration
		n     int
		pause time.Duration // after each run, not timed
	}
	start := func(w *worker, work func() (int, error)) *worker {
		w.wake, w.done = make(chan struct{}, 1), make(chan struct{})
		go func() {
			defer close(w.done)
			for range w.wake {
				t0 := time.Now()
				n, err := work()
				if err != nil {
					log.Fatal(err)
				}
				w.runs = append(w.runs, time.Since(t0))
				w.n += n
				time.Sleep(w.pause)
			}
		}()
		return w
	}
	// River fetches jobs at most every 100 ms (its FetchCooldown), so a
	// burst of writes has its pending entries merged in batches.
	workers := []*worker{start(&worker{what: "index upkeep (MergeSearchIndex)", pause: 100 * time.Millisecond},
		func() (int, error) { return 0, st.MergeSearchIndex(ctx) })}
	if related {
		workers = append(workers, start(&worker{what: "related lists (RefreshRelated)"},
			func() (int, error) { return st.RefreshRelated(ctx, 50) }))
	}
	signal := func() {
		for _, w := range workers {
			select {
			case w.wake <- struct{}{}:
			default: // a run is already due
			}
		}
	}
	var ds []time.Duration
	for i := range k {
		title, body := g.title(), g.body()
		in := folio.ArticleInput{Title: title, Body: body, Status: folio.StatusPublished, AuthorIDs: []int64{author},
			Tags: []string{g.tags[i%len(g.tags)]}}
		if err := in.Validate(time.Now()); err != nil {
			log.Fatal(err)
		}
		t0 := time.Now()
		a, err := st.CreateArticle(ctx, in)
		if err != nil {
			log.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		signal()
		nb := body + "\n\nAn update. " + g.sentence()
		t0 = time.Now()
		if _, err := st.UpdateArticle(ctx, a.ID, folio.ArticleUpdate{Body: &nb}); err != nil {
			log.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		signal()
	}
	for _, w := range workers {
		close(w.wake)
		<-w.done
	}
	slices.Sort(ds)
	p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	with := "index upkeep beside them"
	if related {
		with += ", and related lists"
	}
	log.Printf("article writes (%d creates + %d updates, ~900 words, index on, %s): p50 %.2f ms  p99 %.2f ms  max %.2f ms",
		k, k, with, ms(p(0.5)), ms(p(0.99)), ms(ds[len(ds)-1]))
	for _, w := range workers {
		var sum time.Duration
		for _, d := range w.runs {
			sum += d
		}
		if len(w.runs) > 0 {
			log.Printf("  beside them, %s: %d runs, %.1f ms each on average (%d changed)", w.what, len(w.runs),
				ms(sum)/float64(len(w.runs)), w.n)
		}
	}
}

// generator makes articles from a Zipf-distributed vocabulary: English
// function words, a few thousand real content words, and many invented
// rarer ones (names, places, jargon), so that document frequencies range
// from nearly every article to a handful.
type generator struct {
	r      *rand.Rand
	zipf   *rand.Zipf
	vocab  []string
	tags   []string
	df     map[string]int
	dfOnce bool
}

var functionWords = strings.Fields(`the of and to in a is that for it as was with be by on not he this are or his from at which but
have an they you were their one all we can her has there been if more when will would who so no`)

var contentWords = strings.Fields(`government pipeline energy corridor port trade election court policy economy border water river dam
security military budget minister president parliament province city village farmer harvest wheat rice cotton textile export import
loan debt bank market inflation currency investment project road railway highway bridge tunnel power plant coal solar wind gas oil
electricity grid shortage crisis reform tax revenue school university student teacher hospital doctor health vaccine disease
climate flood drought heat rain monsoon glacier forest mountain valley desert coast island sea fishing fisherman boat ship container
cargo shipping logistics factory worker union strike protest police court judge law constitution rights media newspaper journalist
interview question answer analysis history war peace treaty alliance neighbour region diplomacy embassy ambassador summit conference
agreement negotiation sanction tariff industry technology internet mobile network startup software data privacy surveillance
election vote voter campaign party leader opposition coalition cabinet senate assembly district council mayor budget spending
subsidy price fuel transport bus train airport airline tourism hotel culture music film book language religion festival cricket
football stadium athlete league tournament population migration refugee labour wage poverty income family women children youth`)

func newGenerator(seed uint64) *generator {
	r := rand.New(rand.NewPCG(seed, 42))
	g := &generator{r: r, df: map[string]int{}}
	g.vocab = append(g.vocab, functionWords...)
	g.vocab = append(g.vocab, contentWords...)
	syll := strings.Fields("ka ri to man sha dar qa lin ver pol zen tar mo bel gwa dur kash sin ra vo len mir har bad pur nag kot za hel")
	seen := map[string]bool{}
	for _, w := range g.vocab {
		seen[w] = true
	}
	for len(g.vocab) < 40000 {
		k := 2 + r.IntN(3)
		var b strings.Builder
		for range k {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	g.zipf = rand.NewZipf(r, 1.07, 2, uint64(len(g.vocab)-1))
	for i := range 300 {
		g.tags = append(g.tags, strings.Title(g.vocab[60+i*7])) //nolint:staticcheck // ASCII words
	}
	return g
}

func (g *generator) word() string { return g.vocab[g.zipf.Uint64()] }

func (g *generator) sentence() string {
	n := 8 + g.r.IntN(18)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.word()
	}
	// Some plural and inflected forms, for the stemmer.
	if g.r.IntN(3) == 0 {
		ws[g.r.IntN(n)] += "s"
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (g *generator) title() string {
	ws := make([]string, 3+g.r.IntN(6))
	for i := range ws {
		ws[i] = g.vocab[len(functionWords)+g.r.IntN(4000)]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// body is 300 to 1,500 words in paragraphs.
func (g *generator) body() string {
	target := 300 + g.r.IntN(1201)
	var b strings.Builder
	words := 0
	for words < target {
		for range 3 + g.r.IntN(4) {
			s := g.sentence()
			words += strings.Count(s, " ") + 1
			b.WriteString(s)
			b.WriteString(" ")
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// load bulk-inserts n published articles by one author with tags.
func (g *generator) load(ctx context.Context, st store, n int, sqliteTimes bool) int64 {
	db := st.DB()
	u := &folio.User{Name: "Bench Author", Email: "bench@example.com", Role: folio.RoleAuthor}
	if err := u.Validate(); err != nil {
		log.Fatal(err)
	}
	if err := st.CreateUser(ctx, u); err != nil {
		log.Fatal(err)
	}
	tm := func(t time.Time) any {
		if sqliteTimes {
			return t.UTC().Format(sqlite.TimeFormat)
		}
		return t.UTC()
	}
	tagIDs := make([]int64, len(g.tags))
	for i, name := range g.tags {
		if err := db.QueryRowContext(ctx, `INSERT INTO tags (name, slug) VALUES ($1, $2) RETURNING id`, name, folio.Slugify(name)).Scan(&tagIDs[i]); err != nil {
			log.Fatal(err)
		}
	}
	start := time.Now().Add(-time.Duration(n) * time.Hour)
	const batch = 500
	for from := 0; from < n; from += batch {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			log.Fatal(err)
		}
		for i := from; i < min(n, from+batch); i++ {
			body := g.body()
			g.count(body)
			at := tm(start.Add(time.Duration(i) * time.Hour))
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO articles (title, slug, body, summary, status, published_at, created_at, updated_at)
				VALUES ($1, $2, $3, '', 'published', $4, $4, $4) RETURNING id`, g.title(), fmt.Sprintf("a-%d", i), body, at).Scan(&id); err != nil {
				log.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_authors (article_id, user_id, position) VALUES ($1, $2, 0)`, id, u.ID); err != nil {
				log.Fatal(err)
			}
			for k := range 1 + g.r.IntN(3) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
					id, tagIDs[g.r.IntN(len(tagIDs))], k); err != nil {
					log.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
		if (from/batch)%20 == 0 {
			log.Printf("  %d/%d", from, n)
		}
	}
	return u.ID
}

// count records each stem's document frequency in a generated body.
func (g *generator) count(body string) {
	seen := map[string]bool{}
	for _, w := range folio.Tokenize(body) {
		s := folio.Stem(w)
		if !seen[s] {
			seen[s] = true
			g.df[s]++
		}
	}
}

// vocabOnly recomputes frequencies when reusing a database: regenerate
// the same bodies (same seed) without writing them.
func (g *generator) vocabOnly(n int) {
	for range n {
		g.title()
		g.count(g.body())
		g.r.IntN(3)
	}
}

// queries picks the mix: rare terms (in at most 5% of articles, at least
// 0.05%), some as two-word or phrase queries, and common ones (in half or
// more of the articles).
func (g *generator) queries(_ store, _ context.Context, n int) (rare, common []string) {
	surface := map[string]string{}
	for _, w := range g.vocab {
		if _, ok := surface[folio.Stem(w)]; !ok {
			surface[folio.Stem(w)] = w
		}
	}
	var rareWords []string
	for stem, df := range g.df {
		w, ok := surface[stem]
		if !ok {
			continue
		}
		switch {
		case df <= n/20 && df >= max(2, n/2000):
			rareWords = append(rareWords, w)
		case df >= n/2 && !slices.Contains(functionWords, w):
			common = append(common, w)
		}
	}
	slices.Sort(rareWords)
	slices.Sort(common)
	common = append(common, "the", "government", "the government") // "the" alone is kept: a worst case
	r := rand.New(rand.NewPCG(3, 3))
	for range 500 {
		a := rareWords[r.IntN(len(rareWords))]
		switch r.IntN(5) {
		case 0:
			rare = append(rare, a+" "+rareWords[r.IntN(len(rareWords))])
		case 1:
			rare = append(rare, a+"s") // stemming
		default:
			rare = append(rare, a)
		}
	}
	return rare, common
}
