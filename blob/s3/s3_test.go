package s3_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"folio"
	"folio/blob/blobtest"
	"folio/blob/s3"
)

// S3rver starts the npm package s3rver (tools/node_modules, installed by
// scripts/test's npm ci) on a free loopback port with a data directory of
// its own, and returns its endpoint. It skips t when node or s3rver is
// missing, unless CI=true.
func s3rver(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(filepath.Dir(file), "..", "..", "tools", "node_modules", "s3rver", "bin", "s3rver.js")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(bin); err != nil || serr != nil {
		msg := "s3rver is not installed: run npm ci in tools/ (scripts/test does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(node, bin, "--directory", t.TempDir(), "--address", "127.0.0.1",
		"--port", fmt.Sprint(port), "--silent", "--no-vhost-buckets")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3rver did not listen on %s: %s", addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestConformance(t *testing.T) {
	endpoint := s3rver(t)
	open := func(t testing.TB) folio.BlobStore {
		b := make([]byte, 6)
		rand.Read(b)
		u := fmt.Sprintf("s3://S3RVER:S3RVER@%s/folio-%s?secure=false&region=us-east-1", endpoint, hex.EncodeToString(b))
		c, err := s3.ParseURL(u)
		if err != nil {
			t.Fatal(err)
		}
		s, err := s3.New(c, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MakeBucket(context.Background(), c.Region); err != nil {
			t.Fatalf("make bucket: %v", err)
		}
		if err := s.Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	}
	blobtest.Run(t, open, blobtest.Options{
		LargeSize: 12 << 20,
		// S3 and MinIO replace an object atomically; s3rver writes the
		// file in place, so concurrent PUTs of one key can mix there.
		NotAtomic: "s3rver writes objects in place; S3 itself replaces them atomically",
	})
}

func TestParseURL(t *testing.T) {
	good, err := s3.ParseURL("s3://AK:SK%2F1@minio.local:9000/media?secure=false&region=eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	want := s3.Config{Endpoint: "minio.local:9000", AccessKey: "AK", SecretKey: "SK/1", Bucket: "media", Region: "eu-west-1"}
	if good != want {
		t.Errorf("ParseURL = %+v, want %+v", good, want)
	}
	if c, _ := s3.ParseURL("s3://AK:SK@s3.amazonaws.com/b"); !c.Secure {
		t.Error("secure should default to true")
	}
	for _, bad := range []string{"", "http://a:b@h/b", "s3://h/b", "s3://a:b@/b", "s3://a:b@h", "s3://a:b@h/b/c", "s3://a:b@h/b?secure=maybe"} {
		if _, err := s3.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "SK") {
			t.Errorf("ParseURL(%q) error shows the secret: %v", bad, err)
		}
	}
}
