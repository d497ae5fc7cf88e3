package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// OpenSQLite puts River's tables in the store's SQLite file at path and
// works them through one connection of its own, beside the store's
// writer: River's driver wants a single connection (SQLite takes one
// writer at a time), and sharing the store's would queue every comment
// write behind River's polling. Both connections begin transactions
// IMMEDIATE and wait on busy_timeout, so they take turns rather than fail.
// River polls (SQLite has no LISTEN); an idle poll writes nothing.
func OpenSQLite(ctx context.Context, path string, o Options) (*Queue, error) {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(FULL)")
	v.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open job queue: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	drv := riversqlite.New(db)
	if err := migrateSQLite(ctx, db, drv, o); err != nil {
		db.Close()
		return nil, err
	}
	q := &Queue{logger: o.Logger, close: func() { db.Close() }}
	q.counts = func(ctx context.Context) (map[string]int, error) {
		rows, err := db.QueryContext(ctx, `SELECT state, count(*) FROM river_job GROUP BY state`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return scanCounts(rows)
	}
	c, err := river.NewClient(drv, q.config(o, ""))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open job queue: %w", err)
	}
	q.client = c
	return q, nil
}

// migrateSQLite runs River's migrations in one IMMEDIATE transaction, so
// a second process on the same file waits for the first.
func migrateSQLite(ctx context.Context, db *sql.DB, drv *riversqlite.Driver, o Options) error {
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: quiet(o.Logger)})
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate job queue: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate job queue: commit: %w", err)
	}
	return nil
}
