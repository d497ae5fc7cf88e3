// Package postgres is Folio's store for big sites: PostgreSQL through pgx,
// shared by any number of stateless nodes.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"strings"
	"time"

	"folio/store/sqlstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a folio.Store on a PostgreSQL database.
type Store struct {
	*sqlstore.Store
	cfg *pgx.ConnConfig
	// onListenError, when set, hears why the change listener lost its
	// connection (it reconnects by itself).
	onListenError func(error)
}

// OnListenError sets a function that hears why WatchChanges lost its
// connection, for logging; WatchChanges reconnects by itself.
func (s *Store) OnListenError(f func(error)) { s.onListenError = f }

// Dialect is how sqlstore talks to PostgreSQL.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:         "postgres",
		Time:         func(t time.Time) any { return t.UTC() },
		Lower:        "lower",
		ForUpdate:    " FOR UPDATE",
		Classify:     classify,
		XactLock:     xactLock,
		Lock:         lockMigrations,
		Tables:       tables,
		SnapshotTx:   &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		AfterRestore: afterRestore,
	}
}

// classify maps SQLSTATE codes to constraint kinds.
func classify(err error) (sqlstore.Violation, string) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqlstore.NoViolation, ""
	}
	name := pe.ConstraintName
	if name == "" {
		name = pe.ColumnName
	}
	switch pe.Code {
	case "23505":
		return sqlstore.UniqueViolation, name
	case "23503":
		return sqlstore.ForeignKeyViolation, ""
	case "23514":
		return sqlstore.CheckViolation, ""
	case "23502":
		return sqlstore.NotNullViolation, name
	case "22021", "22P05": // invalid byte sequence, untranslatable character
		return sqlstore.InvalidText, ""
	}
	return sqlstore.NoViolation, ""
}

// xactLock takes a transaction-scoped advisory lock on key, in a key space
// (two int4 keys) apart from the migration lock's.
func xactLock(ctx context.Context, tx *sql.Tx, key string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('folio'), hashtext($1))`, key)
	return err
}

// lockMigrations takes a session advisory lock on conn, keyed by the
// schema the migrations go into, so nodes starting together migrate one
// at a time while tests in separate schemas do not wait for each other.
func lockMigrations(ctx context.Context, conn *sql.Conn) (func() error, error) {
	var key int64
	if err := conn.QueryRowContext(ctx,
		`SELECT hashtext('folio.migrate:' || COALESCE(current_schema(), ''))::bigint`).Scan(&key); err != nil {
		return nil, fmt.Errorf("lock key: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return nil, fmt.Errorf("advisory lock: %w", err)
	}
	return func() error {
		// Unlock even if ctx ended: the connection goes back to the pool.
		_, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
		return err
	}, nil
}

// Open connects to the database at url (postgres://...; a search_path
// parameter selects the schema) and brings its schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: parse url: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	// As many idle connections as open ones: with 5, ten concurrent
	// searches closed and reopened connections all the time (a new
	// backend each), slower at ten clients than at one. Idle ones
	// still close after five minutes.
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := sqlstore.Migrate(ctx, db, sub, lockMigrations); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	st := sqlstore.New(db, db, Dialect())
	search := openSearchPool(cfg)
	st.SetSearchPool(search)
	if err := search.PingContext(ctx); err != nil {
		// A pooler that refuses the planner settings (PgBouncer does
		// unless told to ignore them) fails here, not at each search.
		_ = st.Close()
		return nil, fmt.Errorf("open postgres: search pool: %w", err)
	}
	if v, err := sqlstore.LatestVersion(sub); err == nil {
		st.RequireSchema(v)
	}
	if _, err := st.IndexPending(ctx); err != nil { // articles older than search
		_ = st.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &Store{Store: st, cfg: cfg}, nil
}

// openSearchPool opens the pool searches run on (sqlstore.SetSearchPool):
// read-only connections with the planner settings a search needs set when
// they connect, so a search is one statement, not a transaction around
// one. It holds up to searchConns connections, all kept when idle.
func openSearchPool(cfg *pgx.ConnConfig) *sql.DB {
	c := cfg.Copy()
	c.RuntimeParams = maps.Clone(cfg.RuntimeParams)
	if c.RuntimeParams == nil {
		c.RuntimeParams = map[string]string{}
	}
	c.RuntimeParams["default_transaction_read_only"] = "on"
	c.RuntimeParams["enable_seqscan"] = "off"
	c.RuntimeParams["enable_indexscan"] = "off"
	c.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	c.RuntimeParams["jit"] = "off"
	db := stdlib.OpenDB(*c)
	db.SetMaxOpenConns(searchConns)
	db.SetMaxIdleConns(searchConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db
}

// searchConns is how many connections the search pool holds at most.
const searchConns = 10

// tables lists the schema's tables and their foreign-key parents, less
// the PostgreSQL BlobStore's (blob/pgblob): a backup carries blobs as blob
// records read from whichever BlobStore the site uses, so they restore
// into a local directory or S3 as well as into these tables.
func tables(ctx context.Context, q sqlstore.Querier) ([]sqlstore.Table, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT c.relname, COALESCE(array_to_string(array_agg(DISTINCT p.relname) FILTER (WHERE p.relname IS NOT NULL), ','), '')
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f'
		LEFT JOIN pg_class p ON p.oid = k.confrelid
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
			AND c.relname NOT IN ('blobs', 'blob_chunks')
		GROUP BY c.relname ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sqlstore.Table
	for rows.Next() {
		var t sqlstore.Table
		var refs string
		if err := rows.Scan(&t.Name, &refs); err != nil {
			return nil, err
		}
		if refs != "" {
			t.Refs = strings.Split(refs, ",")
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// afterRestore moves each identity sequence past the ids a restore wrote.
func afterRestore(ctx context.Context, tx *sql.Tx, tables []string) error {
	for _, t := range tables {
		var seq sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT pg_get_serial_sequence(quote_ident(table_name), 'id')
			FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`, t).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !seq.Valid) {
			continue // no id column, or not an identity
		}
		if err != nil {
			return fmt.Errorf("find sequence of %s: %w", t, err)
		}
		if _, err := tx.ExecContext(ctx, `SELECT setval($1, COALESCE((SELECT max(id) FROM `+pgx.Identifier{t}.Sanitize()+`), 0) + 1, false)`, seq.String); err != nil {
			return fmt.Errorf("reset sequence of %s: %w", t, err)
		}
	}
	return nil
}
