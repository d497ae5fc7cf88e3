// Package sqlstore implements folio.Store once over database/sql for both
// engines; store/sqlite and store/postgres supply a Dialect, their
// connection pools and their migrations.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"folio"
)

// Store implements folio.Store. Writes go to the writer pool (one
// connection for SQLite, so writers queue in Go instead of on SQLITE_BUSY),
// reads to the reader pool; PostgreSQL uses one pool for both.
type Store struct {
	// Now returns the current time; tests pin it. It decides every stored
	// timestamp and which articles are public.
	Now func() time.Time

	writer  *sql.DB
	reader  *sql.DB
	dialect Dialect
	// schemaVersion is the migration version this binary needs (Ready).
	schemaVersion int64
	stmts         stmtCache
	lexemes       lexemeFreqs // PostgreSQL's common-word shares and newest id (pgWindow)
	search        *sql.DB     // PostgreSQL's search pool (SetSearchPool)
	docFreq       dfCache     // keyword document frequencies (related articles)
}

var _ folio.Store = (*Store)(nil)

// New returns a Store over writer and reader, which may be the same pool.
// The schema must be migrated already (see Migrate).
func New(writer, reader *sql.DB, d Dialect) *Store {
	return &Store{Now: time.Now, writer: writer, reader: reader, dialect: d}
}

// DB returns the writer pool, for tests and tools that need raw SQL.
func (s *Store) DB() *sql.DB { return s.writer }

// now is Now in UTC at the precision both engines store.
func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// querier is what *sql.DB and *sql.Tx share, so reads can run inside a
// write transaction or on the reader pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction on the writer and commits when fn succeeds.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.mapErr(what+": commit", err)
	}
	return nil
}

// bumpVersion records in tx that public pages may have changed.
func bumpVersion(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE site_state SET content_version = content_version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump content version: %w", err)
	}
	return nil
}

// ContentVersion implements folio.Store.
func (s *Store) ContentVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.reader.QueryRowContext(ctx, `SELECT content_version FROM site_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("content version: %w", err)
	}
	return v, nil
}

// Setting implements folio.Store.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	if !storable(key) {
		return "", nil // no such key can be stored
	}
	var v string
	err := s.reader.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting implements folio.Store. It bumps the content version because
// settings such as the site title appear on every page.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	what := fmt.Sprintf("set setting %q", key)
	if err := checkText("key", key, "value", value); err != nil {
		return err
	}
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
			return s.mapErr(what, err)
		}
		return bumpVersion(ctx, tx)
	})
}

// Ping implements folio.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.dialect.Name, err)
	}
	if s.reader != s.writer {
		if err := s.reader.PingContext(ctx); err != nil {
			return fmt.Errorf("ping %s reader: %w", s.dialect.Name, err)
		}
	}
	return nil
}

// Close implements folio.Store.
func (s *Store) Close() error {
	s.closeStmts()
	err := s.writer.Close()
	if s.reader != s.writer {
		err = errors.Join(err, s.reader.Close())
	}
	if s.search != nil {
		err = errors.Join(err, s.search.Close())
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", s.dialect.Name, err)
	}
	return nil
}

// execOne runs a statement that must change exactly one row, as deleting or
// updating a row by id does; no row changed is folio.ErrNotFound.
func execOne(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	return nil
}
