// Package blobtest is the conformance suite every folio.BlobStore passes,
// as every folio.Store passes store/storetest: the backends' own tests call
// Run with a function that opens a fresh, empty store.
package blobtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"folio"
)

// OpenFunc opens a new, empty blob store and cleans it up in t.Cleanup.
// Each call must return an independent store.
type OpenFunc func(t testing.TB) folio.BlobStore

// Options tunes the suite for a backend.
type Options struct {
	// LargeSize is the size of the streamed blob; default 24 MiB.
	LargeSize int64
	// NotAtomic, when set, says why concurrent Puts of one key are not
	// checked: the backend under test (a stand-in server) is known to write
	// in place. Production backends leave it empty.
	NotAtomic string
}

// Run runs the whole contract of folio.BlobStore, each subtest in parallel
// on a fresh store.
func Run(t *testing.T, open OpenFunc, opt Options) {
	if opt.LargeSize == 0 {
		opt.LargeSize = 24 << 20
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, b folio.BlobStore)
	}{
		{"InvalidKeys", testInvalidKeys},
		{"PutGet", testPutGet},
		{"EmptyBlob", testEmptyBlob},
		{"Replace", testReplace},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"List", testList},
		{"ListStops", testListStops},
		{"FailedPut", testFailedPut},
		{"ConcurrentPut", func(t *testing.T, b folio.BlobStore) {
			if opt.NotAtomic != "" {
				t.Skip(opt.NotAtomic)
			}
			testConcurrentPut(t, b)
		}},
		{"Large", func(t *testing.T, b folio.BlobStore) { testLarge(t, b, opt.LargeSize) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := open(t)
			if b == nil {
				t.Fatal("open returned a nil store")
			}
			tt.fn(t, b)
		})
	}
}

// BadKeys are keys every BlobStore refuses with ErrInvalidBlobKey.
var BadKeys = []string{
	"", "/", "/abs", "/etc/passwd", "..", "../x", "a/../b", "a/..", "./a", "a/./b", "a//b", "a/",
	`a\b`, `..\x`, "a\x00b", "A.png", "media/Cover.png", "a b", "a?b", "a#b", "a%2fb", ".hidden",
	"media/.tmp", "-x", "é", "a\nb", strings.Repeat("a", folio.MaxBlobKeyLen+1),
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func mustPut(t testing.TB, b folio.BlobStore, key string, data []byte, ct string) folio.BlobInfo {
	t.Helper()
	info, err := b.Put(t.Context(), key, bytes.NewReader(data), ct)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

func mustGet(t testing.TB, b folio.BlobStore, key string) ([]byte, folio.BlobInfo) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data, info
}

func checkInfo(t testing.TB, what string, got folio.BlobInfo, key string, data []byte, ct string) {
	t.Helper()
	if got.Key != key || got.Size != int64(len(data)) || got.ContentType != ct || got.SHA256 != sum(data) {
		t.Errorf("%s: info = {%q %d %q %s}, want {%q %d %q %s}", what,
			got.Key, got.Size, got.ContentType, got.SHA256, key, len(data), ct, sum(data))
	}
	if got.ModTime.IsZero() {
		t.Errorf("%s: ModTime is zero", what)
	}
}

func testInvalidKeys(t *testing.T, b folio.BlobStore) {
	ctx := t.Context()
	for _, key := range BadKeys {
		if _, err := b.Put(ctx, key, strings.NewReader("x"), "text/plain"); !errors.Is(err, folio.ErrInvalidBlobKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidBlobKey", key, err)
		}
		if _, _, err := b.Get(ctx, key); !errors.Is(err, folio.ErrInvalidBlobKey) {
			t.Errorf("Get(%q) = %v, want ErrInvalidBlobKey", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, folio.ErrInvalidBlobKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidBlobKey", key, err)
		}
		if err := b.Delete(ctx, key); !errors.Is(err, folio.ErrInvalidBlobKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidBlobKey", key, err)
		}
	}
	for _, prefix := range []string{"/", "../", "a/../", `a\`, "a\x00", ".", "A"} {
		err := b.List(ctx, prefix, func(folio.BlobInfo) error { return nil })
		if !errors.Is(err, folio.ErrInvalidBlobKey) {
			t.Errorf("List(%q) = %v, want ErrInvalidBlobKey", prefix, err)
		}
	}
	// Nothing was written by any of them.
	if keys := listKeys(t, b, ""); len(keys) != 0 {
		t.Errorf("after refused keys the store holds %q", keys)
	}
}

func testPutGet(t *testing.T, b folio.BlobStore) {
	data := []byte("\x89PNG\r\n\x1a\n not really a png")
	info := mustPut(t, b, "media/2026/11/abc-cover.png", data, "image/png")
	checkInfo(t, "Put", info, "media/2026/11/abc-cover.png", data, "image/png")
	got, ginfo := mustGet(t, b, "media/2026/11/abc-cover.png")
	if !bytes.Equal(got, data) {
		t.Errorf("Get = %q, want %q", got, data)
	}
	checkInfo(t, "Get", ginfo, "media/2026/11/abc-cover.png", data, "image/png")
	sinfo, err := b.Stat(t.Context(), "media/2026/11/abc-cover.png")
	if err != nil {
		t.Fatal(err)
	}
	checkInfo(t, "Stat", sinfo, "media/2026/11/abc-cover.png", data, "image/png")
	// A missing content type is stored as bytes of no known kind.
	info = mustPut(t, b, "x.bin", []byte{0, 1, 2}, "")
	checkInfo(t, "Put without type", info, "x.bin", []byte{0, 1, 2}, "application/octet-stream")
}

func testEmptyBlob(t *testing.T, b folio.BlobStore) {
	mustPut(t, b, "empty", nil, "text/plain")
	got, info := mustGet(t, b, "empty")
	if len(got) != 0 {
		t.Errorf("Get = %q, want nothing", got)
	}
	checkInfo(t, "Get", info, "empty", nil, "text/plain")
}

func testReplace(t *testing.T, b folio.BlobStore) {
	mustPut(t, b, "a/b.txt", []byte("first version, longer"), "text/plain")
	mustPut(t, b, "a/b.txt", []byte("second"), "application/pdf")
	got, info := mustGet(t, b, "a/b.txt")
	if string(got) != "second" {
		t.Errorf("Get = %q, want the second version", got)
	}
	checkInfo(t, "Get", info, "a/b.txt", []byte("second"), "application/pdf")
	if keys := listKeys(t, b, ""); !slices.Equal(keys, []string{"a/b.txt"}) {
		t.Errorf("List = %q after a replace", keys)
	}
}

func testNotFound(t *testing.T, b folio.BlobStore) {
	ctx := t.Context()
	mustPut(t, b, "media/a", []byte("x"), "")
	for _, key := range []string{"nothing", "media/b", "media", "media/a/b"} {
		if _, _, err := b.Get(ctx, key); !errors.Is(err, folio.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", key, err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, folio.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", key, err)
		}
	}
	if err := b.Delete(ctx, "nothing/here"); err != nil {
		t.Errorf("Delete of a missing key = %v, want nil", err)
	}
}

func testDelete(t *testing.T, b folio.BlobStore) {
	ctx := t.Context()
	mustPut(t, b, "d/one", []byte("1"), "")
	mustPut(t, b, "d/two", []byte("2"), "")
	if err := b.Delete(ctx, "d/one"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, "d/one"); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	if err := b.Delete(ctx, "d/one"); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	if keys := listKeys(t, b, ""); !slices.Equal(keys, []string{"d/two"}) {
		t.Errorf("List after Delete = %q", keys)
	}
	// The key can be written again.
	mustPut(t, b, "d/one", []byte("again"), "")
	if got, _ := mustGet(t, b, "d/one"); string(got) != "again" {
		t.Errorf("Get after re-Put = %q", got)
	}
}

func listKeys(t testing.TB, b folio.BlobStore, prefix string) []string {
	t.Helper()
	keys := []string{}
	err := b.List(t.Context(), prefix, func(info folio.BlobInfo) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

func testList(t *testing.T, b folio.BlobStore) {
	// Chosen so that directory order and key order differ: '-' and '.'
	// sort before '/'.
	keys := []string{"a/b", "a-c", "a.d", "a/b/c", "a0", "media/2026/01/x.png", "media/2026/11/y.png",
		"media/2027/z.pdf", "mediab", "z"}
	data := map[string][]byte{}
	for i, k := range slices.Backward(keys) {
		data[k] = fmt.Appendf(nil, "blob %d %s", i, k)
		if k == "a/b" {
			continue // "a/b" is a directory of "a/b/c" on a file system; keep it one.
		}
		mustPut(t, b, k, data[k], "text/plain")
	}
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "a/b" })
	want := slices.Sorted(slices.Values(keys))
	if got := listKeys(t, b, ""); !slices.Equal(got, want) {
		t.Errorf("List(\"\") = %q, want %q", got, want)
	}
	for prefix, want := range map[string][]string{
		"media/":      {"media/2026/01/x.png", "media/2026/11/y.png", "media/2027/z.pdf"},
		"media/2026/": {"media/2026/01/x.png", "media/2026/11/y.png"},
		"media/2026":  {"media/2026/01/x.png", "media/2026/11/y.png"},
		"media/202":   {"media/2026/01/x.png", "media/2026/11/y.png", "media/2027/z.pdf"},
		"media":       {"media/2026/01/x.png", "media/2026/11/y.png", "media/2027/z.pdf", "mediab"},
		"a":           {"a-c", "a.d", "a/b/c", "a0"},
		"a/":          {"a/b/c"},
		"nothing/":    {},
		"z":           {"z"},
	} {
		if got := listKeys(t, b, prefix); !slices.Equal(got, want) {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
	// Infos are complete.
	err := b.List(t.Context(), "media/2027/", func(info folio.BlobInfo) error {
		checkInfo(t, "List", info, "media/2027/z.pdf", data["media/2027/z.pdf"], "text/plain")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testListStops(t *testing.T, b folio.BlobStore) {
	for _, k := range []string{"k1", "k2", "k3"} {
		mustPut(t, b, k, []byte(k), "")
	}
	stop := errors.New("stop")
	var seen []string
	err := b.List(t.Context(), "", func(info folio.BlobInfo) error {
		seen = append(seen, info.Key)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !slices.Equal(seen, []string{"k1", "k2"}) {
		t.Errorf("List = %v after %q, want fn's error after k1, k2", err, seen)
	}
}

// failingReader yields n bytes, then an error.
type failingReader struct{ n int }

var errRead = errors.New("reader broke")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errRead
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = 'x'
	}
	r.n -= n
	return n, nil
}

func testFailedPut(t *testing.T, b folio.BlobStore) {
	ctx := t.Context()
	mustPut(t, b, "f/kept", []byte("old bytes"), "text/plain")
	for _, key := range []string{"f/kept", "f/new"} {
		if _, err := b.Put(ctx, key, &failingReader{n: 300 << 10}, "text/plain"); err == nil {
			t.Errorf("Put(%q) from a failing reader succeeded", key)
		}
	}
	if got, _ := mustGet(t, b, "f/kept"); string(got) != "old bytes" {
		t.Errorf("a failed Put changed the blob to %d bytes", len(got))
	}
	if _, err := b.Stat(ctx, "f/new"); !errors.Is(err, folio.ErrNotFound) {
		t.Errorf("a failed Put of a new key left it: %v", err)
	}
	if keys := listKeys(t, b, ""); !slices.Equal(keys, []string{"f/kept"}) {
		t.Errorf("List after failed Puts = %q", keys)
	}
}

func testConcurrentPut(t *testing.T, b folio.BlobStore) {
	ctx := t.Context()
	const writers = 6
	versions := map[string]bool{}
	contents := make([][]byte, writers)
	for i := range contents {
		contents[i] = bytes.Repeat(fmt.Appendf(nil, "version %d;", i), 20000+i*1000)
		versions[sum(contents[i])] = true
	}
	mustPut(t, b, "same", contents[0], "text/plain")
	var wg sync.WaitGroup
	errs := make(chan error, writers*4)
	for i := range writers {
		wg.Go(func() {
			if _, err := b.Put(ctx, "same", bytes.NewReader(contents[i]), "text/plain"); err != nil {
				errs <- fmt.Errorf("Put %d: %w", i, err)
			}
		})
		// Readers at the same time see one whole version, never a mix.
		wg.Go(func() {
			rc, info, err := b.Get(ctx, "same")
			if err != nil {
				errs <- fmt.Errorf("Get: %w", err)
				return
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err != nil {
				errs <- fmt.Errorf("read: %w", err)
				return
			}
			if !versions[sum(data)] || info.SHA256 != sum(data) || info.Size != int64(len(data)) {
				errs <- fmt.Errorf("a reader saw %d bytes that are no whole version (info %s, %d)", len(data), info.SHA256, info.Size)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	data, info := mustGet(t, b, "same")
	if !versions[sum(data)] {
		t.Fatalf("after concurrent Puts the blob is %d bytes of no version", len(data))
	}
	checkInfo(t, "Get", info, "same", data, "text/plain")
	if keys := listKeys(t, b, ""); !slices.Equal(keys, []string{"same"}) {
		t.Errorf("List after concurrent Puts = %q", keys)
	}
}

// patternReader yields size pseudo-random bytes without holding them.
type patternReader struct {
	rng  *rand.ChaCha8
	left int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, _ := r.rng.Read(p)
	r.left -= int64(n)
	return n, nil
}

func testLarge(t *testing.T, b folio.BlobStore, size int64) {
	seed := [32]byte{7}
	h := sha256.New()
	if _, err := io.Copy(h, &patternReader{rand.NewChaCha8(seed), size}); err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(h.Sum(nil))
	// A plain io.Reader (no Seek, no Len), as an upload's body is.
	info, err := b.Put(t.Context(), "large/blob.bin", io.MultiReader(&patternReader{rand.NewChaCha8(seed), size}), "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size || info.SHA256 != want {
		t.Errorf("Put info = %d bytes %s, want %d %s", info.Size, info.SHA256, size, want)
	}
	rc, ginfo, err := b.Get(t.Context(), "large/blob.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h.Reset()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatal(err)
	}
	if n != size || hex.EncodeToString(h.Sum(nil)) != want || ginfo.SHA256 != want || ginfo.Size != size {
		t.Errorf("Get = %d bytes %x (info %d %s), want %d %s", n, h.Sum(nil), ginfo.Size, ginfo.SHA256, size, want)
	}
}
