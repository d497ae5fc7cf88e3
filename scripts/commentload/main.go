// Command commentload seeds and measures Folio's comments over HTTP, the way
// readers reach them: it fetches the article page for each form token,
// waits the two seconds a person needs, and posts the form.
//
//	commentload -base URL -slug SLUG -token API_TOKEN -mode seed -n 200
//	commentload -base URL -slug SLUG -token API_TOKEN -mode post -writers 20 -n 25 -max-p99 20ms
//
// seed adds n approved comments in threads of four (the first is approved
// through the API, which makes the commenter trusted). post runs writers concurrent writers, reports
// latency percentiles of the acknowledged POSTs, then lists the article's
// comments through the API and fails unless every acknowledged comment is
// there and p99 is under -max-p99. The server's per-address limit must be
// raised (folio serve --comment-limit 1000000/1m).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

type loader struct {
	base, slug, apiToken string
	client               *http.Client
}

func main() {
	var l loader
	var mode string
	var n, writers int
	var maxP99 time.Duration
	flag.StringVar(&l.base, "base", "http://127.0.0.1:8080", "Folio's base URL")
	flag.StringVar(&l.slug, "slug", "", "article slug (percent-encoded)")
	flag.StringVar(&l.apiToken, "token", "", "API token of an admin or editor")
	flag.StringVar(&mode, "mode", "post", "seed or post")
	flag.IntVar(&n, "n", 200, "comments (seed) or comments per writer (post)")
	flag.IntVar(&writers, "writers", 20, "concurrent writers (post)")
	flag.DurationVar(&maxP99, "max-p99", 20*time.Millisecond, "fail when the POST p99 reaches this")
	flag.Parse()
	l.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers + 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var err error
	switch mode {
	case "seed":
		err = l.seed(n)
	case "post":
		err = l.post(writers, n, maxP99)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "commentload:", err)
		os.Exit(1)
	}
}

// tokens fetches n form tokens and waits until they may be used.
func (l *loader) tokens(n int) ([]string, error) {
	out := make([]string, 0, n)
	for range n {
		res, err := l.client.Get(l.base + "/" + l.slug)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := tokenRe.FindSubmatch(b)
		if res.StatusCode != 200 || m == nil {
			return nil, fmt.Errorf("GET /%s: %d, token found: %v", l.slug, res.StatusCode, m != nil)
		}
		out = append(out, string(m[1]))
	}
	time.Sleep(2100 * time.Millisecond)
	return out, nil
}

type posted struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

func (l *loader) postOne(token, email, body string, parent int64) (posted, time.Duration, error) {
	form := url.Values{"token": {token}, "name": {"Load " + email}, "email": {email}, "body": {body}}
	if parent > 0 {
		form.Set("parent", fmt.Sprint(parent))
	}
	req, _ := http.NewRequest("POST", l.base+"/"+l.slug+"/comments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		return posted{}, 0, err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(start)
	var p posted
	if res.StatusCode != http.StatusCreated || json.Unmarshal(b, &p) != nil || p.ID == 0 {
		return posted{}, d, fmt.Errorf("POST: %d %s", res.StatusCode, b)
	}
	return p, d, nil
}

func (l *loader) api(method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, l.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+l.apiToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := l.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return b, nil
}

func (l *loader) seed(n int) error {
	toks, err := l.tokens(n)
	if err != nil {
		return err
	}
	email := "bench-seed@example.com"
	first, _, err := l.postOne(toks[0], email, "The first seeded comment, with *emphasis* and a [link](https://example.com).", 0)
	if err != nil {
		return err
	}
	if first.Status != "approved" {
		if _, err := l.api("PATCH", fmt.Sprintf("/api/v1/comments/%d", first.ID), map[string]string{"status": "approved"}); err != nil {
			return err
		}
	}
	// A discussion: every fourth comment starts a thread, the others reply
	// in it, so all n fit on the article's first page of threads.
	root := first.ID
	for i := 1; i < n; i++ {
		parent := root
		if i%4 == 0 {
			parent = 0
		}
		body := fmt.Sprintf("Seeded comment %d. A paragraph of ordinary length about the interview, its second answer and what it leaves out; "+
			"long enough to look like a real reader's comment on an analysis site.", i)
		p, _, err := l.postOne(toks[i], email, body, parent)
		if err != nil {
			return err
		}
		if parent == 0 {
			root = p.ID
		}
		if p.Status != "approved" {
			return fmt.Errorf("seeded comment %d is %s", p.ID, p.Status)
		}
	}
	fmt.Printf("seeded %d approved comments on /%s\n", n, l.slug)
	return nil
}

func (l *loader) post(writers, n int, maxP99 time.Duration) error {
	toks, err := l.tokens(writers * n)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var lat []time.Duration
	var ids []int64
	var errs []error
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for i := range n {
				p, d, err := l.postOne(toks[w*n+i], fmt.Sprintf("writer%d@example.com", w), fmt.Sprintf("Writer %d, comment %d: a short remark.", w, i), 0)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					lat = append(lat, d)
					ids = append(ids, p.ID)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("comment POSTs: %d acknowledged, %d failed, %d writers, %.0f/s; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		len(lat), len(errs), writers, float64(len(lat))/elapsed.Seconds(),
		ms(pct(0.5)), ms(pct(0.9)), ms(pct(0.99)), ms(pct(1)))
	// Every acknowledged comment must be stored.
	seen := map[int64]bool{}
	for offset := 0; ; offset += 500 {
		b, err := l.api("GET", fmt.Sprintf("/api/v1/comments?limit=500&offset=%d", offset), nil)
		if err != nil {
			return err
		}
		var page struct {
			Comments []struct {
				ID int64 `json:"id"`
			} `json:"comments"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return err
		}
		for _, c := range page.Comments {
			seen[c.ID] = true
		}
		if len(page.Comments) < 500 {
			break
		}
	}
	missing := 0
	for _, id := range ids {
		if !seen[id] {
			missing++
		}
	}
	fmt.Printf("verified: %d of %d acknowledged comments stored, %d missing\n", len(ids)-missing, len(ids), missing)
	switch {
	case len(errs) > 0:
		return fmt.Errorf("%d POSTs failed, first: %v", len(errs), errs[0])
	case missing > 0:
		return fmt.Errorf("%d acknowledged comments missing", missing)
	case pct(0.99) >= maxP99:
		return fmt.Errorf("p99 %.2f ms ≥ %v", ms(pct(0.99)), maxP99)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
