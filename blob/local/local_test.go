package local_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"folio"
	"folio/blob/blobtest"
	"folio/blob/local"
)

func open(t testing.TB) folio.BlobStore {
	s, err := local.New(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, open, blobtest.Options{})
}

// TestPlainFiles checks the bytes are a plain file an operator can copy,
// and that a file copied in by hand (no sidecar) is still served, hashed.
func TestPlainFiles(t *testing.T) {
	s := open(t).(*local.Store)
	if _, err := s.Put(t.Context(), "media/a.txt", strings.NewReader("hello"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.Root(), "media", "a.txt"))
	if err != nil || string(b) != "hello" {
		t.Fatalf("file = %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(s.Root(), "media", "b.txt"), []byte("by hand"), 0o640); err != nil {
		t.Fatal(err)
	}
	info, err := s.Stat(t.Context(), "media/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256([]byte("by hand")); info.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("SHA256 = %q", info.SHA256)
	}
	if info.ContentType != "application/octet-stream" || info.Size != 7 {
		t.Errorf("info = %+v", info)
	}
}
