package provision

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"
)

// Defaults of the Worker's fields.
const (
	DefaultInterval = 2 * time.Second
	DefaultLease    = 2 * time.Minute
)

// Worker resumes and retries jobs in the background: it claims due jobs
// through Store, runs them with Runner (without a card), and releases them.
// Several workers, in one process or many, may share a store; the Claimer's
// lease keeps each job on one of them at a time.
type Worker struct {
	Store  Claimer
	Runner *Runner
	// Owner names this worker in leases; empty: host name, process id and a
	// random suffix.
	Owner string
	// Interval is the pause between polls when no job is due.
	Interval time.Duration
	// Lease is how long a claim lasts. A run is given at most half of it, so
	// the lease cannot expire while the job runs.
	Lease  time.Duration
	Logger *slog.Logger // nil: slog.Default()
}

// Run polls for due jobs and runs them, one at a time, until ctx is
// cancelled. A job in flight when ctx is cancelled is finished (drained)
// before Run returns nil. Store errors are logged and retried after
// Interval.
func (w *Worker) Run(ctx context.Context) error {
	if w.Store == nil || w.Runner == nil {
		return fmt.Errorf("provision: Worker needs Store and Runner")
	}
	owner := w.Owner
	if owner == "" {
		host, _ := os.Hostname()
		owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomString(6, lowerDigits))
	}
	for ctx.Err() == nil {
		job, err := w.Store.ClaimDue(ctx, owner, w.lease(), w.Runner.now())
		if err != nil && ctx.Err() == nil {
			w.logger().Error("provision worker: claim failed", "error", err)
		}
		if job == nil {
			if !sleep(ctx, w.interval()) {
				break
			}
			continue
		}
		w.runOne(ctx, job)
	}
	return nil
}

// runOne runs a claimed job with a context that outlives ctx (so a shutdown
// drains it) but not the lease.
func (w *Worker) runOne(ctx context.Context, job *Job) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.lease()/2)
	defer cancel()
	log := w.logger()
	defer func() {
		if p := recover(); p != nil {
			// Leave the lease to expire: it spaces out a job that keeps
			// crashing the runner.
			log.Error("provision worker: run panicked", "job", job, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	if err := w.Runner.Run(rctx, job, nil); err != nil {
		log.Error("provision worker: run failed", "job", job, "error", err)
	} else {
		log.Info("provision worker: ran job", "job", job, "last_error", job.LastError)
	}
	if err := Release(ctx, w.Store, job); err != nil {
		log.Error("provision worker: release failed", "job", job, "error", err)
	}
}

// releaseTimeout bounds Release's write.
const releaseTimeout = 5 * time.Second

// Release hands job back to the workers after a run, on a context of its own
// (bounded, and not cancelled with ctx): a run that used up its time still
// releases its job, so that a worker takes it up when it is due rather than
// when the lease runs out. A settled job needs no release: the Update that
// settled it ended its lease (Store.Update), and that saves a write.
func Release(ctx context.Context, c interface {
	Release(context.Context, *Job) error
}, job *Job) error {
	if job.Status.Settled() {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	return c.Release(rctx, job)
}

func (w *Worker) lease() time.Duration {
	if w.Lease <= 0 {
		return DefaultLease
	}
	return w.Lease
}

func (w *Worker) interval() time.Duration {
	if w.Interval <= 0 {
		return DefaultInterval
	}
	return w.Interval
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}
