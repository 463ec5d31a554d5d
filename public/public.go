// Package public holds the Fiber handlers of the site prospects see: the
// signup wizard (welcome, address, phone, payment, summary) and, later,
// self-care.
package public

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/forms"
)

// FormSource gives the published version of a form by its slug. It returns
// an error with code forms.ENotFound when no form has that slug or the form
// has no published version. storage.Store satisfies it.
type FormSource interface {
	PublishedForm(ctx context.Context, slug string) (forms.Form, forms.Version, error)
}

// VersionSource gives a version by id, so that a session in flight keeps the
// questions and prices of the version it started on after a new one is
// published. It returns an error with code forms.ENotFound for an unknown
// id. storage.Store satisfies it.
type VersionSource interface {
	Version(ctx context.Context, id int64) (forms.Version, error)
}

// SessionStore keeps wizard sessions and number holds. storage.Store
// satisfies it.
type SessionStore interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s forms.Session) error
	// Session returns the session with the given id, or an error with code
	// forms.ENotFound.
	Session(ctx context.Context, id string) (forms.Session, error)
	// SaveProgress records what the session has completed, marks it active
	// at now and extends its hold, if any, to holdUntil.
	SaveProgress(ctx context.Context, id string, p forms.Progress, cardBrand, cardLast4 string, now, holdUntil time.Time) error
	// ChooseNumber is the phone step's answer, in one transaction: it
	// holds h.Number for h.SessionID until h.ExpiresAt, releasing that
	// session's previous hold, and records p as SaveProgress does. An
	// error with code forms.EConflict says another session holds the
	// number; then nothing is changed.
	ChooseNumber(ctx context.Context, h forms.Hold, p forms.Progress, cardBrand, cardLast4 string, now time.Time) error
	// HeldNumbers reports which of numbers are held at now by sessions
	// other than exceptSessionID.
	HeldNumbers(ctx context.Context, numbers []string, exceptSessionID string, now time.Time) (map[string]bool, error)
}

// NumberSource lists the free numbers of a pool and looks one number up, in
// PortaSwitch. internal/psnumbers satisfies it.
type NumberSource interface {
	// FreeNumbers lists up to limit free numbers of pool whose digits
	// contain search ("" for any).
	FreeNumbers(ctx context.Context, pool forms.Pool, search string, limit int) ([]forms.AvailableNumber, error)
	// NumberInfo returns a number and whether it exists and is free.
	NumberInfo(ctx context.Context, number string) (forms.AvailableNumber, bool, error)
}

// Defaults of the Deps fields left zero.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultSessionLifetime = 24 * time.Hour
	DefaultSearchLimit     = 60
	DefaultStepLimit       = 30
	// CardLifetime is how long a sealed card stays valid: the prospect has
	// this long from the payment step to Sign up.
	CardLifetime = 20 * time.Minute
)

// Deps is what the public handlers need. Forms is required; the wizard
// beyond the welcome page needs Versions, Sessions and Numbers too. The
// other fields have defaults.
type Deps struct {
	Forms    FormSource
	Versions VersionSource
	Sessions SessionStore
	Numbers  NumberSource
	Logger   *slog.Logger

	// Secret is the server's 32-byte key (WEBSIGNUP_SECRET_KEY): it seals
	// cards and signs CSRF tokens. Nil means a random key for this process
	// only, which is fine for tests and a single instance that never
	// restarts, and nothing else.
	Secret []byte

	// IdleTimeout ends a session this long after its last accepted step
	// (default DefaultIdleTimeout); a held number is held as long.
	IdleTimeout time.Duration
	// SessionLifetime ends a session this long after it began, however
	// active (default DefaultSessionLifetime).
	SessionLifetime time.Duration

	// SearchLimit is how many number searches (the phone page and its
	// list) a client address may make per minute (default
	// DefaultSearchLimit); StepLimit is how many step POSTs (default
	// DefaultStepLimit). Counters are kept in LimiterStorage.
	SearchLimit int
	StepLimit   int
	// LimiterStorage keeps the rate limiters' counters; nil keeps them in
	// memory, per process. With several instances give it shared storage
	// (storage.Store.RateLimits) so that the limits hold across them.
	LimiterStorage fiber.Storage

	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time

	// Signup runs Sign up and the done page; without Signup.Jobs those
	// routes are not registered.
	Signup SignupDeps
	// Selfcare runs self-care; without Selfcare.Store and Realm its routes are not
	// registered.
	Selfcare SelfcareDeps
}
