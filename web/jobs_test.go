package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"folio"
	"folio/internal/pgtest"
	"folio/internal/smtptest"
	"folio/jobs"
	"folio/store/postgres"
	"folio/store/sqlite"
)

// memBlobs is a BlobStore in memory that counts writes (the media issue
// brings the real ones; share cards need only the contract).
type memBlobs struct {
	mu   sync.Mutex
	m    map[string][]byte
	puts int
}

func (b *memBlobs) Put(_ context.Context, key string, r io.Reader, ct string) (folio.BlobInfo, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return folio.BlobInfo{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = data
	b.puts++
	return folio.BlobInfo{Key: key, Size: int64(len(data)), ContentType: ct}, nil
}

func (b *memBlobs) Get(_ context.Context, key string) (io.ReadCloser, folio.BlobInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[key]
	if !ok {
		return nil, folio.BlobInfo{}, folio.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(d)), folio.BlobInfo{Key: key, Size: int64(len(d))}, nil
}

func (b *memBlobs) Stat(ctx context.Context, key string) (folio.BlobInfo, error) {
	rc, bi, err := b.Get(ctx, key)
	if err == nil {
		rc.Close()
	}
	return bi, err
}

func (b *memBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

func (b *memBlobs) List(_ context.Context, prefix string, fn func(folio.BlobInfo) error) error {
	b.mu.Lock()
	var keys []string
	for k := range b.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	b.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(folio.BlobInfo{Key: k}); err != nil {
			return err
		}
	}
	return nil
}

// jobsEnv is a test server with a River queue on the engine named, mail
// going to sink and share cards to blobs. The store's clock is real, so
// River's schedule and the store agree.
type jobsEnv struct {
	*testEnv
	queue *jobs.Queue
	sink  *smtptest.Sink
	blobs *memBlobs
}

func newJobsEnv(t *testing.T, engine string) *jobsEnv {
	t.Helper()
	ctx := context.Background()
	o := jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FetchPoll: 100 * time.Millisecond,
		SweepEvery: time.Hour, RetryDelay: 50 * time.Millisecond}
	var st folio.Store
	var now *func() time.Time
	var q *jobs.Queue
	var err error
	switch engine {
	case "sqlite":
		path := filepath.Join(t.TempDir(), "folio.db")
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		st, now = s, &s.Now
		q, err = jobs.OpenSQLite(ctx, path, o)
		if err != nil {
			t.Fatal(err)
		}
	case "postgres":
		pgtest.Require(t)
		u := pgtest.NewSchema(t, pgtest.BaseURL())
		s, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		st, now = s, &s.Now
		q, err = jobs.OpenPostgres(ctx, u, o)
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(q.Close)
	je := &jobsEnv{queue: q, sink: smtptest.Start(t), blobs: &memBlobs{m: map[string][]byte{}}}
	je.testEnv = newTestServerOn(t, st, now, func(c *Config) {
		c.Jobs = q
		c.Blobs = je.blobs
		c.Comments = CommentConfig{SMTP: SMTPConfig{Addr: je.sink.Addr(), From: "site@example.com"}}
	})
	je.clock.mu.Lock()
	je.clock.live = true // River schedules by the real time
	je.clock.mu.Unlock()
	if err = q.Start(ctx, je.srv); err != nil {
		t.Fatal(err)
	}
	run, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go je.srv.Run(run)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(sctx)
	})
	return je
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *jobsEnv) job(kind string, match func(*folio.JobInfo) bool) *folio.JobInfo {
	e.t.Helper()
	js, err := e.queue.Jobs(context.Background(), folio.JobFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, j := range js {
		if j.Kind == kind && (match == nil || match(j)) {
			return j
		}
	}
	return nil
}

// TestJobs runs every job kind through River on both engines.
func TestJobs(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			e := newJobsEnv(t, engine)
			ctx := context.Background()

			// A comment while the relay is down: the notice fails, is
			// retried, and the author gets one mail. Delivered again
			// (queued anew, or run by hand as a second node would), it
			// sends nothing more.
			e.sink.Refuse.Store(2)
			a := publishedArticle(e.testEnv, "Mail through the queue")
			if res := e.postComment(a.Slug, commentVals("body", "Queued words.")); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("post = %d %s", res.StatusCode, res.body)
			}
			e.sink.WaitFor(t, "admin@example.com", "Queued words.")
			var notice *folio.JobInfo
			eventually(t, "completed notice job", func() bool {
				notice = e.job("comment_notice", func(j *folio.JobInfo) bool { return j.State == "completed" })
				return notice != nil
			})
			if notice.Attempt < 2 || len(notice.Errors) == 0 {
				t.Errorf("notice job: attempt %d, errors %q; want a retry after the refused connection", notice.Attempt, notice.Errors)
			}
			c := e.store.(folio.CommentStore)
			list, _, err := c.FindComments(ctx, folio.CommentFilter{ArticleID: a.ID})
			if err != nil || len(list) != 1 {
				t.Fatalf("comments: %v %d", err, len(list))
			}
			job := folio.CommentNoticeJob{CommentID: list[0].ID, Event: folio.CommentPostedEvent}
			if err := e.queue.Enqueue(ctx, job); err != nil {
				t.Fatal(err)
			}
			if err := e.srv.Work(ctx, job); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			if n := e.sink.Count("admin@example.com", "Queued words."); n != 1 {
				t.Errorf("author got %d mails about the comment, want 1", n)
			}

			// Publishing and editing queue a share card and a related
			// refresh: the card lands in the blob store once and is served
			// from there; the older article lists the newer.
			old := e.mustCreateArticle(map[string]any{"title": "Rivers of the north", "body": "Salmon rivers, fishing and boats on northern rivers.", "status": "published", "tags": []string{"rivers"}})
			newer := e.mustCreateArticle(map[string]any{"title": "Rivers of the south", "body": "Salmon rivers, fishing and boats on southern rivers.", "status": "published", "tags": []string{"rivers"}})
			eventually(t, "related list", func() bool {
				rel, err := e.store.RelatedArticles(ctx, old.ID, 5)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rel {
					if r.ID == newer.ID {
						return true
					}
				}
				return false
			})
			var key string
			eventually(t, "stored share card", func() bool {
				e.blobs.mu.Lock()
				defer e.blobs.mu.Unlock()
				for k := range e.blobs.m {
					if strings.HasPrefix(k, shareCardPrefix(newer.ID)) {
						key = k
					}
				}
				return key != ""
			})
			puts := e.blobs.puts
			if err := e.srv.Work(ctx, folio.ShareCardJob{ArticleID: newer.ID}); err != nil {
				t.Fatal(err)
			}
			if e.blobs.puts != puts {
				t.Error("share card drawn again for the same content")
			}
			res := e.do("GET", "/"+newer.Slug+"/share.png", nil)
			if res.StatusCode != 200 || !bytes.Equal(res.body, e.blobs.m[key]) {
				t.Errorf("share.png = %d, %d bytes; want the stored card (%d bytes)", res.StatusCode, len(res.body), len(e.blobs.m[key]))
			}

			// A scheduled article is published by the job queued for its
			// time.
			at := e.clock.Now().Add(time.Second).UTC().Truncate(time.Second).Add(time.Second)
			created := time.Now()
			sch := e.mustCreateArticle(map[string]any{"title": "Later", "body": "Soon.", "status": "scheduled", "published_at": at.Format(time.RFC3339)})
			eventually(t, "scheduled article published", func() bool {
				a, err := e.store.FindArticleByID(ctx, sch.ID)
				if err != nil {
					t.Fatal(err)
				}
				return a.Status == folio.StatusPublished
			})
			if e.clock.Now().Before(at) {
				t.Error("published before its time")
			}
			// The job queued for its time, or the leader's backstop sweep
			// when that ran first: its first run waits for a leader to be
			// elected, which can take seconds on a busy machine.
			if j := e.job("publish_due", func(j *folio.JobInfo) bool {
				return strings.Contains(j.Args, at.Format("15:04:05")) ||
					!strings.Contains(j.Args, `"at"`) && j.FinalizedAt != nil && j.FinalizedAt.After(created)
			}); j == nil {
				t.Error("no publish_due job ran for the scheduled article")
			}

			// The admin lists jobs by state, and Retry runs one again.
			admin := e.session(e.users[folio.RoleAdmin])
			page := e.do("GET", "/admin/jobs?state=completed", nil, admin)
			if page.StatusCode != 200 {
				t.Fatalf("/admin/jobs = %d", page.StatusCode)
			}
			doc := page.doc(t)
			if doc.Find(`.admin-nav a[href="/admin/jobs"]`).Length() != 1 {
				t.Error("no Jobs link in the admin navigation")
			}
			if !strings.Contains(doc.Find("table.list").Text(), "comment_notice") {
				t.Errorf("jobs page lacks the notice job:\n%s", page.body)
			}
			if r := e.do("GET", "/admin/jobs", nil, e.session(e.users[folio.RoleEditor])); r.StatusCode == 200 {
				t.Error("an editor sees the jobs page")
			}
			before := e.job("share_card", func(j *folio.JobInfo) bool { return j.State == "completed" })
			r := e.post("/admin/jobs/"+itoa(before.ID)+"/retry", url.Values{}, admin)
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("retry = %d %s", r.StatusCode, r.body)
			}
			eventually(t, "retried job to run", func() bool {
				j := e.job("share_card", func(j *folio.JobInfo) bool { return j.ID == before.ID })
				return j.State == "completed" && j.Attempt == before.Attempt+1
			})

			// /metrics shows the queue's depth.
			m := e.do("GET", "/metrics", nil)
			if !strings.Contains(m.text(), `folio_jobs{state="available"}`) || !strings.Contains(m.text(), `folio_jobs{state="completed"}`) {
				t.Errorf("metrics lack folio_jobs:\n%s", m.text())
			}
		})
	}
}
