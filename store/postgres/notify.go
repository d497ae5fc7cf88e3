package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the channel the site_state trigger (migration 0010)
// announces content changes on.
const notifyChannel = "folio_content"

// WatchChanges implements folio.ChangeNotifier with LISTEN/NOTIFY on its own
// connection. It calls changed after every (re)connection, because
// notifications sent while it was away are lost, and after every
// notification. It reconnects with backoff until ctx ends.
func (s *Store) WatchChanges(ctx context.Context, changed func()) error {
	backoff := 100 * time.Millisecond
	for {
		err := s.listen(ctx, changed, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return nil
		}
		if s.onListenError != nil {
			s.onListenError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (s *Store) listen(ctx context.Context, changed, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.cfg.Copy())
	if err != nil {
		return fmt.Errorf("listen: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("listen: schema: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	connected()
	changed()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen: wait: %w", err)
		}
		if strings.HasPrefix(n.Payload, schema+":") {
			changed()
		}
	}
}
