package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"folio"
)

// The backup format: JSON lines. A header, then for each table a line
// naming it and its columns followed by one JSON array per row, then an end
// line with the row count. Values are engine-neutral: times are UTC text in
// backupTime, booleans are 0 or 1 (SQLite keeps them as integers), bytes
// are {"$b64": "..."}. The
// same file restores into SQLite or PostgreSQL.
const (
	backupFormat  = "folio-backup"
	backupVersion = 1
	backupTime    = "2006-01-02T15:04:05.000000Z"
)

// ephemeralTables hold short-lived operational state that a restored site
// is better off without: throttling counters. Everything else is copied.
var ephemeralTables = map[string]bool{
	"schema_migrations": true, "login_failures": true, "rate_counters": true,
	// The search index and related lists are derived from the articles;
	// the next Open rebuilds them (IndexPending), in the restoring engine's
	// own format.
	"search_docs": true, "article_terms": true, "related_articles": true, "related_dirty": true,
	// The job queue (River's tables and the once-only effect markers) is
	// each node's work in flight, in River's own per-engine format.
	"job_effects": true, "river_job": true, "river_leader": true, "river_queue": true,
	"river_migration": true, "river_client": true, "river_client_queue": true,
}

type backupHeader struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	Engine    string    `json:"engine"`
	CreatedAt time.Time `json:"created_at"`
}

type tableLine struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

type endLine struct {
	End  bool `json:"end"`
	Rows int  `json:"rows"`
}

// Table is one table of the schema and the tables its foreign keys
// reference; Dialect.Tables lists them.
type Table struct {
	Name string
	Refs []string
}

// Querier is what *sql.DB and *sql.Tx share; Dialect functions take it.
type Querier = querier

// backupTables lists the tables to copy, parents before children, so a
// restore satisfies every foreign key as it goes.
func (s *Store) backupTables(ctx context.Context, q querier) ([]string, error) {
	all, err := s.dialect.Tables(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	refs := map[string][]string{}
	for _, t := range all {
		if !ephemeralTables[t.Name] {
			refs[t.Name] = t.Refs
		}
	}
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	slices.Sort(names)
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, r := range refs[n] {
			if _, ok := refs[r]; ok && r != n {
				if err := visit(r); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// Backup writes a consistent snapshot of the whole database to w: one read
// transaction, so a site can be backed up while it serves and writes.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	tx, err := s.reader.BeginTx(ctx, s.dialect.SnapshotTx)
	if err != nil {
		return fmt.Errorf("backup: begin: %w", err)
	}
	defer tx.Rollback()
	tables, err := s.backupTables(ctx, tx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(backupHeader{backupFormat, backupVersion, s.dialect.Name, s.now()}); err != nil {
		return err
	}
	for _, t := range tables {
		if err := s.backupTable(ctx, tx, enc, t); err != nil {
			return fmt.Errorf("backup %s: %w", t, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return tx.Commit()
}

func (s *Store) backupTable(ctx context.Context, tx *sql.Tx, enc *json.Encoder, name string) error {
	types, err := s.columnTypes(ctx, tx, name)
	if err != nil {
		return err
	}
	// Order by every column, so two backups of equal data are equal bytes.
	order := make([]string, len(types))
	for i := range order {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quoteIdent(name)+` ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if err := enc.Encode(tableLine{name, cols}); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			switch v := v.(type) {
			case time.Time:
				vals[i] = v.UTC().Format(backupTime)
			case bool:
				vals[i] = 0
				if v {
					vals[i] = 1
				}
			case []byte:
				vals[i] = map[string]string{"$b64": base64.StdEncoding.EncodeToString(v)}
			}
		}
		if err := enc.Encode(vals); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return enc.Encode(endLine{true, n})
}

// Restore loads a backup into this database, which must hold no users and
// no articles (a new site). It runs in one transaction: on any error
// nothing is written.
func (s *Store) Restore(ctx context.Context, r io.Reader) error {
	return s.inTx(ctx, "restore", func(tx *sql.Tx) error {
		var users, articles int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM articles)`).Scan(&users, &articles); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if users+articles > 0 {
			return folio.Invalid("", "restore needs an empty site; this one has %d users and %d articles", users, articles)
		}
		tables, err := s.backupTables(ctx, tx)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		// Migrations seed a few rows (site_state); the backup's replace them.
		for i := len(tables) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(tables[i])); err != nil {
				return fmt.Errorf("restore: clear %s: %w", tables[i], err)
			}
		}
		restored, err := s.restoreLines(ctx, tx, r, tables)
		if err != nil {
			return err
		}
		if s.dialect.AfterRestore != nil {
			if err := s.dialect.AfterRestore(ctx, tx, restored); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
		return bumpVersion(ctx, tx)
	})
}

// backupReader reads a backup line by line, counting lines for messages.
type backupReader struct {
	sc   *bufio.Scanner
	line int
}

// next returns the next line, or io.ErrUnexpectedEOF at the end.
func (br *backupReader) next() ([]byte, error) {
	if !br.sc.Scan() {
		if err := br.sc.Err(); err != nil {
			return nil, folio.Invalid("", "line %d of the backup: %v", br.line+1, err)
		}
		return nil, io.ErrUnexpectedEOF
	}
	br.line++
	return br.sc.Bytes(), nil
}

// decode reads JSON numbers as json.Number, so integers stay exact.
func (br *backupReader) decode(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return folio.Invalid("", "line %d of the backup is not valid: %v", br.line, err)
	}
	return nil
}

func (s *Store) restoreLines(ctx context.Context, tx *sql.Tx, r io.Reader, tables []string) ([]string, error) {
	br := &backupReader{sc: bufio.NewScanner(r)}
	br.sc.Buffer(make([]byte, 0, 1<<16), 64<<20)
	var h backupHeader
	b, err := br.next()
	if err != nil || json.Unmarshal(b, &h) != nil || h.Format != backupFormat {
		return nil, folio.Invalid("", "not a Folio backup")
	}
	if h.Version != backupVersion {
		return nil, folio.Invalid("", "backup format version %d is not supported (want %d)", h.Version, backupVersion)
	}
	known := map[string]bool{}
	for _, t := range tables {
		known[t] = true
	}
	var restored []string
	for {
		b, err := br.next()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return restored, nil
		}
		if err != nil {
			return nil, err
		}
		var tl tableLine
		if err := br.decode(b, &tl); err != nil {
			return nil, err
		}
		if tl.Table == "" || len(tl.Columns) == 0 {
			return nil, folio.Invalid("", "line %d of the backup should name a table and its columns", br.line)
		}
		if !known[tl.Table] {
			return nil, folio.Invalid("", "the backup has table %q, which this version of Folio does not know", tl.Table)
		}
		if slices.Contains(restored, tl.Table) {
			return nil, folio.Invalid("", "the backup has table %q twice", tl.Table)
		}
		if err := s.restoreTable(ctx, tx, br, tl); err != nil {
			return nil, fmt.Errorf("restore %s: %w", tl.Table, err)
		}
		restored = append(restored, tl.Table)
	}
}

func (s *Store) restoreTable(ctx context.Context, tx *sql.Tx, br *backupReader, tl tableLine) error {
	types, err := s.columnTypes(ctx, tx, tl.Table)
	if err != nil {
		return err
	}
	quoted := make([]string, len(tl.Columns))
	marks := make([]string, len(tl.Columns))
	for i, c := range tl.Columns {
		if _, ok := types[c]; !ok {
			return folio.Invalid("", "table %s has no column %q", tl.Table, c)
		}
		quoted[i], marks[i] = quoteIdent(c), fmt.Sprintf("$%d", i+1)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+quoteIdent(tl.Table)+` (`+strings.Join(quoted, ", ")+`) VALUES (`+strings.Join(marks, ", ")+`)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for n := 0; ; n++ {
		b, err := br.next()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return folio.Invalid("", "the backup ends inside table %s", tl.Table)
		}
		if err != nil {
			return err
		}
		if len(b) > 0 && b[0] == '{' {
			var end endLine
			if err := br.decode(b, &end); err != nil || !end.End || end.Rows != n {
				return folio.Invalid("", "table %s ends with %d rows where the backup counted %d (line %d)", tl.Table, n, end.Rows, br.line)
			}
			return nil
		}
		var raw []json.RawMessage
		if err := br.decode(b, &raw); err != nil {
			return err
		}
		if len(raw) != len(tl.Columns) {
			return folio.Invalid("", "line %d: a row of %s has %d values for %d columns", br.line, tl.Table, len(raw), len(tl.Columns))
		}
		args := make([]any, len(raw))
		for i, v := range raw {
			if args[i], err = s.restoreValue(v, types[tl.Columns[i]]); err != nil {
				return folio.Invalid("", "line %d: table %s, column %s: %v", br.line, tl.Table, tl.Columns[i], err)
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			if v, _ := s.dialect.Classify(err); v != NoViolation {
				return folio.Invalid("", "line %d: table %s: the row breaks a constraint: %v", br.line, tl.Table, err)
			}
			return err
		}
	}
}

// columnTypes returns the database type name of each column of table.
func (s *Store) columnTypes(ctx context.Context, tx *sql.Tx, table string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table)+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cts))
	for _, ct := range cts {
		out[ct.Name()] = strings.ToUpper(ct.DatabaseTypeName())
	}
	return out, rows.Err()
}

// restoreValue turns a backup value into what the target column takes.
func (s *Store) restoreValue(raw json.RawMessage, dbType string) (any, error) {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case bool:
		if strings.HasPrefix(dbType, "BOOL") {
			return v, nil
		}
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case json.Number:
		if strings.HasPrefix(dbType, "BOOL") {
			return v.String() != "0", nil
		}
		if i, err := v.Int64(); err == nil {
			return i, nil
		}
		return v.Float64()
	case string:
		if strings.HasPrefix(dbType, "TIMESTAMP") || strings.HasPrefix(dbType, "DATE") {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, fmt.Errorf("not a time: %q", v)
			}
			return s.dialect.Time(t), nil
		}
		return v, nil
	case map[string]any:
		if b64, ok := v["$b64"].(string); ok && len(v) == 1 {
			return base64.StdEncoding.DecodeString(b64)
		}
	}
	return nil, fmt.Errorf("unexpected value %s", raw)
}

// quoteIdent quotes a table or column name for both engines. Names come
// from the database's own catalogue, never from a backup file unchecked.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
