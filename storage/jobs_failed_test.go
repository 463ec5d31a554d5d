package storage_test

import (
	"context"
	"testing"
	"time"

	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestFailedJobReopensTheSession: a failed job (nothing charged, all
// undone) reopens its session as a declined one does, keeps the answers,
// takes back only the choice that made it fail, and lets a new attempt
// start.
func TestFailedJobReopensTheSession(t *testing.T) {
	tests := []struct {
		name       string
		failure    provision.Failure
		wantNumber string // "" : number and hold taken back
		wantDevice string
	}{
		{"number no longer available", provision.FailureNumberUnavailable, "", "1"},
		{"device out of stock", provision.FailureDeviceOutOfStock, "12065550102", ""},
		{"anything else", "", "12065550102", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
				ctx := context.Background()
				js := jobStore(t, s)
				const sid = "session-failed-0123456789abcdef0123456789abcd"
				const number = "12065550102"
				f, v := signupSession(t, s, sid, number)
				mk := func() *provision.Job {
					o := testOrder()
					o.Number = number
					return &provision.Job{FormID: f.ID, VersionID: v.ID, Order: o}
				}
				first, created, err := js.StartSignup(ctx, sid, mk(), "req", time.Minute, time.Now())
				if err != nil || !created {
					t.Fatal(created, err)
				}
				first.Status, first.Reason, first.Failure = provision.StatusFailed, "why", tt.failure
				if err := js.Update(ctx, first); err != nil {
					t.Fatal(err)
				}
				if got, err := js.Job(ctx, first.ID); err != nil || got.Failure != tt.failure || got.Reason != "why" {
					t.Fatalf("stored failed job: %+v, %v", got, err)
				}
				sess, err := s.Wizard().Session(ctx, sid)
				if err != nil || sess.Progress.SignedUp {
					t.Fatalf("session after a failure: signed up %v, %v; want reopened", sess.Progress.SignedUp, err)
				}
				p := sess.Progress
				if p.Number != tt.wantNumber || p.Device != tt.wantDevice || p.Answers["firstname"] != "Ada" || p.Product == 0 || !p.CardSealed {
					t.Fatalf("progress after a failure: %+v; want number %q, device %q, the rest kept", p, tt.wantNumber, tt.wantDevice)
				}
				hold, held, err := s.Wizard().SessionHold(ctx, sid, time.Now())
				if err != nil || held != (tt.wantNumber != "") || (held && hold.Number != number) {
					t.Fatalf("hold after a failure: %+v held %v, %v; want held %v", hold, held, err, tt.wantNumber != "")
				}
				// The number is free for the list again: no one holds it.
				others, err := s.Wizard().HeldNumbers(ctx, []string{number}, "someone-else", time.Now())
				if err != nil || others[number] != (tt.wantNumber != "") {
					t.Fatalf("held by someone for others: %v, %v", others, err)
				}
				second, created, err := js.StartSignup(ctx, sid, mk(), "req2", time.Minute, time.Now())
				if err != nil || !created || second.ID == first.ID || second.Failure != "" {
					t.Fatalf("StartSignup after a failure = %+v, %v, %v; want a new attempt", second, created, err)
				}
				if again, created, err := js.StartSignup(ctx, sid, mk(), "req3", time.Minute, time.Now()); err != nil || created || again.ID != second.ID {
					t.Fatalf("a third StartSignup while the second runs = %v, %v, %v; want the second", again, created, err)
				}
			})
		})
	}
}

// TestFailedEarlierAttemptDoesNotReopen: a failure of an attempt that is no
// longer the session's latest changes nothing in the session.
func TestFailedEarlierAttemptDoesNotReopen(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		const sid = "session-failed-late-0123456789abcdef0123456789"
		f, v := signupSession(t, s, sid, "12065550103")
		o := testOrder()
		o.Number = "12065550103"
		first, _, err := js.StartSignup(ctx, sid, &provision.Job{FormID: f.ID, VersionID: v.ID, Order: o}, "a", time.Minute, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		first.Status = provision.StatusDeclined
		if err := js.Update(ctx, first); err != nil {
			t.Fatal(err)
		}
		second, _, err := js.StartSignup(ctx, sid, &provision.Job{FormID: f.ID, VersionID: v.ID, Order: o}, "b", time.Minute, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// A late write of the first attempt as failed must not reopen the
		// session the second one is running for.
		first.Status, first.Failure = provision.StatusFailed, provision.FailureNumberUnavailable
		if err := js.Update(ctx, first); err != nil {
			t.Fatal(err)
		}
		sess, err := s.Wizard().Session(ctx, sid)
		if err != nil || !sess.Progress.SignedUp || sess.Progress.Number != "12065550103" {
			t.Fatalf("session while attempt %d runs: %+v, %v; want signed up, number kept", second.ID, sess.Progress, err)
		}
	})
}
