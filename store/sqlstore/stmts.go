package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxStmts bounds the statement cache: query texts vary only with the
// filters a request uses, so a few hundred cover them all.
const maxStmts = 256

// stmtCache keeps a prepared statement per query text on the reader pool.
// modernc's SQLite driver parses a query anew on every call otherwise,
// which pprof showed to be a fifth of a search.
type stmtCache struct {
	m sync.Map // query → *sql.Stmt
	n atomic.Int32
}

// cachedReader is the reader pool answering queries from stmtCache.
type cachedReader struct{ s *Store }

// QueryContext runs query as a cached prepared statement, or plainly once
// the cache is full.
func (r cachedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.s.reader.QueryContext(ctx, query, args...)
}

// QueryRowContext is QueryContext for one row.
func (r cachedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.s.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.s.reader.QueryRowContext(ctx, query, args...)
}

// ExecContext is not cached: the reader pool only reads.
func (r cachedReader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.s.reader.ExecContext(ctx, query, args...)
}

func (s *Store) stmt(ctx context.Context, query string) *sql.Stmt {
	if v, ok := s.stmts.m.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if s.stmts.n.Load() >= maxStmts {
		return nil
	}
	st, err := s.reader.PrepareContext(ctx, query)
	if err != nil {
		return nil // the plain query reports the error
	}
	if v, loaded := s.stmts.m.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	s.stmts.n.Add(1)
	return st
}

// closeStmts closes the cached statements, before the pools close.
func (s *Store) closeStmts() {
	s.stmts.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.stmts.m.Delete(k)
		return true
	})
}
