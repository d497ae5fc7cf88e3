package folio

import (
	"context"
	"time"
)

// Job is a piece of background work: what to do, small enough to store as
// JSON in the queue. Kind names it in the queue (the contract River's
// JobArgs asks for), so it must never change once jobs of it exist.
// Delivery is at least once: whoever runs a job makes its effect happen
// once even when it runs twice.
type Job interface {
	Kind() string
}

// PublishDueJob publishes the scheduled articles whose time has come.
// Every node queues one when the earliest pending publish time At comes;
// the queue keeps one per time, so it runs once across all nodes. A
// periodic sweep queues one without At as a backstop.
type PublishDueJob struct {
	At time.Time `json:"at,omitzero"`
}

// Kind implements Job.
func (PublishDueJob) Kind() string { return "publish_due" }

// CommentNoticeJob sends the mail a comment causes. Event is
// CommentPosted (authors, subscribers, the commenter's own confirmation
// link when Subscribe) or CommentApprovedEvent (subscribers, once a
// moderator lets a held comment through).
type CommentNoticeJob struct {
	CommentID int64  `json:"comment_id"`
	Event     string `json:"event"`
	Subscribe bool   `json:"subscribe,omitempty"`
}

// The events of a CommentNoticeJob.
const (
	CommentPostedEvent   = "posted"
	CommentApprovedEvent = "approved"
)

// Kind implements Job.
func (CommentNoticeJob) Kind() string { return "comment_notice" }

// ShareCardJob draws an article's share card into the blob store, so that
// /{slug}/share.png is served from there instead of drawn on request.
type ShareCardJob struct {
	ArticleID int64 `json:"article_id"`
}

// Kind implements Job.
func (ShareCardJob) Kind() string { return "share_card" }

// RelatedRefreshJob brings the related-article lists the last writes made
// stale up to date.
type RelatedRefreshJob struct{}

// Kind implements Job.
func (RelatedRefreshJob) Kind() string { return "related_refresh" }

// JobQueue is where the server puts background work and what the admin
// shows of it. Package jobs implements it on River.
type JobQueue interface {
	// Enqueue stores j to run once, soon (or at its own time). A job equal
	// to one already waiting may be dropped as a duplicate.
	Enqueue(ctx context.Context, j Job) error
	// Jobs lists recent jobs, newest first.
	Jobs(ctx context.Context, f JobFilter) ([]*JobInfo, error)
	// RetryJob makes a failed, discarded or cancelled job run again now.
	// Returns ErrNotFound if there is no such job.
	RetryJob(ctx context.Context, id int64) error
	// JobCounts is the number of jobs in each state: the queue's depth.
	JobCounts(ctx context.Context) (map[string]int, error)
}

// JobStates are the states a job passes through, in the queue's words.
var JobStates = []string{"available", "scheduled", "running", "retryable", "completed", "discarded", "cancelled", "pending"}

// JobFilter narrows Jobs. An empty State means every state.
type JobFilter struct {
	State string
	Limit int // default 100
}

// JobInfo is one job as the admin sees it.
type JobInfo struct {
	ID          int64
	Kind        string
	State       string
	Args        string // JSON
	Attempt     int
	MaxAttempts int
	Errors      []string // one per failed attempt, oldest first
	CreatedAt   time.Time
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
}

// EffectStore records effects that must happen once even when the job
// causing them runs again, such as a mail sent. The store implements it.
type EffectStore interface {
	// ClaimEffect marks key as done and reports true, or reports false when
	// it was done already (by any node). Claim before acting and release
	// if the act fails, so that a retry tries again.
	ClaimEffect(ctx context.Context, key string) (bool, error)
	// ReleaseEffect forgets key; releasing an unknown key is not an error.
	ReleaseEffect(ctx context.Context, key string) error
}
