package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestHoldNumberConcurrent(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		const n = 50
		for i := range n {
			wzCreate(t, w, tmpl, fmt.Sprintf("session-%02d", i))
		}
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			errs     = make([]error, n)
			expireAt = wzNow.Add(30 * time.Minute)
		)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = w.HoldNumber(ctx, forms.Hold{Number: "12065550100", IDidNumber: 7,
					SessionID: fmt.Sprintf("session-%02d", i), ExpiresAt: expireAt}, wzNow)
			}()
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range errs {
			switch forms.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Errorf("sessions %d and %d both hold the number", winner, i)
				}
				winner = i
			case forms.EConflict:
				if forms.ErrorMessage(err) != storage.MsgNumberTaken {
					t.Errorf("session %d: message %q", i, forms.ErrorMessage(err))
				}
			default:
				t.Errorf("session %d: unexpected error %v", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no session holds the number")
		}
		// The database agrees: the winner holds it, everyone else sees it held.
		for i := range n {
			id := fmt.Sprintf("session-%02d", i)
			held, err := w.HeldNumbers(ctx, []string{"12065550100"}, id, wzNow)
			if err != nil {
				t.Fatal(err)
			}
			if held["12065550100"] == (i == winner) {
				t.Errorf("session %d (winner %d): HeldNumbers = %v", i, winner, held)
			}
			h, ok, err := w.SessionHold(ctx, id, wzNow)
			if err != nil || ok != (i == winner) {
				t.Errorf("session %d: SessionHold = %+v, %v, %v", i, h, ok, err)
			}
		}
	})
}

func TestHoldNumberRules(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		wzCreate(t, w, tmpl, "ann")
		wzCreate(t, w, tmpl, "bob")
		hold := func(number, id string, until, now time.Time) error {
			return w.HoldNumber(ctx, forms.Hold{Number: number, IDidNumber: 1, SessionID: id, ExpiresAt: until}, now)
		}
		heldBy := func(id string, now time.Time) string {
			t.Helper()
			h, ok, err := w.SessionHold(ctx, id, now)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return ""
			}
			return h.Number
		}
		t0 := wzNow

		// Ann holds A; Bob can't.
		if err := hold("A", "ann", t0.Add(10*time.Minute), t0); err != nil {
			t.Fatal(err)
		}
		wzCode(t, hold("A", "bob", t0.Add(10*time.Minute), t0.Add(time.Minute)), forms.EConflict)

		// Bob holds B; losing A did not cost him anything, and a lost race
		// leaves a previous hold in place.
		if err := hold("B", "bob", t0.Add(10*time.Minute), t0); err != nil {
			t.Fatal(err)
		}
		wzCode(t, hold("A", "bob", t0.Add(10*time.Minute), t0.Add(time.Minute)), forms.EConflict)
		if got := heldBy("bob", t0.Add(time.Minute)); got != "B" {
			t.Errorf("after losing A, Bob holds %q, want B", got)
		}

		// Ann re-holding A extends it.
		if err := hold("A", "ann", t0.Add(20*time.Minute), t0.Add(5*time.Minute)); err != nil {
			t.Fatalf("re-hold of her own number: %v", err)
		}
		if h, _, _ := w.SessionHold(ctx, "ann", t0); !h.ExpiresAt.Equal(t0.Add(20 * time.Minute)) {
			t.Errorf("re-hold did not extend: expires %v", h.ExpiresAt)
		}
		wzCode(t, hold("A", "bob", t0.Add(30*time.Minute), t0.Add(15*time.Minute)), forms.EConflict)

		// Ann's new choice C releases A, which Bob can take at once.
		if err := hold("C", "ann", t0.Add(20*time.Minute), t0.Add(6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		held, err := w.HeldNumbers(ctx, []string{"A", "B", "C", "D"}, "", t0.Add(6*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(held, map[string]bool{"B": true, "C": true}) {
			t.Errorf("after Ann chose C: held %v, want B and C", held)
		}
		if err := hold("A", "bob", t0.Add(30*time.Minute), t0.Add(7*time.Minute)); err != nil {
			t.Fatalf("A after Ann released it: %v", err)
		}
		if got := heldBy("bob", t0.Add(7*time.Minute)); got != "A" {
			t.Errorf("Bob holds %q, want A (B released)", got)
		}

		// Ann's hold on C expires at t0+20m: then Bob may take it, and it is
		// no longer listed as held, even before any sweep.
		at := t0.Add(20 * time.Minute)
		if held, _ := w.HeldNumbers(ctx, []string{"C"}, "bob", at); held["C"] {
			t.Error("an expired hold is still listed as held")
		}
		if held, _ := w.HeldNumbers(ctx, []string{"C"}, "bob", at.Add(-time.Microsecond)); !held["C"] {
			t.Error("a hold a microsecond before its expiry is not listed as held")
		}
		wzCode(t, hold("C", "bob", at.Add(time.Hour), at.Add(-time.Second)), forms.EConflict)
		if err := hold("C", "bob", at.Add(time.Hour), at); err != nil {
			t.Fatalf("taking an expired hold: %v", err)
		}
		if got := heldBy("ann", t0); got != "" {
			t.Errorf("Ann still holds %q after her hold expired and Bob took it", got)
		}

		// ReleaseHolds frees Bob's number.
		if err := w.ReleaseHolds(ctx, "bob"); err != nil {
			t.Fatal(err)
		}
		if err := w.ReleaseHolds(ctx, "bob"); err != nil {
			t.Fatalf("ReleaseHolds without holds: %v", err)
		}
		if err := hold("C", "ann", at.Add(time.Hour), at); err != nil {
			t.Fatalf("C after Bob released it: %v", err)
		}
		wzCode(t, hold("", "ann", at, at), forms.EInvalid)
	})
}

func TestHeldNumbersExcludesOwnSession(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		wzCreate(t, w, tmpl, "ann")
		wzCreate(t, w, tmpl, "bob")
		for id, number := range map[string]string{"ann": "A", "bob": "B"} {
			if err := w.HoldNumber(ctx, forms.Hold{Number: number, SessionID: id, ExpiresAt: wzNow.Add(time.Hour)}, wzNow); err != nil {
				t.Fatal(err)
			}
		}
		// Many numbers, out of order.
		numbers := []string{"B", "A"}
		for i := range 1200 {
			numbers = append(numbers, fmt.Sprintf("1206555%04d", i))
		}
		for _, tc := range []struct {
			except string
			want   map[string]bool
		}{
			{"ann", map[string]bool{"B": true}},
			{"bob", map[string]bool{"A": true}},
			{"", map[string]bool{"A": true, "B": true}},
			{"carol", map[string]bool{"A": true, "B": true}},
		} {
			got, err := w.HeldNumbers(ctx, numbers, tc.except, wzNow)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("HeldNumbers except %q = %v, want %v", tc.except, got, tc.want)
			}
		}
		if got, err := w.HeldNumbers(ctx, nil, "", wzNow); err != nil || len(got) != 0 {
			t.Errorf("HeldNumbers(nil) = %v, %v", got, err)
		}
		// A hold between the numbers asked for, on a number not asked
		// for, is not theirs.
		if got, err := w.HeldNumbers(ctx, []string{"C", "1206"}, "", wzNow); err != nil || len(got) != 0 {
			t.Errorf("HeldNumbers(C, 1206) = %v, %v; want none (A and B lie between, unasked)", got, err)
		}
	})
}

func TestSaveProgressExtendsHold(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		wzCreate(t, w, tmpl, "ann")
		if err := w.HoldNumber(ctx, forms.Hold{Number: "A", IDidNumber: 3, SessionID: "ann", ExpiresAt: wzNow.Add(30 * time.Minute)}, wzNow); err != nil {
			t.Fatal(err)
		}
		p := forms.Progress{Product: 1, Answers: forms.Answers{}, Number: "A", Device: "byod"}
		if err := w.SaveProgress(ctx, "ann", p, "", "", wzNow.Add(25*time.Minute), wzNow.Add(55*time.Minute)); err != nil {
			t.Fatal(err)
		}
		h, ok, err := w.SessionHold(ctx, "ann", wzNow.Add(40*time.Minute))
		if err != nil || !ok || h.Number != "A" || h.IDidNumber != 3 || !h.ExpiresAt.Equal(wzNow.Add(55*time.Minute)) {
			t.Errorf("hold after SaveProgress: %+v %v %v; want A until +55m", h, ok, err)
		}
		// A zero holdUntil leaves the hold alone.
		if err := w.SaveProgress(ctx, "ann", p, "", "", wzNow.Add(26*time.Minute), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if h, _, _ := w.SessionHold(ctx, "ann", wzNow); !h.ExpiresAt.Equal(wzNow.Add(55 * time.Minute)) {
			t.Errorf("a zero holdUntil changed the hold to %v", h.ExpiresAt)
		}
	})
}

// TestChooseNumberAllOrNothing: the phone step's answer is stored with its
// hold, and when the number is someone else's, neither is.
func TestChooseNumberAllOrNothing(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		wzCreate(t, w, tmpl, "ann")
		wzCreate(t, w, tmpl, "bob")
		until := wzNow.Add(30 * time.Minute)
		p := forms.Progress{Product: 1, Number: "12065550100", Device: "byod",
			Answers: forms.Answers{"firstname": "Ann"}}
		if err := w.ChooseNumber(ctx, forms.Hold{Number: "12065550100", IDidNumber: 7, SessionID: "ann", ExpiresAt: until},
			p, "VISA", "4242", wzNow); err != nil {
			t.Fatal(err)
		}
		got, err := w.Session(ctx, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if got.Progress.Number != "12065550100" || got.Progress.Device != "byod" || got.CardLast4 != "4242" {
			t.Fatalf("ann's progress %+v, card %s", got.Progress, got.CardLast4)
		}
		if h, ok, _ := w.SessionHold(ctx, "ann", wzNow); !ok || h.Number != "12065550100" || !h.ExpiresAt.Equal(until) {
			t.Fatalf("ann's hold %+v %v", h, ok)
		}

		// Bob picks the same number: refused, and his answers stay as
		// they were.
		pb := forms.Progress{Product: 1, Number: "12065550100", Device: "byod"}
		err = w.ChooseNumber(ctx, forms.Hold{Number: "12065550100", IDidNumber: 7, SessionID: "bob", ExpiresAt: until},
			pb, "", "", wzNow)
		wzCode(t, err, forms.EConflict)
		if got, _ := w.Session(ctx, "bob"); got.Progress.Number != "" || got.Progress.Device != "" {
			t.Fatalf("bob's refused answer was stored: %+v", got.Progress)
		}
		if _, ok, _ := w.SessionHold(ctx, "bob", wzNow); ok {
			t.Fatal("bob holds a number after a refusal")
		}
		wzCode(t, w.ChooseNumber(ctx, forms.Hold{Number: "1", SessionID: "nobody", ExpiresAt: until}, pb, "", "", wzNow),
			forms.ENotFound)
	})
}
