// Package smtptest runs a tiny SMTP server on loopback that keeps every
// message it is given, for tests of the mail Folio sends (comment
// notifications, subscriptions) in one process or across several nodes.
package smtptest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Sink is the server. Its messages are "RCPT\nDATA" strings.
type Sink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	// Refuse is how many connections are still to be turned away with a
	// 421, as a relay that is down would.
	Refuse atomic.Int32
}

// Start listens on a free loopback port until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Sink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Addr is the host:port to give Folio's SMTP settings.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

func (s *Sink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	if s.Refuse.Add(-1) >= 0 {
		say("421 sink: try again later")
		return
	}
	say("220 sink ESMTP")
	var rcpt, data strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "RCPT TO"):
			rcpt.WriteString(strings.TrimSpace(line[8:]))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, rcpt.String()+"\n"+data.String())
			s.mu.Unlock()
			rcpt.Reset()
			data.Reset()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default: // EHLO, HELO, MAIL FROM, RSET…
			say("250 ok")
		}
	}
}

// Count is the number of messages to addr containing want.
func (s *Sink) Count(addr, want string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		if strings.Contains(m, addr) && strings.Contains(m, want) {
			n++
		}
	}
	return n
}

// WaitFor returns the first message to addr containing want, failing the
// test after 10 s without one.
func (s *Sink) WaitFor(t testing.TB, addr, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		for _, m := range s.msgs {
			if strings.Contains(m, addr) && strings.Contains(m, want) {
				s.mu.Unlock()
				return m
			}
		}
		s.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	s.mu.Lock()
	n := len(s.msgs)
	s.mu.Unlock()
	t.Fatalf("no mail to %s containing %q; got %d messages", addr, want, n)
	return ""
}
