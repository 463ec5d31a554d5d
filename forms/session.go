package forms

import "time"

// Session is one prospect's walk through a form's wizard. It records the
// version it started on, so that publishing a new version never changes the
// questions or prices under a prospect who is already on their way.
type Session struct {
	// ID is the opaque random id the prospect's cookie carries (at least 128
	// random bits). Storage keeps only a hash of it.
	ID        string
	FormID    int64
	VersionID int64
	Progress  Progress
	// CardBrand and CardLast4 describe the accepted card for the summary; the
	// card itself is never stored.
	CardBrand string
	CardLast4 string
	CreatedAt time.Time
	// UpdatedAt is the last accepted step; idle expiry counts from it.
	UpdatedAt time.Time
	// ExpiresAt is the absolute end of the session, however active.
	ExpiresAt time.Time
}

// Expired reports whether the session is past its absolute expiry or has been
// idle (no step accepted) for longer than idle at now.
func (s Session) Expired(now time.Time, idle time.Duration) bool {
	return !now.Before(s.ExpiresAt) || (idle > 0 && now.Sub(s.UpdatedAt) >= idle)
}

// Hold reserves a phone number for one wizard session until ExpiresAt, so
// that two prospects can never hold or get the same number. PortaSwitch has
// no reservation of its own; websignup keeps holds in its database.
type Hold struct {
	Number     string
	IDidNumber int64 // PortaSwitch i_did_number
	SessionID  string
	ExpiresAt  time.Time
}

// AvailableNumber is a free number of a pool as the phone step lists it.
type AvailableNumber struct {
	Number     string
	IDidNumber int64
	IDVBatch   int64
}
