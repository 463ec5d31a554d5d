package storage

import (
	"context"
	"errors"
	"sync"
	"time"

	"gorm.io/gorm"
)

// write runs fn in a write transaction and returns fn's error (after which
// nothing fn did is kept) or the commit's.
//
// On PostgreSQL that is a transaction of its own, on the caller's context.
//
// On SQLite, whose database file has one writer at a time, write hands fn to
// the Store's committer (see committer): one goroutine that runs the writes
// queued meanwhile one after the other in a single transaction and commits
// them together; a write that fails is undone alone (see committer.run).
// Every caller still returns only after its write is durable
// (synchronous=FULL: one fsync per commit, shared by the batch) or undone,
// but a burst of writers shares one commit instead of queueing on SQLite's
// busy timeout, which polls in millisecond sleeps.
//
// fn must not call write itself (it would wait for its own batch): use the
// tx it is given. fn may run more than once (when a write after it in its
// batch fails, the batch runs again without that one), so it must change
// nothing but the database and variables it sets afresh on each run. fn
// runs on the committer's context, not the caller's: interrupting a
// statement of a shared transaction would roll back the others' writes too.
// A caller whose context is done before its fn starts gets the context's
// error and fn never runs; once started, fn runs to the end and the caller
// waits for the commit.
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.committer == nil {
		return s.db.WithContext(ctx).Transaction(fn)
	}
	return s.committer.do(ctx, fn)
}

// maxBatch bounds the writes one commit carries, so that a long queue does
// not hold SQLite's write lock (and every caller in it) for too long.
const maxBatch = 64

// While writes come from several callers at once (the last batch had more
// than one), the committer waits commitDelay before committing a batch of
// fewer than smallBatch writes, for more to join it: a commit (its WAL
// writes and fsync) costs more CPU than the wait, and with 32 prospects
// signing up at once it saved about 5% of websignup's CPU per signup
// (docs/performance.md). A lone writer, the usual case off-peak, is never
// kept waiting. PostgreSQL's commit_delay and commit_siblings do the same.
const (
	commitDelay = 150 * time.Microsecond
	smallBatch  = 6
)

// writeRequest is one caller's fn and where its result goes.
type writeRequest struct {
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	done chan writeResult // buffered: the committer never blocks on it
}

type writeResult struct {
	err error
	// panicked holds what fn panicked with, to panic again in the caller.
	panicked any
}

// committer batches SQLite write transactions: see Store.write.
type committer struct {
	db      *gorm.DB
	queue   chan *writeRequest
	closing chan struct{}
	stopped chan struct{}
	// mu orders queueing against close: a write is queued under the read
	// lock while closed is false, so once close has taken the write lock
	// the queue holds all it will ever hold, and the loop drains it.
	mu     sync.RWMutex
	closed bool
	// observe, if set, is told each batch's size (the tests use it to see
	// that writes share commits).
	observe func(size int)
	// sleep waits for more writes (commitDelay); the tests replace it.
	sleep func(time.Duration)
}

func newCommitter(db *gorm.DB) *committer {
	c := &committer{
		db:      db,
		queue:   make(chan *writeRequest, 4*maxBatch),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
		sleep:   time.Sleep,
	}
	go c.loop()
	return c
}

var (
	errStoreClosed = errors.New("storage: the database is closed")
	errRollback    = errors.New("storage: a write of the batch failed")
)

func (c *committer) do(ctx context.Context, fn func(tx *gorm.DB) error) error {
	r := &writeRequest{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return errStoreClosed
	}
	select {
	case c.queue <- r:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued the write either runs or is refused before it starts:
	// wait for which, so a caller never returns while its write may still
	// commit.
	res := <-r.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// close stops the committer after the writes already queued; later writes
// get errStoreClosed.
func (c *committer) close() {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		close(c.closing)
	}
	<-c.stopped
}

func (c *committer) loop() {
	defer close(c.stopped)
	batch := make([]*writeRequest, 0, maxBatch)
	last := 0 // the size of the last batch
	for {
		select {
		case r := <-c.queue:
			batch = append(batch[:0], r)
		case <-c.closing:
			// Refuse what is still queued.
			for {
				select {
				case r := <-c.queue:
					r.done <- writeResult{err: errStoreClosed}
				default:
					return
				}
			}
		}
		batch = c.drain(batch)
		if last > 1 && len(batch) < smallBatch {
			c.sleep(commitDelay)
			batch = c.drain(batch)
		}
		last = len(batch)
		c.run(batch)
		clear(batch)
	}
}

// drain adds to batch what is queued, up to maxBatch writes.
func (c *committer) drain(batch []*writeRequest) []*writeRequest {
	for len(batch) < maxBatch {
		select {
		case r := <-c.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// run commits one batch, as if its writes had run one after the other,
// each in a transaction of its own. They run in one transaction without
// savepoints (a savepoint costs two statements and a copy of every page the
// write changes): when one fails (or panics), the transaction is rolled
// back, the failed write gets its error, and the batch runs again without
// it. The writes before it see the same database as the first time, so
// they do the same; the failed one is undone as if alone. A failure of the
// transaction itself (begin, commit) goes to every write that was in it.
func (c *committer) run(batch []*writeRequest) {
	if c.observe != nil {
		c.observe(len(batch))
	}
	pending := make([]*writeRequest, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// Given up before it started: it never runs.
			r.done <- writeResult{err: err}
			continue
		}
		pending = append(pending, r)
	}
	results := make([]writeResult, len(pending))
	for len(pending) > 0 {
		failed := -1
		txErr := c.db.Transaction(func(tx *gorm.DB) error {
			for i, r := range pending {
				results[i] = call(tx, r.fn)
				if results[i].err != nil || results[i].panicked != nil {
					failed = i
					return errRollback
				}
			}
			return nil
		})
		if failed < 0 {
			for i, r := range pending {
				r.done <- writeResult{err: txErr}
				results[i] = writeResult{}
			}
			return
		}
		pending[failed].done <- results[failed]
		pending = append(pending[:failed], pending[failed+1:]...)
		results = results[:len(pending)]
	}
}

// call runs fn, turning a panic into a result.
func call(tx *gorm.DB, fn func(tx *gorm.DB) error) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panicked: p}
		}
	}()
	return writeResult{err: fn(tx)}
}

// exec runs one statement as a write of its own (see write) and reports how
// many rows it changed.
func (s *Store) exec(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		n, err = sqlExec(tx, sql, args...)
		return err
	})
	return n, err
}
