package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"folio"

	"github.com/prometheus/client_golang/prometheus"
)

// Background work goes through a folio.JobQueue (package jobs, on River):
// the server queues a job where it used to start a goroutine or wait for
// its poll tick, and Work, called by the queue on whichever node fetches
// the job, does it. Without a queue (Config.Jobs nil: tests, tools) the
// server runs the same work itself, best effort, as before River.

// Work implements jobs.Handler: it does one job. A returned error makes
// the queue retry the job later. Each kind is safe to run twice.
func (s *Server) Work(ctx context.Context, j folio.Job) error {
	switch j := j.(type) {
	case folio.PublishDueJob:
		return s.publishDue(ctx)
	case folio.CommentNoticeJob:
		return s.sendCommentNotice(ctx, j)
	case folio.ShareCardJob:
		return s.storeShareCard(ctx, j.ArticleID)
	case folio.RelatedRefreshJob:
		return s.refreshRelatedJob(ctx)
	}
	return fmt.Errorf("unknown job kind %q", j.Kind())
}

// enqueue queues j, logging a failure: the write that caused it is
// stored, and the leader's periodic sweeps catch up publishing and related
// lists; a lost mail is logged.
func (s *Server) enqueue(ctx context.Context, j folio.Job) {
	if err := s.jobs.Enqueue(ctx, j); err != nil {
		s.logger.Error("job not queued", "kind", j.Kind(), "err", err)
	}
}

// articleWritten follows a write to an article: pages go, its share card
// is drawn again and related lists are brought up to date, off the
// request.
func (s *Server) articleWritten(ctx context.Context, id int64) {
	s.written(ctx)
	s.enqueue(ctx, folio.RelatedRefreshJob{})
	if s.blobs != nil {
		s.enqueue(ctx, folio.ShareCardJob{ArticleID: id})
	}
}

// publishDue publishes what is due; PublishDue changes each article once
// however many nodes run it.
func (s *Server) publishDue(ctx context.Context) error {
	n, err := s.store.PublishDue(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		s.logger.Info("scheduled articles published", "count", n)
		s.written(ctx)
		s.enqueue(ctx, folio.RelatedRefreshJob{})
	}
	return nil
}

// refreshRelatedJob brings stale related lists up to date. A change bumps
// the content version, so every node drops its pages within a poll.
func (s *Server) refreshRelatedJob(ctx context.Context) error {
	n, err := s.store.RefreshRelated(ctx, 50)
	if err != nil {
		return err
	}
	if n > 0 {
		s.cache.flush()
	}
	return nil
}

// inlineJobs is the queue of a server without one: work runs in a
// goroutine of this process (tracked by comments.notify, so tests can
// wait), once, and a failure is only logged. Scheduled publishing and
// related lists are then left to Run's tick.
type inlineJobs struct{ s *Server }

func (q inlineJobs) Enqueue(_ context.Context, j folio.Job) error {
	switch j.(type) {
	case folio.PublishDueJob, folio.RelatedRefreshJob:
		return nil // Run's tick does these
	}
	s := q.s
	s.comments.notify.Add(1)
	go func() {
		defer s.comments.notify.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.Work(ctx, j); err != nil {
			s.logger.Error("background work failed", "kind", j.Kind(), "err", err)
		}
	}()
	return nil
}

func (inlineJobs) Jobs(context.Context, folio.JobFilter) ([]*folio.JobInfo, error) { return nil, nil }
func (inlineJobs) RetryJob(_ context.Context, id int64) error {
	return fmt.Errorf("retry job %d: %w", id, folio.ErrNotFound)
}
func (inlineJobs) JobCounts(context.Context) (map[string]int, error) { return map[string]int{}, nil }

// jobsCollector exports the queue's depth by state on /metrics, read from
// the database at scrape time, so every node reports the shared queue.
type jobsCollector struct {
	q    folio.JobQueue
	desc *prometheus.Desc
}

func newJobsCollector(q folio.JobQueue) *jobsCollector {
	return &jobsCollector{q: q, desc: prometheus.NewDesc("folio_jobs",
		"Background jobs by state (available, scheduled, running, retryable: the queue's depth; discarded: failed for good).",
		[]string{"state"}, nil)}
}

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.q.JobCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, st := range folio.JobStates {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[st]), st)
	}
}

// jobsPage is /admin/jobs.
type jobsPage struct {
	adminBase
	State   string
	States  []string
	Counts  map[string]int
	Jobs    []jobView
	NoQueue bool
}

type jobView struct {
	*folio.JobInfo
	Scheduled, Finished string
	CanRetry            bool
}

func fmtJobTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// handleAdminJobs lists recent background jobs, newest first, by state.
func (s *Server) handleAdminJobs(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains(folio.JobStates, state) {
		state = ""
	}
	list, err := s.jobs.Jobs(ctx, folio.JobFilter{State: state, Limit: 200})
	if err != nil {
		return err
	}
	counts, err := s.jobs.JobCounts(ctx)
	if err != nil {
		return err
	}
	p := jobsPage{adminBase: s.base(ctx, r, u, "Jobs", "jobs"), State: state, States: folio.JobStates, Counts: counts}
	_, p.NoQueue = s.jobs.(inlineJobs)
	for _, j := range list {
		p.Jobs = append(p.Jobs, jobView{JobInfo: j, Scheduled: fmtJobTime(&j.ScheduledAt), Finished: fmtJobTime(j.FinalizedAt),
			CanRetry: j.State == "discarded" || j.State == "cancelled" || j.State == "retryable"})
	}
	s.render(w, r, http.StatusOK, "admin_jobs.html", p)
	return nil
}

// handleAdminJobRetry runs a failed job again now.
func (s *Server) handleAdminJobRetry(w http.ResponseWriter, r *http.Request, u *folio.User) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return folio.ErrNotFound
	}
	if err := s.jobs.RetryJob(r.Context(), id); err != nil {
		return err
	}
	s.logger.Info("job retried", "job_id", id, "user_id", u.ID)
	back := "/admin/jobs?done=retried"
	if st := r.URL.Query().Get("state"); slices.Contains(folio.JobStates, st) {
		back += "&state=" + st
	}
	seeOther(w, r, back)
	return nil
}
