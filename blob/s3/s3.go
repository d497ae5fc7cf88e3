// Package s3 is a folio.BlobStore in an S3-compatible bucket (AWS S3,
// MinIO, Garage, Ceph, …) through github.com/minio/minio-go/v7, for many
// nodes that share no disk: `--media s3://ACCESS:SECRET@host:port/bucket`.
package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"folio"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config says where the bucket is.
type Config struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string
	Secure    bool // https
}

// ParseURL reads s3://ACCESS:SECRET@host:port/bucket?secure=false&region=R.
// secure defaults to true. The secret never appears in its errors.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		return Config{}, errors.New("want s3://ACCESS:SECRET@host:port/bucket?secure=false&region=R")
	}
	c := Config{Endpoint: u.Host, Bucket: strings.Trim(u.Path, "/"), Region: u.Query().Get("region"), Secure: true}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	if v := u.Query().Get("secure"); v != "" {
		if c.Secure, err = strconv.ParseBool(v); err != nil {
			return Config{}, fmt.Errorf("s3 URL: secure=%q is not true or false", v)
		}
	}
	switch {
	case c.Endpoint == "":
		return Config{}, errors.New("s3 URL: no host:port")
	case c.Bucket == "" || strings.Contains(c.Bucket, "/"):
		return Config{}, errors.New("s3 URL: want exactly one bucket name as the path")
	case c.AccessKey == "" || c.SecretKey == "":
		return Config{}, errors.New("s3 URL: want ACCESS:SECRET@ before the host")
	}
	return c, nil
}

// Store keeps blobs as objects of one bucket, named by their keys. The
// SHA-256 travels as object metadata (x-amz-meta-sha256), because an S3
// ETag is an MD5 or a multipart digest.
type Store struct {
	client *minio.Client
	bucket string
	tmpDir string
}

var _ folio.BlobStore = (*Store)(nil)

const shaMeta = "Sha256" // as minio-go canonicalises x-amz-meta-sha256

// New returns a Store on c's bucket, which must exist. tmpDir holds each
// upload while it is hashed (the hash is sent with the object); "" is the
// system's temporary directory.
func New(c Config, tmpDir string) (*Store, error) {
	client, err := minio.New(c.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure:       c.Secure,
		Region:       c.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 blobs: %w", err)
	}
	return &Store{client: client, bucket: c.Bucket, tmpDir: tmpDir}, nil
}

// Check reports whether the bucket exists and answers, for start-up and
// /readyz.
func (s *Store) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3 bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("s3 bucket %s does not exist", s.bucket)
	}
	return nil
}

// MakeBucket creates the bucket, for tests and first runs.
func (s *Store) MakeBucket(ctx context.Context, region string) error {
	return s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
}

// Put implements folio.BlobStore. The bytes are spooled to a temporary
// file while hashed, then sent with their size and hash; S3 replaces an
// object atomically, and a failed read never reaches the bucket.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return folio.BlobInfo{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	tmp, err := os.CreateTemp(s.tmpDir, "folio-s3-*")
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// One signed PUT whose payload hash is the one computed here, so the
	// server checks the bytes against it (no aws-chunked streaming, which
	// not every S3-compatible server speaks). One PUT takes up to 5 GiB.
	up, err := minio.Core{Client: s.client}.PutObject(ctx, s.bucket, key, tmp, size, "", sum, minio.PutObjectOptions{
		ContentType:          contentType,
		UserMetadata:         map[string]string{"sha256": sum},
		DisableContentSha256: true,
	})
	if err != nil {
		return folio.BlobInfo{}, fmt.Errorf("put blob %s: %w", key, err)
	}
	info := folio.BlobInfo{Key: key, Size: size, ContentType: contentType, SHA256: sum, ModTime: up.LastModified.UTC()}
	if info.ModTime.IsZero() {
		if st, err := s.Stat(ctx, key); err == nil {
			info.ModTime = st.ModTime
		}
	}
	return info, nil
}

func notFound(key string, err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey") {
		return fmt.Errorf("blob %s: %w", key, folio.ErrNotFound)
	}
	return fmt.Errorf("blob %s: %w", key, err)
}

func infoOf(key string, oi minio.ObjectInfo) folio.BlobInfo {
	return folio.BlobInfo{Key: key, Size: oi.Size, ContentType: oi.ContentType,
		SHA256: oi.UserMetadata[shaMeta], ModTime: oi.LastModified.UTC()}
}

// Get implements folio.BlobStore. The info and the bytes come from the
// same response.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return nil, folio.BlobInfo{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, folio.BlobInfo{}, notFound(key, err)
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, folio.BlobInfo{}, notFound(key, err)
	}
	return obj, infoOf(key, oi), nil
}

// Stat implements folio.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (folio.BlobInfo, error) {
	if err := folio.CheckBlobKey(key); err != nil {
		return folio.BlobInfo{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return folio.BlobInfo{}, notFound(key, err)
	}
	return infoOf(key, oi), nil
}

// Delete implements folio.BlobStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := folio.CheckBlobKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(notFound(key, err), folio.ErrNotFound) {
			return nil
		}
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// List implements folio.BlobStore. S3 lists keys in byte order, but not
// every compatible server does, so the keys are sorted here; the content
// type and hash need one HEAD per object, as plain listings carry neither.
func (s *Store) List(ctx context.Context, prefix string, fn func(folio.BlobInfo) error) error {
	if err := folio.CheckBlobPrefix(prefix); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var keys []string
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("list blobs %q: %w", prefix, oi.Err)
		}
		if folio.CheckBlobKey(oi.Key) == nil { // else put there by another tool
			keys = append(keys, oi.Key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		info, err := s.Stat(ctx, key)
		if errors.Is(err, folio.ErrNotFound) {
			continue // deleted since
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
