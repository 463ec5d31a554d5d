package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"websignup/forms"
)

// The self-care session store lives beside the jobs (it is part of the same
// piece of work: what a subscriber does once signed up).

// CreateSelfcareSession stores a new self-care session under the hash of
// its raw id with an opaque state (the caller seals it), valid until
// expires however active. It returns EConflict for an id in use.
func (s *Store) CreateSelfcareSession(ctx context.Context, id, state string, now, expires time.Time) error {
	now = dbTime(now)
	_, err := s.exec(ctx, `INSERT INTO selfcare_sessions (id_hash, state, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`, SessionHash(id), state, now, now, dbTime(expires))
	return dbError(err, "create self-care session", "self-care session")
}

// SelfcareSession returns the state of the live self-care session id and
// marks it seen at now. A session past its absolute expiry, or not seen for
// idle, is deleted and reported as ENotFound, as is an unknown id.
func (s *Store) SelfcareSession(ctx context.Context, id string, now time.Time, idle time.Duration) (string, error) {
	now = dbTime(now)
	hash := SessionHash(id)
	var state []string
	err := s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE selfcare_sessions SET last_seen_at = ?
			WHERE id_hash = ? AND expires_at > ? AND last_seen_at > ?`, now, hash, now, now.Add(-idle))
		if res.Error != nil {
			return fmt.Errorf("touch self-care session: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			// Dead or unknown: delete it (kept by returning no error).
			if err := tx.Exec(`DELETE FROM selfcare_sessions WHERE id_hash = ?`, hash).Error; err != nil {
				return fmt.Errorf("delete self-care session: %w", err)
			}
			return nil
		}
		if err := tx.Raw(`SELECT state FROM selfcare_sessions WHERE id_hash = ?`, hash).Scan(&state).Error; err != nil {
			return fmt.Errorf("read self-care session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if len(state) == 0 {
		return "", forms.Errorf(forms.ENotFound, "self-care session not found")
	}
	return state[0], nil
}

// UpdateSelfcareSession replaces the state of self-care session id. It
// returns ENotFound when the session is gone.
func (s *Store) UpdateSelfcareSession(ctx context.Context, id, state string) error {
	n, err := s.exec(ctx, `UPDATE selfcare_sessions SET state = ? WHERE id_hash = ?`, state, SessionHash(id))
	if err != nil {
		return fmt.Errorf("update self-care session: %w", err)
	}
	if n == 0 {
		return forms.Errorf(forms.ENotFound, "self-care session not found")
	}
	return nil
}

// DeleteSelfcareSession deletes self-care session id (logout, rotation);
// an unknown id is not an error.
func (s *Store) DeleteSelfcareSession(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `DELETE FROM selfcare_sessions WHERE id_hash = ?`, SessionHash(id)); err != nil {
		return fmt.Errorf("delete self-care session: %w", err)
	}
	return nil
}

// DeleteExpiredSelfcare deletes self-care sessions past their absolute
// expiry or idle longer than idle, and throttle counters whose window ended
// before now-window. It returns how many sessions it deleted.
func (s *Store) DeleteExpiredSelfcare(ctx context.Context, now time.Time, idle, window time.Duration) (int64, error) {
	now = dbTime(now)
	n, err := s.exec(ctx, `DELETE FROM selfcare_sessions WHERE expires_at <= ? OR last_seen_at <= ?`, now, now.Add(-idle))
	if err != nil {
		return 0, fmt.Errorf("delete expired self-care sessions: %w", err)
	}
	if _, err := s.exec(ctx, `DELETE FROM login_throttle WHERE window_start <= ?`, now.Add(-window)); err != nil {
		return n, fmt.Errorf("delete old login throttle counters: %w", err)
	}
	return n, nil
}

// ThrottleCount returns how many failures key has in the window of length
// window that is current at now (0 when its window is over).
func (s *Store) ThrottleCount(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	now = dbTime(now)
	var n []int
	err := s.db.WithContext(ctx).Raw(`SELECT count FROM login_throttle WHERE key = ? AND window_start > ?`,
		key, now.Add(-window)).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("read login throttle: %w", err)
	}
	if len(n) == 0 {
		return 0, nil
	}
	return n[0], nil
}

// ThrottleHit counts one failure for key and returns the count in the
// current window, starting a new window at now when the last one is over.
// It is one atomic statement, so concurrent hits on any instance all count.
func (s *Store) ThrottleHit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error) {
	now = dbTime(now)
	old := now.Add(-window)
	var n []int
	err := s.write(ctx, func(tx *gorm.DB) error {
		return tx.Raw(`INSERT INTO login_throttle (key, window_start, count) VALUES (?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.count + 1 END,
				window_start = CASE WHEN login_throttle.window_start <= ? THEN ? ELSE login_throttle.window_start END
			RETURNING count`, key, now, old, old, now).Scan(&n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("count login failure: %w", err)
	}
	if len(n) == 0 {
		return 0, fmt.Errorf("count login failure: no count returned")
	}
	return n[0], nil
}

// ThrottleReset forgets key's failures (after a successful login).
func (s *Store) ThrottleReset(ctx context.Context, key string) error {
	if _, err := s.exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, key); err != nil {
		return fmt.Errorf("reset login throttle: %w", err)
	}
	return nil
}
