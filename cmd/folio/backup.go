package main

import (
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
	snap, closeStore, err := openSnapshotter(ctx, &c)
	if err != nil {
		return err
	}
	defer closeStore()
	if file == "-" {
		zw := gzip.NewWriter(stdout)
		if err := snap.Backup(ctx, zw); err != nil {
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
	if err := snap.Backup(ctx, zw); err != nil {
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
	var r io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer f.Close()
		r = f
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("restore: %s is not a Folio backup (gzip): %w", file, err)
	}
	snap, closeStore, err := openSnapshotter(ctx, &c)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := snap.Restore(ctx, zr); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stderr, "restored %s\n", file)
	return nil
}

// openSnapshotter opens the configured store for backup or restore.
func openSnapshotter(ctx context.Context, c *Config) (folio.Snapshotter, func() error, error) {
	store, err := openStore(ctx, c)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	snap, ok := store.(folio.Snapshotter)
	if !ok {
		store.Close()
		return nil, nil, fmt.Errorf("this database engine cannot back up or restore")
	}
	return snap, store.Close, nil
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
