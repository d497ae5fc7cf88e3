package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"folio"
)

func cmdUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var c Config
	var u folio.User
	var role string
	var pwStdin bool
	fs := newFlagSet("user add", stderr)
	dbFlags(fs, &c)
	fs.StringVar(&u.Email, "email", "", "e-mail address (the login)")
	fs.StringVar(&u.Name, "name", "", "name shown in bylines")
	fs.StringVar(&role, "role", "author", "admin, editor or author")
	fs.BoolVar(&pwStdin, "password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args); err != nil {
		return err
	}
	u.Role = folio.Role(role)
	if err := u.Validate(); err != nil {
		return err
	}
	if pwStdin {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password: %w", err)
		}
		hash, err := folio.HashPassword(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return err
		}
		u.PasswordHash = hash
	}
	store, err := openStore(ctx, &c)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	if err := store.CreateUser(ctx, &u); err != nil {
		return fmt.Errorf("add user: %w", err)
	}
	fmt.Fprintf(stdout, "added %s <%s> as %s (id %d)\n", u.Name, u.Email, u.Role, u.ID)
	return nil
}

func cmdTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var email, name string
	fs := newFlagSet("token create", stderr)
	dbFlags(fs, &c)
	fs.StringVar(&email, "email", "", "the user the token acts as")
	fs.StringVar(&name, "name", "cli", "a label to recognise the token by")
	if err := parse(fs, args); err != nil {
		return err
	}
	if email == "" {
		return usageError("--email is required")
	}
	store, err := openStore(ctx, &c)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	u, err := store.FindUserByEmail(ctx, folio.NormalizeEmail(email))
	if err != nil {
		return fmt.Errorf("find user %s: %w", email, err)
	}
	secret := folio.NewSecret()
	if err := store.CreateToken(ctx, &folio.Token{UserID: u.ID, Name: name, Hash: folio.HashSecret(secret)}); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	fmt.Fprintf(stderr, "API token for %s (%s); it is shown once, store it now:\n", u.Email, u.Role)
	fmt.Fprintln(stdout, secret)
	return nil
}
