package folio

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CommentStatus is where a reader's comment is in moderation.
type CommentStatus string

// The comment statuses. Only approved comments are public and counted.
const (
	CommentPending  CommentStatus = "pending"
	CommentApproved CommentStatus = "approved"
	CommentSpam     CommentStatus = "spam"
	CommentTrash    CommentStatus = "trash"
)

// Valid reports whether s is a known comment status.
func (s CommentStatus) Valid() bool {
	switch s {
	case CommentPending, CommentApproved, CommentSpam, CommentTrash:
		return true
	}
	return false
}

// Limits on what a reader may post. They are well below
// markdown.MaxCommentBytes, so every stored comment renders as Markdown in
// linear time, and low enough that spam cannot fill the disk.
const (
	MaxCommentBody    = 8000 // bytes
	MaxCommentName    = 80   // characters
	MaxCommentEmail   = 254  // bytes
	MaxCommentWebsite = 300  // bytes
	MaxCommentLinks   = 3    // links in one body
	// MaxCommentDepth is how deep replies nest on the page; deeper replies
	// are shown at this depth, in order, so a long exchange stays readable
	// on a phone.
	MaxCommentDepth = 4
)

// Comment is a reader's comment on an article, or a reply by one of the
// site's users (UserID set), which the page badges.
type Comment struct {
	ID        int64
	ArticleID int64
	ParentID  int64 // 0 for a top-level comment
	RootID    int64 // the top-level comment of the thread (itself at the top)
	Depth     int   // 0 at the top; replies to replies nest one deeper
	Name      string
	Email     string // never shown publicly
	Website   string
	Body      string // the Markdown subset, as typed (HTML tags dropped)
	Status    CommentStatus
	UserID    int64   // the site user who wrote it, 0 for a reader
	SpamScore float64 // 0..1, the classifier's estimate when it was posted
	// AddrHash is an HMAC of the poster's network address under the site
	// secret; the store forgets it after AddrRetention.
	AddrHash  string
	CreatedAt time.Time

	// Filled when listing for moderators.
	ArticleTitle string
	ArticleSlug  string
}

// AddrRetention is how long a commenter's (hashed) network address is kept:
// long enough to trace a spam wave, not longer.
const AddrRetention = 30 * 24 * time.Hour

// CommentFilter selects comments for FindComments.
type CommentFilter struct {
	ArticleID int64
	Statuses  []CommentStatus
	// AuthorID keeps comments on articles that user wrote.
	AuthorID int64
	// Email keeps one commenter's comments (normalised address).
	Email  string
	Limit  int // default 50, at most 500
	Offset int
	// Oldest lists oldest first (feeds of one article read newest first).
	Oldest bool
	// PublicArticles keeps comments on articles readers may see now, for
	// feeds: a comment must leave with its unpublished article.
	PublicArticles bool
}

// CommentCreate is how CreateComment decides a new comment's fate in the
// same transaction that stores it.
type CommentCreate struct {
	// Moderate holds the first comment of an unknown e-mail address as
	// pending. A comment whose Status is set already keeps it.
	Moderate bool
}

// CommentWrite is one item of WriteComments.
type CommentWrite struct {
	RateKey   string
	RateSince time.Time
	// RateLimit, when positive, refuses the Comment with ErrRateLimited
	// once the count under RateKey (this hit included) exceeds it; the
	// hit still counts.
	RateLimit int
	Comment   *Comment
	Opt       CommentCreate

	Hit RateHit // set when RateKey is
	Err error   // this item's own failure
}

// ErrRateLimited is the Err of a CommentWrite whose address posted too
// often.
var ErrRateLimited = errors.New("rate limited")

// RateHit is the result of counting one event under a key.
type RateHit struct {
	Count       int       // events counted in the current window, this one included
	WindowStart time.Time // when the current window began
}

// Subscription is a commenter's wish to hear about replies to one article,
// confirmed by a link sent to their address (double opt-in).
type Subscription struct {
	ID        int64
	ArticleID int64
	Email     string
	Token     string // HashSecret of the secret in the confirm/unsubscribe links
	Confirmed bool
	CreatedAt time.Time
}

// CommenterData is everything stored about one e-mail address, for export.
type CommenterData struct {
	Email         string
	Comments      []*Comment
	Subscriptions []*Subscription
}

// CommentStore is the part of Store that keeps comments, their rate
// counters, reply subscriptions and the spam classifier's word counts.
type CommentStore interface {
	// CreateComment validates nothing (callers run Comment.Validate) and
	// stores c, setting ID, RootID, Depth, CreatedAt and, unless set, Status:
	// approved when opt.Moderate is false or the e-mail address has an
	// approved comment already, pending otherwise. A ParentID that is not an
	// approved comment of the same article returns a *ValidationError for
	// "parent"; an unknown article returns ErrNotFound.
	CreateComment(ctx context.Context, c *Comment, opt CommentCreate) error
	// FindCommentByID returns ErrNotFound.
	FindCommentByID(ctx context.Context, id int64) (*Comment, error)
	// FindComments returns one page of matching comments, newest first
	// unless f.Oldest, and the total.
	FindComments(ctx context.Context, f CommentFilter) ([]*Comment, int, error)
	// FindCommentThreads returns the approved comments of an article's
	// threads number offset to offset+limit, newest thread first (so a new
	// comment is on the first page), each thread's comments oldest first,
	// and the number of threads.
	FindCommentThreads(ctx context.Context, articleID int64, offset, limit int) ([]*Comment, int, error)
	// SetCommentStatus moves comment id to status and returns it as it was
	// before. Returns ErrNotFound.
	SetCommentStatus(ctx context.Context, id int64, status CommentStatus) (*Comment, error)
	// CountComments counts comments by status.
	CountComments(ctx context.Context, f CommentFilter) (map[CommentStatus]int, error)
	// ArticleCommentsClosed reports whether comments on the article were
	// closed by an editor. Returns ErrNotFound.
	ArticleCommentsClosed(ctx context.Context, articleID int64) (bool, error)
	// SetArticleCommentsClosed opens or closes one article's comments.
	// Returns ErrNotFound.
	SetArticleCommentsClosed(ctx context.Context, articleID int64, closed bool) error

	// WriteComments runs a batch of comment writes in one transaction, so
	// concurrent posts share one commit (one fsync on SQLite). Each item
	// counts a hit under its RateKey when set (as HitRate does) and stores
	// its Comment when set (as CreateComment does). An item's own problem (an
	// unknown parent or article) is set in its Err and does not stop the
	// others; a database failure fails the whole batch.
	WriteComments(ctx context.Context, items []*CommentWrite) error
	// RateCount reads the count under key in the window that began at or
	// after since, without counting.
	RateCount(ctx context.Context, key string, since time.Time) (RateHit, error)

	// HitRate counts one event under key (e.g. "comment:<addr hash>") and
	// returns the count in the window that began at or after since; an older
	// window starts again at 1. Counters live in the database, so every node
	// shares them.
	HitRate(ctx context.Context, key string, since time.Time) (RateHit, error)

	// CreateSubscription stores sub (Token set), unconfirmed, replacing an
	// unconfirmed one for the same article and address.
	CreateSubscription(ctx context.Context, sub *Subscription) error
	// ConfirmSubscription confirms the subscription whose token hash is
	// tokenHash. Returns ErrNotFound.
	ConfirmSubscription(ctx context.Context, tokenHash string) (*Subscription, error)
	// DeleteSubscription ends a subscription by token hash. Returns ErrNotFound.
	DeleteSubscription(ctx context.Context, tokenHash string) error
	// FindSubscribers lists the confirmed subscriptions to an article.
	FindSubscribers(ctx context.Context, articleID int64) ([]*Subscription, error)

	// CommenterData returns everything stored about an e-mail address.
	CommenterData(ctx context.Context, email string) (*CommenterData, error)
	// EnsureSetting stores value under key unless the key has a value
	// already, and returns the value that is stored; every node that races
	// to create a site secret ends with the same one.
	EnsureSetting(ctx context.Context, key, value string) (string, error)
	// EraseCommenter deletes the comments (with their replies) and
	// subscriptions of an e-mail address and returns how many comments went.
	EraseCommenter(ctx context.Context, email string) (int, error)
	// ForgetAddresses clears the address hashes of comments older than before.
	ForgetAddresses(ctx context.Context, before time.Time) (int, error)

	// TrainSpam adds a document's tokens to the classifier's counts, as spam
	// or as ham; delta -1 takes a previous decision back.
	TrainSpam(ctx context.Context, tokens []string, spam bool, delta int) error
	// SpamCounts returns the classifier's counts for tokens and the number
	// of spam and ham documents trained.
	SpamCounts(ctx context.Context, tokens []string) (counts map[string][2]int, docs [2]int, err error)
}

var (
	htmlBlock = regexp.MustCompile(`(?is)<(script|style|iframe|object|embed|template|textarea|svg|math)\b.*?(</\s*(script|style|iframe|object|embed|template|textarea|svg|math)\s*>|\z)`)
	htmlTag   = regexp.MustCompile(`(?s)<!--.*?(-->|\z)|</?[a-zA-Z][a-zA-Z0-9:-]*(\s[^<>]*)?/?>`)
	linkLike  = regexp.MustCompile(`(?i)(https?://|www\.|mailto:|\]\s*\()`)
)

// cleanText removes what never belongs in a comment: invalid UTF-8, NUL and
// other control characters (tab and newline stay) and the bidirectional
// overrides that disguise text; it trims and unifies line endings.
func cleanText(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			if multiline {
				return r
			}
			return ' '
		case r == '\r':
			return '\n'
		case unicode.IsControl(r):
			return -1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1 // bidi embeddings and overrides
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// StripHTML drops HTML elements from a comment as it is written: script and
// style blocks with their content, every other tag and HTML comments
// leaving the text between them. Text inside backticks is kept as typed,
// so code samples survive (the renderer escapes them). It is the write-time
// half of sanitising; markdown.Comment is the render-time half.
func StripHTML(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	parts := strings.Split(s, "`")
	// Even parts are outside backticks. An unbalanced backtick leaves the
	// rest as prose.
	if len(parts)%2 == 0 {
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('`')
		}
		if i%2 == 0 {
			p = htmlBlock.ReplaceAllString(p, "")
			p = htmlTag.ReplaceAllString(p, "")
		}
		b.WriteString(p)
	}
	return b.String()
}

// CountLinks counts the links a comment body would show.
func CountLinks(s string) int { return len(linkLike.FindAllStringIndex(s, -1)) }

// Validate normalises a reader's comment (trims, cleans text, drops HTML,
// normalises the e-mail address and website) and checks it. Every error is
// a *ValidationError naming the form field.
func (c *Comment) Validate() error {
	c.Name = cleanText(StripHTML(cleanText(c.Name, false)), false)
	c.Email = NormalizeEmail(cleanText(c.Email, false))
	c.Website = cleanText(c.Website, false)
	if len(c.Body) > 4*MaxCommentBody {
		return Invalid("body", "must be at most %d characters", MaxCommentBody)
	}
	c.Body = cleanText(StripHTML(cleanText(c.Body, true)), true)
	switch {
	case c.Name == "":
		return Invalid("name", "is required")
	case utf8.RuneCountInString(c.Name) > MaxCommentName:
		return Invalid("name", "must be at most %d characters", MaxCommentName)
	case c.Email == "":
		return Invalid("email", "is required (it is never shown)")
	case len(c.Email) > MaxCommentEmail || !validEmail(c.Email):
		return Invalid("email", "must be an e-mail address such as you@example.com")
	case c.Body == "":
		return Invalid("body", "is required")
	case len(c.Body) > MaxCommentBody:
		return Invalid("body", "must be at most %d characters", MaxCommentBody)
	case CountLinks(c.Body) > MaxCommentLinks:
		return Invalid("body", "may contain at most %d links", MaxCommentLinks)
	case c.ParentID < 0:
		return Invalid("parent", "is not a comment")
	}
	if c.Website != "" {
		w, err := normalizeWebsite(c.Website)
		if err != nil {
			return err
		}
		c.Website = w
	}
	return nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s, "@") && !strings.ContainsAny(s, " <>\"")
}

// normalizeWebsite accepts an http(s) address, adding https:// to a bare
// host.
func normalizeWebsite(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		len(s) > MaxCommentWebsite || strings.ContainsAny(s, " \t\n<>\"'`") {
		return "", Invalid("website", "must be an http(s) address such as https://example.com")
	}
	return u.String(), nil
}

// ParseCommentStatus reads a status from a request.
func ParseCommentStatus(s string) (CommentStatus, error) {
	st := CommentStatus(strings.TrimSpace(s))
	if !st.Valid() {
		return "", Invalid("status", "must be approved, pending, spam or trash")
	}
	return st, nil
}

// CommentsOpen reports whether a new comment may be posted on a at now:
// the article is public, its comments are not closed, and, when closeAfter
// is positive, it was published less than closeAfter ago.
func CommentsOpen(a *Article, closed bool, closeAfter time.Duration, now time.Time) bool {
	if closed || !a.IsPublic(now) {
		return false
	}
	return closeAfter <= 0 || now.Sub(*a.PublishedAt) < closeAfter
}

// String names the comment in logs.
func (c *Comment) String() string { return fmt.Sprintf("comment %d", c.ID) }
