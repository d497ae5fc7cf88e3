package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// OpenPostgres connects River to the database at url (the store's own
// URL; a search_path parameter selects the schema, and River's tables go
// in that schema too) through a pgx pool of its own, so jobs hear of new
// work by LISTEN/NOTIFY. River's migrations run first, under the advisory
// lock the store's migrations take, so nodes starting together migrate
// one at a time.
func OpenPostgres(ctx context.Context, url string, o Options) (*Queue, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open job queue: parse url: %w", err)
	}
	pcfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open job queue: %w", err)
	}
	var schema string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open job queue: %w", err)
	}
	drv := riverpgxv5.New(pool)
	if err := migratePostgres(ctx, pool, drv, schema, o); err != nil {
		pool.Close()
		return nil, err
	}
	q := &Queue{logger: o.Logger, close: pool.Close}
	table := pgx.Identifier{schema, "river_job"}.Sanitize()
	q.counts = func(ctx context.Context) (map[string]int, error) {
		rows, err := pool.Query(ctx, `SELECT state::text, count(*)::int FROM `+table+` GROUP BY state`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return scanCounts(rows)
	}
	c, err := river.NewClient(drv, q.config(o, schema))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open job queue: %w", err)
	}
	q.client = c
	return q, nil
}

// migratePostgres brings River's tables up to date holding the store's
// migration lock (a session advisory lock keyed by the schema) on a
// connection of its own, so a second node waits and then finds nothing to
// do. Each River migration is its own transaction: one of them adds an
// enum value that a later one uses, which PostgreSQL forbids in one.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, drv *riverpgxv5.Driver, schema string, o Options) (err error) {
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Schema: schema, Logger: quiet(o.Logger)})
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	defer conn.Release()
	const key = `hashtext('folio.migrate:' || COALESCE(current_schema(), ''))::bigint`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return fmt.Errorf("migrate job queue: lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`); uerr != nil && err == nil {
			err = fmt.Errorf("migrate job queue: unlock: %w", uerr)
		}
	}()
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}
