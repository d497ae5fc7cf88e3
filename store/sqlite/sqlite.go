// Package sqlite is Folio's default store: one SQLite file through the
// pure-Go modernc.org/sqlite driver, so the binary needs no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"folio/store/sqlstore"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// TimeFormat is how times are stored: fixed-width UTC TEXT, so that they
// sort and compare as text.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// lowerFunc is the SQL function Dialect.Lower names; SQLite's own lower()
// knows only ASCII.
const lowerFunc = "folio_lower"

// Store is a folio.Store on one SQLite file.
type Store struct {
	*sqlstore.Store
}

// Dialect is how sqlstore talks to SQLite.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:     "sqlite",
		Time:     func(t time.Time) any { return t.UTC().Format(TimeFormat) },
		Lower:    lowerFunc,
		Classify: classify,
		FTS5:     true,
		Tables:   tables,
	}
}

// classify maps SQLite's extended result codes to constraint kinds; the
// message ("UNIQUE constraint failed: users.email") only names the column.
func classify(err error) (sqlstore.Violation, string) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqlstore.NoViolation, ""
	}
	// "constraint failed: UNIQUE constraint failed: users.email (2067)"
	name := se.Error()
	if i := strings.LastIndex(name, "constraint failed: "); i >= 0 {
		name = name[i+len("constraint failed: "):]
	}
	if i := strings.LastIndex(name, " ("); i >= 0 {
		name = name[:i]
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.UniqueViolation, name
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ForeignKeyViolation, ""
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return sqlstore.CheckViolation, ""
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return sqlstore.NotNullViolation, name
	}
	return sqlstore.NoViolation, ""
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. Writes go through a single connection that begins
// transactions IMMEDIATE, so writers queue instead of failing with
// SQLITE_BUSY; reads use a separate pool that WAL lets run beside it.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil, fmt.Errorf("open sqlite: %q: need a plain file path", path)
	}
	drv := newDriver()
	writer := sql.OpenDB(connector{drv: drv, dsn: dsn(path, true)})
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	reader := sql.OpenDB(connector{drv: drv, dsn: dsn(path, false)})
	reader.SetMaxOpenConns(max(4, runtime.NumCPU()))
	reader.SetMaxIdleConns(max(4, runtime.NumCPU()))
	closeAll := func() { _ = writer.Close(); _ = reader.Close() }

	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := sqlstore.Migrate(ctx, writer, sub, nil); err != nil {
		closeAll()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := reader.PingContext(ctx); err != nil {
		closeAll()
		return nil, fmt.Errorf("open sqlite %s: reader: %w", path, err)
	}
	st := sqlstore.New(writer, reader, Dialect())
	if v, err := sqlstore.LatestVersion(sub); err == nil {
		st.RequireSchema(v)
	}
	if _, err := st.IndexPending(ctx); err != nil { // articles older than search
		closeAll()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &Store{Store: st}, nil
}

// dsn builds the connection string: busy_timeout first so that the pragmas
// after it wait for locks instead of failing, then WAL, foreign keys and
// full fsync so an acknowledged write survives a crash. Readers are
// query_only, so a stray write on the read pool fails loudly, and read
// the file through mmap.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
		// Readers map the file: a search reads pages all over it (FTS5
		// doclists and sizes, the hits' bodies), and through the default
		// 2 MB page cache each miss was a pread, a quarter of a search's
		// CPU at 100,000 articles.
		q.Add("_pragma", "mmap_size(2147418112)")
	}
	return path + "?" + q.Encode()
}

// newDriver returns a driver of Folio's own with folio_lower registered on
// it, so nothing is registered process-wide.
func newDriver() *sqlite.Driver {
	drv := &sqlite.Driver{}
	// Registration fails only for a duplicate name, impossible on a new driver.
	_ = drv.RegisterDeterministicScalarFunction(lowerFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return v, nil
		}
	})
	return drv
}

// connector opens connections to dsn with drv.
type connector struct {
	drv *sqlite.Driver
	dsn string
}

// Connect implements driver.Connector.
func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.drv.Open(c.dsn)
}

// Driver implements driver.Connector.
func (c connector) Driver() driver.Driver { return c.drv }

// tables lists the ordinary tables (not FTS shadow or virtual tables) and
// their foreign-key parents.
func tables(ctx context.Context, q sqlstore.Querier) ([]sqlstore.Table, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []sqlstore.Table
	for rows.Next() {
		var t sqlstore.Table
		if err := rows.Scan(&t.Name); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		refs, err := q.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`, out[i].Name)
		if err != nil {
			return nil, err
		}
		for refs.Next() {
			var r string
			if err := refs.Scan(&r); err != nil {
				refs.Close()
				return nil, err
			}
			out[i].Refs = append(out[i].Refs, r)
		}
		refs.Close()
		if err := refs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
