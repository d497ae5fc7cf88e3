package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"folio"
	"folio/blob/local"
	"folio/blob/pgblob"
	"folio/internal/pgtest"
	"folio/store/postgres"
	"folio/store/sqlite"
)

// seedMedia puts n media files (row and bytes) into the SQLite site at
// data, with its local media directory, and returns their bytes by key.
func seedMedia(t *testing.T, data string, n int) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(data, "folio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := local.New(filepath.Join(data, "media"))
	if err != nil {
		t.Fatal(err)
	}
	u := &folio.User{Name: "Ann", Email: "ann@example.com", Role: folio.RoleAdmin}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for i := range n {
		b := make([]byte, 1000+i*300_000) // one spans several chunks
		rand.Read(b)
		sum := sha256.Sum256(b)
		hexSum := hex.EncodeToString(sum[:])
		key, _ := folio.MediaKey(st.Now(), hexSum, "file.pdf", "application/pdf")
		if _, err := blobs.Put(ctx, key, bytes.NewReader(b), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateMedia(ctx, &folio.Media{Key: key, Filename: "File.pdf", ContentType: "application/pdf",
			Size: int64(len(b)), SHA256: hexSum, UploadedBy: u.ID}); err != nil {
			t.Fatal(err)
		}
		out[key] = b
	}
	return out
}

// checkBlobs compares a media store with want, byte for byte.
func checkBlobs(t *testing.T, what string, blobs folio.BlobStore, want map[string][]byte) {
	t.Helper()
	got := 0
	err := blobs.List(context.Background(), "media/", func(info folio.BlobInfo) error {
		got++
		rc, _, err := blobs.Get(context.Background(), info.Key)
		if err != nil {
			return err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, want[info.Key]) {
			t.Errorf("%s: blob %s differs (%d bytes, want %d)", what, info.Key, len(b), len(want[info.Key]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != len(want) {
		t.Errorf("%s: %d blobs, want %d", what, got, len(want))
	}
}

// TestBackupMediaRoundTrip moves a site with media SQLite + local files →
// PostgreSQL + blobs in the database → SQLite + local files, comparing the
// bytes each time.
func TestBackupMediaRoundTrip(t *testing.T) {
	pgtest.Require(t)
	t.Parallel()
	src := t.TempDir()
	want := seedMedia(t, src, 3)
	file1 := filepath.Join(t.TempDir(), "1.folio.gz")
	if _, stderr, err := runCLI(t, "", "backup", file1, "--data", src); err != nil {
		t.Fatalf("backup: %v %s", err, stderr)
	}
	pgURL := pgtest.NewSchema(t, pgtest.BaseURL())
	pgData := t.TempDir()
	if _, stderr, err := runCLI(t, "", "restore", file1, "--data", pgData, "--db", pgURL, "--media", "postgres"); err != nil {
		t.Fatalf("restore into PostgreSQL: %v %s", err, stderr)
	}
	pg, err := postgres.Open(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	checkBlobs(t, "PostgreSQL", pgblob.New(pg.DB()), want)
	if _, total, _ := pg.FindMedia(context.Background(), folio.MediaFilter{}); total != 3 {
		t.Errorf("PostgreSQL has %d media rows, want 3", total)
	}
	file2 := filepath.Join(t.TempDir(), "2.folio.gz")
	if _, stderr, err := runCLI(t, "", "backup", file2, "--data", pgData, "--db", pgURL, "--media", "postgres"); err != nil {
		t.Fatalf("backup PostgreSQL: %v %s", err, stderr)
	}
	dst := t.TempDir()
	if _, stderr, err := runCLI(t, "", "restore", file2, "--data", dst); err != nil {
		t.Fatalf("restore into SQLite: %v %s", err, stderr)
	}
	blobs, _ := local.New(filepath.Join(dst, "media"))
	checkBlobs(t, "SQLite again", blobs, want)
	// --media postgres without PostgreSQL is a usage error.
	if _, _, err := runCLI(t, "", "backup", filepath.Join(t.TempDir(), "x.gz"), "--data", src, "--media", "postgres"); err == nil || !strings.Contains(err.Error(), "--db postgres") {
		t.Errorf("--media postgres on SQLite: %v", err)
	}
}

// TestRestoreHostileMedia feeds backups whose blob records are broken:
// each is refused with a clear message and leaves the target empty, rows
// and files alike.
func TestRestoreHostileMedia(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	seedMedia(t, src, 2)
	var plain bytes.Buffer
	if _, _, err := runCLI(t, "", "backup", "-", "--data", src); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(t.TempDir(), "good.gz")
	if _, _, err := runCLI(t, "", "backup", good, "--data", src); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(good)
	zr, _ := gzip.NewReader(f)
	io.Copy(&plain, zr)
	f.Close()
	text := plain.String()
	if !strings.Contains(text, `{"blob":"`) {
		t.Fatalf("the backup has no blob records: %.300s", text[max(0, len(text)-300):])
	}
	firstKey := text[strings.Index(text, `{"blob":"`)+9:]
	firstKey = firstKey[:strings.IndexByte(firstKey, '"')]
	chunkAt := strings.Index(text, `{"chunk":"`) + 10
	for name, tt := range map[string]struct{ text, want string }{
		"bad base64":   {text[:chunkAt] + "!!!" + text[chunkAt+3:], "bad base64"},
		"dotdot key":   {strings.Replace(text, `"blob":"`+firstKey, `"blob":"../x`, 1), "not a media key"},
		"absolute key": {strings.Replace(text, `"blob":"`+firstKey, `"blob":"/etc/x`, 1), "not a media key"},
		"other prefix": {strings.Replace(text, `"blob":"`+firstKey, `"blob":"cards/x.png`, 1), "not a media key"},
		"wrong hash":   {strings.Replace(text, `"blob_end":"`+firstKey+`","sha256":"`, `"blob_end":"`+firstKey+`","sha256":"0`, 1), "SHA-256"},
		"cut short":    {text[:chunkAt+100] + "\n", "not a chunk"},
		"ends early":   {text[:strings.Index(text, `{"blob_end"`)], "ends inside blob"},
	} {
		t.Run(name, func(t *testing.T) {
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write([]byte(tt.text))
			zw.Close()
			file := filepath.Join(t.TempDir(), "bad.gz")
			os.WriteFile(file, gz.Bytes(), 0o600)
			dst := t.TempDir()
			_, _, err := runCLI(t, "", "restore", file, "--data", dst)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore = %v, want an error with %q", err, tt.want)
			}
			blobs, _ := local.New(filepath.Join(dst, "media"))
			checkBlobs(t, "after a refused restore", blobs, nil)
			st, err := sqlite.Open(context.Background(), filepath.Join(dst, "folio.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if n, _ := st.CountUsers(context.Background(), false); n != 0 {
				t.Errorf("%d users after a refused restore", n)
			}
		})
	}
	// The good file restores, from stdin too.
	b, _ := os.ReadFile(good)
	dst := t.TempDir()
	if _, stderr, err := runCLI(t, string(b), "restore", "-", "--data", dst); err != nil || !strings.Contains(stderr, "2 media files") {
		t.Errorf("restore from stdin: %v %s", err, stderr)
	}
}
