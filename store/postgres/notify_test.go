package postgres_test

import (
	"context"
	"testing"
	"time"

	"folio"
)

// TestWatchChanges checks that a write through one handle (another node)
// reaches the other's watcher at once, and that sites in other schemas of
// the same database do not.
func TestWatchChanges(t *testing.T) {
	requirePostgres(t)
	t.Parallel()
	url := newSchema(t)
	watcher := openAt(t, url, time.Now)
	writer := openAt(t, url, time.Now)
	stranger := openAt(t, newSchema(t), time.Now)

	calls := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go watcher.WatchChanges(ctx, func() { calls <- struct{}{} })
	wait := func(what string) {
		t.Helper()
		select {
		case <-calls:
		case <-time.After(2 * time.Second):
			t.Fatalf("no call after %s", what)
		}
	}
	wait("connecting") // a (re)connection always counts as a change

	if err := stranger.SetSetting(t.Context(), "site_title", "Elsewhere"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-calls:
		t.Fatal("a write in another schema reached this site's watcher")
	case <-time.After(300 * time.Millisecond):
	}

	if err := writer.SetSetting(t.Context(), "site_title", "Changed"); err != nil {
		t.Fatal(err)
	}
	wait("a write through another handle")
	var _ folio.ChangeNotifier = watcher
}
