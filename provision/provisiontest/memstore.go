// Package provisiontest has test helpers for code that uses provision: an
// in-memory job store.
package provisiontest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"websignup/provision"
)

// Store is an in-memory provision.Store and provision.Claimer. It keeps deep
// copies, so a test can Load a job to simulate a restart from what was
// persisted. The zero value is ready to use.
type Store struct {
	mu     sync.Mutex
	jobs   map[int64]*provision.Job
	nextID int64
	// Writes counts RecordIntent, RecordResult and Update calls.
	Writes int
	// Fail, if set, is called before every write with the method name
	// ("RecordIntent", "RecordResult", "Update") and step; a non-nil
	// result is returned instead of writing.
	Fail func(method, step string) error
}

var (
	_ provision.Store   = (*Store)(nil)
	_ provision.Claimer = (*Store)(nil)
)

// ErrNotFound is returned by Load for an unknown id.
var ErrNotFound = errors.New("provisiontest: job not found")

// Create stores a copy of job with a new ID (set on job too), a Reference if
// it has none, Status pending if empty, and CreatedAt.
func (s *Store) Create(job *provision.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jobs == nil {
		s.jobs = map[int64]*provision.Job{}
	}
	s.nextID++
	job.ID = s.nextID
	if job.Reference == "" {
		job.Reference = provision.NewReference(job.ID)
	}
	if job.Status == "" {
		job.Status = provision.StatusPending
	}
	job.CreatedAt = time.Now()
	s.jobs[job.ID] = provision.CopyJob(job)
}

// Load returns a copy of the stored job.
func (s *Store) Load(id int64) (*provision.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return nil, ErrNotFound
	}
	return provision.CopyJob(j), nil
}

func (s *Store) write(method, step string, job *provision.Job) error {
	if s.Fail != nil {
		if err := s.Fail(method, step); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jobs == nil {
		s.jobs = map[int64]*provision.Job{}
	}
	c := provision.CopyJob(job)
	if old, ok := s.jobs[job.ID]; ok { // the lease belongs to the Claimer
		c.LeaseOwner, c.LeaseUntil = old.LeaseOwner, old.LeaseUntil
	}
	if method == "Update" && c.Status.Settled() { // see provision.Store.Update
		c.LeaseOwner, c.LeaseUntil = "", time.Time{}
	}
	c.UpdatedAt = time.Now()
	s.jobs[job.ID] = c
	s.Writes++
	return nil
}

// RecordIntent stores a copy of job.
func (s *Store) RecordIntent(_ context.Context, job *provision.Job, step string) error {
	return s.write("RecordIntent", step, job)
}

// RecordResult stores a copy of job.
func (s *Store) RecordResult(_ context.Context, job *provision.Job, step string) error {
	return s.write("RecordResult", step, job)
}

// Update stores a copy of job.
func (s *Store) Update(_ context.Context, job *provision.Job) error {
	return s.write("Update", "", job)
}

// ClaimDue claims the due job with the lowest id, as provision.Claimer
// describes.
func (s *Store) ClaimDue(_ context.Context, owner string, lease time.Duration, now time.Time) (*provision.Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.jobs))
	for id := range s.jobs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	for _, id := range ids {
		j := s.jobs[id]
		if j.Status.Settled() || j.NextAttemptAt.After(now) {
			continue
		}
		if j.LeaseOwner != "" && !j.LeaseUntil.Before(now) {
			continue
		}
		j.LeaseOwner, j.LeaseUntil = owner, now.Add(lease)
		return provision.CopyJob(j), nil
	}
	return nil, nil
}

// Release clears the job's lease if its owner still holds it.
func (s *Store) Release(_ context.Context, job *provision.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.jobs[job.ID]; ok && j.LeaseOwner == job.LeaseOwner {
		j.LeaseOwner, j.LeaseUntil = "", time.Time{}
	}
	return nil
}

// Jobs returns copies of all stored jobs in id order.
func (s *Store) Jobs() []*provision.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*provision.Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, provision.CopyJob(j))
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}
