package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// signupSession creates a wizard session of the demo form holding number.
func signupSession(t *testing.T, s *storage.Store, id, number string) (forms.Form, forms.Version) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	f, v, err := s.PublishedForm(ctx, forms.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	w := s.Wizard()
	if err := w.CreateSession(ctx, forms.Session{ID: id, FormID: f.ID, VersionID: v.ID,
		Progress:  forms.Progress{Product: 1, Answers: forms.Answers{"firstname": "Ada"}, Number: number, Device: "1", CardSealed: true},
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := w.HoldNumber(ctx, forms.Hold{Number: number, IDidNumber: 5, SessionID: id, ExpiresAt: now.Add(30 * time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	return f, v
}

func TestStartSignupConcurrentCreatesOneJob(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		const sid = "session-concurrent-0123456789abcdef0123456789"
		f, v := signupSession(t, s, sid, "12065550100")
		const n = 50
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			created int
			ids     = map[int64]bool{}
		)
		start := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				job, isNew, err := js.StartSignup(ctx, sid, &provision.Job{FormID: f.ID, VersionID: v.ID, Order: testOrder()},
					"req", time.Minute, time.Now())
				if err != nil {
					t.Errorf("StartSignup: %v", err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				ids[job.ID] = true
				if isNew {
					created++
				}
			}()
		}
		close(start)
		wg.Wait()
		if created != 1 || len(ids) != 1 {
			t.Fatalf("%d jobs created, %d distinct returned; want exactly 1", created, len(ids))
		}
		sess, err := s.Wizard().Session(ctx, sid)
		if err != nil || !sess.Progress.SignedUp {
			t.Fatalf("session after Sign up = %+v, %v; want signed up", sess.Progress, err)
		}
		page, err := js.ListJobs(ctx, storage.JobFilter{FormID: f.ID})
		if err != nil || page.Total != 1 {
			t.Fatalf("jobs in the table = %d, %v; want 1", page.Total, err)
		}
		job := page.Jobs[0]
		if job.Status != provision.StatusPending || job.SessionID != storage.SessionHash(sid) || job.Reference == "" {
			t.Errorf("job = %+v", job)
		}
		// The request's lease keeps workers away.
		if c, err := js.ClaimDue(ctx, "worker", time.Minute, time.Now()); err != nil || c != nil {
			t.Errorf("worker claimed the job the request holds: %v, %v", c, err)
		}
	})
}

func TestStartSignupAfterDeclineStartsANewAttempt(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		const sid = "session-declined-0123456789abcdef0123456789ab"
		f, v := signupSession(t, s, sid, "12065550101")
		mk := func() *provision.Job {
			o := testOrder()
			o.Number = "12065550101"
			return &provision.Job{FormID: f.ID, VersionID: v.ID, Order: o}
		}
		first, created, err := js.StartSignup(ctx, sid, mk(), "req", time.Minute, time.Now())
		if err != nil || !created {
			t.Fatal(created, err)
		}
		// A second POST while the first runs gets the same job.
		again, created, err := js.StartSignup(ctx, sid, mk(), "req2", time.Minute, time.Now())
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("second StartSignup = %v, %v, %v", again, created, err)
		}
		first.Status, first.Reason = provision.StatusDeclined, provision.ReasonDeclined
		if err := js.Update(ctx, first); err != nil {
			t.Fatal(err)
		}
		sess, err := s.Wizard().Session(ctx, sid)
		if err != nil || sess.Progress.SignedUp {
			t.Fatalf("session after a decline: signed up %v, %v; want reopened", sess.Progress.SignedUp, err)
		}
		if hold, ok, err := s.Wizard().SessionHold(ctx, sid, time.Now()); err != nil || !ok || hold.Number != "12065550101" {
			t.Fatalf("hold after a decline = %+v %v %v; want kept", hold, ok, err)
		}
		second, created, err := js.StartSignup(ctx, sid, mk(), "req3", time.Minute, time.Now())
		if err != nil || !created || second.ID == first.ID {
			t.Fatalf("StartSignup after decline = %v, %v, %v; want a new job", second, created, err)
		}
		latest, err := js.JobBySession(ctx, sid)
		if err != nil || latest.ID != second.ID {
			t.Fatalf("JobBySession = %v, %v; want the new attempt", latest, err)
		}
		// Completing releases the hold into the account.
		second.Status = provision.StatusCompleted
		if err := js.Update(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Wizard().SessionHold(ctx, sid, time.Now()); err != nil || ok {
			t.Fatalf("hold after completion: %v, %v; want released", ok, err)
		}
		if _, _, err := js.StartSignup(ctx, "no-such-session", mk(), "r", time.Minute, time.Now()); forms.ErrorCode(err) != forms.ENotFound {
			t.Fatalf("StartSignup of an unknown session = %v", err)
		}
	})
}
