package folio

import (
	"context"
	"fmt"
	"io"
	"strings"
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

// MaxBlobKeyLen bounds a key, well under every backend's limit (S3: 1024).
const MaxBlobKeyLen = 512

// CheckBlobKey returns an error wrapping ErrInvalidBlobKey unless key is a
// clean relative path: slash-separated segments of [a-z0-9._-], each
// starting with a letter or digit (so no "..", no hidden files where a
// backend keeps its own), no empty segment, at most MaxBlobKeyLen bytes.
// Every BlobStore checks keys with it, so a key means the same everywhere.
func CheckBlobKey(key string) error {
	if key == "" || len(key) > MaxBlobKeyLen {
		return fmt.Errorf("%w: %q", ErrInvalidBlobKey, key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if !blobSegment(seg) {
			return fmt.Errorf("%w: %q", ErrInvalidBlobKey, key)
		}
	}
	return nil
}

// CheckBlobPrefix is CheckBlobKey for List's prefix: it may be empty, end
// with a slash, or end inside a segment ("media/20").
func CheckBlobPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > MaxBlobKeyLen {
		return fmt.Errorf("%w: prefix %q", ErrInvalidBlobKey, prefix)
	}
	segs := strings.Split(prefix, "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		if last && seg == "" && i > 0 {
			break // a trailing slash
		}
		if !blobSegment(seg) {
			return fmt.Errorf("%w: prefix %q", ErrInvalidBlobKey, prefix)
		}
	}
	return nil
}

// blobSegment reports whether seg is one clean key segment (or the start
// of one, at the end of a prefix).
func blobSegment(seg string) bool {
	if seg == "" {
		return false
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}
