package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"folio"
)

// Dialect holds what differs between the engines, so one implementation of
// folio.Store serves both. Queries use $1, $2 placeholders, which both
// drivers bind by position.
type Dialect struct {
	// Name names the engine in error messages: "sqlite", "postgres".
	Name string
	// Time converts a UTC time into the value bound for a time column:
	// fixed-width TEXT for SQLite, time.Time for TIMESTAMPTZ.
	Time func(time.Time) any
	// Lower is the SQL function that lowercases text the way strings.ToLower
	// does, for case-blind title search in any script.
	Lower string
	// ForUpdate is appended to a SELECT that reads a row a transaction is
	// about to change (" FOR UPDATE" on PostgreSQL; SQLite transactions
	// already hold the write lock).
	ForUpdate string
	// Classify reports which constraint, if any, err violated, by the
	// driver's error code, and the name the driver gives the constraint or
	// column ("users.email", "users_email_key"), which may be empty.
	Classify func(err error) (Violation, string)
	// XactLock, when not nil, takes a lock named key until tx ends. Writers
	// that derive a unique slug take one per slug stem, so concurrent
	// transactions on PostgreSQL pick different suffixes instead of
	// colliding; the SQLite writer is one connection and needs none.
	XactLock func(ctx context.Context, tx *sql.Tx, key string) error
	// FTS5 selects SQLite's full-text tables for search (search.go);
	// false means PostgreSQL's tsvector.
	FTS5 bool
	// Lock, when not nil, serialises Migrate across processes. It runs on
	// the connection the migrations use and returns the function that
	// releases the lock.
	Lock func(ctx context.Context, conn *sql.Conn) (unlock func() error, err error)
	// Tables lists the schema's tables with the tables their foreign keys
	// reference, for backups.
	Tables func(ctx context.Context, q Querier) ([]Table, error)
	// SnapshotTx opens the read transaction a backup runs in, so every
	// table is read at one instant.
	SnapshotTx *sql.TxOptions
	// AfterRestore, when not nil, runs after a restore inserted explicit
	// ids into tables (PostgreSQL moves its identity sequences past them).
	AfterRestore func(ctx context.Context, tx *sql.Tx, tables []string) error
}

// Violation is the kind of constraint a failed statement broke.
type Violation int

// The constraint kinds Classify reports.
const (
	NoViolation Violation = iota
	UniqueViolation
	ForeignKeyViolation
	CheckViolation
	NotNullViolation
	// InvalidText is text the database cannot store (PostgreSQL refuses
	// NUL and invalid UTF-8).
	InvalidText
)

// mapErr turns a constraint violation into the domain error a user can act
// on and wraps everything else with what was being done.
func (s *Store) mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	kind, name := s.dialect.Classify(err)
	switch kind {
	case UniqueViolation:
		field := fieldOf(name)
		msg := "already exists"
		if field != "" {
			msg = field + " is already taken"
		}
		return fmt.Errorf("%s: %w", what, &folio.ConflictError{Field: field, Message: msg})
	case ForeignKeyViolation:
		return fmt.Errorf("%s: %w", what, folio.Invalid(fieldOf(name), "refers to a record that does not exist"))
	case CheckViolation, NotNullViolation:
		return fmt.Errorf("%s: %w", what, folio.Invalid(fieldOf(name), "has a value that is not allowed"))
	case InvalidText:
		return fmt.Errorf("%s: %w", what, folio.Invalid("", "contains NUL characters or invalid UTF-8"))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// fieldOf names the input field behind a constraint or column name as the
// drivers report them: "users.email" (SQLite), "users_email_key"
// (PostgreSQL).
func fieldOf(name string) string {
	for _, f := range []string{"email", "slug", "hash"} {
		if strings.Contains(name, f) {
			return f
		}
	}
	return ""
}

// storable reports whether both engines can store and compare s alike:
// valid UTF-8 without NUL characters, which PostgreSQL refuses.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// checkText returns a *folio.ValidationError for the first of the
// name, value pairs whose value is not storable.
func checkText(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !storable(pairs[i+1]) {
			return folio.Invalid(pairs[i], "contains NUL characters or invalid UTF-8")
		}
	}
	return nil
}

// nullTime scans a time column of either engine: a time.Time from
// PostgreSQL, fixed-width TEXT from SQLite, or NULL.
type nullTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (n *nullTime) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*n = nullTime{}
		return nil
	case time.Time:
		*n = nullTime{Time: v.UTC().Truncate(time.Microsecond), Valid: true}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan time: unsupported type %T", src)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan time %q: %w", s, err)
	}
	*n = nullTime{Time: t.UTC().Truncate(time.Microsecond), Valid: true}
	return nil
}

// Ptr returns nil for NULL, else a pointer to the time.
func (n nullTime) Ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time
	return &t
}

// xactLock takes the dialect's transaction lock on key, if it has one.
func (s *Store) xactLock(ctx context.Context, tx *sql.Tx, key string) error {
	if s.dialect.XactLock == nil {
		return nil
	}
	if err := s.dialect.XactLock(ctx, tx, key); err != nil {
		return fmt.Errorf("lock %q: %w", key, err)
	}
	return nil
}

// bindTime binds t (UTC, microseconds) through the dialect.
func (s *Store) bindTime(t time.Time) any {
	return s.dialect.Time(t.UTC().Truncate(time.Microsecond))
}

// bindNullTime binds nil as NULL.
func (s *Store) bindNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.bindTime(*t)
}

// placeholders returns "$from, $from+1, ..." for n values, to build IN
// lists whose values are still bound as parameters.
func placeholders(from, n int) string { return paramList("$", from, n) }

// paramList is placeholders with mark before each number ("+$" hides the
// values from SQLite's planner: opaqueParams).
func paramList(mark string, from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(mark)
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// idArgs is ids as query arguments.
func idArgs(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// inIDOrder returns the articles of byID in the order of ids, leaving out
// ids it lacks.
func inIDOrder(ids []int64, byID map[int64]*folio.Article) []*folio.Article {
	out := make([]*folio.Article, 0, len(ids))
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			out = append(out, a)
		}
	}
	return out
}

// escapeLike escapes the LIKE wildcards in s for use with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
