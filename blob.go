package folio

import (
	"context"
	"io"
	"time"
)

// BlobStore holds media bytes: uploaded images and files, and rendered
// share cards. Metadata (who uploaded what, alt text) lives in the Store;
// the bytes live here so that a big site can keep them outside the
// database. Implementations: a local directory (the default, under
// --data), PostgreSQL (for many nodes without shared disk) and an
// S3-compatible bucket. Keys are slash-separated relative paths made of
// [a-z0-9._-] segments, e.g. "media/2026/11/cover.png"; implementations
// refuse anything else with ErrInvalidBlobKey.
//
// Every method is safe for concurrent use, and Put is atomic: a reader sees
// the old bytes or the new ones, never half a file.
type BlobStore interface {
	// Put stores r's bytes under key, replacing any earlier blob.
	Put(ctx context.Context, key string, r io.Reader, contentType string) (BlobInfo, error)
	// Get opens key for reading. Returns ErrNotFound if there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// Stat describes key without reading it. Returns ErrNotFound.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every blob whose key starts with prefix, in key
	// order, stopping at fn's first error.
	List(ctx context.Context, prefix string, fn func(BlobInfo) error) error
}

// BlobInfo describes one stored blob.
type BlobInfo struct {
	Key         string
	Size        int64
	ContentType string
	SHA256      string // hex; the blob's ETag
	ModTime     time.Time
}
