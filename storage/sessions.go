package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"websignup/forms"
)

// WizardStore keeps the public wizard's sessions (wizard_sessions) and the
// numbers they hold (number_holds). Get one with Store.Wizard. It implements
// public.SessionStore. It is safe for concurrent use.
//
// It is a type of its own rather than methods on Store because Store's
// CreateSession and Session names belong to the admin area's sessions.
//
// Sessions are keyed by SessionHash of their raw id, as provision_jobs
// refers to them (the id is a bearer secret and never stored); every method
// takes the raw id. No method stores a card: only its brand and last four
// digits.
type WizardStore struct {
	s *Store
}

// Wizard returns the wizard session and number hold store over s.
func (s *Store) Wizard() *WizardStore { return &WizardStore{s: s} }

// SessionSweepGrace is how long after a wizard session has expired (idle or
// absolute) DeleteExpired keeps it: generous, so that a prospect whose
// session just lapsed gets "your session expired" rather than a bare new
// start, and an admin can still look at an abandoned walk for a while.
const SessionSweepGrace = 24 * time.Hour

// wizardTime is a time as the database keeps it: UTC, microseconds.
func wizardTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// wizardSessionRecord is a wizard_sessions row.
type wizardSessionRecord struct {
	IDHash     string     `gorm:"column:id_hash;primaryKey"`
	FormID     int64      `gorm:"column:form_id"`
	VersionID  int64      `gorm:"column:version_id"`
	Progress   string     `gorm:"column:progress"` // progressDoc as JSON
	CardBrand  string     `gorm:"column:card_brand"`
	CardLast4  string     `gorm:"column:card_last4"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	UpdatedAt  time.Time  `gorm:"column:updated_at"`
	ExpiresAt  time.Time  `gorm:"column:expires_at"`
	SignedUpAt *time.Time `gorm:"column:signed_up_at"`
}

func (wizardSessionRecord) TableName() string { return "wizard_sessions" }

// progressDoc is forms.Progress as stored. SignedUp is not stored: the
// signed_up_at column is the truth (Sign up sets it, a declined card clears
// it), so the two can never disagree.
type progressDoc struct {
	Product    int64             `json:"product"`
	Answers    map[string]string `json:"answers"` // null until the address page was accepted
	Number     string            `json:"number"`
	Device     string            `json:"device"`
	CardSealed bool              `json:"card_sealed"`
}

// encodeProgress is p as the progress column holds it (appendProgress,
// jsonfast.go).
func encodeProgress(p forms.Progress) string {
	return string(appendProgress(make([]byte, 0, 512), progressDoc{Product: p.Product, Answers: p.Answers,
		Number: p.Number, Device: p.Device, CardSealed: p.CardSealed}))
}

func (r wizardSessionRecord) session(id string) (forms.Session, error) {
	d, err := decodeProgress(r.Progress)
	if err != nil {
		return forms.Session{}, fmt.Errorf("decode wizard progress: %w", err)
	}
	return forms.Session{
		ID:        id,
		FormID:    r.FormID,
		VersionID: r.VersionID,
		Progress: forms.Progress{Product: d.Product, Answers: d.Answers, Number: d.Number, Device: d.Device,
			CardSealed: d.CardSealed, SignedUp: r.SignedUpAt != nil},
		CardBrand: r.CardBrand,
		CardLast4: r.CardLast4,
		CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(),
	}, nil
}

// CreateSession stores a new wizard session. Its Progress.SignedUp is
// ignored (a session starts open). It returns EInvalid for an empty id or a
// form or version that does not exist, and EConflict if the id exists.
func (w *WizardStore) CreateSession(ctx context.Context, sess forms.Session) error {
	if sess.ID == "" {
		return forms.Errorf(forms.EInvalid, "a wizard session needs an id")
	}
	progress := encodeProgress(sess.Progress)
	rec := wizardSessionRecord{
		IDHash: SessionHash(sess.ID), FormID: sess.FormID, VersionID: sess.VersionID, Progress: progress,
		CardBrand: sess.CardBrand, CardLast4: sess.CardLast4,
		CreatedAt: wizardTime(sess.CreatedAt), UpdatedAt: wizardTime(sess.UpdatedAt), ExpiresAt: wizardTime(sess.ExpiresAt),
	}
	// A new session reaches all its funnel steps for the first time
	// (funnel.go).
	funnel := funnelWant(sess.Progress)
	return w.s.write(ctx, func(tx *gorm.DB) error {
		if _, err := sqlExec(tx, `INSERT INTO wizard_sessions (id_hash, form_id, version_id, progress, card_brand, card_last4,
				created_at, updated_at, expires_at, funnel_steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.IDHash, rec.FormID, rec.VersionID, rec.Progress, rec.CardBrand, rec.CardLast4,
			rec.CreatedAt, rec.UpdatedAt, rec.ExpiresAt, funnel); err != nil {
			return dbError(err, "create wizard session", "wizard session")
		}
		return countFunnelSteps(tx, rec.IDHash, funnel, sess.CreatedAt)
	})
}

// Session returns the wizard session with the raw id, whether expired or
// not (the caller applies forms.Session.Expired), with Progress.SignedUp
// true while Sign up has it. It returns ENotFound when there is none.
func (w *WizardStore) Session(ctx context.Context, id string) (forms.Session, error) {
	// Every wizard request reads its session: plain SQL on database/sql,
	// scanned into the record, without GORM's statement building and
	// reflection over the model.
	var r wizardSessionRecord
	err := w.s.sqlDB.QueryRowContext(ctx, w.s.sessionQuery, SessionHash(id)).
		Scan(&r.IDHash, &r.FormID, &r.VersionID, &r.Progress, &r.CardBrand, &r.CardLast4,
			&r.CreatedAt, &r.UpdatedAt, &r.ExpiresAt, &r.SignedUpAt)
	if errors.Is(err, sql.ErrNoRows) {
		return forms.Session{}, forms.Errorf(forms.ENotFound, "wizard session not found")
	}
	if err != nil {
		return forms.Session{}, fmt.Errorf("get wizard session: %w", err)
	}
	return r.session(id)
}

// SaveProgress records, in one transaction, what the session has completed
// (p, except p.SignedUp, which only Sign up changes) and the accepted card's
// brand and last four digits, marks the session active at now (updated_at,
// from which idle expiry counts) and, when holdUntil is not zero, sets its
// number hold's expiry to holdUntil. It also counts the funnel steps the
// session reaches for the first time (countFunnel, funnel.go).
//
// It returns ENotFound for an unknown session and EConflict for a session
// that has signed up: its answers belong to the provisioning job now.
func (w *WizardStore) SaveProgress(ctx context.Context, id string, p forms.Progress, cardBrand, cardLast4 string,
	now, holdUntil time.Time) error {
	progress := encodeProgress(p)
	return w.s.write(ctx, func(tx *gorm.DB) error {
		return saveProgress(tx, SessionHash(id), p, progress, cardBrand, cardLast4, now, holdUntil)
	})
}

// saveProgress is SaveProgress's transaction; progress is p encoded.
func saveProgress(tx *gorm.DB, hash string, p forms.Progress, progress, cardBrand, cardLast4 string, now, holdUntil time.Time) error {
	forward, err := saveProgressForward(tx, hash, p, progress, cardBrand, cardLast4, now)
	if err != nil {
		return err
	}
	if !forward {
		n, err := sqlExec(tx, `UPDATE wizard_sessions SET progress = ?, card_brand = ?, card_last4 = ?, updated_at = ?
			WHERE id_hash = ? AND signed_up_at IS NULL`,
			progress, cardBrand, cardLast4, wizardTime(now), hash)
		if err != nil {
			return fmt.Errorf("save wizard progress: %w", err)
		}
		if n == 0 {
			// Not there, or signed up: say which.
			if err := lockOpenSession(tx, hash); err != nil {
				return err
			}
			return errors.New("save wizard progress: an open session was not changed")
		}
		if err := countFunnel(tx, hash, p, now); err != nil { // funnel.go
			return err
		}
	}
	// A session without a number holds none: nothing to extend.
	if holdUntil.IsZero() || p.Number == "" {
		return nil
	}
	if _, err := sqlExec(tx, `UPDATE number_holds SET expires_at = ? WHERE session_hash = ?`,
		wizardTime(holdUntil), hash); err != nil {
		return fmt.Errorf("extend number hold: %w", err)
	}
	return nil
}

// saveProgressForward is saveProgress for a prospect going forward (see
// funnel.go): when the open session has reached every funnel step p reaches
// but the last, it writes the progress and that step's bit in one
// statement, counts the step, and reports true. Otherwise it changes
// nothing and reports false.
func saveProgressForward(tx *gorm.DB, hash string, p forms.Progress, progress, cardBrand, cardLast4 string, now time.Time) (bool, error) {
	want := funnelWant(p)
	last := lastBit(want)
	n, err := sqlExec(tx, `UPDATE wizard_sessions SET progress = ?, card_brand = ?, card_last4 = ?, updated_at = ?, funnel_steps = ?
		WHERE id_hash = ? AND signed_up_at IS NULL AND funnel_steps = ?`,
		progress, cardBrand, cardLast4, wizardTime(now), want, hash, want&^last)
	if err != nil {
		return false, fmt.Errorf("save wizard progress: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	return true, countFunnelSteps(tx, hash, last, now)
}

// lockSession locks the wizard session's row (its id hash) for the rest of
// tx (FOR UPDATE on PostgreSQL; SQLite write transactions are immediate and
// so exclusive anyway) and returns when it signed up (nil: it has not). It
// returns ENotFound when there is no such session.
func lockSession(tx *gorm.DB, hash string) (signedUpAt *time.Time, err error) {
	lock := `SELECT signed_up_at FROM wizard_sessions WHERE id_hash = ?`
	if tx.Dialector.Name() == string(Postgres) {
		lock += ` FOR UPDATE`
	}
	found, err := sqlQueryRow(tx, lock, []any{hash}, &signedUpAt)
	switch {
	case err != nil:
		return nil, fmt.Errorf("lock wizard session: %w", err)
	case !found:
		return nil, forms.Errorf(forms.ENotFound, "wizard session not found")
	}
	return signedUpAt, nil
}

// lockOpenSession is lockSession for a change only an open session takes:
// it returns EConflict when the session has signed up (its answers and
// number belong to the provisioning job now).
func lockOpenSession(tx *gorm.DB, hash string) error {
	signedUpAt, err := lockSession(tx, hash)
	if err == nil && signedUpAt != nil {
		err = forms.Errorf(forms.EConflict, "You have already signed up with this session.")
	}
	return err
}

// DeleteExpired removes, for a periodic sweeper, the number holds that have
// expired at now, and the wizard sessions that have been expired for longer
// than SessionSweepGrace: past their absolute expiry, or idle (no step
// accepted) for longer than idle. It keeps every session that has signed up
// or that a provisioning job refers to (a declined card reopens a session
// that the job still names). It returns how many sessions and holds it
// deleted; holds deleted with their sessions are not counted.
func (w *WizardStore) DeleteExpired(ctx context.Context, now time.Time, idle time.Duration) (sessions, holds int64, err error) {
	now = wizardTime(now)
	holds, err = w.s.exec(ctx, `DELETE FROM number_holds WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, 0, fmt.Errorf("delete expired number holds: %w", err)
	}

	q := `DELETE FROM wizard_sessions WHERE signed_up_at IS NULL AND (expires_at <= ?`
	args := []any{now.Add(-SessionSweepGrace)}
	if idle > 0 {
		q += ` OR updated_at <= ?`
		args = append(args, now.Add(-idle-SessionSweepGrace))
	}
	q += `)`
	// provision_jobs comes with a later migration; the check keeps this
	// method working on a database migrated only this far.
	if w.s.db.WithContext(ctx).Migrator().HasTable("provision_jobs") {
		q += ` AND NOT EXISTS (SELECT 1 FROM provision_jobs WHERE provision_jobs.session_hash = wizard_sessions.id_hash)`
	}
	sessions, err = w.s.exec(ctx, q, args...)
	if err != nil {
		return 0, holds, fmt.Errorf("delete expired wizard sessions: %w", err)
	}
	return sessions, holds, nil
}
