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

// rateFlag is a limit flag written "N/DURATION", e.g. "10/10m": at most N
// events per client (or account) in DURATION.
type rateFlag struct {
	n   *int
	win *time.Duration
}

func (f rateFlag) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%s", *f.n, *f.win)
}

func (f rateFlag) Set(v string) error {
	n, d, ok := strings.Cut(v, "/")
	per, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || per < 1 {
		return fmt.Errorf("want N/DURATION such as 10/10m")
	}
	win, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil || win <= 0 {
		return fmt.Errorf("want N/DURATION such as 10/10m")
	}
	*f.n, *f.win = per, win
	return nil
}

// rateVar registers a rateFlag, first read from its environment variable.
func rateVar(fs *flag.FlagSet, name, envKey, usage string, n *int, win *time.Duration) error {
	f := rateFlag{n, win}
	if v := env(envKey, ""); v != "" {
		if err := f.Set(v); err != nil {
			return usageError(envKey + ": " + err.Error())
		}
	}
	fs.Var(f, name, usage+" (env "+envKey+")")
	return nil
}

// commentFlags registers the comment settings of `folio serve`: the
// per-address limit and the SMTP relay for notifications. A flag beats its
// FOLIO_* variable, which beats the default.
func commentFlags(fs *flag.FlagSet) (*web.CommentConfig, error) {
	c := &web.CommentConfig{}
	if err := rateVar(fs, "comment-limit", "FOLIO_COMMENT_LIMIT", "comment posts allowed per client address, as N/DURATION; default 10/10m",
		&c.PerAddress, &c.Window); err != nil {
		return nil, err
	}
	fs.StringVar(&c.SMTP.Addr, "smtp-addr", env("FOLIO_SMTP_ADDR", ""), "SMTP relay host:port for comment notifications; empty sends none")
	fs.StringVar(&c.SMTP.From, "smtp-from", env("FOLIO_SMTP_FROM", ""), "sender address of notifications")
	fs.StringVar(&c.SMTP.Username, "smtp-user", env("FOLIO_SMTP_USER", ""), "SMTP user name (PLAIN auth, TLS or localhost only)")
	c.SMTP.Password = env("FOLIO_SMTP_PASSWORD", "") // never a flag: it would show in ps
	return c, nil
}

// loginFlags registers the failed-login limits of `folio serve`.
func loginFlags(fs *flag.FlagSet) (*web.LoginLimits, error) {
	l := &web.LoginLimits{}
	var addrWindow time.Duration
	if err := rateVar(fs, "login-limit", "FOLIO_LOGIN_LIMIT", "failed logins allowed per account, as N/DURATION; default 5/15m",
		&l.PerAccount, &l.Window); err != nil {
		return nil, err
	}
	if err := rateVar(fs, "login-address-limit", "FOLIO_LOGIN_ADDRESS_LIMIT", "failed logins allowed per client address, as N/DURATION (the window is shared with --login-limit); default 20/15m",
		&l.PerAddress, &addrWindow); err != nil {
		return nil, err
	}
	if l.Window == 0 {
		l.Window = addrWindow
	}
	return l, nil
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
