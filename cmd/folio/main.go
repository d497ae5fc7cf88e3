// Command folio runs a Folio site and administers it. Every command works
// while a server runs on the same data: nothing holds an exclusive lock and
// the server caches nothing that a command could make stale.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Folio: a publishing platform for news, analysis and interview sites.

Usage:
  folio serve [--addr 127.0.0.1:8080] [--data ./folio-data] [--db URL] [--base-url URL] [--demo]
  folio user add --email E --name N --role admin|editor|author --password-stdin
  folio token create --email E [--name NAME]
  folio comments export|erase --email E   (a commenter's data, as JSON, or erased)
  folio backup FILE        (a consistent snapshot while the site runs; - for stdout)
  folio restore FILE       (into an empty site, SQLite or PostgreSQL, all or nothing)
  folio version

Every command that touches the database takes --data and --db (env FOLIO_DATA, FOLIO_DB).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "folio: %v\n\n%s", err, usage)
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "folio: %v\n", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line; main prints the usage.
type usageError string

func (e usageError) Error() string { return string(e) }

// run dispatches a command line. It takes its streams as arguments so tests
// can call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("missing command")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return cmdServe(ctx, rest, stderr)
	case "user":
		if len(rest) == 0 || rest[0] != "add" {
			return usageError("usage: folio user add --email E --name N --role R --password-stdin")
		}
		return cmdUserAdd(ctx, rest[1:], stdin, stdout, stderr)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return usageError("usage: folio token create --email E")
		}
		return cmdTokenCreate(ctx, rest[1:], stdout, stderr)
	case "comments":
		return cmdComments(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdin, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "folio %s\n", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError(fmt.Sprintf("unknown command %q", cmd))
	}
}
