package metrics

import (
	"context"
	"math"
	"slices"
	"sync"

	"websignup/provision"
)

// Jobs returns a provision.Store that saves through s and counts signups:
// started at a job's first step record written, and settled by status when
// an update first settles it on this instance. It also times each step from
// its intent to its result, when the result is first written: a failed
// call's or a lookup's by RecordResult, a successful call's by the job's
// next write, which carries it, and a repeatable step's intent with it
// (provision.Runner.call). Give it to provision.Runner.Store.
func (m *Metrics) Jobs(s provision.Store) provision.Store {
	return &jobs{m: m, s: s, settled: map[int64]provision.Status{}, tracked: map[int64]*trackedJob{}}
}

// maxTracked bounds the jobs remembered (settled ones, to count each once;
// running ones, to time their steps).
const maxTracked = 10000

type jobs struct {
	m *Metrics
	s provision.Store

	mu      sync.Mutex
	settled map[int64]provision.Status
	tracked map[int64]*trackedJob
}

// trackedJob is what this instance knows of a running job's step records:
// how many it has written (seen), and which of them (their indexes) were
// written without a result, to time when it is.
type trackedJob struct {
	seen int
	open []int
}

var _ provision.Store = (*jobs)(nil)

// RecordIntent implements provision.Store.
func (j *jobs) RecordIntent(ctx context.Context, job *provision.Job, step string) error {
	if err := j.s.RecordIntent(ctx, job, step); err != nil {
		return err
	}
	j.written(job, -1)
	return nil
}

// RecordResult implements provision.Store.
func (j *jobs) RecordResult(ctx context.Context, job *provision.Job, step string) error {
	if err := j.s.RecordResult(ctx, job, step); err != nil {
		return err
	}
	// The step's last record, if this instance did not write it before (a
	// lookup's, or a call's from before a restart), is timed too.
	last := -1
	for i := len(job.Steps) - 1; i >= 0; i-- {
		if job.Steps[i].Name == step {
			last = i
			break
		}
	}
	j.written(job, last)
	return nil
}

// Update implements provision.Store. A run's first write is an Update that
// may carry its first intent (provision.Runner.record).
func (j *jobs) Update(ctx context.Context, job *provision.Job) error {
	if err := j.s.Update(ctx, job); err != nil {
		return err
	}
	j.written(job, -1)
	if !job.Status.Settled() {
		return nil
	}
	j.mu.Lock()
	delete(j.tracked, job.ID)
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

// written notes that job was written: the step records new since this
// instance last wrote it are timed if they have a result, kept open if not;
// the open ones that now have a result are timed, and so is the record at
// index also (-1: none) if it came from before. A job this instance has
// not written yet is taken to have only its last record new (the records
// of earlier runs were timed where they ran; a resumed run's first write
// may so leave a repeatable step made before it untimed); a settled job
// this instance does not track is left alone. The job's first record
// counts a started signup.
func (j *jobs) written(job *provision.Job, also int) {
	n := len(job.Steps)
	j.mu.Lock()
	t := j.tracked[job.ID]
	if t == nil && job.Status.Settled() {
		// Settled before (its records timed then) or elsewhere.
		j.mu.Unlock()
		return
	}
	if t == nil {
		if len(j.tracked) >= maxTracked {
			clear(j.tracked)
		}
		t = &trackedJob{seen: max(n-1, 0)}
		j.tracked[job.ID] = t
	}
	var done []int
	keep := t.open[:0]
	for _, i := range t.open {
		if i < n && !job.Steps[i].Done.IsZero() {
			done = append(done, i)
		} else {
			keep = append(keep, i)
		}
	}
	t.open = keep
	started := t.seen == 0 && n > 0
	for i := t.seen; i < n; i++ {
		if job.Steps[i].Done.IsZero() {
			t.open = append(t.open, i)
		} else {
			done = append(done, i)
		}
	}
	if also >= 0 && also < t.seen && !slices.Contains(done, also) && !slices.Contains(t.open, also) {
		done = append(done, also)
	}
	t.seen = max(t.seen, n)
	j.mu.Unlock()

	if started {
		j.m.signups.WithLabelValues("started").Inc()
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
