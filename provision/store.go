package provision

import (
	"context"
	"time"
)

// Store persists a job's progress. Each method must have durably written the
// job (at least every field the runner changes: Status, Reference, the result
// ids, Steps, Attempts, NextAttemptAt, LastError, Reason, UndoTo,
// Credentials) before it returns; storing the whole job is fine. They do
// not touch the lease fields, except Update of a settled job. An error
// stops the run: the runner makes no further remote call, and the job is
// resumed from what was stored.
type Store interface {
	// RecordIntent persists the job after the runner appended a StepRecord
	// for step with only Intent set, before the remote call. The job also
	// holds the result of the call before, if it succeeded (Runner.call
	// writes that with this intent), so this write must store every step
	// record and result id too.
	RecordIntent(ctx context.Context, job *Job, step string) error
	// RecordResult persists the job after the runner completed the last
	// StepRecord for step (Done, Outcome, RemoteID, Error) and set the
	// result id, after a failed remote call or a lookup.
	RecordResult(ctx context.Context, job *Job, step string) error
	// Update persists the job after a change of status, attempts, backoff
	// or errors. When the job has settled, Update also ends its lease
	// (LeaseOwner, LeaseUntil) in the same write: no worker claims a
	// settled job, so it needs no Release.
	Update(ctx context.Context, job *Job) error
}

// Claimer hands due jobs to workers, one worker per job at a time.
type Claimer interface {
	// ClaimDue atomically claims one due job and returns it, or (nil, nil)
	// when none is due. A job is due when its Status is pending, running or
	// retrying, NextAttemptAt <= now, and it has no lease or its
	// LeaseUntil < now (a running job with an expired lease was left by a
	// crash). Claiming sets LeaseOwner = owner and LeaseUntil = now + lease.
	// On PostgreSQL use SELECT ... FOR UPDATE SKIP LOCKED; on SQLite an
	// immediate transaction. The Sign up request that creates a job should
	// create it with a lease of its own so no worker claims it while the
	// request runs it.
	ClaimDue(ctx context.Context, owner string, lease time.Duration, now time.Time) (*Job, error)
	// Release clears the job's lease if owner still holds it.
	Release(ctx context.Context, job *Job) error
}
