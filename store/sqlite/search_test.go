package sqlite_test

import (
	"context"
	"testing"

	"folio/store/storetest"
)

func TestSearchCommonWordWindow(t *testing.T) {
	t.Parallel()
	s, _ := openDialectStore(t)
	storetest.RunCommonWordWindow(t, s, func(t *testing.T, id int64) {
		t.Helper()
		if _, err := s.DB().ExecContext(context.Background(), `UPDATE sqlite_sequence SET seq = $1 WHERE name = 'articles'`, id); err != nil {
			t.Fatal(err)
		}
	}, nil)
}
