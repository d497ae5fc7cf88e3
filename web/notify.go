package web

import (
	"bytes"
	"context"
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

// afterComment sends, in the background, the mail a new comment causes:
// a note to the article's authors, replies to confirmed subscribers when
// the comment is public, and a confirmation link when the commenter asked
// to subscribe. Delivery is best effort: a failure is logged, never shown
// to the reader, whose comment is stored already.
func (s *Server) afterComment(a *folio.Article, c *folio.Comment, set commentSettings, subscribe bool) {
	m := s.comments.mailer
	if m == nil {
		return
	}
	s.comments.notify.Add(1)
	go func() {
		defer s.comments.notify.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		si, err := s.site(ctx)
		if err != nil {
			s.logger.Error("notify comment", "comment_id", c.ID, "err", err)
			return
		}
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
				s.mail(message{To: au.Email, Subject: "New comment on “" + a.Title + "”",
					Body: fmt.Sprintf("%s wrote on “%s”:\n\n%s\n\n%s\n%s#comment-%d\n", c.Name, a.Title, c.Body, state, link, c.ID)})
			}
		}
		if c.Status == folio.CommentApproved {
			s.notifySubscribers(ctx, si, a, c)
		}
		if subscribe && c.Status != folio.CommentSpam { // a robot must not make us mail strangers
			secret := folio.NewSecret()
			sub := &folio.Subscription{ArticleID: a.ID, Email: c.Email, Token: folio.HashSecret(secret)}
			if err := s.store.CreateSubscription(ctx, sub); err != nil {
				s.logger.Error("create subscription", "comment_id", c.ID, "err", err)
				return
			}
			s.mail(message{To: c.Email, Subject: "Confirm: new comments on “" + a.Title + "”",
				Body: fmt.Sprintf("Someone (we hope you) asked to receive new comments on “%s” at %s.\n\n"+
					"To confirm, open this link:\n%s/comments/confirm?token=%s\n\n"+
					"If it was not you, ignore this message: nothing will be sent.\n", a.Title, si.Title, si.BaseURL, url.QueryEscape(secret))})
		}
	}()
}

// notifySubscribers mails a public comment to the confirmed subscribers of
// its article, except its own writer.
func (s *Server) notifySubscribers(ctx context.Context, si siteInfo, a *folio.Article, c *folio.Comment) {
	subs, err := s.store.FindSubscribers(ctx, a.ID)
	if err != nil {
		s.logger.Error("find subscribers", "article_id", a.ID, "err", err)
		return
	}
	for _, sub := range subs {
		if sub.Email == c.Email {
			continue
		}
		// The stored token is a hash; the unsubscribe link carries a
		// signed form of it, so the database alone cannot forge one.
		unsub := si.BaseURL + "/comments/unsubscribe?sub=" + url.QueryEscape(sub.Token) + "&sig=" + s.comments.sign("unsub", sub.Token)
		s.mail(message{To: sub.Email, Subject: "New comment on “" + a.Title + "”", Unsubscribe: unsub,
			Body: fmt.Sprintf("%s wrote on “%s”:\n\n%s\n\n%s#comment-%d\n\nStop these messages (one click): %s\n",
				c.Name, a.Title, c.Body, si.BaseURL+articlePath(a.Slug), c.ID, unsub)})
	}
}

// commentApproved is called when a moderator publishes a held comment.
func (s *Server) commentApproved(c *folio.Comment) {
	if s.comments.mailer == nil {
		return
	}
	s.comments.notify.Add(1)
	go func() {
		defer s.comments.notify.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		a, err := s.store.FindArticleByID(ctx, c.ArticleID)
		if err != nil {
			s.logger.Error("notify approved comment", "comment_id", c.ID, "err", err)
			return
		}
		si, err := s.site(ctx)
		if err != nil {
			s.logger.Error("notify approved comment", "comment_id", c.ID, "err", err)
			return
		}
		s.notifySubscribers(ctx, si, a, c)
	}()
}

func (s *Server) mail(msg message) {
	if err := s.comments.mailer.send(msg); err != nil {
		s.logger.Error("mail not sent", "err", err)
	}
}
