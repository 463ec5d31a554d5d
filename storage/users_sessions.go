package storage

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Session is an admin's signed-in session. Only the SHA-256 of the cookie's
// random id is stored, so a leaked database cannot be replayed as cookies.
type Session struct {
	IDHash     string // hex SHA-256 of the raw id in the cookie
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry; idle expiry is the caller's rule on LastSeenAt
}

type sessionRecord struct {
	IDHash     string    `gorm:"column:id_hash;primaryKey"`
	UserID     int64     `gorm:"column:user_id"`
	CreatedAt  time.Time `gorm:"column:created_at"`
	LastSeenAt time.Time `gorm:"column:last_seen_at"`
	ExpiresAt  time.Time `gorm:"column:expires_at"`
}

func (sessionRecord) TableName() string { return "admin_sessions" }

func (r sessionRecord) session() Session {
	return Session{IDHash: r.IDHash, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(),
		LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

// CreateSession stores s and, in the same transaction, deletes the session
// whose hash is replaces (the one the browser held before signing in), so a
// session id planted before login never becomes a signed-in one.
func (s *Store) CreateSession(ctx context.Context, sess Session, replaces string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if replaces != "" {
			if err := tx.Where("id_hash = ?", replaces).Delete(&sessionRecord{}).Error; err != nil {
				return dbError(err, "delete previous session", "session")
			}
		}
		rec := sessionRecord{IDHash: sess.IDHash, UserID: sess.UserID, CreatedAt: sess.CreatedAt.UTC(),
			LastSeenAt: sess.LastSeenAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC()}
		return dbError(tx.Create(&rec).Error, "create session", "session")
	})
}

// SessionUser returns the session with the given hash and its user (with
// the tenant's name). It returns ENotFound when there is no such session.
// Expiry and the disabled flag are the caller's to check.
func (s *Store) SessionUser(ctx context.Context, idHash string) (Session, User, error) {
	db := s.db.WithContext(ctx)
	var rec sessionRecord
	if err := db.Take(&rec, "id_hash = ?", idHash).Error; err != nil {
		return Session{}, User{}, dbError(err, "get session", "session")
	}
	u, err := userByID(db, AllTenants(), rec.UserID)
	if err != nil {
		return Session{}, User{}, err
	}
	return rec.session(), u, nil
}

// TouchSession sets the session's last_seen_at to now.
func (s *Store) TouchSession(ctx context.Context, idHash string, now time.Time) error {
	_, err := s.exec(ctx, `UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?`, now.UTC(), idHash)
	return dbError(err, "touch session", "session")
}

// DeleteSession removes the session with the given hash; none is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.exec(ctx, `DELETE FROM admin_sessions WHERE id_hash = ?`, idHash)
	return dbError(err, "delete session", "session")
}

// DeleteExpiredSessions removes the sessions whose absolute expiry or idle
// limit (last seen before idleBefore) has passed, and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	n, err := s.exec(ctx, `DELETE FROM admin_sessions WHERE expires_at <= ? OR last_seen_at < ?`, now.UTC(), idleBefore.UTC())
	return n, dbError(err, "delete expired sessions", "session")
}

type loginAttemptRecord struct {
	Key         string    `gorm:"column:key;primaryKey"`
	WindowStart time.Time `gorm:"column:window_start"`
	Count       int       `gorm:"column:count"`
}

func (loginAttemptRecord) TableName() string { return "login_attempts" }

// CountLoginAttempt counts one attempt under key (e.g. "email:ana@x" or
// "ip:192.0.2.1") in a fixed window of the given length, and returns the
// attempts in the current window including this one. The counters live in
// the database so that every instance shares them. A window that has ended
// starts again at 1.
func (s *Store) CountLoginAttempt(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	if len(key) > 300 {
		key = key[:300]
	}
	now = now.UTC().Truncate(time.Microsecond)
	var count int
	err := s.write(ctx, func(tx *gorm.DB) error {
		// Insert-if-missing first, so two instances counting a new key at
		// once both end up updating the one row under its lock.
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&loginAttemptRecord{Key: key, WindowStart: now, Count: 0}).Error; err != nil {
			return err
		}
		var rec loginAttemptRecord
		if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
			Take(&rec, "key = ?", key).Error; err != nil {
			return err
		}
		if !rec.WindowStart.Add(window).After(now) {
			rec.WindowStart, rec.Count = now, 0
		}
		rec.Count++
		count = rec.Count
		return tx.Model(&loginAttemptRecord{}).Where("key = ?", key).
			Updates(map[string]any{"window_start": rec.WindowStart, "count": rec.Count}).Error
	})
	if err != nil {
		return 0, dbError(err, "count login attempt", "login attempt")
	}
	return count, nil
}

// ResetLoginAttempts forgets the attempts counted under key, e.g. an
// address's after a successful login.
func (s *Store) ResetLoginAttempts(ctx context.Context, key string) error {
	_, err := s.exec(ctx, `DELETE FROM login_attempts WHERE key = ?`, key)
	return dbError(err, "reset login attempts", "login attempt")
}
