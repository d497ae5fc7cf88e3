package web

import (
	"context"
	"time"

	"folio"
)

// commentWriter gives concurrent comment posts a group commit: requests
// queue on a channel and one goroutine writes whatever has queued in one
// transaction (Store.WriteComments), so twenty readers posting at once
// share a commit (one fsync on SQLite) instead of waiting for twenty.
type commentWriter struct {
	store folio.Store
	queue chan writeRequest
}

type writeRequest struct {
	w    *folio.CommentWrite
	done chan error
}

// maxWriteBatch bounds one transaction, so a burst cannot hold the writer
// for long.
const maxWriteBatch = 64

func newCommentWriter(store folio.Store) *commentWriter {
	cw := &commentWriter{store: store, queue: make(chan writeRequest, 4*maxWriteBatch)}
	go cw.loop()
	return cw
}

// write queues w and waits until it is committed (or failed).
func (cw *commentWriter) write(ctx context.Context, w *folio.CommentWrite) error {
	req := writeRequest{w: w, done: make(chan error, 1)}
	select {
	case cw.queue <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the write happens whatever the client does, so its
	// outcome is always read: the caller acknowledges only committed work.
	return <-req.done
}

func (cw *commentWriter) loop() {
	batch := make([]writeRequest, 0, maxWriteBatch)
	items := make([]*folio.CommentWrite, 0, maxWriteBatch)
	for first := range cw.queue {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxWriteBatch {
			select {
			case req := <-cw.queue:
				batch = append(batch, req)
			default:
				break drain
			}
		}
		items = items[:0]
		for _, req := range batch {
			items = append(items, req.w)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := cw.store.WriteComments(ctx, items)
		cancel()
		for _, req := range batch {
			if err == nil {
				err := req.w.Err
				req.done <- err
				continue
			}
			req.done <- err
		}
	}
}

// postTarget is what a comment post needs to know about its article,
// kept until the next content change (the page cache's generation), so a
// post costs no reads for it.
type postTarget struct {
	gen    uint64
	a      *folio.Article
	closed bool
	set    commentSettings
}

const maxPostTargets = 10000

func (s *Server) postTarget(ctx context.Context, slug string) (*postTarget, error) {
	gen := s.cache.generation()
	if v, ok := s.comments.targets.Load(slug); ok && v.(*postTarget).gen == gen {
		return v.(*postTarget), nil
	}
	a, err := s.store.FindArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	t := &postTarget{gen: gen, a: a}
	if t.set, err = s.commentSettings(ctx); err != nil {
		return nil, err
	}
	if t.closed, err = s.store.ArticleCommentsClosed(ctx, a.ID); err != nil {
		return nil, err
	}
	if s.comments.targetCount.Add(1) > maxPostTargets {
		s.comments.targets.Clear()
		s.comments.targetCount.Store(0)
	}
	s.comments.targets.Store(slug, t)
	return t, nil
}
