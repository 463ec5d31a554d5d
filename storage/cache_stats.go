package storage

import (
	"context"
	"fmt"
	"time"

	"websignup/provision"
)

// The counts below are read at metrics scrape time (internal/metrics), not
// per request; each is one indexed COUNT.

// ActiveHolds returns how many numbers are held at now.
func (s *Store) ActiveHolds(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM number_holds WHERE expires_at > ?`, dbTime(now)).
		Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("count holds: %w", err)
	}
	return n, nil
}

// QueuedJobs returns how many provisioning jobs are not settled yet
// (pending, running or retrying): the work queue's depth.
func (s *Store) QueuedJobs(ctx context.Context) (int64, error) {
	return s.countJobs(ctx, provision.StatusPending, provision.StatusRunning, provision.StatusRetrying)
}

// JobsWithStatus returns how many provisioning jobs have one of statuses.
func (s *Store) JobsWithStatus(ctx context.Context, statuses ...provision.Status) (int64, error) {
	return s.countJobs(ctx, statuses...)
}

func (s *Store) countJobs(ctx context.Context, statuses ...provision.Status) (int64, error) {
	list := make([]string, len(statuses))
	for i, st := range statuses {
		list[i] = string(st)
	}
	var n int64
	if err := s.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM provision_jobs WHERE status IN ?`, list).
		Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("count jobs: %w", err)
	}
	return n, nil
}
