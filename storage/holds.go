package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"websignup/forms"
)

// MsgNumberTaken is the message of the EConflict error HoldNumber returns
// when another session holds the number.
const MsgNumberTaken = "That number was just taken by someone else. Please pick another."

// HoldNumber holds h.Number for the session h.SessionID (its raw id) until
// h.ExpiresAt, in one transaction that
//
//   - deletes a hold on that number that has expired at now,
//   - deletes the session's holds on other numbers (a session holds at most
//     one number: a new choice releases the old), and
//   - inserts the hold, or, when the session holds the number already,
//     moves its expiry to h.ExpiresAt.
//
// The number is the table's primary key and the insert is an
// INSERT ... ON CONFLICT that only updates the session's own row, so of any
// number of concurrent calls for one number, on any instances, exactly one
// wins. The others get an EConflict error with MsgNumberTaken, and their
// transaction rolls back: a session that loses keeps the number it held.
//
// It returns ENotFound for an unknown session and EConflict when the session
// has signed up (its number belongs to the provisioning job now).
func (w *WizardStore) HoldNumber(ctx context.Context, h forms.Hold, now time.Time) error {
	if h.Number == "" || h.SessionID == "" {
		return forms.Errorf(forms.EInvalid, "a number hold needs a number and a session")
	}
	return w.s.write(ctx, func(tx *gorm.DB) error { return hold(tx, h, now) })
}

// ChooseNumber is the phone step's answer: in one transaction it holds
// h.Number for the session as HoldNumber does, and records p, the card's
// brand and last four digits as SaveProgress does (the hold's expiry is
// h.ExpiresAt). So the answer is kept with its number or not at all, in one
// commit. Its errors are HoldNumber's and SaveProgress's.
func (w *WizardStore) ChooseNumber(ctx context.Context, h forms.Hold, p forms.Progress, cardBrand, cardLast4 string, now time.Time) error {
	if h.Number == "" || h.SessionID == "" {
		return forms.Errorf(forms.EInvalid, "a number hold needs a number and a session")
	}
	progress := encodeProgress(p)
	return w.s.write(ctx, func(tx *gorm.DB) error {
		if err := hold(tx, h, now); err != nil {
			return err
		}
		return saveProgress(tx, SessionHash(h.SessionID), p, progress, cardBrand, cardLast4, now, time.Time{})
	})
}

// hold is HoldNumber's transaction.
func hold(tx *gorm.DB, h forms.Hold, now time.Time) error {
	hash := SessionHash(h.SessionID)
	now = wizardTime(now)
	expires := wizardTime(h.ExpiresAt)
	if err := lockOpenSession(tx, hash); err != nil { // against a concurrent Sign up
		return err
	}
	if _, err := sqlExec(tx, `DELETE FROM number_holds WHERE number = ? AND expires_at <= ?`, h.Number, now); err != nil {
		return fmt.Errorf("delete expired hold: %w", err)
	}
	if _, err := sqlExec(tx, `DELETE FROM number_holds WHERE session_hash = ? AND number <> ?`, hash, h.Number); err != nil {
		return fmt.Errorf("release previous hold: %w", err)
	}
	n, err := sqlExec(tx, `INSERT INTO number_holds (number, i_did_number, session_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET expires_at = excluded.expires_at, i_did_number = excluded.i_did_number
		WHERE number_holds.session_hash = excluded.session_hash`,
		h.Number, h.IDidNumber, hash, expires, now)
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return forms.Errorf(forms.EConflict, MsgNumberTaken)
		}
		return fmt.Errorf("hold number: %w", err)
	}
	if n == 0 {
		// The number has a live hold of another session.
		return forms.Errorf(forms.EConflict, MsgNumberTaken)
	}
	return nil
}

// SessionHold returns the session's hold that is live at now, and false when
// it holds no number (never chose one, or the hold expired), so that the
// summary and Sign up can check the number is still the prospect's.
func (w *WizardStore) SessionHold(ctx context.Context, sessionID string, now time.Time) (forms.Hold, bool, error) {
	var recs []struct {
		Number     string    `gorm:"column:number"`
		IDidNumber int64     `gorm:"column:i_did_number"`
		ExpiresAt  time.Time `gorm:"column:expires_at"`
	}
	err := w.s.db.WithContext(ctx).Raw(`SELECT number, i_did_number, expires_at FROM number_holds
		WHERE session_hash = ? AND expires_at > ?`, SessionHash(sessionID), wizardTime(now)).Scan(&recs).Error
	if err != nil {
		return forms.Hold{}, false, fmt.Errorf("get session's hold: %w", err)
	}
	if len(recs) == 0 {
		return forms.Hold{}, false, nil
	}
	r := recs[0]
	return forms.Hold{Number: r.Number, IDidNumber: r.IDidNumber, SessionID: sessionID, ExpiresAt: r.ExpiresAt.UTC()}, true, nil
}

// ReleaseHolds deletes every hold of the session (its raw id); it is not an
// error when there is none.
func (w *WizardStore) ReleaseHolds(ctx context.Context, sessionID string) error {
	if _, err := w.s.exec(ctx, `DELETE FROM number_holds WHERE session_hash = ?`,
		SessionHash(sessionID)); err != nil {
		return fmt.Errorf("release number holds: %w", err)
	}
	return nil
}

// HeldNumbers reports which of numbers have a hold live at now by a session
// other than exceptSessionID (a raw id; "" excepts none), so that the phone
// step can leave them out of the list. The map holds only held numbers.
//
// It reads the live holds between the lowest and the highest of numbers (a
// range of the primary key) in one constant statement and keeps those that
// are in numbers: a page of a pool's free numbers lies in a narrow range,
// in which the holds are mostly the page's own. An IN (...) list of the
// page's numbers cost a bound parameter and an index search per number,
// and a statement per list length (docs/performance.md).
func (w *WizardStore) HeldNumbers(ctx context.Context, numbers []string, exceptSessionID string, now time.Time) (map[string]bool, error) {
	held := make(map[string]bool)
	if len(numbers) == 0 {
		return held, nil
	}
	except := ""
	if exceptSessionID != "" {
		except = SessionHash(exceptSessionID)
	}
	wanted := make(map[string]bool, len(numbers))
	lo, hi := numbers[0], numbers[0]
	for _, n := range numbers {
		wanted[n] = true
		lo, hi = min(lo, n), max(hi, n)
	}
	err := sqlQuery(w.s.db.WithContext(ctx), `SELECT number FROM number_holds
		WHERE number BETWEEN ? AND ? AND expires_at > ? AND session_hash <> ?`,
		[]any{lo, hi, wizardTime(now), except}, func(row rowScanner) error {
			var n string
			if err := row.Scan(&n); err != nil {
				return err
			}
			if wanted[n] {
				held[n] = true
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("find held numbers: %w", err)
	}
	return held, nil
}
