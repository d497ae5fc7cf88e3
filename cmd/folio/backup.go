package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"folio"
)

// cmdBackup writes a gzip-compressed snapshot of the site to a file (or
// stdout for "-"), atomically: a failed backup never leaves a half file
// under the final name.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("backup", stderr)
	dbFlags(fs, &c)
	file, err := fileArg(fs, args, "backup FILE")
	if err != nil {
		return err
	}
	snap, blobs, closeStore, err := openSnapshotter(ctx, &c)
	if err != nil {
		return err
	}
	defer closeStore()
	// The rows, then the media files as blob records (backup_blobs.go).
	backup := func(w io.Writer) error {
		if err := snap.Backup(ctx, w); err != nil {
			return err
		}
		_, err := writeBlobs(ctx, w, blobs)
		return err
	}
	if file == "-" {
		zw := gzip.NewWriter(stdout)
		if err := backup(zw); err != nil {
			return err
		}
		return zw.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".folio-backup-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	zw := gzip.NewWriter(tmp)
	if err := backup(zw); err != nil {
		tmp.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stderr, "backup written to %s\n", file)
	return nil
}

// cmdRestore loads a backup into an empty site, all or nothing.
func cmdRestore(ctx context.Context, args []string, stdin io.Reader, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("restore", stderr)
	dbFlags(fs, &c)
	file, err := fileArg(fs, args, "restore FILE")
	if err != nil {
		return err
	}
	// The file is read twice (media first, then rows), so stdin is kept in
	// a temporary file.
	if file == "-" {
		tmp, err := os.CreateTemp("", "folio-restore-*")
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if _, err := io.Copy(tmp, stdin); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		file = tmp.Name()
	}
	open := func() (io.Reader, func(), error) {
		f, err := os.Open(file)
		if err != nil {
			return nil, nil, fmt.Errorf("restore: %w", err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("restore: %s is not a Folio backup (gzip): %w", file, err)
		}
		return zr, func() { f.Close() }, nil
	}
	zr, closeFile, err := open()
	if err != nil {
		return err
	}
	closeFile()
	snap, blobs, closeStore, err := openSnapshotter(ctx, &c)
	if err != nil {
		return err
	}
	defer closeStore()
	// Media first: each blob is checked whole before it is kept, and the
	// new ones are removed again if anything after fails.
	zr, closeFile, err = open()
	if err != nil {
		return err
	}
	created, err := restoreBlobs(ctx, zr, blobs)
	closeFile()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	undo := func() {
		for _, k := range created {
			blobs.Delete(context.WithoutCancel(ctx), k)
		}
	}
	if zr, closeFile, err = open(); err != nil {
		undo()
		return err
	}
	defer closeFile()
	if err := snap.Restore(ctx, &rowsReader{br: bufio.NewReaderSize(zr, 1<<16)}); err != nil {
		undo()
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stderr, "restored %s (%d media files)\n", file, len(created))
	return nil
}

// openSnapshotter opens the configured store and media store for backup
// or restore.
func openSnapshotter(ctx context.Context, c *Config) (folio.Snapshotter, folio.BlobStore, func() error, error) {
	store, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open database: %w", err)
	}
	snap, ok := store.(folio.Snapshotter)
	if !ok {
		store.Close()
		return nil, nil, nil, fmt.Errorf("this database engine cannot back up or restore")
	}
	blobs, err := openBlobs(ctx, c, store)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return snap, blobs, store.Close, nil
}

// fileArg parses flags around one positional FILE argument.
func fileArg(fs interface {
	Parse([]string) error
	Args() []string
}, args []string, usage string) (string, error) {
	// Accept the file before or after the flags.
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' || len(args) > 0 && args[0] == "-" {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", usageError(err.Error())
	}
	rest := fs.Args()
	if file == "" && len(rest) == 1 {
		file, rest = rest[0], nil
	}
	if file == "" || len(rest) > 0 {
		return "", usageError("usage: folio " + usage)
	}
	return file, nil
}
