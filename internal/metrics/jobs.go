package metrics

import (
	"context"
	"math"
	"slices"
	"sync"

	"websignup/provision"
)

// Jobs returns a provision.Store that saves through s and counts signups:
// started at a job's first recorded intent, and settled by status when an
// update first settles it on this instance. It also times each step from
// its intent to its result, when the result is first written: a failed
// call's or a lookup's by RecordResult, a successful call's by the job's
// next write, which carries it (provision.Runner.call). Give it to
// provision.Runner.Store.
func (m *Metrics) Jobs(s provision.Store) provision.Store {
	return &jobs{m: m, s: s, settled: map[int64]provision.Status{}, open: map[int64][]int{}}
}

// maxTracked bounds the jobs remembered (settled ones, to count each once;
// running ones, to time their steps).
const maxTracked = 10000

type jobs struct {
	m *Metrics
	s provision.Store

	mu      sync.Mutex
	settled map[int64]provision.Status
	// open holds, per job, the step records whose intent this instance
	// wrote and whose result it has not timed yet (their indexes).
	open map[int64][]int
}

var _ provision.Store = (*jobs)(nil)

// RecordIntent implements provision.Store.
func (j *jobs) RecordIntent(ctx context.Context, job *provision.Job, step string) error {
	if err := j.s.RecordIntent(ctx, job, step); err != nil {
		return err
	}
	j.timeResults(job, -1)
	j.openIntent(job)
	return nil
}

// openIntent notes that the job's last step record, an intent, was
// written, to time it when its result is; the job's first intent counts a
// started signup.
func (j *jobs) openIntent(job *provision.Job) {
	if len(job.Steps) == 1 {
		j.m.signups.WithLabelValues("started").Inc()
	}
	j.mu.Lock()
	if len(j.open) >= maxTracked {
		clear(j.open)
	}
	j.open[job.ID] = append(j.open[job.ID], len(job.Steps)-1)
	j.mu.Unlock()
}

// RecordResult implements provision.Store.
func (j *jobs) RecordResult(ctx context.Context, job *provision.Job, step string) error {
	if err := j.s.RecordResult(ctx, job, step); err != nil {
		return err
	}
	// The step's last record, if its intent was not written here (a
	// lookup's, or a call's from before a restart), is timed too.
	last := -1
	for i := len(job.Steps) - 1; i >= 0; i-- {
		if job.Steps[i].Name == step {
			last = i
			break
		}
	}
	j.timeResults(job, last)
	return nil
}

// Update implements provision.Store. A run's first write is an Update that
// may carry its first intent (provision.Runner.record): an unsettled job
// whose last step record has an intent and no result opens it. (A run
// whose first write carries a lookup's result, which only a resumed run
// makes, leaves that lookup untimed.)
func (j *jobs) Update(ctx context.Context, job *provision.Job) error {
	if err := j.s.Update(ctx, job); err != nil {
		return err
	}
	j.timeResults(job, -1)
	if n := len(job.Steps); !job.Status.Settled() && n > 0 && job.Steps[n-1].Done.IsZero() && !j.isOpen(job.ID, n-1) {
		j.openIntent(job)
	}
	if !job.Status.Settled() {
		return nil
	}
	j.mu.Lock()
	delete(j.open, job.ID)
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

// timeResults times the job's open step records that now have a result,
// and also the record at index also (-1: none) if it was not open.
func (j *jobs) timeResults(job *provision.Job, also int) {
	j.mu.Lock()
	open := j.open[job.ID]
	var done []int
	keep := open[:0]
	for _, i := range open {
		if i < len(job.Steps) && !job.Steps[i].Done.IsZero() {
			done = append(done, i)
		} else {
			keep = append(keep, i)
		}
		if i == also {
			also = -1 // timed with the open ones, or still waiting
		}
	}
	if len(keep) == 0 {
		delete(j.open, job.ID)
	} else {
		j.open[job.ID] = keep
	}
	j.mu.Unlock()
	if also >= 0 {
		done = append(done, also)
	}
	for _, i := range done {
		r := job.Steps[i]
		if r.Intent.IsZero() || r.Done.IsZero() || !r.Done.After(r.Intent) {
			continue
		}
		outcome := r.Outcome
		if outcome == "" {
			outcome = "done"
		}
		j.m.provSteps.WithLabelValues(r.Name, outcome).Observe(r.Done.Sub(r.Intent).Seconds())
	}
}

func nan() float64 { return math.NaN() }

// isOpen reports whether step record i of job id is open.
func (j *jobs) isOpen(id int64, i int) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Contains(j.open[id], i)
}
