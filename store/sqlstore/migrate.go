package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migrate applies the numbered migrations in fsys ("0001_init.sql",
// "0002_comments.sql", ...) that db has not seen yet, in order, each in its
// own transaction together with its row in schema_migrations. lock, when
// not nil, is taken first on the migration connection so that several
// processes starting at once apply each file once; each file is also
// re-checked inside its transaction, which is what serialises SQLite (its
// writer begins transactions IMMEDIATE).
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, lock func(context.Context, *sql.Conn) (func() error, error)) (err error) {
	files, err := migrationFiles(fsys)
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close()
	if lock != nil {
		unlock, err := lock(ctx, conn)
		if err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer func() {
			if uerr := unlock(); uerr != nil && err == nil {
				err = fmt.Errorf("migrate: unlock: %w", uerr)
			}
		}()
	}
	if _, err := conn.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range files {
		if err := applyMigration(ctx, conn, fsys, m); err != nil {
			return err
		}
	}
	return nil
}

type migration struct {
	version int64
	name    string
}

// migrationFiles lists the .sql files at the root of fsys by version and
// refuses names without a version or with a version used twice.
func migrationFiles(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrate: list: %w", err)
	}
	var out []migration
	for _, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migrate: %s: name must start with a positive number and an underscore", name)
		}
		out = append(out, migration{version: v, name: name})
	}
	slices.SortFunc(out, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrate: %s and %s share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

func applyMigration(ctx context.Context, conn *sql.Conn, fsys fs.FS, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: begin: %w", m.name, err)
	}
	defer tx.Rollback() // a no-op after Commit
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM schema_migrations WHERE version = $1`, m.version).Scan(&one)
	switch {
	case err == nil:
		return nil // applied already, perhaps by another process a moment ago
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("migrate %s: check: %w", m.name, err)
	}
	body, err := fs.ReadFile(fsys, m.name)
	if err != nil {
		return fmt.Errorf("migrate %s: read: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
		return fmt.Errorf("migrate %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit: %w", m.name, err)
	}
	return nil
}

// LatestVersion is the highest migration version in fsys: the schema this
// binary needs.
func LatestVersion(fsys fs.FS) (int64, error) {
	ms, err := migrationFiles(fsys)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}

// RequireSchema tells Ready which migration version this binary needs.
func (s *Store) RequireSchema(version int64) { s.schemaVersion = version }

// Ready reports whether the database answers and carries every migration
// this binary knows, for /readyz: a node whose schema is behind (another
// node still migrating, or a restored old database) is taken out of the
// balancer rather than failing requests.
func (s *Store) Ready(ctx context.Context) error {
	var v sql.NullInt64
	if err := s.reader.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if v.Int64 < s.schemaVersion {
		return fmt.Errorf("schema at version %d, this binary needs %d", v.Int64, s.schemaVersion)
	}
	return nil
}
