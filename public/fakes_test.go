package public_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"websignup/forms"
	"websignup/public"
)

// fakeVersions is a VersionSource over a map.
type fakeVersions struct {
	mu       sync.Mutex
	versions map[int64]forms.Version
}

var _ public.VersionSource = (*fakeVersions)(nil)

func (f *fakeVersions) Version(_ context.Context, id int64) (forms.Version, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.versions[id]
	if !ok {
		return forms.Version{}, forms.Errorf(forms.ENotFound, "version %d not found", id)
	}
	return v, nil
}

// fakeSessions is an in-memory SessionStore that behaves as the contract
// says: holds are unique per number, a session holds at most one, and an
// expired hold is free. Calls counts every write, so tests can tell that a
// GET wrote nothing.
type fakeSessions struct {
	mu       sync.Mutex
	sessions map[string]forms.Session
	holds    map[string]forms.Hold // by number
	writes   int
	// Fail, when set, fails every call with it.
	Fail error
}

var _ public.SessionStore = (*fakeSessions)(nil)

func newFakeSessions() *fakeSessions {
	return &fakeSessions{sessions: map[string]forms.Session{}, holds: map[string]forms.Hold{}}
}

func (f *fakeSessions) CreateSession(_ context.Context, s forms.Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return f.Fail
	}
	f.writes++
	if _, ok := f.sessions[s.ID]; ok {
		return forms.Errorf(forms.EConflict, "session exists")
	}
	f.sessions[s.ID] = s
	return nil
}

func (f *fakeSessions) Session(_ context.Context, id string) (forms.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return forms.Session{}, f.Fail
	}
	s, ok := f.sessions[id]
	if !ok {
		return forms.Session{}, forms.Errorf(forms.ENotFound, "wizard session not found")
	}
	return s, nil
}

func (f *fakeSessions) SaveProgress(_ context.Context, id string, p forms.Progress, brand, last4 string, now, holdUntil time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return f.Fail
	}
	f.writes++
	return f.save(id, p, brand, last4, now, holdUntil)
}

func (f *fakeSessions) save(id string, p forms.Progress, brand, last4 string, now, holdUntil time.Time) error {
	s, ok := f.sessions[id]
	if !ok {
		return forms.Errorf(forms.ENotFound, "wizard session not found")
	}
	p.SignedUp = s.Progress.SignedUp
	s.Progress, s.CardBrand, s.CardLast4, s.UpdatedAt = p, brand, last4, now
	f.sessions[id] = s
	if !holdUntil.IsZero() {
		for n, h := range f.holds {
			if h.SessionID == id {
				h.ExpiresAt = holdUntil
				f.holds[n] = h
			}
		}
	}
	return nil
}

func (f *fakeSessions) HoldNumber(_ context.Context, h forms.Hold, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return f.Fail
	}
	f.writes++
	return f.hold(h, now)
}

func (f *fakeSessions) ChooseNumber(_ context.Context, h forms.Hold, p forms.Progress, brand, last4 string, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return f.Fail
	}
	f.writes++
	if _, ok := f.sessions[h.SessionID]; !ok {
		return forms.Errorf(forms.ENotFound, "wizard session not found")
	}
	if err := f.hold(h, now); err != nil {
		return err
	}
	return f.save(h.SessionID, p, brand, last4, now, time.Time{})
}

func (f *fakeSessions) hold(h forms.Hold, now time.Time) error {
	if old, ok := f.holds[h.Number]; ok && old.SessionID != h.SessionID && now.Before(old.ExpiresAt) {
		return forms.Errorf(forms.EConflict, "That number was just taken by someone else. Please pick another.")
	}
	for n, old := range f.holds {
		if old.SessionID == h.SessionID {
			delete(f.holds, n)
		}
	}
	f.holds[h.Number] = h
	return nil
}

func (f *fakeSessions) HeldNumbers(_ context.Context, numbers []string, except string, now time.Time) (map[string]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return nil, f.Fail
	}
	out := map[string]bool{}
	for _, n := range numbers {
		if h, ok := f.holds[n]; ok && h.SessionID != except && now.Before(h.ExpiresAt) {
			out[n] = true
		}
	}
	return out, nil
}

// only returns the one session there is.
func (f *fakeSessions) only() (forms.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.sessions) != 1 {
		return forms.Session{}, fmt.Errorf("%d sessions", len(f.sessions))
	}
	for _, s := range f.sessions {
		return s, nil
	}
	panic("unreachable")
}

func (f *fakeSessions) writeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// fakeNumbers is a NumberSource over a fixed list of free numbers.
type fakeNumbers struct {
	mu    sync.Mutex
	free  []forms.AvailableNumber
	Fail  error
	calls int
}

var _ public.NumberSource = (*fakeNumbers)(nil)

// demoNumbers are free numbers of the demo pools: Seattle (1) and Chicago (2).
func demoNumbers() *fakeNumbers {
	f := &fakeNumbers{}
	for i := range 15 {
		f.free = append(f.free,
			forms.AvailableNumber{Number: fmt.Sprintf("120655501%02d", i), IDidNumber: int64(100 + i), IDVBatch: 1},
			forms.AvailableNumber{Number: fmt.Sprintf("131255501%02d", i), IDidNumber: int64(200 + i), IDVBatch: 2})
	}
	return f
}

func (f *fakeNumbers) FreeNumbers(_ context.Context, pool forms.Pool, search string, limit int) ([]forms.AvailableNumber, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.Fail != nil {
		return nil, f.Fail
	}
	var out []forms.AvailableNumber
	for _, n := range f.free {
		digits := strings.Map(func(r rune) rune {
			if r < '0' || r > '9' {
				return -1
			}
			return r
		}, search)
		match := strings.Contains(n.Number, digits)
		if strings.HasPrefix(search, "+") {
			match = strings.HasPrefix(n.Number, digits)
		}
		if n.IDVBatch == pool.IDVBatch && strings.HasPrefix(n.Number, pool.Prefix) && match && len(out) < limit {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f *fakeNumbers) NumberInfo(_ context.Context, number string) (forms.AvailableNumber, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail != nil {
		return forms.AvailableNumber{}, false, f.Fail
	}
	for _, n := range f.free {
		if n.Number == number {
			return n, true, nil
		}
	}
	return forms.AvailableNumber{}, false, nil
}
