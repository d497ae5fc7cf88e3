package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestReaderIsReadOnly checks that the read pool cannot write, so a query
// sent to the wrong pool fails instead of racing the writer, and that
// folio_lower is registered on it.
func TestReaderIsReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "folio.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reader := sql.OpenDB(connector{drv: newDriver(), dsn: dsn(path, false)})
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('a', 'b')`); err == nil {
		t.Error("write through the read pool succeeded")
	}
	var got string
	if err := reader.QueryRowContext(ctx, `SELECT folio_lower('ÀÉÎ Россия ABC')`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "àéî россия abc"; got != want {
		t.Errorf("folio_lower = %q, want %q", got, want)
	}
}
