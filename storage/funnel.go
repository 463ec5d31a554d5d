package storage

import (
	"context"
	"fmt"
	mathbits "math/bits"
	"time"

	"gorm.io/gorm"

	"websignup/forms"
	"websignup/provision"
)

// FunnelStep names a step of a form's funnel as funnel_daily counts it.
type FunnelStep string

// The wizard's funnel steps a session reaches, in order. The counters are
// kept when a step's POST is accepted (never on a GET), once per session:
// the session's funnel_steps bits remember what was counted.
//
// The payment step and the summary coincide: the summary is reachable
// exactly when the payment step has accepted a card, so "payment done" is
// also "summary reached".
const (
	// FunnelStarted: the welcome page's plan was accepted and the session
	// created.
	FunnelStarted FunnelStep = "started"
	// FunnelAddress: the address page (the prospect's details) was accepted.
	FunnelAddress FunnelStep = "address"
	// FunnelPhone: a number and a device were chosen.
	FunnelPhone FunnelStep = "phone"
	// FunnelPayment: a card was accepted; the summary is shown next.
	FunnelPayment FunnelStep = "payment"
)

// funnelBits are the wizard steps with their bit in
// wizard_sessions.funnel_steps, in order.
var funnelBits = []struct {
	step FunnelStep
	bit  int
}{
	{FunnelStarted, 1}, {FunnelAddress, 2}, {FunnelPhone, 4}, {FunnelPayment, 8},
}

// funnelWant returns the bits of the funnel steps p has completed
// (FunnelStarted always: a session exists).
func funnelWant(p forms.Progress) int {
	want := 0
	for _, fb := range funnelBits {
		reached := false
		switch fb.step {
		case FunnelStarted:
			reached = true
		case FunnelAddress:
			reached = p.Answers != nil
		case FunnelPhone:
			reached = p.Number != "" && p.Device != ""
		case FunnelPayment:
			reached = p.CardSealed
		}
		if reached {
			want |= fb.bit
		}
	}
	return want
}

// funnelDay is the counters' day of t: its UTC date.
func funnelDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// The funnel is counted in the transaction that writes the session's
// progress (WizardStore.CreateSession, SaveProgress), after or with the
// statement that writes the session's row: that write holds the row
// (PostgreSQL's row lock, SQLite's one writer), so concurrent saves of one
// session never count a step twice.
//
// A new session counts what its progress reaches (countFunnelSteps). A save
// first tries the usual case, a prospect going forward: it has reached
// every step it reaches now but the last, and reaches that one now
// (saveProgressForward). Its progress, its bits and the step's counter are
// then two statements. Any other save (going back, saving a step again)
// writes its progress and then counts what is new (countFunnel): a read, and
// a write and a counter per step reached for the first time.

// countFunnel counts, in tx, each step of p that the session hash reaches
// for the first time: it sets the step's bit on the session, and only when
// the bit was not set yet adds one to the form's counter of the day of now.
// Call it after the statement that wrote the session's row.
func countFunnel(tx *gorm.DB, hash string, p forms.Progress, now time.Time) error {
	want := funnelWant(p)
	var have int
	found, err := sqlQueryRow(tx, `SELECT funnel_steps FROM wizard_sessions WHERE id_hash = ?`, []any{hash}, &have)
	if err != nil {
		return fmt.Errorf("read funnel steps: %w", err)
	}
	if !found {
		return nil
	}
	added := want &^ have
	if added == 0 {
		return nil
	}
	if _, err := sqlExec(tx, `UPDATE wizard_sessions SET funnel_steps = ? WHERE id_hash = ?`, have|added, hash); err != nil {
		return fmt.Errorf("mark funnel steps: %w", err)
	}
	return countFunnelSteps(tx, hash, added, now)
}

// countFunnelSteps adds one to the form's counter of the day of now of each
// step in bits, for the session hash (whose bits the caller has set).
func countFunnelSteps(tx *gorm.DB, hash string, bits int, now time.Time) error {
	day := funnelDay(now)
	for _, fb := range funnelBits {
		if bits&fb.bit == 0 {
			continue
		}
		if _, err := sqlExec(tx, `INSERT INTO funnel_daily (form_id, day, step, count)
			SELECT form_id, ?, ?, 1 FROM wizard_sessions WHERE id_hash = ?
			ON CONFLICT (form_id, day, step) DO UPDATE SET count = funnel_daily.count + 1`,
			day, string(fb.step), hash); err != nil {
			return fmt.Errorf("count funnel step %s: %w", fb.step, err)
		}
	}
	return nil
}

// lastBit is the highest bit of bits (bits > 0).
func lastBit(bits int) int { return 1 << (mathbits.Len(uint(bits)) - 1) }

// Funnel is how far a form's prospects got over a period.
type Funnel struct {
	// From and To are the period's first and last day (UTC dates).
	From, To time.Time
	// Steps counts the sessions that first reached each wizard step during
	// the period (FunnelStarted ... FunnelPayment).
	Steps map[FunnelStep]int64
	// SignedUp counts the sessions whose first Sign up was during the
	// period; the outcome counts split them by where their latest attempt
	// stands now.
	SignedUp    int64
	Completed   int64
	Failed      int64 // declined, card needed (not retried) or failed
	NeedsReview int64
	Resolved    int64 // needs review, then marked resolved by an operator
	InProgress  int64 // pending, running or retrying
}

// Funnel returns the funnel of form formID from the day of from to the day
// of to, both included (UTC days). Wizard steps come from the durable
// funnel_daily counters; Sign up and its outcomes from the provisioning jobs,
// which are never deleted. It returns EInvalid when to is before from.
func (s *Store) Funnel(ctx context.Context, formID int64, from, to time.Time) (Funnel, error) {
	from = time.Date(from.UTC().Year(), from.UTC().Month(), from.UTC().Day(), 0, 0, 0, 0, time.UTC)
	to = time.Date(to.UTC().Year(), to.UTC().Month(), to.UTC().Day(), 0, 0, 0, 0, time.UTC)
	if to.Before(from) {
		return Funnel{}, forms.Errorf(forms.EInvalid, "The period ends before it starts.")
	}
	f := Funnel{From: from, To: to, Steps: map[FunnelStep]int64{}}
	db := s.db.WithContext(ctx)
	var steps []struct {
		Step  string `gorm:"column:step"`
		Total int64  `gorm:"column:total"`
	}
	if err := db.Raw(`SELECT step, SUM(count) AS total FROM funnel_daily
		WHERE form_id = ? AND day >= ? AND day <= ? GROUP BY step`,
		formID, funnelDay(from), funnelDay(to)).Scan(&steps).Error; err != nil {
		return Funnel{}, fmt.Errorf("funnel steps: %w", err)
	}
	for _, r := range steps {
		f.Steps[FunnelStep(r.Step)] = r.Total
	}
	// One row per session that signed up in the period: the status of its
	// latest attempt.
	var outcomes []struct {
		Status string `gorm:"column:status"`
		Total  int64  `gorm:"column:total"`
	}
	if err := db.Raw(`SELECT j.status, COUNT(*) AS total FROM provision_jobs j
		WHERE j.form_id = ?
		  AND j.attempt = (SELECT MAX(k.attempt) FROM provision_jobs k WHERE k.session_hash = j.session_hash)
		  AND (SELECT MIN(k.created_at) FROM provision_jobs k WHERE k.session_hash = j.session_hash) >= ?
		  AND (SELECT MIN(k.created_at) FROM provision_jobs k WHERE k.session_hash = j.session_hash) < ?
		GROUP BY j.status`, formID, from, to.AddDate(0, 0, 1)).Scan(&outcomes).Error; err != nil {
		return Funnel{}, fmt.Errorf("funnel outcomes: %w", err)
	}
	for _, o := range outcomes {
		f.SignedUp += o.Total
		switch provision.Status(o.Status) {
		case provision.StatusCompleted:
			f.Completed += o.Total
		case provision.StatusDeclined, provision.StatusCardNeeded, provision.StatusFailed:
			f.Failed += o.Total
		case provision.StatusNeedsReview:
			f.NeedsReview += o.Total
		case StatusResolved:
			f.Resolved += o.Total
		default:
			f.InProgress += o.Total
		}
	}
	return f, nil
}
