package provision_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"websignup/provision"
	"websignup/provision/provisiontest"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWorkerResumesAndRetries(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	r := newRunner(ps, store)
	r.BackoffBase = 10 * time.Millisecond
	r.Logger = quietLogger()

	// A job that crashed after the charge, left running with an expired lease.
	crashedJob := newJob(store, false)
	r.BeforeStep = crashAt(provision.StepAccount)
	if !runUntilCrash(t, r, crashedJob, card(cardOK)) {
		t.Fatal("no crash")
	}
	r.BeforeStep = nil
	// A job whose run left it retrying (device refused every time in its run).
	ps.numbers["16045550101"] = &fakeNumber{iDid: 101}
	retrying := newJob(store, false)
	retrying.Order.Number = "16045550101"
	ps.inject("AssignDevice", refuse, refuse, refuse)
	if err := r.Run(context.Background(), retrying, card(cardOK)); err != nil || retrying.Status != provision.StatusRetrying {
		t.Fatalf("setup: %v %s", err, retrying.Status)
	}
	// A pending job that never started: it needs the card, which the worker lacks.
	pending := newJob(store, true)

	ctx, cancel := context.WithCancel(context.Background())
	w := &provision.Worker{Store: store, Runner: r, Interval: 5 * time.Millisecond, Lease: time.Minute, Logger: quietLogger()}
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "all jobs settled", func() bool {
		for _, j := range store.Jobs() {
			if !j.Status.Settled() {
				return false
			}
		}
		return true
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := map[int64]provision.Status{crashedJob.ID: provision.StatusCompleted, retrying.ID: provision.StatusCompleted,
		pending.ID: provision.StatusCardNeeded}
	for _, j := range store.Jobs() {
		if j.Status != want[j.ID] {
			t.Fatalf("job %d: %s, want %s (%s)", j.ID, j.Status, want[j.ID], j.LastError)
		}
		if j.LeaseOwner != "" {
			t.Fatalf("job %d still leased", j.ID)
		}
		checkInvariants(t, ps, j)
	}
}

func TestWorkerDrainsOnCancel(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	r := newRunner(ps, store)
	r.Logger = quietLogger()
	job := newJob(store, false)
	// Start it in "the Sign up request" and stop after the charge, leaving it
	// running with no lease, as a crash would.
	r.AfterStep = crashAt(provision.StepCharge)
	runUntilCrash(t, r, job, card(cardOK))

	inFlight := make(chan struct{})
	release := make(chan struct{})
	var once atomic.Bool
	r.AfterStep = nil
	r.BeforeStep = func(step string) {
		if step == provision.StepAccount && once.CompareAndSwap(false, true) {
			close(inFlight)
			<-release
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &provision.Worker{Store: store, Runner: r, Interval: 5 * time.Millisecond, Lease: time.Minute, Logger: quietLogger()}
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	<-inFlight
	cancel()
	select {
	case <-done:
		t.Fatal("worker returned with a job in flight")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	j, _ := store.Load(job.ID)
	if j.Status != provision.StatusCompleted {
		t.Fatalf("drained job is %s (%s)", j.Status, j.LastError)
	}
	checkInvariants(t, ps, j)
}

func TestWorkerSkipsLeasedAndFutureJobs(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	job := newJob(store, true)
	now := time.Now()
	// The Sign up request holds it.
	if got, _ := store.ClaimDue(context.Background(), "request-1", time.Minute, now); got == nil || got.ID != job.ID {
		t.Fatal("could not claim")
	}
	if got, _ := store.ClaimDue(context.Background(), "worker", time.Minute, now); got != nil {
		t.Fatal("claimed a leased job")
	}
	if got, _ := store.ClaimDue(context.Background(), "worker", time.Minute, now.Add(2*time.Minute)); got == nil {
		t.Fatal("expired lease not reclaimed")
	}
	_ = ps
}

func TestTwoWorkersRunEachJobOnce(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	r := newRunner(ps, store)
	// Each job is left by a crash just after its charge, as a Sign up
	// request killed mid-way would leave it.
	r.AfterStep = crashAt(provision.StepCharge)
	for i := 0; i < 8; i++ {
		number := fmt.Sprintf("1604555020%d", i)
		ps.numbers[number] = &fakeNumber{iDid: int64(200 + i)}
		j := &provision.Job{Order: newJob(&provisiontest.Store{}, true).Order}
		j.Order.Number = number
		store.Create(j)
		if !runUntilCrash(t, r, j, card(cardOK)) {
			t.Fatal("no crash")
		}
	}
	r.AfterStep = nil
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		w := &provision.Worker{Store: store, Runner: r, Owner: fmt.Sprintf("w%d", i), Interval: time.Millisecond,
			Lease: time.Minute, Logger: quietLogger()}
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Run(ctx) }()
	}
	waitFor(t, "jobs settled", func() bool {
		for _, j := range store.Jobs() {
			if !j.Status.Settled() {
				return false
			}
		}
		return true
	})
	cancel()
	wg.Wait()
	for _, j := range store.Jobs() {
		if j.Status != provision.StatusCompleted || j.Attempts != 2 {
			t.Fatalf("job %d: %s after %d runs, want completed after 2 (%s)", j.ID, j.Status, j.Attempts, j.LastError)
		}
		checkInvariants(t, ps, j)
	}
}

// releaseRecorder is a Claimer's Release that records whether it was called
// and whether its context was still live.
type releaseRecorder struct {
	called  bool
	ctxLive bool
}

func (r *releaseRecorder) Release(ctx context.Context, _ *provision.Job) error {
	r.called, r.ctxLive = true, ctx.Err() == nil
	return nil
}

// TestReleaseAfterRun: a job still to run is released even when the run's
// context has run out; a settled job is not (no worker claims it).
func TestReleaseAfterRun(t *testing.T) {
	spent, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	var r releaseRecorder
	if err := provision.Release(spent, &r, &provision.Job{Status: provision.StatusRetrying}); err != nil {
		t.Fatal(err)
	}
	if !r.called || !r.ctxLive {
		t.Fatalf("retrying job after a spent run: released %v, on a live context %v", r.called, r.ctxLive)
	}
	for _, st := range []provision.Status{provision.StatusCompleted, provision.StatusDeclined, provision.StatusNeedsReview} {
		r = releaseRecorder{}
		if err := provision.Release(context.Background(), &r, &provision.Job{Status: st}); err != nil || r.called {
			t.Fatalf("%s job: released %v (%v)", st, r.called, err)
		}
	}
}
