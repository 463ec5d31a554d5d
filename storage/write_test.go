package storage_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"websignup/storage"
	"websignup/storage/storagetest"
)

// counters is the test's view of rate_limits: the keys written.
func keys(t *testing.T, s *storage.Store) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	err := s.Write(context.Background(), func(tx *gorm.DB) error {
		var ks []string
		if err := tx.Raw(`SELECT key FROM rate_limits`).Scan(&ks).Error; err != nil {
			return err
		}
		for _, k := range ks {
			got[k] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func insertKey(tx *gorm.DB, key string) error {
	return tx.Exec(`INSERT INTO rate_limits (key, value, expires_at) VALUES (?, ?, 0)`, key, []byte{1}).Error
}

// Many writers at once: each one's write is kept or undone on its own, as
// if it had a transaction of its own, however the committer batches them.
func TestWriteConcurrentKeepsEachOutcome(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		var batches, largest atomic.Int64
		batched := s.ObserveBatches(func(n int) {
			batches.Add(1)
			for {
				l := largest.Load()
				if int64(n) <= l || largest.CompareAndSwap(l, int64(n)) {
					break
				}
			}
		})
		const writers = 200
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Write(context.Background(), func(tx *gorm.DB) error {
					if err := insertKey(tx, fmt.Sprintf("k%d", i)); err != nil {
						return err
					}
					if i%3 == 0 {
						// Wrote, then failed: nothing of it may be kept.
						return fmt.Errorf("writer %d fails", i)
					}
					if i%7 == 0 {
						// A duplicate key: the statement fails, the
						// writer's own earlier insert must go too.
						return insertKey(tx, fmt.Sprintf("k%d", i))
					}
					return nil
				})
			}()
		}
		wg.Wait()
		got := keys(t, s)
		for i := range writers {
			key := fmt.Sprintf("k%d", i)
			wantFail := i%3 == 0 || i%7 == 0
			if wantFail != (errs[i] != nil) {
				t.Errorf("writer %d: err = %v, want failure %v", i, errs[i], wantFail)
			}
			if got[key] == wantFail {
				t.Errorf("writer %d: key kept = %v, want %v", i, got[key], !wantFail)
			}
		}
		if batched {
			t.Logf("%d writes in %d commits, at most %d in one", writers+1, batches.Load(), largest.Load())
			if batches.Load() >= writers+1 {
				t.Errorf("every write had a commit of its own: no batching")
			}
		}
	})
}

// A write that panics panics in its caller, undone; the batch goes on.
func TestWritePanicReachesCaller(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Errorf("recovered %v, want the write's panic", p)
				}
			}()
			_ = s.Write(context.Background(), func(tx *gorm.DB) error {
				if err := insertKey(tx, "panicked"); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if err := s.Write(context.Background(), func(tx *gorm.DB) error { return insertKey(tx, "after") }); err != nil {
			t.Fatal(err)
		}
		got := keys(t, s)
		if got["panicked"] || !got["after"] {
			t.Errorf("keys = %v, want only the write after the panic", got)
		}
	})
}

// A caller that has given up before its write starts gets its context's
// error, and the write never runs; after Close writes are refused.
func TestWriteCancelledAndClosed(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := s.Write(ctx, func(tx *gorm.DB) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Errorf("cancelled write: err %v, ran %v; want context.Canceled and not run", err, ran)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		err = s.Write(context.Background(), func(tx *gorm.DB) error { ran = true; return nil })
		if err == nil || ran {
			t.Errorf("write after Close: err %v, ran %v; want an error and not run", err, ran)
		}
	})
}

// A write alone in its commit is undone by its error as one in a batch is.
func TestWriteAloneUndoneOnError(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		want := errors.New("changed my mind")
		err := s.Write(context.Background(), func(tx *gorm.DB) error {
			if err := insertKey(tx, "undone"); err != nil {
				return err
			}
			return want
		})
		if !errors.Is(err, want) {
			t.Fatalf("err = %v, want the write's own", err)
		}
		if err := s.Write(context.Background(), func(tx *gorm.DB) error { return insertKey(tx, "kept") }); err != nil {
			t.Fatal(err)
		}
		if got := keys(t, s); got["undone"] || !got["kept"] {
			t.Errorf("keys = %v, want only the write that succeeded", got)
		}
	})
}

// TestCommitWaitsOnlyAmongWriters: the committer waits for more writes
// before committing a small batch only while writes come from several
// callers at once (the batch before had company); a lone writer is never
// kept waiting. Writes that arrive during the wait share the commit.
func TestCommitWaitsOnlyAmongWriters(t *testing.T) {
	s := storagetest.Open(t, storagetest.SQLiteDSN(t))
	ctx := context.Background()
	var (
		mu      sync.Mutex
		batches []int
		sleeps  atomic.Int32
	)
	s.ObserveBatches(func(n int) { mu.Lock(); batches = append(batches, n); mu.Unlock() })
	observed := func() string { mu.Lock(); defer mu.Unlock(); return fmt.Sprint(batches) }
	write := func(key string) {
		if err := s.Write(ctx, func(tx *gorm.DB) error { return insertKey(tx, key) }); err != nil {
			t.Error(err)
		}
	}
	// until spins until cond holds; 10 s without is a failure (a batch
	// that never came).
	until := func(what string, cond func() bool) bool {
		for deadline := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
			if time.Now().After(deadline) {
				t.Errorf("never: %s; batches %s", what, observed())
				return false
			}
		}
		return true
	}
	waitQueued := func(n int) bool {
		return until(fmt.Sprint(n, " writes queued"), func() bool { return s.QueuedWrites() >= n })
	}
	var late sync.WaitGroup
	s.SetCommitSleep(func(time.Duration) {
		if sleeps.Add(1) == 1 {
			// A write that arrives during the first wait joins the batch.
			late.Go(func() { write("late") })
			waitQueued(1)
		}
	})

	write("a1") // alone, one after the other
	write("a2")
	// Two writers queue while a third's write runs: they share a batch.
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before the store closes, if the test fails first
	first := make(chan error)
	go func() {
		first <- s.Write(ctx, func(tx *gorm.DB) error { <-release; return insertKey(tx, "b0") })
	}()
	if !until("batches [1 1 1]", func() bool { return observed() == "[1 1 1]" }) {
		t.FailNow()
	}
	var pair sync.WaitGroup
	pair.Go(func() { write("b1") })
	pair.Go(func() { write("b2") })
	if !waitQueued(2) {
		t.FailNow()
	}
	unblock()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	pair.Wait()
	if n := sleeps.Load(); n != 0 {
		t.Fatalf("the committer waited %d times for lone writers", n)
	}
	write("c1") // after the pair: waits, and takes the late write along
	late.Wait()
	write("d1") // after a batch of two: waits, alone
	write("e1") // after a batch of one: no wait
	if got, want := observed(), "[1 1 1 2 2 1 1]"; sleeps.Load() != 2 || got != want {
		t.Errorf("waited %d times, batches %s; want 2 waits, batches %s", sleeps.Load(), got, want)
	}
	if got := keys(t, s); len(got) != 9 {
		t.Errorf("kept %d writes, want 9: %v", len(got), got)
	}
}
