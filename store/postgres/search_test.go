package postgres_test

import (
	"context"
	"testing"

	"folio/store/storetest"
)

func TestSearchCommonWordWindow(t *testing.T) {
	t.Parallel()
	s := openDialectStore(t)
	exec := func(t *testing.T, q string, args ...any) {
		t.Helper()
		if _, err := s.DB().ExecContext(context.Background(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
	storetest.RunCommonWordWindow(t, s,
		func(t *testing.T, id int64) {
			exec(t, `SELECT setval(pg_get_serial_sequence('articles', 'id'), $1)`, id)
		},
		func(t *testing.T) { exec(t, `ANALYZE search_docs`) })
}
