package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"folio"
	"folio/internal/pgtest"
	"folio/jobs"

	"github.com/riverqueue/river"
)

// recorder is a Handler that counts what it ran and fails on request.
type recorder struct {
	mu    sync.Mutex
	runs  map[string]int
	fails map[string]int // kind → failures still to give
	cance map[string]int // kind → cancellations still to give
}

func (r *recorder) Work(_ context.Context, j folio.Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := j.Kind()
	if p, ok := j.(folio.PublishDueJob); ok && p.At.IsZero() {
		k = "publish_sweep" // the leader's backstop, run at start
	}
	r.runs[k]++
	if r.fails[j.Kind()] > 0 {
		r.fails[j.Kind()]--
		return errors.New("smtp: connection refused")
	}
	if r.cance[j.Kind()] > 0 {
		r.cance[j.Kind()]--
		return river.JobCancel(errors.New("given up"))
	}
	return nil
}

func (r *recorder) count(kind string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[kind]
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func opts() jobs.Options {
	return jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), FetchPoll: 100 * time.Millisecond,
		SweepEvery: time.Hour, RetryDelay: 10 * time.Millisecond}
}

func TestQueue(t *testing.T) {
	t.Parallel()
	engines := map[string]func(t *testing.T) *jobs.Queue{
		"sqlite": func(t *testing.T) *jobs.Queue {
			q, err := jobs.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "folio.db"), opts())
			if err != nil {
				t.Fatal(err)
			}
			return q
		},
		"postgres": func(t *testing.T) *jobs.Queue {
			pgtest.Require(t)
			q, err := jobs.OpenPostgres(context.Background(), pgtest.NewSchema(t, pgtest.BaseURL()), opts())
			if err != nil {
				t.Fatal(err)
			}
			return q
		},
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testQueue(t, open)
		})
	}
}

func testQueue(t *testing.T, open func(t *testing.T) *jobs.Queue) {
	ctx := context.Background()
	q := open(t)
	t.Cleanup(q.Close)
	rec := &recorder{runs: map[string]int{}, fails: map[string]int{"comment_notice": 2}, cance: map[string]int{"share_card": 1}}

	// Queued twice before any node works: one job.
	notice := folio.CommentNoticeJob{CommentID: 7, Event: folio.CommentPostedEvent}
	for range 2 {
		if err := q.Enqueue(ctx, notice); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().Add(time.Second).UTC().Truncate(time.Microsecond)
	for range 2 {
		if err := q.Enqueue(ctx, folio.PublishDueJob{At: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Enqueue(ctx, folio.ShareCardJob{ArticleID: 3}); err != nil {
		t.Fatal(err)
	}
	counts, err := q.JobCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["available"] != 2 || counts["scheduled"] != 1 {
		t.Fatalf("counts before start = %v, want 2 available, 1 scheduled", counts)
	}

	if err := q.Start(ctx, rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(sctx)
	})

	// The notice fails twice (SMTP down), then succeeds: three runs, one
	// completed job carrying both errors.
	waitFor(t, "notice to complete", 30*time.Second, func() bool {
		js, err := q.Jobs(ctx, folio.JobFilter{State: "completed"})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range js {
			if j.Kind == "comment_notice" {
				if len(j.Errors) != 2 || j.Attempt != 3 {
					t.Fatalf("notice job: attempt %d, errors %q", j.Attempt, j.Errors)
				}
				return true
			}
		}
		return false
	})
	if n := rec.count("comment_notice"); n != 3 {
		t.Errorf("notice ran %d times, want 3", n)
	}

	// The scheduled job runs once, not before its time.
	waitFor(t, "publish job", 15*time.Second, func() bool { return rec.count("publish_due") >= 1 })
	if time.Now().Before(at) {
		t.Error("publish job ran before its time")
	}

	// A cancelled job is listed with its error; Retry runs it again.
	var cancelled *folio.JobInfo
	waitFor(t, "share card cancelled", 10*time.Second, func() bool {
		js, err := q.Jobs(ctx, folio.JobFilter{State: "cancelled"})
		if err != nil {
			t.Fatal(err)
		}
		if len(js) == 1 {
			cancelled = js[0]
		}
		return cancelled != nil
	})
	if cancelled.Kind != "share_card" || len(cancelled.Errors) != 1 {
		t.Fatalf("cancelled job = %+v", cancelled)
	}
	if err := q.RetryJob(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "retried share card", 15*time.Second, func() bool { return rec.count("share_card") == 2 })
	if err := q.RetryJob(ctx, 1<<40); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("retry of unknown job: %v, want ErrNotFound", err)
	}

	// Queued again after it completed: still one job.
	if err := q.Enqueue(ctx, notice); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := rec.count("comment_notice"); n != 3 {
		t.Errorf("notice ran %d times after a second enqueue, want 3", n)
	}
	if n := rec.count("publish_due"); n != 1 {
		t.Errorf("publish job ran %d times, want 1", n)
	}
}

// TestMigrateTogether: three nodes opening the queue on one fresh
// PostgreSQL schema at once all succeed (River's migrations run under the
// store's migration lock).
func TestMigrateTogether(t *testing.T) {
	t.Parallel()
	pgtest.Require(t)
	url := pgtest.NewSchema(t, pgtest.BaseURL())
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			q, err := jobs.OpenPostgres(context.Background(), url, opts())
			if err == nil {
				q.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
}
