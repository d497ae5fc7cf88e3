package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"folio"
)

// Blob records follow the store's rows in a backup file (JSON lines): for
// each media file one {"blob": key, ...} line, its bytes as base64 chunk
// lines, and an end line that repeats the hash, so a restore can check
// every byte before it keeps a blob:
//
//	{"blob":"media/2026/11/ab12-cover.png","content_type":"image/png","size":1234,"sha256":"…"}
//	{"chunk":"iVBORw0KGgo…"}
//	{"blob_end":"media/2026/11/ab12-cover.png","sha256":"…"}
//
// Only media/ is copied: share cards and other derived files are drawn
// again. The rows come from one snapshot transaction; the blobs are read
// after it, so a file deleted in between is missing from the backup
// (its row may then restore without bytes, and serves 404).
const (
	blobPrefix  = "media/"
	chunkBytes  = 192 << 10 // 256 KiB of base64 per line
	maxBlobLine = 1 << 20
)

type blobHeader struct {
	Blob        string `json:"blob"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

type blobLine struct {
	Chunk   *string `json:"chunk,omitempty"`
	BlobEnd string  `json:"blob_end,omitempty"`
	SHA256  string  `json:"sha256,omitempty"`
}

// writeBlobs appends every media blob to a backup.
func writeBlobs(ctx context.Context, w io.Writer, blobs folio.BlobStore) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err := blobs.List(ctx, blobPrefix, func(info folio.BlobInfo) error {
		rc, info, err := blobs.Get(ctx, info.Key)
		if errors.Is(err, folio.ErrNotFound) {
			return nil // deleted since the listing
		}
		if err != nil {
			return err
		}
		defer rc.Close()
		if err := enc.Encode(blobHeader{info.Key, info.ContentType, info.Size, info.SHA256}); err != nil {
			return err
		}
		h := sha256.New()
		buf := make([]byte, chunkBytes)
		for {
			k, rerr := io.ReadFull(rc, buf)
			if k > 0 {
				h.Write(buf[:k])
				chunk := base64.StdEncoding.EncodeToString(buf[:k])
				if err := enc.Encode(blobLine{Chunk: &chunk}); err != nil {
					return err
				}
			}
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				break
			}
			if rerr != nil {
				return fmt.Errorf("read blob %s: %w", info.Key, rerr)
			}
		}
		n++
		return enc.Encode(blobLine{BlobEnd: info.Key, SHA256: hex.EncodeToString(h.Sum(nil))})
	})
	if err != nil {
		return n, fmt.Errorf("backup media: %w", err)
	}
	return n, bw.Flush()
}

// isBlobLine reports whether a backup line starts the blob records.
func isBlobLine(line []byte) bool { return bytes.HasPrefix(line, []byte(`{"blob":`)) }

// rowsReader yields a backup's lines up to its blob records: the part the
// store restores.
type rowsReader struct {
	br   *bufio.Reader
	buf  []byte
	done bool
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		line, err := r.br.ReadBytes('\n')
		if isBlobLine(line) {
			r.done = true
			return 0, io.EOF
		}
		r.buf = line
		if err == io.EOF {
			r.done = true
		} else if err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// restoreBlobs reads a backup's blob records and writes each into blobs,
// checking key, base64, size and hash before a blob is kept (Put is
// atomic, and a bad record aborts its Put). It returns the keys it
// created, for the caller to remove if the restore fails after.
func restoreBlobs(ctx context.Context, r io.Reader, blobs folio.BlobStore) (created []string, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	line, lineNo := []byte(nil), 0
	limit := 64 << 20 // rows: as the store reads them; blob lines are smaller
	next := func() error {
		line = line[:0]
		for {
			part, err := br.ReadSlice('\n')
			line = append(line, part...)
			if len(line) > limit {
				return fmt.Errorf("line %d of the backup is too long", lineNo+1)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if len(line) > 0 {
				lineNo++
			}
			if err == io.EOF && len(line) > 0 {
				return nil
			}
			return err
		}
	}
	// Skip the rows.
	for {
		if err := next(); err == io.EOF {
			return nil, nil
		} else if err != nil {
			return nil, badBackup("%v", err)
		}
		if isBlobLine(line) {
			break
		}
	}
	limit = maxBlobLine
	defer func() {
		if err != nil {
			for _, k := range created {
				blobs.Delete(context.WithoutCancel(ctx), k)
			}
			created = nil
		}
	}()
	seen := map[string]bool{}
	for {
		var h blobHeader
		if err := json.Unmarshal(line, &h); err != nil || h.Blob == "" {
			return created, badBackup("line %d: want a blob record", lineNo)
		}
		if err := folio.CheckBlobKey(h.Blob); err != nil || !strings.HasPrefix(h.Blob, blobPrefix) {
			return created, badBackup("line %d: blob key %q is not a media key", lineNo, h.Blob)
		}
		if seen[h.Blob] {
			return created, badBackup("line %d: blob %s appears twice", lineNo, h.Blob)
		}
		seen[h.Blob] = true
		_, statErr := blobs.Stat(ctx, h.Blob)
		existed := statErr == nil
		if err := restoreBlob(ctx, h, blobs, next, &line, &lineNo); err != nil {
			return created, err
		}
		if !existed {
			created = append(created, h.Blob)
		}
		if err := next(); err == io.EOF {
			return created, nil
		} else if err != nil {
			return created, badBackup("%v", err)
		}
	}
}

// restoreBlob streams one blob's chunks into a Put, failing the Put (so
// nothing is kept) on a bad chunk, size or hash.
func restoreBlob(ctx context.Context, h blobHeader, blobs folio.BlobStore, next func() error, line *[]byte, lineNo *int) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := blobs.Put(ctx, h.Blob, pr, h.ContentType)
		pr.CloseWithError(err)
		done <- err
	}()
	fail := func(err error) error {
		pw.CloseWithError(err)
		<-done
		return err
	}
	sum := sha256.New()
	var size int64
	for {
		if err := next(); err != nil {
			return fail(badBackup("the backup ends inside blob %s", h.Blob))
		}
		var bl blobLine
		if err := json.Unmarshal(*line, &bl); err != nil {
			return fail(badBackup("line %d: blob %s: not a chunk", *lineNo, h.Blob))
		}
		if bl.Chunk == nil {
			if bl.BlobEnd != h.Blob {
				return fail(badBackup("line %d: blob %s: want a chunk or its end", *lineNo, h.Blob))
			}
			got := hex.EncodeToString(sum.Sum(nil))
			if size != h.Size || got != h.SHA256 || bl.SHA256 != h.SHA256 {
				return fail(badBackup("blob %s: %d bytes with SHA-256 %s, the backup says %d bytes %s", h.Blob, size, got, h.Size, h.SHA256))
			}
			pw.Close()
			if err := <-done; err != nil {
				return fmt.Errorf("restore blob %s: %w", h.Blob, err)
			}
			return nil
		}
		b, err := base64.StdEncoding.DecodeString(*bl.Chunk)
		if err != nil {
			return fail(badBackup("line %d: blob %s: bad base64", *lineNo, h.Blob))
		}
		sum.Write(b)
		size += int64(len(b))
		if _, err := pw.Write(b); err != nil {
			<-done
			return fmt.Errorf("restore blob %s: %w", h.Blob, err)
		}
	}
}

func badBackup(format string, args ...any) error {
	return folio.Invalid("", format, args...)
}
