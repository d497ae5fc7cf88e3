package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"html"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"folio"
	"folio/i18n"
	"folio/spam"
)

// CommentConfig is what the comment system takes from the command line.
// Zero fields take the defaults.
type CommentConfig struct {
	// PerAddress bounds comment POSTs (accepted or not) from one client
	// address per Window; default 10 per 10 minutes. Benchmarks raise it.
	PerAddress int
	Window     time.Duration
	// MinDelay is how long after the page was served a form may be sent;
	// faster is a robot. Default 2s. TokenLifetime bounds a form's age;
	// default 24h, well past the slot ETag's rotation (slotWindow).
	MinDelay      time.Duration
	TokenLifetime time.Duration
	// SMTP sends notifications; an empty Addr sends none.
	SMTP SMTPConfig
}

// Comment settings, stored with the other site settings.
const (
	settingCommentModeration = "comments_moderation" // "false" publishes at once
	settingCommentCloseDays  = "comments_close_days" // close after N days; 0 never
	settingCommentNotify     = "comments_notify"     // "false": no mail to authors
	settingCommentSecret     = "comment_secret"      // HMAC key: form tokens, address hashes
	commentThreadsPerPage    = 50                    // threads on one page of comments
	maxCommentForm           = 4*folio.MaxCommentBody + 16<<10
	commenterCookie          = "folio_commenter"
)

// commentState is what the comment system adds to a Server.
type commentState struct {
	cfg    CommentConfig
	secret []byte
	macs   sync.Pool // hash.Hash: HMAC-SHA256 under secret, reused per form
	mailer *mailer
	// forms holds each rendered article's form pieces, built when the page
	// is rendered, so filling the slot costs no template or query.
	forms sync.Map // int64 → *commentForm
	// forgotAt is when addresses older than AddrRetention were last
	// cleared (unix seconds); posting clears them at most hourly.
	forgotAt atomic.Int64
	// notify runs mail in the background; tests wait on it.
	notify sync.WaitGroup
	writer *commentWriter
	// targets caches each slug's postTarget until content changes.
	targets     sync.Map // string → *postTarget
	targetCount atomic.Int64
}

func (s *Server) initComments(cfg Config) error {
	c := cfg.Comments
	if c.PerAddress <= 0 {
		c.PerAddress = 10
	}
	if c.Window <= 0 {
		c.Window = 10 * time.Minute
	}
	if c.MinDelay == 0 {
		c.MinDelay = 2 * time.Second
	}
	if c.TokenLifetime <= 0 {
		c.TokenLifetime = 24 * time.Hour
	}
	secret, err := s.store.EnsureSetting(context.Background(), settingCommentSecret, folio.NewSecret())
	if err != nil {
		return fmt.Errorf("comment secret: %w", err)
	}
	s.comments = &commentState{cfg: c, secret: []byte(secret), mailer: newMailer(c.SMTP), writer: newCommentWriter(s.store)}
	s.fillSlot = s.fillCommentForm
	return nil
}

// ---- Signed form tokens ----

// formToken signs "article id, time served": the form needs no cookie, and
// a robot must fetch the page and wait before posting.
func (cs *commentState) formToken(articleID int64, now time.Time) string {
	return string(cs.appendFormToken(nil, articleID, now))
}

// appendFormToken is formToken appended to dst, for the form slot, which
// is filled on every view of an article: the HMAC state is recycled.
func (cs *commentState) appendFormToken(dst []byte, articleID int64, now time.Time) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(articleID))
	binary.BigEndian.PutUint64(b[8:], uint64(now.UnixMilli()))
	m, _ := cs.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, cs.secret)
	}
	m.Reset()
	m.Write([]byte("form\x00"))
	m.Write(b[:])
	var sum [sha256.Size]byte
	mac := m.Sum(sum[:0])
	cs.macs.Put(m)
	dst = base64.RawURLEncoding.AppendEncode(dst, b[:])
	dst = append(dst, '.')
	return base64.RawURLEncoding.AppendEncode(dst, mac[:16])
}

// checkToken returns a 4xx error unless token was issued for articleID
// between TokenLifetime and MinDelay ago.
func (cs *commentState) checkToken(token string, articleID int64, now time.Time) error {
	if token == "" {
		return &httpError{status: http.StatusBadRequest, code: "token_missing", field: "token",
			message: "the form is incomplete; reload the page and post again"}
	}
	payload, sig, ok := strings.Cut(token, ".")
	b, err1 := base64.RawURLEncoding.DecodeString(payload)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	forged := &httpError{status: http.StatusForbidden, code: "token_invalid", field: "token",
		message: "the form could not be verified; reload the page and post again"}
	if !ok || err1 != nil || err2 != nil || len(b) != 16 || len(mac) != 16 {
		return forged
	}
	m := hmac.New(sha256.New, cs.secret)
	m.Write([]byte("form\x00"))
	m.Write(b)
	if !hmac.Equal(mac, m.Sum(nil)[:16]) || int64(binary.BigEndian.Uint64(b[:8])) != articleID {
		return forged
	}
	age := now.Sub(time.UnixMilli(int64(binary.BigEndian.Uint64(b[8:]))))
	switch {
	case age > cs.cfg.TokenLifetime:
		return &httpError{status: http.StatusBadRequest, code: "token_expired", field: "token",
			message: "the form is too old; reload the page and post again (your text is still in the form if you go back)"}
	case age < cs.cfg.MinDelay:
		return &httpError{status: http.StatusBadRequest, code: "too_fast", field: "token",
			message: "that was faster than a person can type; wait a moment and post again"}
	}
	return nil
}

// addrHash is an HMAC of a client address: enough to count and to trace a
// spam wave, useless to anyone without the site secret.
func (cs *commentState) addrHash(addr string) string {
	m := hmac.New(sha256.New, cs.secret)
	m.Write([]byte("addr\x00" + addr))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// ---- The per-visit form ----

// commentForm is one article's form, split where per-visit values go.
// Every piece is HTML built (and escaped) once at render time.
type commentForm struct {
	articleID int64
	open      bool
	closesAt  time.Time // zero: never
	closed    []byte    // shown instead of the form once closed
	head      []byte    // <form ...> and its heading
	headTok   []byte    // up to the token's value
	afterTok  []byte    // up to the name's value
	afterName []byte    // up to the e-mail's value
	afterMail []byte    // up to the parent's value
	afterPar  []byte    // up to the remember box
	tail      []byte    // the rest of the form
	held      []byte    // the "awaiting moderation" notice
	posted    []byte    // the "published" notice
	replyTo   string    // format of the "replying to" note, escaped
	cancel    []byte    // the cancel-reply link
}

// buildCommentForm prepares a's form in the locale of its page.
func (s *Server) buildCommentForm(L *i18n.Locale, a *folio.Article, open bool, closesAt time.Time) *commentForm {
	e := func(key string) string { return html.EscapeString(L.T(key)) }
	action := html.EscapeString(articlePath(a.Slug) + "/comments")
	f := &commentForm{articleID: a.ID, open: open, closesAt: closesAt,
		closed: []byte(`<p class="comments-closed">` + e("comments_closed") + `</p>`)}
	f.head = []byte(`<form id="respond" class="comment-form" method="post" action="` + action + `" data-comment-form data-held="` + e("comment_held") + `">` +
		`<h3 class="comment-form-title">` + e("comment_form") + `</h3>`)
	f.headTok = []byte(`<input type="hidden" name="token" value="`)
	f.afterTok = []byte(`">` +
		`<p class="field"><label for="comment-name">` + e("comment_name") + `</label> ` +
		`<input id="comment-name" name="name" required maxlength="` + strconv.Itoa(folio.MaxCommentName) + `" autocomplete="name" value="`)
	f.afterName = []byte(`"></p>` +
		`<p class="field"><label for="comment-email">` + e("comment_email") + `</label> ` +
		`<input id="comment-email" name="email" type="email" required maxlength="254" autocomplete="email" value="`)
	f.afterMail = []byte(`"></p>` +
		`<p class="field"><label for="comment-website">` + e("comment_website") + `</label> ` +
		`<input id="comment-website" name="website" type="url" maxlength="` + strconv.Itoa(folio.MaxCommentWebsite) + `" autocomplete="url"></p>` +
		`<p class="comment-hp" aria-hidden="true"><label for="comment-homepage">` + e("comment_honeypot") + `</label> ` +
		`<input id="comment-homepage" name="homepage" tabindex="-1" autocomplete="off"></p>` +
		`<p class="field"><label for="comment-body">` + e("comment_body") + `</label> ` +
		`<textarea id="comment-body" name="body" rows="6" required maxlength="` + strconv.Itoa(folio.MaxCommentBody) + `" aria-describedby="comment-body-help"></textarea>` +
		`<small id="comment-body-help" class="help">` + e("comment_body_help") + `</small></p>` +
		`<input type="hidden" name="parent" value="`)
	f.afterPar = []byte(`"><p class="check"><input id="comment-remember" name="remember" type="checkbox" value="1"`)
	rest := `> <label for="comment-remember">` + e("comment_remember") + `</label></p>`
	if s.comments.mailer != nil {
		rest += `<p class="check"><input id="comment-subscribe" name="subscribe" type="checkbox" value="1"> <label for="comment-subscribe">` + e("comment_subscribe") + `</label></p>`
	}
	rest += `<p><button type="submit">` + e("comment_submit") + `</button></p><p class="comment-status" role="status" aria-live="polite"></p></form>`
	f.tail = []byte(rest)
	f.held = []byte(`<p class="notice comment-notice" role="status">` + e("comment_held") + `</p>`)
	f.posted = []byte(`<p class="notice comment-notice" role="status">` + e("comment_posted") + `</p>`)
	f.replyTo = L.T("comment_reply_to")
	f.cancel = []byte(` <a href="` + html.EscapeString(articlePath(a.Slug)) + `#respond">` + e("comment_cancel_reply") + `</a>`)
	return f
}

// fillCommentForm is the slotFiller: the form with a fresh token, the
// remembered name and address, a notice after posting without JavaScript,
// and the parent of a reply. It runs on every view: no templates, no
// queries, only appends.
func (s *Server) fillCommentForm(dst []byte, r *http.Request, p *page) []byte {
	v, ok := s.comments.forms.Load(p.slotFor)
	if !ok {
		return dst
	}
	f := v.(*commentForm)
	now := s.now()
	if !f.open || (!f.closesAt.IsZero() && !now.Before(f.closesAt)) {
		return append(dst, f.closed...)
	}
	name, email, remembered := readCommenter(r)
	var notice []byte
	var parent int64
	var cpage int
	if q := r.URL.RawQuery; q != "" {
		vals, _ := url.ParseQuery(q)
		switch vals.Get("comment") {
		case "held":
			notice = f.held
		case "posted":
			notice = f.posted
		}
		if id, err := strconv.ParseInt(vals.Get("replyto"), 10, 64); err == nil && id > 0 {
			parent = id
		}
		if n, err := strconv.Atoi(vals.Get("cpage")); err == nil && n > 1 && n <= 100000 {
			cpage = n
		}
	}
	b := append(dst, notice...)
	b = append(b, f.head...)
	if parent > 0 {
		// Without JavaScript a reply link opens the form with this note;
		// with it, the script moves the form under the comment instead.
		b = append(b, `<p class="comment-replying">`...)
		b = append(b, html.EscapeString(fmt.Sprintf(f.replyTo, parent))...)
		b = append(b, f.cancel...)
		b = append(b, `</p>`...)
	}
	b = append(b, f.headTok...)
	b = s.comments.appendFormToken(b, f.articleID, now)
	b = append(b, f.afterTok...)
	b = append(b, html.EscapeString(name)...)
	b = append(b, f.afterName...)
	b = append(b, html.EscapeString(email)...)
	b = append(b, f.afterMail...)
	if parent > 0 {
		b = strconv.AppendInt(b, parent, 10)
	}
	if cpage > 0 {
		b = append(b, `"><input type="hidden" name="cpage" value="`...)
		b = strconv.AppendInt(b, int64(cpage), 10)
	}
	b = append(b, f.afterPar...)
	if remembered {
		b = append(b, " checked"...)
	}
	return append(b, f.tail...)
}

// readCommenter reads the remembered name and address, if any.
func readCommenter(r *http.Request) (name, email string, ok bool) {
	c, err := r.Cookie(commenterCookie)
	if err != nil || c.Value == "" || len(c.Value) > 1024 {
		return "", "", false
	}
	v, err := url.ParseQuery(c.Value)
	if err != nil {
		return "", "", false
	}
	return v.Get("n"), v.Get("e"), true
}

func (s *Server) commenterCookie(name, email string, remember bool) *http.Cookie {
	c := &http.Cookie{Name: commenterCookie, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: strings.HasPrefix(s.baseURL, "https://")}
	if !remember {
		c.MaxAge = -1
		return c
	}
	c.Value = url.Values{"n": {name}, "e": {email}}.Encode()
	c.Expires = s.now().Add(365 * 24 * time.Hour)
	return c
}

// ---- Settings ----

// commentSettings are the site's comment settings.
type commentSettings struct {
	Moderate   bool
	CloseAfter time.Duration // 0: never
	CloseDays  int
	Notify     bool
}

func (s *Server) commentSettings(ctx context.Context) (commentSettings, error) {
	cs := commentSettings{Moderate: true, Notify: true}
	v, err := s.store.Setting(ctx, settingCommentModeration)
	if err != nil {
		return cs, err
	}
	cs.Moderate = v != "false"
	if v, err = s.store.Setting(ctx, settingCommentCloseDays); err != nil {
		return cs, err
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		cs.CloseDays, cs.CloseAfter = n, time.Duration(n)*24*time.Hour
	}
	if v, err = s.store.Setting(ctx, settingCommentNotify); err != nil {
		return cs, err
	}
	cs.Notify = v != "false"
	return cs, nil
}

// ---- Display ----

// commentView is a comment prepared for the page.
type commentView struct {
	ID         int64
	Name       string
	Website    string
	Body       template.HTML
	Date       string // relative ("3 hours ago") at render time; a script refreshes it
	DateTitle  string // the exact date and time
	DateISO    string
	Badge      string // "Author" on replies by the article's authors
	Depth      int
	ReplyURL   string
	ReplyLabel string
	Replies    []*commentView
}

// commentSection is the comments part of an article page.
type commentSection struct {
	Count   string
	N       int
	Threads []*commentView
	Prev    string
	Next    string
	Page    int
	Pages   int
	Open    bool
	FeedURL string
	L       *i18n.Locale
}

// commentSection loads page n of a's comment threads and registers the
// article's form for the per-visit slot.
func (s *Server) commentSection(ctx context.Context, si siteInfo, a *folio.Article, n int) (*commentSection, error) {
	comments, threads, err := s.store.FindCommentThreads(ctx, a.ID, (n-1)*commentThreadsPerPage, commentThreadsPerPage)
	if err != nil {
		return nil, err
	}
	set, err := s.commentSettings(ctx)
	if err != nil {
		return nil, err
	}
	closed, err := s.store.ArticleCommentsClosed(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	open := folio.CommentsOpen(a, closed, set.CloseAfter, now)
	var closesAt time.Time
	if set.CloseAfter > 0 && a.PublishedAt != nil {
		closesAt = a.PublishedAt.Add(set.CloseAfter)
	}
	if n == 1 {
		s.comments.forms.Store(a.ID, s.buildCommentForm(si.L, a, open, closesAt))
	}
	path := articlePath(a.Slug)
	sec := &commentSection{Count: si.L.N(a.CommentCount, "comments"), N: a.CommentCount, Open: open, Page: n,
		Pages: max(1, (threads+commentThreadsPerPage-1)/commentThreadsPerPage), FeedURL: path + "/comments.xml", L: si.L}
	if n > 1 {
		sec.Prev = path + "/comments?page=" + strconv.Itoa(n-1)
		if n == 2 {
			sec.Prev = path + "#comments"
		}
	}
	if n < sec.Pages {
		sec.Next = path + "/comments?page=" + strconv.Itoa(n+1)
	}
	authors := map[int64]bool{}
	for _, au := range a.Authors {
		authors[au.ID] = true
	}
	byID := map[int64]*commentView{}
	for _, c := range comments {
		v := &commentView{ID: c.ID, Name: c.Name, Website: c.Website, Body: s.md.Comment(c.Body),
			Date: relativeDate(si.L, si.Loc, c.CreatedAt, now), DateTitle: si.L.Date(c.CreatedAt.In(si.Loc)) + " " + c.CreatedAt.In(si.Loc).Format("15:04"),
			DateISO: c.CreatedAt.UTC().Format(time.RFC3339), Depth: min(c.Depth, folio.MaxCommentDepth)}
		switch {
		case c.UserID != 0 && authors[c.UserID]:
			v.Badge = si.L.T("comment_author")
		case c.UserID != 0:
			v.Badge = si.L.T("comment_staff")
		}
		v.ReplyLabel = si.L.T("comment_reply")
		v.ReplyURL = path + "?replyto=" + strconv.FormatInt(c.ID, 10)
		if n > 1 {
			v.ReplyURL += "&cpage=" + strconv.Itoa(n)
		}
		v.ReplyURL += "#respond"
		byID[c.ID] = v
		// Replies nest under their parent up to MaxCommentDepth, then
		// follow in order at that depth; a reply whose parent is no
		// longer shown starts a thread of its own.
		parent := byID[c.ParentID]
		for parent != nil && parent.Depth >= folio.MaxCommentDepth {
			parent = byID[parentOf(comments, parent.ID)]
		}
		if parent == nil {
			v.Depth = 0
			sec.Threads = append(sec.Threads, v)
			continue
		}
		v.Depth = parent.Depth + 1
		parent.Replies = append(parent.Replies, v)
	}
	return sec, nil
}

func parentOf(cs []*folio.Comment, id int64) int64 {
	for _, c := range cs {
		if c.ID == id {
			return c.ParentID
		}
	}
	return 0
}

// relativeDate says how long ago t was, falling back to the date after a
// month.
func relativeDate(L *i18n.Locale, loc *time.Location, t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return L.T("just_now")
	case d < time.Hour:
		return L.N(int(d/time.Minute), "minutes_ago")
	case d < 24*time.Hour:
		return L.N(int(d/time.Hour), "hours_ago")
	case d < 30*24*time.Hour:
		return L.N(int(d/(24*time.Hour)), "days_ago")
	}
	return L.Date(t.In(loc))
}

// commentsPage is /{slug}/comments?page=n: older threads of a long discussion.
type commentsPage struct {
	meta
	Article  *articleView
	Comments *commentSection
}

func (s *Server) renderCommentsPage(r *http.Request) (*page, error) {
	ctx := r.Context()
	n, err := pageParam(r)
	if err != nil {
		return nil, err
	}
	a, err := s.store.FindArticleBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		return nil, err
	}
	if !a.IsPublic(s.now()) {
		return nil, folio.ErrNotFound
	}
	if n == 1 {
		return redirectPage(http.StatusMovedPermanently, articlePath(a.Slug)+"#comments"), nil
	}
	si, err := s.site(ctx)
	if err != nil {
		return nil, err
	}
	si = si.withLang(a.Lang)
	v, err := s.view(si, a, false)
	if err != nil {
		return nil, err
	}
	sec, err := s.commentSection(ctx, si, a, n)
	if err != nil {
		return nil, err
	}
	if n > sec.Pages {
		return nil, folio.ErrNotFound
	}
	title := si.L.T("comments_on", a.Title) + " — " + si.L.T("page_n", n)
	data := commentsPage{meta: newMeta(si, title, "", v.URL+"/comments?page="+strconv.Itoa(n)), Article: v, Comments: sec}
	data.NoIndex = true
	if a.Lang != "" {
		data.Lang, data.Dir = a.Lang, dirOf(a.Lang)
	}
	return s.html(http.StatusOK, "article_comments.html", data)
}

// ---- Posting ----

// commentResult is the JSON answer to a post.
type commentResult struct {
	ID     int64               `json:"id"`
	Status folio.CommentStatus `json:"status"`
	URL    string              `json:"url,omitempty"`
	HTML   string              `json:"html,omitempty"`
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// handleCommentPost is POST /{slug}/comments. Every POST counts against the
// address's limit first, whatever happens after, so a robot cannot probe
// for free; nothing is stored unless every check passes.
func (s *Server) handleCommentPost(w http.ResponseWriter, r *http.Request) {
	res, err := s.postComment(w, r)
	if err == nil {
		return
	}
	if wantsJSON(r) {
		s.writeJSONError(w, r, err)
		return
	}
	status, body := errorStatus(err)
	if status >= 500 {
		s.errorPage(r, err).write(w, r)
		return
	}
	msg := upperFirst(body.Message)
	if body.Field != "" && body.Field != "token" {
		msg = upperFirst(body.Field) + " " + body.Message
	}
	_ = res
	s.statusPage(r, status, msg).write(w, r)
}

func (s *Server) postComment(w http.ResponseWriter, r *http.Request) (*commentResult, error) {
	ctx := r.Context()
	now := s.now()
	cs := s.comments
	addr := cs.addrHash(clientAddr(r))
	key, since := "comment:"+addr, now.Add(-cs.cfg.Window)
	// count records a refused post; an accepted one counts in the same
	// transaction that stores it.
	// Every POST counts, in the transaction that stores the comment or
	// alone when the post is refused; past the limit, nothing is stored.
	limited := func(hit folio.RateHit) error {
		retry := int(math.Ceil(hit.WindowStart.Add(cs.cfg.Window).Sub(now).Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(1, retry)))
		return &httpError{status: http.StatusTooManyRequests, code: "rate_limited",
			message: "too many comments from your address; please wait a few minutes"}
	}
	count := func(err error) error {
		cw := &folio.CommentWrite{RateKey: key, RateSince: since}
		if werr := cs.writer.write(ctx, cw); werr != nil {
			return werr
		}
		if cw.Hit.Count > cs.cfg.PerAddress {
			return limited(cw.Hit)
		}
		return err
	}
	c, a, set, err := s.readCommentForm(w, r, addr, now)
	if err != nil {
		return nil, count(err)
	}
	f := r.PostForm
	toks := spam.Tokens(c.Name, c.Website, c.Body)
	counts, docs, err := s.store.SpamCounts(ctx, toks)
	if err != nil {
		return nil, count(err)
	}
	c.SpamScore = math.Round(spam.Score(toks, counts, docs)*1000) / 1000
	if c.SpamScore >= spam.Threshold {
		c.Status = folio.CommentSpam
	}
	cw := &folio.CommentWrite{RateKey: key, RateSince: since, RateLimit: cs.cfg.PerAddress, Comment: c,
		Opt: folio.CommentCreate{Moderate: set.Moderate}}
	if err := cs.writer.write(ctx, cw); errors.Is(err, folio.ErrRateLimited) {
		return nil, limited(cw.Hit)
	} else if err != nil {
		return nil, err
	}
	if c.Status == folio.CommentApproved {
		s.written(ctx)
	}
	s.logger.Info("comment posted", "comment_id", c.ID, "article_id", a.ID, "status", c.Status, "spam_score", c.SpamScore)
	s.forgetOldAddresses(ctx, now)
	s.afterComment(ctx, c, f.Get("subscribe") == "1")

	remember := f.Get("remember") == "1"
	if _, _, had := readCommenter(r); remember || had {
		http.SetCookie(w, s.commenterCookie(c.Name, c.Email, remember))
	}
	// A comment marked spam is answered like a held one: the robot learns nothing.
	shown := c.Status
	if shown == folio.CommentSpam {
		shown = folio.CommentPending
	}
	res := &commentResult{ID: c.ID, Status: shown}
	path := articlePath(a.Slug)
	target := path + "?comment=held#respond"
	if c.Status == folio.CommentApproved {
		target = path + "?comment=posted#comment-" + strconv.FormatInt(c.ID, 10)
		if n, err := strconv.Atoi(f.Get("cpage")); err == nil && n > 1 && n <= 100000 {
			target = path + "/comments?page=" + strconv.Itoa(n) + "#comment-" + strconv.FormatInt(c.ID, 10)
		}
		res.URL = target
		res.HTML = string(s.md.Comment(c.Body))
	} else {
		res.ID = c.ID
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusCreated, res)
		return res, nil
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return res, nil
}

// readCommentForm reads and checks a post: the body size, the article and
// whether it takes comments, the honeypot, the signed token and the
// fields. Nothing is stored.
func (s *Server) readCommentForm(w http.ResponseWriter, r *http.Request, addr string, now time.Time) (*folio.Comment, *folio.Article, commentSettings, error) {
	ctx := r.Context()
	var set commentSettings
	r.Body = http.MaxBytesReader(w, r.Body, maxCommentForm)
	if err := parseForm(r); err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge {
			he.field, he.message = "body", fmt.Sprintf("must be at most %d characters", folio.MaxCommentBody)
		}
		return nil, nil, set, err
	}
	t, err := s.postTarget(ctx, r.PathValue("slug"))
	var re *folio.RedirectError
	if errors.As(err, &re) {
		t, err = s.postTarget(ctx, re.Slug)
	}
	if errors.Is(err, folio.ErrGone) {
		err = folio.ErrNotFound
	}
	if err != nil {
		return nil, nil, set, err
	}
	a, set := t.a, t.set
	if !a.IsPublic(now) {
		return nil, nil, set, folio.ErrNotFound
	}
	if !folio.CommentsOpen(a, t.closed, set.CloseAfter, now) {
		return nil, nil, set, &httpError{status: http.StatusForbidden, code: "closed", message: "comments on this article are closed"}
	}
	f := r.PostForm
	if f.Get("homepage") != "" {
		return nil, nil, set, &httpError{status: http.StatusBadRequest, code: "honeypot", field: "homepage",
			message: "the form was filled in by a robot (a hidden field has a value)"}
	}
	if err := s.comments.checkToken(f.Get("token"), a.ID, now); err != nil {
		return nil, nil, set, err
	}
	c := &folio.Comment{ArticleID: a.ID, Name: f.Get("name"), Email: f.Get("email"), Website: f.Get("website"),
		Body: f.Get("body"), AddrHash: addr}
	if p := strings.TrimSpace(f.Get("parent")); p != "" && p != "0" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id < 1 {
			return nil, nil, set, folio.Invalid("parent", "is not a comment")
		}
		c.ParentID = id
	}
	if err := c.Validate(); err != nil {
		return nil, nil, set, err
	}
	return c, a, set, nil
}

// forgetOldAddresses drops address hashes past AddrRetention, at most
// once an hour per node.
func (s *Server) forgetOldAddresses(ctx context.Context, now time.Time) {
	last := s.comments.forgotAt.Load()
	if now.Unix()-last < 3600 || !s.comments.forgotAt.CompareAndSwap(last, now.Unix()) {
		return
	}
	if n, err := s.store.ForgetAddresses(ctx, now.Add(-folio.AddrRetention)); err != nil {
		s.logger.Error("forget commenter addresses", "err", err)
	} else if n > 0 {
		s.logger.Info("commenter addresses forgotten", "count", n)
	}
}

// sign is a short HMAC of value for purpose, for links in e-mails.
func (cs *commentState) sign(purpose, value string) string {
	m := hmac.New(sha256.New, cs.secret)
	m.Write([]byte(purpose + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (cs *commentState) verify(purpose, value, sig string) bool {
	return hmac.Equal([]byte(cs.sign(purpose, value)), []byte(sig))
}
