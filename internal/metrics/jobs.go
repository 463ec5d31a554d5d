package metrics

import (
	"context"
	"math"
	"sync"

	"websignup/provision"
)

// Jobs returns a provision.Store that saves through s and counts signups:
// started at a job's first recorded intent, and settled by status when an
// update first settles it on this instance. It also times each step from
// its recorded intent to its recorded result. Give it to
// provision.Runner.Store.
func (m *Metrics) Jobs(s provision.Store) provision.Store {
	return &jobs{m: m, s: s, settled: map[int64]provision.Status{}}
}

// maxTracked bounds the settled jobs remembered (to count each once).
const maxTracked = 10000

type jobs struct {
	m *Metrics
	s provision.Store

	mu      sync.Mutex
	settled map[int64]provision.Status
}

var _ provision.Store = (*jobs)(nil)

// RecordIntent implements provision.Store.
func (j *jobs) RecordIntent(ctx context.Context, job *provision.Job, step string) error {
	err := j.s.RecordIntent(ctx, job, step)
	if err == nil && len(job.Steps) == 1 {
		j.m.signups.WithLabelValues("started").Inc()
	}
	return err
}

// RecordResult implements provision.Store.
func (j *jobs) RecordResult(ctx context.Context, job *provision.Job, step string) error {
	err := j.s.RecordResult(ctx, job, step)
	if err == nil {
		for i := len(job.Steps) - 1; i >= 0; i-- {
			r := job.Steps[i]
			if r.Name != step {
				continue
			}
			if !r.Intent.IsZero() && !r.Done.IsZero() && r.Done.After(r.Intent) {
				outcome := r.Outcome
				if outcome == "" {
					outcome = "done"
				}
				j.m.provSteps.WithLabelValues(step, outcome).Observe(r.Done.Sub(r.Intent).Seconds())
			}
			break
		}
	}
	return err
}

// Update implements provision.Store.
func (j *jobs) Update(ctx context.Context, job *provision.Job) error {
	err := j.s.Update(ctx, job)
	if err != nil || !job.Status.Settled() {
		return err
	}
	j.mu.Lock()
	prev, seen := j.settled[job.ID]
	if !seen || prev != job.Status {
		if len(j.settled) >= maxTracked {
			clear(j.settled)
		}
		j.settled[job.ID] = job.Status
	}
	j.mu.Unlock()
	if !seen || prev != job.Status {
		j.m.signups.WithLabelValues(string(job.Status)).Inc()
	}
	return nil
}

func nan() float64 { return math.NaN() }
