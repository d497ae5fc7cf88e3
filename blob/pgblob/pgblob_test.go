package pgblob_test

import (
	"bytes"
	"context"
	"testing"

	"folio"
	"folio/blob/blobtest"
	"folio/blob/pgblob"
	"folio/internal/pgtest"
	"folio/store/postgres"
)

func open(t testing.TB) folio.BlobStore {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.NewSchema(t, pgtest.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return pgblob.New(st.DB())
}

func TestConformance(t *testing.T) {
	pgtest.Require(t)
	blobtest.Run(t, open, blobtest.Options{})
}

// TestChunksReplaced checks that a replaced blob leaves no chunks of its
// old version behind, and a deleted one none at all.
func TestChunksReplaced(t *testing.T) {
	pgtest.Require(t)
	t.Parallel()
	st, err := postgres.Open(context.Background(), pgtest.NewSchema(t, pgtest.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b := pgblob.New(st.DB())
	ctx := t.Context()
	big := make([]byte, 3*pgblob.ChunkSize+1)
	for _, body := range [][]byte{big, []byte("small")} {
		if _, err := b.Put(ctx, "k", bytes.NewReader(body), ""); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM blob_chunks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Errorf("%d chunks after replacing a 4-chunk blob by a 1-chunk one, want 1", n)
	}
	if err := b.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d chunks after Delete, want 0", n)
	}
}
