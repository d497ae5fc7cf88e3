package folio

import (
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Status is where an article is in its life.
type Status string

// The article statuses. A scheduled article becomes public by itself at
// PublishedAt; a trashed one can be restored until it is deleted forever.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusScheduled Status = "scheduled"
	StatusTrashed   Status = "trashed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusPublished, StatusScheduled, StatusTrashed:
		return true
	}
	return false
}

// Limits on article fields, generous for long-form work but bounded so one
// request cannot fill the disk.
const (
	MaxTitleLen   = 300
	MaxBodyBytes  = 1 << 20
	MaxSummaryLen = 1000
	MaxQuestion   = 4000
	MaxTags       = 20
	MaxTagLen     = 60
	// MaxLineBytes bounds one line of a body. Some hostile Markdown (runs of
	// "[a](" or quotes) costs goldmark time quadratic in the line length; real
	// paragraphs are a few kilobytes.
	MaxLineBytes = 16 << 10
)

// Author is the part of a User that bylines and feeds need.
type Author struct {
	ID    int64
	Name  string
	Slug  string
	Email string
	Bio   string
}

// Tag groups articles by topic.
type Tag struct {
	ID    int64
	Name  string
	Slug  string
	Count int // published articles, filled by FindTags
}

// Series is an interview or a multi-part story: articles in order.
type Series struct {
	ID          int64
	Slug        string
	Title       string
	Description string
}

// SeriesRef places an article in a series when writing it. The series is
// created on first use and its title updated when Title is not empty.
type SeriesRef struct {
	Slug     string
	Title    string
	Position int
}

// Interviewee is the person answering, for interview articles.
type Interviewee struct {
	Name string
	Bio  string
}

// Article is a post: news, analysis, or one question of an interview.
type Article struct {
	ID          int64
	Title       string
	Slug        string
	Question    string // the lead, set apart above the body
	Body        string // Markdown
	Summary     string
	Lang        string // BCP 47 tag; empty means the site's language
	Interviewee Interviewee
	Status      Status
	PublishedAt *time.Time
	// ModifiedAt is set when the content changes after publication, to show
	// an "Updated" date and dateModified.
	ModifiedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Authors        []Author
	Tags           []Tag
	Series         *Series
	SeriesPosition int
	// TranslationGroup links translations of one text (0: none); it is the
	// id of the first article of the group.
	TranslationGroup int64
	CommentCount     int // approved comments
}

// IsPublic reports whether readers may see a at time now.
func (a *Article) IsPublic(now time.Time) bool {
	return (a.Status == StatusPublished || a.Status == StatusScheduled) &&
		a.PublishedAt != nil && !a.PublishedAt.After(now)
}

// ArticleInput is everything needed to create an article.
type ArticleInput struct {
	Title       string
	Slug        string // empty: derived from Title, made unique
	Question    string
	Body        string
	Summary     string
	Lang        string
	Interviewee Interviewee
	Status      Status
	PublishedAt *time.Time
	AuthorIDs   []int64
	Tags        []string
	Series      *SeriesRef
	// TranslationOf makes the new article a translation of that article.
	TranslationOf int64
	EditorID      int64 // who saved this revision; 0 for the system
}

// ArticleUpdate changes the fields that are not nil. Tags replaces the whole
// list when not nil; Series with ClearSeries removes the article from its series.
type ArticleUpdate struct {
	Title       *string
	Slug        *string
	Question    *string
	Body        *string
	Summary     *string
	Lang        *string
	Interviewee *Interviewee
	Status      *Status
	PublishedAt *time.Time
	AuthorIDs   []int64
	Tags        *[]string
	Series      *SeriesRef
	ClearSeries bool
	// TranslationOf, when set, joins that article's translations; a
	// pointer to 0 takes the article out of its group.
	TranslationOf *int64
	EditorID      int64
	// ForceRevision keeps a revision even when the content is unchanged,
	// so restoring a revision always shows up in the history.
	ForceRevision bool
	// Autosave marks a save the editor made by itself: it replaces the
	// newest revision when that was an autosave by the same editor, so an
	// editing session autosaved every few seconds keeps one revision.
	Autosave bool
}

// Revision is one saved version of an article's content.
type Revision struct {
	ID        int64
	ArticleID int64
	Title     string
	Question  string
	Body      string
	Summary   string
	EditorID  int64
	CreatedAt time.Time
}

// ArticleFilter selects articles for listings. Zero values mean "any".
type ArticleFilter struct {
	Public   bool     // only articles readers may see now
	Statuses []Status // ignored when Public
	AuthorID int64
	TagID    int64
	SeriesID int64
	// TranslationGroup selects the translations of one text.
	TranslationGroup int64
	Query            string // substring of the title, for admin lists
	BySeries         bool   // order by series position instead of newest first
	Limit            int    // page size: 0 means 20, at most 100; page through for more
	Offset           int
}

// Validate checks and normalises the input against the domain rules. now is
// used to decide whether a scheduled time is in the past.
func (in *ArticleInput) Validate(now time.Time) error {
	in.Title = strings.TrimSpace(in.Title)
	in.Slug = strings.TrimSpace(in.Slug)
	if in.Status == "" {
		in.Status = StatusDraft
	}
	if err := validateText(in.Title, in.Question, in.Body, in.Summary); err != nil {
		return err
	}
	if in.Slug != "" {
		if err := ValidateSlug("slug", in.Slug); err != nil {
			return err
		}
	} else if Slugify(in.Title) == "" && in.Title != "" {
		// Titles of only symbols get a neutral slug; the store makes it unique.
		in.Slug = ""
	}
	lang, err := normalizeLang(in.Lang)
	if err != nil {
		return err
	}
	in.Lang = lang
	if err := validateInterviewee(in.Interviewee); err != nil {
		return err
	}
	tags, err := NormalizeTags(in.Tags)
	if err != nil {
		return err
	}
	in.Tags = tags
	if in.Series != nil {
		if err := in.Series.normalize(); err != nil {
			return err
		}
	}
	return normalizeSchedule(&in.Status, &in.PublishedAt, now)
}

// Validate checks the fields that are set, the same way ArticleInput.Validate does.
func (u *ArticleUpdate) Validate() error {
	if u.Title != nil {
		t := strings.TrimSpace(*u.Title)
		u.Title = &t
		if t == "" {
			return Invalid("title", "is required")
		}
	}
	title, question, body, summary := "x", "", "", ""
	if u.Title != nil {
		title = *u.Title
	}
	if u.Question != nil {
		question = *u.Question
	}
	if u.Body != nil {
		body = *u.Body
	}
	if u.Summary != nil {
		summary = *u.Summary
	}
	if err := validateText(title, question, body, summary); err != nil {
		return err
	}
	if u.Slug != nil {
		if err := ValidateSlug("slug", *u.Slug); err != nil {
			return err
		}
	}
	if u.Lang != nil {
		l, err := normalizeLang(*u.Lang)
		if err != nil {
			return err
		}
		u.Lang = &l
	}
	if u.Interviewee != nil {
		if err := validateInterviewee(*u.Interviewee); err != nil {
			return err
		}
	}
	if u.Status != nil && !u.Status.Valid() {
		return Invalid("status", "must be draft, published, scheduled or trashed")
	}
	if u.Tags != nil {
		tags, err := NormalizeTags(*u.Tags)
		if err != nil {
			return err
		}
		u.Tags = &tags
	}
	if u.Series != nil {
		return u.Series.normalize()
	}
	return nil
}

// ApplySchedule resolves the status and time an update leads to, given the
// article's current values, with the same rules as creation.
func ApplySchedule(status Status, publishedAt *time.Time, now time.Time) (Status, *time.Time, error) {
	err := normalizeSchedule(&status, &publishedAt, now)
	return status, publishedAt, err
}

func normalizeSchedule(status *Status, at **time.Time, now time.Time) error {
	switch *status {
	case StatusDraft, StatusTrashed:
	case StatusPublished:
		if *at == nil {
			t := now
			*at = &t
		}
	case StatusScheduled:
		if *at == nil {
			return Invalid("published_at", "is required to schedule an article")
		}
		if !(*at).After(now) {
			*status = StatusPublished // a time already past publishes now
		}
	default:
		return Invalid("status", "must be draft, published or scheduled")
	}
	if *at != nil {
		t := (*at).UTC().Truncate(time.Microsecond)
		*at = &t
	}
	return nil
}

func validateText(title, question, body, summary string) error {
	for _, f := range []struct{ name, v string }{{"title", title}, {"question", question}, {"body", body}, {"summary", summary}} {
		if !utf8.ValidString(f.v) {
			return Invalid(f.name, "is not valid UTF-8")
		}
		if strings.ContainsRune(f.v, 0) {
			return Invalid(f.name, "must not contain NUL characters")
		}
	}
	switch {
	case title == "":
		return Invalid("title", "is required")
	case utf8.RuneCountInString(title) > MaxTitleLen:
		return Invalid("title", "must be at most %d characters", MaxTitleLen)
	case utf8.RuneCountInString(question) > MaxQuestion:
		return Invalid("question", "must be at most %d characters", MaxQuestion)
	case len(body) > MaxBodyBytes:
		return Invalid("body", "must be at most %d bytes", MaxBodyBytes)
	case longestLine(body) > MaxLineBytes:
		return Invalid("body", "has a line longer than %d bytes; break long paragraphs into several lines", MaxLineBytes)
	case utf8.RuneCountInString(summary) > MaxSummaryLen:
		return Invalid("summary", "must be at most %d characters", MaxSummaryLen)
	}
	return nil
}

func longestLine(s string) int {
	longest := 0
	for s != "" {
		line, rest, _ := strings.Cut(s, "\n")
		longest = max(longest, len(line))
		s = rest
	}
	return longest
}

func validateInterviewee(iv Interviewee) error {
	if utf8.RuneCountInString(iv.Name) > 200 || !utf8.ValidString(iv.Name) {
		return Invalid("interviewee", "name must be at most 200 characters")
	}
	if utf8.RuneCountInString(iv.Bio) > 2000 || !utf8.ValidString(iv.Bio) {
		return Invalid("interviewee", "bio must be at most 2000 characters")
	}
	return nil
}

func normalizeLang(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := language.Parse(s)
	if err != nil || len(s) > 35 {
		return "", Invalid("lang", "must be a language tag such as en, ru or ur")
	}
	return t.String(), nil
}

func (s *SeriesRef) normalize() error {
	s.Title = strings.TrimSpace(s.Title)
	s.Slug = strings.TrimSpace(s.Slug)
	if s.Slug == "" {
		s.Slug = Slugify(s.Title)
	}
	if s.Slug == "" {
		return Invalid("series", "needs a slug or a title")
	}
	if Slugify(s.Slug) != s.Slug || len([]rune(s.Slug)) > MaxSlugLen {
		return Invalid("series", "slug may contain only lowercase letters, digits and hyphens")
	}
	if utf8.RuneCountInString(s.Title) > MaxTitleLen {
		return Invalid("series", "title must be at most %d characters", MaxTitleLen)
	}
	if s.Position < 1 || s.Position > 10000 {
		return Invalid("series", "position must be between 1 and 10000")
	}
	return nil
}

// NormalizeTags trims, drops empty and duplicate (case-blind) tag names and
// checks limits.
func NormalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" {
			continue
		}
		if !utf8.ValidString(t) || strings.ContainsRune(t, 0) {
			return nil, Invalid("tags", "must be valid text")
		}
		if utf8.RuneCountInString(t) > MaxTagLen {
			return nil, Invalid("tags", "each tag must be at most %d characters", MaxTagLen)
		}
		s := Slugify(t)
		if s == "" {
			return nil, Invalid("tags", "%q needs at least one letter or digit", t)
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, Invalid("tags", "at most %d tags", MaxTags)
	}
	return out, nil
}

// ReadingMinutes estimates reading time at 220 words a minute, at least 1.
func ReadingMinutes(text string) int {
	n := len(strings.Fields(text))
	m := (n + 219) / 220
	if m < 1 {
		m = 1
	}
	return m
}
