// Package pgblob is a folio.BlobStore in PostgreSQL (`--media postgres`):
// for many nodes that share a database but no disk. Bytes are bytea chunks
// in tables of Folio's own schema (store/postgres migration 0007), not
// large objects: they live in the search_path's schema like every other
// table (so each test's schema is isolated), travel with pg_dump, and are
// removed by an ordinary DELETE instead of needing lo_unlink or vacuumlo.
package pgblob

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"folio"
)

// ChunkSize is the size of each stored chunk: big enough that a 10 MiB
// image is 40 rows, small enough that a reader holds little in memory.
const ChunkSize = 256 << 10

// Store keeps blobs in the blobs and blob_chunks tables of db.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

var _ folio.BlobStore = (*Store)(nil)

// New returns a Store on db, whose schema must be migrated
// (store/postgres.Open does it).
func New(db *sql.DB) *Store { return &Store{db: db, now: time.Now} }

// Put implements folio.BlobStore. The chunks of a new version and the
// switch to it are one transaction, so readers see the old version or the
// new one; the old version's chunks go in the same commit.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return folio.BlobInfo{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	defer tx.Rollback()
	info, err := s.put(ctx, tx, key, r, contentType)
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	return info, nil
}

func (s *Store) put(ctx context.Context, tx *sql.Tx, key string, r io.Reader, contentType string) (folio.BlobInfo, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT nextval('blob_versions')`).Scan(&version); err != nil {
		return folio.BlobInfo{}, err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO blob_chunks (key, version, n, data) VALUES ($1, $2, $3, $4)`)
	if err != nil {
		return folio.BlobInfo{}, err
	}
	defer ins.Close()
	h := sha256.New()
	buf := make([]byte, ChunkSize)
	var size int64
	for n := 0; ; n++ {
		k, rerr := io.ReadFull(r, buf)
		if k > 0 {
			h.Write(buf[:k])
			size += int64(k)
			if _, err := ins.ExecContext(ctx, key, version, n, buf[:k]); err != nil {
				return folio.BlobInfo{}, err
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return folio.BlobInfo{}, rerr
		}
	}
	info := folio.BlobInfo{Key: key, Size: size, ContentType: contentType,
		SHA256: hex.EncodeToString(h.Sum(nil)), ModTime: s.now().UTC().Truncate(time.Microsecond)}
	// The upsert locks the key's row until commit, so concurrent Puts of one
	// key take turns here; each then drops every version but its own, and
	// the last to commit wins whole.
	if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (key, version, size, content_type, sha256, mod_time)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET version = excluded.version, size = excluded.size,
			content_type = excluded.content_type, sha256 = excluded.sha256, mod_time = excluded.mod_time`,
		key, version, size, contentType, info.SHA256, info.ModTime); err != nil {
		return folio.BlobInfo{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blob_chunks WHERE key = $1 AND version <> $2`, key, version); err != nil {
		return folio.BlobInfo{}, err
	}
	return info, nil
}

// Get implements folio.BlobStore. The header and the chunks come from one
// statement, so a concurrent Put cannot mix versions; chunks are read from
// the connection as the caller reads, never all held at once.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return nil, folio.BlobInfo{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT b.size, b.content_type, b.sha256, b.mod_time, c.data
		FROM blobs b LEFT JOIN blob_chunks c ON c.key = b.key AND c.version = b.version
		WHERE b.key = $1 ORDER BY c.n`, key)
	if err != nil {
		return nil, folio.BlobInfo{}, fmt.Errorf("get blob %s: %w", key, err)
	}
	if !rows.Next() {
		err := rows.Err()
		rows.Close()
		if err != nil {
			return nil, folio.BlobInfo{}, fmt.Errorf("get blob %s: %w", key, err)
		}
		return nil, folio.BlobInfo{}, fmt.Errorf("blob %s: %w", key, folio.ErrNotFound)
	}
	cr := &chunkReader{rows: rows, info: folio.BlobInfo{Key: key}}
	if err := cr.scan(); err != nil {
		rows.Close()
		return nil, folio.BlobInfo{}, fmt.Errorf("get blob %s: %w", key, err)
	}
	return cr, cr.info, nil
}

// chunkReader reads a blob's chunks row by row.
type chunkReader struct {
	rows *sql.Rows
	info folio.BlobInfo
	buf  []byte
	read int64
	done bool
}

func (c *chunkReader) scan() error {
	var data []byte
	if err := c.rows.Scan(&c.info.Size, &c.info.ContentType, &c.info.SHA256, &c.info.ModTime, &data); err != nil {
		return err
	}
	c.info.ModTime = c.info.ModTime.UTC()
	c.buf = data
	return nil
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done || !c.rows.Next() {
			c.done = true
			if err := c.rows.Err(); err != nil {
				return 0, err
			}
			if c.read != c.info.Size {
				return 0, fmt.Errorf("blob %s: %d of %d bytes: %w", c.info.Key, c.read, c.info.Size, io.ErrUnexpectedEOF)
			}
			return 0, io.EOF
		}
		if err := c.scan(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	c.read += int64(n)
	return n, nil
}

func (c *chunkReader) Close() error { return c.rows.Close() }

// Stat implements folio.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return folio.BlobInfo{}, err
	}
	info := folio.BlobInfo{Key: key}
	err := s.db.QueryRowContext(ctx, `SELECT size, content_type, sha256, mod_time FROM blobs WHERE key = $1`, key).
		Scan(&info.Size, &info.ContentType, &info.SHA256, &info.ModTime)
	if errors.Is(err, sql.ErrNoRows) {
		return folio.BlobInfo{}, fmt.Errorf("blob %s: %w", key, folio.ErrNotFound)
	}
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("stat blob %s: %w", key, err)
	}
	info.ModTime = info.ModTime.UTC()
	return info, nil
}

// Delete implements folio.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := folio.CheckBlobKey(key); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM blobs WHERE key = $1`, key); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM blob_chunks WHERE key = $1`, key); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// List implements folio.BlobStore. Keys are COLLATE "C", so ORDER BY is
// byte order, as every BlobStore lists.
func (s *Store) List(ctx context.Context, prefix string, fn func(folio.BlobInfo) error) error {
	if err := folio.CheckBlobPrefix(prefix); err != nil {
		return err
	}
	// Read the infos first: fn may call back into the store.
	rows, err := s.db.QueryContext(ctx, `SELECT key, size, content_type, sha256, mod_time FROM blobs
		WHERE left(key, length($1)) = $1 ORDER BY key`, prefix)
	if err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	var infos []folio.BlobInfo
	for rows.Next() {
		var info folio.BlobInfo
		if err := rows.Scan(&info.Key, &info.Size, &info.ContentType, &info.SHA256, &info.ModTime); err != nil {
			rows.Close()
			return fmt.Errorf("list blobs %q: %w", prefix, err)
		}
		info.ModTime = info.ModTime.UTC()
		infos = append(infos, info)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	for _, info := range infos {
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}
