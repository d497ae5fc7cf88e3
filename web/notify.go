package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"folio"
)

// SMTPConfig is the server notifications are sent through. Folio speaks
// plain SMTP (with STARTTLS when the server offers it, as net/smtp does) to
// a relay the operator runs or rents; an empty Addr sends nothing.
type SMTPConfig struct {
	Addr     string // host:port
	From     string // the sender address
	Username string // PLAIN auth when set (net/smtp allows it only over TLS or to localhost)
	Password string
}

// mailer sends plain-text mail.
type mailer struct {
	cfg  SMTPConfig
	auth smtp.Auth
}

func newMailer(c SMTPConfig) *mailer {
	if c.Addr == "" || c.From == "" {
		return nil
	}
	m := &mailer{cfg: c}
	if c.Username != "" {
		host, _, _ := net.SplitHostPort(c.Addr)
		m.auth = smtp.PlainAuth("", c.Username, c.Password, host)
	}
	return m
}

// message is one e-mail. Headers are built here from validated addresses
// and single-line text, so nothing a reader typed can add a header.
type message struct {
	To          string
	Subject     string
	Body        string
	Unsubscribe string // absolute URL for List-Unsubscribe, if any
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
}

func (m *mailer) send(msg message) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@folio>\r\n",
		oneLine(m.cfg.From), oneLine(msg.To), mime.QEncoding.Encode("utf-8", oneLine(msg.Subject)),
		time.Now().UTC().Format(time.RFC1123Z), folio.NewSecret()[6:30])
	if msg.Unsubscribe != "" {
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", oneLine(msg.Unsubscribe))
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(msg.Body, "\r\n", "\n"), "\n", "\r\n")))
	qp.Close()
	if err := smtp.SendMail(m.cfg.Addr, m.auth, m.cfg.From, []string{msg.To}, b.Bytes()); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}

// afterComment queues the mail a new comment causes (commentNotice
// does it). The reader's comment is stored already; a failed send is
// retried by the queue and never shown to the reader.
func (s *Server) afterComment(ctx context.Context, c *folio.Comment, subscribe bool) {
	if s.comments.mailer == nil {
		return
	}
	s.enqueue(ctx, folio.CommentNoticeJob{CommentID: c.ID, Event: folio.CommentPostedEvent,
		Subscribe: subscribe && c.Status != folio.CommentSpam}) // a robot must not make us mail strangers
}

// commentApproved is called when a moderator publishes a held comment.
func (s *Server) commentApproved(ctx context.Context, c *folio.Comment) {
	if s.comments.mailer == nil {
		return
	}
	s.enqueue(ctx, folio.CommentNoticeJob{CommentID: c.ID, Event: folio.CommentApprovedEvent})
}

// sendCommentNotice sends the mail of one comment event: a note to the
// article's authors, the comment to confirmed subscribers when it is
// public, and a confirmation link when the commenter asked to subscribe.
// Each message is claimed once per comment and recipient before it goes
// (mailOnce), so a retry after a partial failure sends only what failed,
// and a subscriber hears of a comment once whichever event mails it.
func (s *Server) sendCommentNotice(ctx context.Context, j folio.CommentNoticeJob) error {
	if s.comments.mailer == nil {
		return nil
	}
	c, err := s.store.FindCommentByID(ctx, j.CommentID)
	if errors.Is(err, folio.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return err
	}
	a, err := s.store.FindArticleByID(ctx, c.ArticleID)
	if errors.Is(err, folio.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	si, err := s.site(ctx)
	if err != nil {
		return err
	}
	set, err := s.commentSettings(ctx)
	if err != nil {
		return err
	}
	var errs []error
	if j.Event == folio.CommentPostedEvent {
		link := si.BaseURL + articlePath(a.Slug)
		if set.Notify && c.Status != folio.CommentSpam {
			state := "It is published."
			if c.Status != folio.CommentApproved {
				state = "It is waiting for moderation: " + si.BaseURL + "/admin/comments"
			}
			for _, au := range a.Authors {
				if au.Email == "" || au.Email == c.Email {
					continue
				}
				errs = append(errs, s.mailOnce(ctx, fmt.Sprintf("comment:%d:author:%s", c.ID, au.Email), message{To: au.Email,
					Subject: "New comment on “" + a.Title + "”",
					Body:    fmt.Sprintf("%s wrote on “%s”:\n\n%s\n\n%s\n%s#comment-%d\n", c.Name, a.Title, c.Body, state, link, c.ID)}))
			}
		}
		if j.Subscribe && c.Status != folio.CommentSpam {
			errs = append(errs, s.confirmSubscription(ctx, si, a, c))
		}
	}
	if c.Status == folio.CommentApproved {
		errs = append(errs, s.notifySubscribers(ctx, si, a, c))
	}
	return errors.Join(errs...)
}

// confirmSubscription stores an unconfirmed subscription and mails its
// link (double opt-in). A retry replaces the unconfirmed subscription, so
// only the link last sent works.
func (s *Server) confirmSubscription(ctx context.Context, si siteInfo, a *folio.Article, c *folio.Comment) error {
	secret := folio.NewSecret()
	sub := &folio.Subscription{ArticleID: a.ID, Email: c.Email, Token: folio.HashSecret(secret)}
	return s.once(ctx, fmt.Sprintf("comment:%d:confirm", c.ID), func() error {
		if err := s.store.CreateSubscription(ctx, sub); err != nil {
			return fmt.Errorf("create subscription: %w", err)
		}
		return s.comments.mailer.send(message{To: c.Email, Subject: "Confirm: new comments on “" + a.Title + "”",
			Body: fmt.Sprintf("Someone (we hope you) asked to receive new comments on “%s” at %s.\n\n"+
				"To confirm, open this link:\n%s/comments/confirm?token=%s\n\n"+
				"If it was not you, ignore this message: nothing will be sent.\n", a.Title, si.Title, si.BaseURL, url.QueryEscape(secret))})
	})
}

// notifySubscribers mails a public comment to the confirmed subscribers of
// its article, except its own writer.
func (s *Server) notifySubscribers(ctx context.Context, si siteInfo, a *folio.Article, c *folio.Comment) error {
	subs, err := s.store.FindSubscribers(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("find subscribers of article %d: %w", a.ID, err)
	}
	var errs []error
	for _, sub := range subs {
		if sub.Email == c.Email {
			continue
		}
		// The stored token is a hash; the unsubscribe link carries a
		// signed form of it, so the database alone cannot forge one.
		unsub := si.BaseURL + "/comments/unsubscribe?sub=" + url.QueryEscape(sub.Token) + "&sig=" + s.comments.sign("unsub", sub.Token)
		errs = append(errs, s.mailOnce(ctx, fmt.Sprintf("comment:%d:sub:%s", c.ID, sub.Email), message{To: sub.Email,
			Subject: "New comment on “" + a.Title + "”", Unsubscribe: unsub,
			Body: fmt.Sprintf("%s wrote on “%s”:\n\n%s\n\n%s#comment-%d\n\nStop these messages (one click): %s\n",
				c.Name, a.Title, c.Body, si.BaseURL+articlePath(a.Slug), c.ID, unsub)}))
	}
	return errors.Join(errs...)
}

// mailOnce sends msg unless the effect key was sent already.
func (s *Server) mailOnce(ctx context.Context, key string, msg message) error {
	return s.once(ctx, key, func() error { return s.comments.mailer.send(msg) })
}

// once runs do unless key was claimed already, by this node or another:
// the claim comes first and is released when do fails, so a retried job
// repeats only what failed. A crash between the claim and the end of do
// loses that one effect rather than doubling it.
func (s *Server) once(ctx context.Context, key string, do func() error) error {
	eff, ok := s.store.(folio.EffectStore)
	if !ok {
		return do()
	}
	claimed, err := eff.ClaimEffect(ctx, key)
	if err != nil || !claimed {
		return err
	}
	if err := do(); err != nil {
		if rerr := eff.ReleaseEffect(context.WithoutCancel(ctx), key); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}
