package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"folio"
	"folio/web"
)

// commentLimit is the --comment-limit flag: "N/DURATION", e.g. "10/10m".
type commentLimit struct{ c *web.CommentConfig }

func (f commentLimit) String() string {
	if f.c == nil || f.c.PerAddress == 0 {
		return "10/10m"
	}
	return fmt.Sprintf("%d/%s", f.c.PerAddress, f.c.Window)
}

func (f commentLimit) Set(v string) error {
	n, d, ok := strings.Cut(v, "/")
	per, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || per < 1 {
		return fmt.Errorf("want N/DURATION such as 10/10m")
	}
	win, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil || win <= 0 {
		return fmt.Errorf("want N/DURATION such as 10/10m")
	}
	f.c.PerAddress, f.c.Window = per, win
	return nil
}

// commentFlags registers the comment settings of `folio serve`: the
// per-address limit and the SMTP relay for notifications. A flag beats its
// FOLIO_* variable, which beats the default.
func commentFlags(fs *flag.FlagSet) (*web.CommentConfig, error) {
	c := &web.CommentConfig{}
	if v := env("FOLIO_COMMENT_LIMIT", ""); v != "" {
		if err := (commentLimit{c}).Set(v); err != nil {
			return nil, usageError("FOLIO_COMMENT_LIMIT: " + err.Error())
		}
	}
	fs.Var(commentLimit{c}, "comment-limit", "comment posts allowed per client address, as N/DURATION (env FOLIO_COMMENT_LIMIT)")
	fs.StringVar(&c.SMTP.Addr, "smtp-addr", env("FOLIO_SMTP_ADDR", ""), "SMTP relay host:port for comment notifications; empty sends none")
	fs.StringVar(&c.SMTP.From, "smtp-from", env("FOLIO_SMTP_FROM", ""), "sender address of notifications")
	fs.StringVar(&c.SMTP.Username, "smtp-user", env("FOLIO_SMTP_USER", ""), "SMTP user name (PLAIN auth, TLS or localhost only)")
	c.SMTP.Password = env("FOLIO_SMTP_PASSWORD", "") // never a flag: it would show in ps
	return c, nil
}

// cmdComments is `folio comments export|erase --email E`: everything
// stored about one commenter, as JSON on stdout, or erased.
func cmdComments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		return usageError("usage: folio comments export|erase --email E")
	}
	var c Config
	var email string
	fs := newFlagSet("comments "+args[0], stderr)
	dbFlags(fs, &c)
	fs.StringVar(&email, "email", "", "the commenter's e-mail address")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	email = folio.NormalizeEmail(email)
	if email == "" || !strings.Contains(email, "@") {
		return usageError("--email is required")
	}
	store, err := openStore(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	if args[0] == "export" {
		data, err := store.CommenterData(ctx, email)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(web.CommenterExport(data))
	}
	n, err := store.EraseCommenter(ctx, email)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "erased %d comments and every subscription of %s\n", n, email)
	return nil
}
