package sqlstore

import (
	"context"
	"fmt"
)

// ClaimEffect implements folio.EffectStore. The primary key decides
// between nodes: of two claims of one key, one inserts and one does not.
func (s *Store) ClaimEffect(ctx context.Context, key string) (bool, error) {
	res, err := s.writer.ExecContext(ctx, `INSERT INTO job_effects (key, created_at) VALUES ($1, $2)
		ON CONFLICT (key) DO NOTHING`, key, s.bindTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("claim effect %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim effect %q: %w", key, err)
	}
	return n == 1, nil
}

// ReleaseEffect implements folio.EffectStore.
func (s *Store) ReleaseEffect(ctx context.Context, key string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM job_effects WHERE key = $1`, key); err != nil {
		return fmt.Errorf("release effect %q: %w", key, err)
	}
	return nil
}
