// Package jobs runs Folio's background work on River
// (github.com/riverqueue/river): its pgx driver on PostgreSQL, its SQLite
// driver on SQLite. It owns the River client, the job kinds' queue
// options, the workers and River's migrations; what a job does is the
// Handler's business (web.Server), so this package knows no HTTP and web
// knows no River.
//
// Delivery is at least once. Each kind is safe to run twice: publishing is
// a conditional update, share cards and related lists are derived data,
// and mail claims a once-only marker per recipient (folio.EffectStore).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"folio"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Handler does the work of each job kind. A returned error makes River
// retry the job later, with exponential backoff, up to its attempts.
type Handler interface {
	Work(ctx context.Context, j folio.Job) error
}

// Options tune a Queue; the zero value suits production.
type Options struct {
	Logger *slog.Logger
	// Workers is how many jobs run at once on this node. Default 4.
	Workers int
	// FetchPoll is how often an idle node looks for new jobs when it hears
	// no notification (SQLite always polls). Default 1s.
	FetchPoll time.Duration
	// SweepEvery is the period of the leader's backstop jobs (publish due
	// articles, refresh related lists). Default 1 minute.
	SweepEvery time.Duration
	// RetryDelay, when set, replaces River's exponential backoff with a
	// fixed delay (tests).
	RetryDelay time.Duration
}

// client is what Queue uses of a River client; *river.Client[pgx.Tx] and
// *river.Client[*sql.Tx] both have it, so one Queue serves both drivers.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Queue is a folio.JobQueue on River. Open it with OpenPostgres or
// OpenSQLite, Start it with the Handler once the server exists, Stop it
// before closing the store.
type Queue struct {
	client  client
	counts  func(ctx context.Context) (map[string]int, error)
	close   func()
	handler atomic.Pointer[Handler]
	logger  *slog.Logger
}

var _ folio.JobQueue = (*Queue)(nil)

// config builds the River client configuration both drivers share.
func (q *Queue) config(o Options, schema string) *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker[folio.PublishDueJob]{q: q})
	river.AddWorker(workers, &worker[folio.CommentNoticeJob]{q: q})
	river.AddWorker(workers, &worker[folio.ShareCardJob]{q: q})
	river.AddWorker(workers, &worker[folio.RelatedRefreshJob]{q: q})
	sweep := max(o.SweepEvery, 0)
	if sweep == 0 {
		sweep = time.Minute
	}
	cfg := &river.Config{
		Logger:            quiet(o.Logger),
		Schema:            schema,
		Workers:           workers,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: max(o.Workers, 4)}},
		FetchPollInterval: o.FetchPoll,
		// The leader (one node) queues the backstops; uniqueness by
		// period keeps a new leader from doubling them.
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
				return folio.PublishDueJob{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: sweep}}
			}, &river.PeriodicJobOpts{ID: "publish_sweep", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(sweep), func() (river.JobArgs, *river.InsertOpts) {
				return folio.RelatedRefreshJob{}, &river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: sweep}}
			}, &river.PeriodicJobOpts{ID: "related_sweep", RunOnStart: true}),
		},
	}
	if o.RetryDelay > 0 {
		cfg.RetryPolicy = fixedRetry(o.RetryDelay)
	}
	return cfg
}

// quiet passes on River's warnings and errors only: at info it reports
// its producers' job counts every few seconds.
func quiet(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(warnHandler{l.Handler()})
}

type warnHandler struct{ slog.Handler }

func (h warnHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}
func (h warnHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return warnHandler{h.Handler.WithAttrs(a)}
}
func (h warnHandler) WithGroup(n string) slog.Handler { return warnHandler{h.Handler.WithGroup(n)} }

type fixedRetry time.Duration

func (d fixedRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Duration(d)) }

// worker runs one kind by handing its args to the Handler.
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	q *Queue
}

func (w *worker[T]) Work(ctx context.Context, j *river.Job[T]) error {
	h := w.q.handler.Load()
	if h == nil {
		return errors.New("jobs: no handler yet")
	}
	return (*h).Work(ctx, any(j.Args).(folio.Job))
}

// Start begins working jobs with h. Jobs queued before Start wait.
func (q *Queue) Start(ctx context.Context, h Handler) error {
	q.handler.Store(&h)
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	return nil
}

// Stop lets running jobs finish (until ctx ends) and stops fetching.
func (q *Queue) Stop(ctx context.Context) error {
	if err := q.client.Stop(ctx); err != nil {
		return fmt.Errorf("stop job queue: %w", err)
	}
	return nil
}

// Close releases the queue's database handles; Stop first.
func (q *Queue) Close() { q.close() }

// Enqueue implements folio.JobQueue. Each kind's options say when two
// insertions are one job.
func (q *Queue) Enqueue(ctx context.Context, j folio.Job) error {
	args, ok := j.(river.JobArgs)
	if !ok {
		return fmt.Errorf("enqueue %T: not a job", j)
	}
	if _, err := q.client.Insert(ctx, args, insertOpts(j)); err != nil {
		return fmt.Errorf("enqueue %s: %w", j.Kind(), err)
	}
	return nil
}

// waiting are the states a unique job is looked for in when a finished
// one must not stop a new one: River requires these four.
var waiting = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateScheduled}

func insertOpts(j folio.Job) *river.InsertOpts {
	switch j := j.(type) {
	case folio.PublishDueJob:
		// One job per publish time across all nodes, however many of
		// them see the time come; a completed one counts too.
		return &river.InsertOpts{ScheduledAt: j.At, UniqueOpts: river.UniqueOpts{ByArgs: true}}
	case folio.CommentNoticeJob:
		// One job per comment and event, ever (until River cleans
		// finished jobs after a day); the mail itself is once-only per
		// recipient through EffectStore.
		return &river.InsertOpts{MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true}}
	case folio.ShareCardJob:
		// A second save while one waits adds nothing; one running may
		// be drawing the old title, so a new one may queue beside it.
		return &river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waiting}}
	case folio.RelatedRefreshJob:
		// Not unique: River counts a running job as a duplicate, and a
		// write landing while a refresh runs must still get its own.
		// A refresh that finds nothing stale costs one query.
		return &river.InsertOpts{MaxAttempts: 5}
	}
	return nil
}

// Jobs implements folio.JobQueue.
func (q *Queue) Jobs(ctx context.Context, f folio.JobFilter) ([]*folio.JobInfo, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	p := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if f.State != "" {
		p = p.States(rivertype.JobState(f.State))
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]*folio.JobInfo, len(res.Jobs))
	for i, r := range res.Jobs {
		ji := &folio.JobInfo{ID: r.ID, Kind: r.Kind, State: string(r.State), Args: string(r.EncodedArgs),
			Attempt: r.Attempt, MaxAttempts: r.MaxAttempts, CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt,
			AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt}
		for _, e := range r.Errors {
			ji.Errors = append(ji.Errors, e.Error)
		}
		out[i] = ji
	}
	return out, nil
}

// RetryJob implements folio.JobQueue.
func (q *Queue) RetryJob(ctx context.Context, id int64) error {
	if _, err := q.client.JobRetry(ctx, id); errors.Is(err, rivertype.ErrNotFound) {
		return fmt.Errorf("retry job %d: %w", id, folio.ErrNotFound)
	} else if err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	return nil
}

// JobCounts implements folio.JobQueue.
func (q *Queue) JobCounts(ctx context.Context) (map[string]int, error) {
	m, err := q.counts(ctx)
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return m, nil
}

// scanCounts reads (state, count) rows.
func scanCounts(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) (map[string]int, error) {
	m := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		m[s] = n
	}
	return m, rows.Err()
}
