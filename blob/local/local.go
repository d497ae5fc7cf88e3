// Package local is the default folio.BlobStore: plain files in a directory
// (<data>/media), so an operator can browse, rsync and back them up as they
// are. Each blob has a small sidecar holding its content type and SHA-256.
package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"folio"
)

// Store keeps blobs under a root directory. Key "media/2026/11/a.png" is the
// file <root>/media/2026/11/a.png, and its metadata the sidecar
// <root>/media/2026/11/.a.png.meta. Keys never start a segment with a dot
// (folio.CheckBlobKey), so sidecars and temporary files never collide with
// a blob. A key cannot be both a blob and a "directory" of other blobs
// ("a/b" and "a/b/c"); media keys never are.
type Store struct {
	root string
}

var _ folio.BlobStore = (*Store)(nil)

// New returns a Store rooted at dir, creating it if needed.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("local blobs: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local blobs: %w", err)
	}
	return &Store{root: abs}, nil
}

// Root returns the directory the blobs are kept in.
func (s *Store) Root() string { return s.root }

// meta is a sidecar. Size and ModNano are the data file's when the sidecar
// was written: if they differ from the file now (a concurrent Put renamed
// its data file in between, or a file was copied in by hand), the sidecar
// is stale and the hash is computed from the file itself.
type meta struct {
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ModNano     int64  `json:"mod_nano"`
}

func (s *Store) paths(key string) (data, side string) {
	data = filepath.Join(s.root, filepath.FromSlash(key))
	dir, name := filepath.Split(data)
	return data, filepath.Join(dir, "."+name+".meta")
}

// Put implements folio.BlobStore: the bytes go to a temporary file beside
// the target, which is synced and then renamed over it, so readers see the
// old file or the new one; the directory is synced too, so an acknowledged
// Put survives a crash.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return folio.BlobInfo{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	data, side := s.paths(key)
	dir := filepath.Dir(data)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	var st os.FileInfo
	if err == nil {
		st, err = tmp.Stat()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	info := folio.BlobInfo{Key: key, Size: n, ContentType: contentType, SHA256: hex.EncodeToString(h.Sum(nil)), ModTime: st.ModTime().UTC()}
	m, _ := json.Marshal(meta{contentType, info.SHA256, n, st.ModTime().UnixNano()})
	if err := writeFile(dir, side, m); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), data); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	return info, nil
}

// writeFile writes b to name atomically (temporary file, sync, rename).
func writeFile(dir, name string, b []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// notFound maps "no such file" and "a path segment is a file" to
// folio.ErrNotFound.
func notFound(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) {
		return fmt.Errorf("blob %s: %w", key, folio.ErrNotFound)
	}
	return fmt.Errorf("blob %s: %w", key, err)
}

// Get implements folio.BlobStore. The open file keeps the bytes it was
// opened with even if a Put replaces the name meanwhile.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return nil, folio.BlobInfo{}, err
	}
	data, side := s.paths(key)
	f, err := os.Open(data)
	if err != nil {
		return nil, folio.BlobInfo{}, notFound(key, err)
	}
	info, err := s.describe(key, f, side)
	if err != nil {
		f.Close()
		return nil, folio.BlobInfo{}, err
	}
	return f, info, nil
}

// describe reads key's sidecar, or hashes the open file when the sidecar
// is missing or stale.
func (s *Store) describe(key string, f *os.File, side string) (folio.BlobInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return folio.BlobInfo{}, notFound(key, err)
	}
	if st.IsDir() {
		return folio.BlobInfo{}, fmt.Errorf("blob %s: %w", key, folio.ErrNotFound)
	}
	info := folio.BlobInfo{Key: key, Size: st.Size(), ModTime: st.ModTime().UTC()}
	var m meta
	if b, err := os.ReadFile(side); err == nil && json.Unmarshal(b, &m) == nil {
		info.ContentType = m.ContentType
		if m.Size == st.Size() && m.ModNano == st.ModTime().UnixNano() {
			info.SHA256 = m.SHA256
			return info, nil
		}
	}
	if info.ContentType == "" {
		info.ContentType = "application/octet-stream"
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("blob %s: %w", key, err)
	}
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	return info, nil
}

// Stat implements folio.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (folio.BlobInfo, error) {
	rc, info, err := s.Get(ctx, key)
	if err != nil {
		return folio.BlobInfo{}, err
	}
	rc.Close()
	return info, nil
}

// Delete implements folio.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := folio.CheckBlobKey(key); err != nil {
		return err
	}
	data, side := s.paths(key)
	if err := os.Remove(data); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if err := os.Remove(side); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// List implements folio.BlobStore. It walks only the directory the prefix
// names, collects the keys and sorts them, because a directory walk's
// order ("a" before "a-b") is not key order ("a-b" before "a/c").
func (s *Store) List(ctx context.Context, prefix string, fn func(folio.BlobInfo) error) error {
	if err := folio.CheckBlobPrefix(prefix); err != nil {
		return err
	}
	base := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		base = prefix[:i]
	}
	start := filepath.Join(s.root, filepath.FromSlash(base))
	var keys []string
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != start {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(key, prefix) && folio.CheckBlobKey(key) == nil {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	slices.Sort(keys)
	for _, key := range keys {
		info, err := s.Stat(ctx, key)
		if errors.Is(err, folio.ErrNotFound) {
			continue // deleted since the walk
		}
		if err != nil {
			return err
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}
