package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"folio"
)

const mediaColumns = `id, key, filename, content_type, size, sha256, width, height, alt, uploaded_by, created_at`

func scanMedia(row interface{ Scan(...any) error }) (*folio.Media, error) {
	var m folio.Media
	var by sql.NullInt64
	var created nullTime
	if err := row.Scan(&m.ID, &m.Key, &m.Filename, &m.ContentType, &m.Size, &m.SHA256,
		&m.Width, &m.Height, &m.Alt, &by, &created); err != nil {
		return nil, err
	}
	m.UploadedBy, m.CreatedAt = by.Int64, created.Time
	return &m, nil
}

// CreateMedia implements folio.Store. Media changes no public page by
// itself, so the content version stays.
func (s *Store) CreateMedia(ctx context.Context, m *folio.Media) error {
	if m == nil {
		return folio.Invalid("", "no file given")
	}
	if err := folio.CheckBlobKey(m.Key); err != nil {
		return folio.Invalid("key", "%v", err)
	}
	if err := checkText("filename", m.Filename, "alt", m.Alt, "content_type", m.ContentType, "sha256", m.SHA256); err != nil {
		return err
	}
	what := fmt.Sprintf("create media %q", m.Key)
	now := s.now()
	var by any
	if m.UploadedBy != 0 {
		by = m.UploadedBy
	}
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO media (key, filename, content_type, size, sha256, width, height, alt, uploaded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			m.Key, m.Filename, m.ContentType, m.Size, m.SHA256, m.Width, m.Height, m.Alt, by, s.bindTime(now)).Scan(&id); err != nil {
			err = s.mapErr(what, err)
			var ce *folio.ConflictError
			if errors.As(err, &ce) {
				ce.Field, ce.Message = "key", "this file was uploaded already"
			}
			return err
		}
		m.ID, m.CreatedAt = id, now
		return nil
	})
}

// FindMedia implements folio.Store.
func (s *Store) FindMedia(ctx context.Context, f folio.MediaFilter) ([]*folio.Media, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM media`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count media: %w", err)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media
		ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("find media: %w", err)
	}
	defer rows.Close()
	var out []*folio.Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find media: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find media: %w", err)
	}
	return out, total, nil
}

func (s *Store) findMedia(ctx context.Context, q querier, what, where string, arg any) (*folio.Media, error) {
	m, err := scanMedia(q.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, folio.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return m, nil
}

// FindMediaByID implements folio.Store.
func (s *Store) FindMediaByID(ctx context.Context, id int64) (*folio.Media, error) {
	return s.findMedia(ctx, s.reader, fmt.Sprintf("find media %d", id), `id = $1`, id)
}

// FindMediaByKey implements folio.Store.
func (s *Store) FindMediaByKey(ctx context.Context, key string) (*folio.Media, error) {
	if !storable(key) {
		return nil, fmt.Errorf("find media %q: %w", key, folio.ErrNotFound)
	}
	return s.findMedia(ctx, s.reader, fmt.Sprintf("find media %q", key), `key = $1`, key)
}

// UpdateMediaAlt implements folio.Store.
func (s *Store) UpdateMediaAlt(ctx context.Context, id int64, alt string) (*folio.Media, error) {
	alt, err := folio.ValidateAlt(alt)
	if err != nil {
		return nil, err
	}
	if err := checkText("alt", alt); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("update media %d", id)
	var m *folio.Media
	err = s.inTx(ctx, what, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, what, `UPDATE media SET alt = $2 WHERE id = $1`, id, alt); err != nil {
			return err
		}
		m, err = s.findMedia(ctx, tx, what, `id = $1`, id)
		return err
	})
	return m, err
}

// DeleteMedia implements folio.Store.
func (s *Store) DeleteMedia(ctx context.Context, id int64) error {
	what := fmt.Sprintf("delete media %d", id)
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		return execOne(ctx, tx, what, `DELETE FROM media WHERE id = $1`, id)
	})
}
