package storage

import (
	"context"
	"time"

	"websignup/provision"
)

// InsertJobForTest stores job for the session hash without a wizard
// session, as StartSignup would, but with no lease. It sets job.ID and
// job.Reference.
func (js *JobStore) InsertJobForTest(ctx context.Context, job *provision.Job, sessionHash string, attempt int) error {
	order, err := encodeOrder(job.Order)
	if err != nil {
		return err
	}
	now := utcNow()
	status := job.Status
	if status == "" {
		status = provision.StatusPending
	}
	rec := jobRecord{SessionHash: sessionHash, Attempt: attempt, FormID: job.FormID, VersionID: job.VersionID,
		Status: string(status), OrderJSON: order, StepsJSON: "[]", CreatedAt: now, UpdatedAt: now,
		NextAttemptAt: optTime(job.NextAttemptAt)}
	if err := js.s.db.WithContext(ctx).Create(&rec).Error; err != nil {
		return err
	}
	job.ID, job.Status, job.SessionID = rec.ID, status, sessionHash
	job.Reference = provision.NewReference(rec.ID)
	return js.s.db.WithContext(ctx).Model(&jobRecord{}).Where("id = ?", rec.ID).Update("reference", job.Reference).Error
}

// RawJobColumn returns one column of a job's row as text, for tests that
// check what is (not) stored.
func (js *JobStore) RawJobColumn(ctx context.Context, id int64, column string) (string, error) {
	var v *string
	err := js.s.db.WithContext(ctx).Raw(`SELECT CAST(`+column+` AS TEXT) FROM provision_jobs WHERE id = ?`, id).Scan(&v).Error
	if v == nil {
		return "", err
	}
	return *v, err
}

var _ = time.Now
