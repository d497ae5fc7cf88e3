package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"folio"
	"folio/blob/local"
	"folio/blob/pgblob"
	"folio/blob/s3"
	"folio/store/postgres"
)

// openBlobs opens the media store --media names: "local" (the default,
// <data>/media), "postgres" (blobs in the --db PostgreSQL database, for
// many nodes) or an s3:// URL. A bad value is a usage error at start.
func openBlobs(ctx context.Context, c *Config, store folio.Store) (folio.BlobStore, error) {
	switch m := c.Media; {
	case m == "" || m == "local":
		return local.New(filepath.Join(c.Data, "media"))
	case m == "postgres":
		pg, ok := store.(*postgres.Store)
		if !ok {
			return nil, usageError("--media postgres keeps media in the PostgreSQL database: it needs --db postgres://...")
		}
		return pgblob.New(pg.DB()), nil
	case strings.HasPrefix(m, "s3://"):
		cfg, err := s3.ParseURL(m)
		if err != nil {
			return nil, usageError("--media: " + err.Error())
		}
		b, err := s3.New(cfg, "")
		if err != nil {
			return nil, err
		}
		if err := b.Check(ctx); err != nil {
			return nil, fmt.Errorf("media store: %w", err)
		}
		return b, nil
	}
	return nil, usageError(fmt.Sprintf("--media %q: want local, postgres or s3://ACCESS:SECRET@host:port/bucket", redactMedia(c.Media)))
}

// redactMedia hides a secret in a media URL for messages.
func redactMedia(m string) string {
	if at := strings.LastIndexByte(m, '@'); at >= 0 {
		if i := strings.Index(m, "://"); i >= 0 && i < at {
			return m[:i+3] + "…" + m[at:]
		}
	}
	return m
}
