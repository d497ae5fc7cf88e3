package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"folio"
)

// TestReady checks /readyz's store check on both engines: ready after
// Open, not ready once the schema is behind what the binary needs.
func TestReady(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	for _, open := range []func(testing.TB) folio.Store{openSQLite, openPostgres} {
		s := open(t)
		r := s.(interface {
			Ready(context.Context) error
			DB() *sql.DB
		})
		if err := r.Ready(t.Context()); err != nil {
			t.Fatalf("%T fresh: %v", s, err)
		}
		if _, err := r.DB().Exec(`DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
			t.Fatal(err)
		}
		if err := r.Ready(t.Context()); err == nil {
			t.Errorf("%T: ready with a migration missing", s)
		}
	}
}
