package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

var wzNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// wzSetup seeds the demo form and returns the wizard store and a session
// template on the demo form's published version.
func wzSetup(t *testing.T, s *storage.Store) (*storage.WizardStore, forms.Session) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	f, v, err := s.PublishedForm(ctx, forms.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	return s.Wizard(), forms.Session{
		FormID: f.ID, VersionID: v.ID,
		CreatedAt: wzNow, UpdatedAt: wzNow, ExpiresAt: wzNow.Add(24 * time.Hour),
	}
}

func wzCreate(t *testing.T, w *storage.WizardStore, tmpl forms.Session, id string) forms.Session {
	t.Helper()
	tmpl.ID = id
	if err := w.CreateSession(context.Background(), tmpl); err != nil {
		t.Fatalf("CreateSession(%s): %v", id, err)
	}
	return tmpl
}

func wzCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := forms.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func TestWizardSessionRoundTrip(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		created := wzCreate(t, w, tmpl, "raw-session-id-1")

		got, err := w.Session(ctx, "raw-session-id-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, created) {
			t.Errorf("Session = %+v, want %+v", got, created)
		}
		if got.Progress.Answers != nil || got.Progress.FirstIncomplete() != forms.StepWelcome {
			t.Errorf("a new session has answers or is past the welcome page: %+v", got.Progress)
		}

		p := forms.Progress{Product: 11, Answers: forms.Answers{"firstname": "Zoë", "zip": "98101", "note": `quote " and \ backslash`},
			Number: "12065550100", Device: "byod", CardSealed: true}
		later := wzNow.Add(10 * time.Minute)
		if err := w.SaveProgress(ctx, "raw-session-id-1", p, forms.BrandVisa, "4242", later, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, err = w.Session(ctx, "raw-session-id-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Progress, p) {
			t.Errorf("Progress = %+v, want %+v", got.Progress, p)
		}
		if got.CardBrand != forms.BrandVisa || got.CardLast4 != "4242" || !got.UpdatedAt.Equal(later) ||
			!got.CreatedAt.Equal(wzNow) || !got.ExpiresAt.Equal(tmpl.ExpiresAt) || got.ID != "raw-session-id-1" {
			t.Errorf("after SaveProgress: %+v", got)
		}
		if got.Expired(later.Add(29*time.Minute), 30*time.Minute) || !got.Expired(later.Add(30*time.Minute), 30*time.Minute) {
			t.Error("idle expiry does not count from SaveProgress's now")
		}

		// An empty answers map stays empty, not nil: the address page was
		// accepted with nothing to answer.
		if err := w.SaveProgress(ctx, "raw-session-id-1", forms.Progress{Product: 11, Answers: forms.Answers{}}, "", "", later, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, _ = w.Session(ctx, "raw-session-id-1")
		if got.Progress.Answers == nil || got.Progress.FirstIncomplete() != forms.StepPhone {
			t.Errorf("empty answers came back as %#v (first incomplete %s)", got.Progress.Answers, got.Progress.FirstIncomplete())
		}
	})
}

func TestWizardSessionNotFoundAndDuplicates(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		wzCreate(t, w, tmpl, "a")

		_, err := w.Session(ctx, "b")
		wzCode(t, err, forms.ENotFound)
		wzCode(t, w.SaveProgress(ctx, "b", forms.Progress{Product: 1}, "", "", wzNow, time.Time{}), forms.ENotFound)
		wzCode(t, w.HoldNumber(ctx, forms.Hold{Number: "1", SessionID: "b", ExpiresAt: wzNow.Add(time.Hour)}, wzNow), forms.ENotFound)

		tmpl.ID = "a"
		wzCode(t, w.CreateSession(ctx, tmpl), forms.EConflict)
		tmpl.ID = ""
		wzCode(t, w.CreateSession(ctx, tmpl), forms.EInvalid)
		tmpl.ID, tmpl.VersionID = "c", 999999
		wzCode(t, w.CreateSession(ctx, tmpl), forms.EInvalid)
	})
}

func TestWizardSessionRawIDNotStored(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		const id = "very-secret-raw-id-0123456789"
		wzCreate(t, w, tmpl, id)
		if err := w.HoldNumber(ctx, forms.Hold{Number: "12065550100", SessionID: id, ExpiresAt: wzNow.Add(time.Hour)}, wzNow); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := s.WizardDBForTest().Raw(`SELECT COUNT(*) FROM wizard_sessions WHERE id_hash = ?`, id).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		var m int64
		if err := s.WizardDBForTest().Raw(`SELECT COUNT(*) FROM number_holds WHERE session_hash = ?`, id).Scan(&m).Error; err != nil {
			t.Fatal(err)
		}
		if n+m != 0 {
			t.Error("the raw session id is stored")
		}
	})
}

func TestWizardSessionSignedUpIsFrozen(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		wzCreate(t, w, tmpl, "a")
		if err := w.HoldNumber(ctx, forms.Hold{Number: "12065550100", SessionID: "a", ExpiresAt: wzNow.Add(time.Hour)}, wzNow); err != nil {
			t.Fatal(err)
		}
		// What Sign up does (storage.JobStore.StartSignup).
		if err := s.WizardDBForTest().Exec(`UPDATE wizard_sessions SET signed_up_at = ?`, wzNow).Error; err != nil {
			t.Fatal(err)
		}
		got, err := w.Session(ctx, "a")
		if err != nil || !got.Progress.SignedUp || got.Progress.FirstIncomplete() != forms.StepDone {
			t.Fatalf("signed-up session: %+v, %v", got.Progress, err)
		}
		wzCode(t, w.SaveProgress(ctx, "a", forms.Progress{Product: 1}, "", "", wzNow, time.Time{}), forms.EConflict)
		wzCode(t, w.HoldNumber(ctx, forms.Hold{Number: "12065550199", SessionID: "a", ExpiresAt: wzNow.Add(time.Hour)}, wzNow), forms.EConflict)
		if h, ok, _ := w.SessionHold(ctx, "a", wzNow); !ok || h.Number != "12065550100" {
			t.Errorf("a refused HoldNumber changed the hold: %+v %v", h, ok)
		}
	})
}

func TestWizardDeleteExpired(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w, tmpl := wzSetup(t, s)
		idle := 30 * time.Minute
		grace := storage.SessionSweepGrace
		now := wzNow.Add(48 * time.Hour)

		mk := func(id string, updated, expires time.Time) {
			t.Helper()
			sess := tmpl
			sess.ID, sess.CreatedAt, sess.UpdatedAt, sess.ExpiresAt = id, updated, updated, expires
			if err := w.CreateSession(ctx, sess); err != nil {
				t.Fatal(err)
			}
		}
		far := now.Add(time.Hour)
		mk("active", now.Add(-time.Minute), far)
		mk("idle-recently", now.Add(-idle-time.Hour), far)          // expired, within the grace
		mk("idle-long", now.Add(-idle-grace-time.Minute), far)      // swept
		mk("absolute-long", now.Add(-time.Minute), now.Add(-grace)) // swept
		mk("absolute-recent", now.Add(-time.Minute), now.Add(-time.Hour))
		mk("signed-up", now.Add(-idle-grace-time.Hour), now.Add(-grace-time.Hour))
		if err := s.WizardDBForTest().Exec(`UPDATE wizard_sessions SET signed_up_at = ? WHERE id_hash = ?`,
			now.Add(-grace-2*time.Hour), storage.SessionHash("signed-up")).Error; err != nil {
			t.Fatal(err)
		}

		hold := func(number, id string, until time.Time) {
			t.Helper()
			if err := w.HoldNumber(ctx, forms.Hold{Number: number, IDidNumber: 1, SessionID: id, ExpiresAt: until}, until.Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		hold("100", "active", now.Add(time.Minute))         // live
		hold("101", "idle-recently", now.Add(-time.Second)) // expired
		hold("102", "idle-long", now.Add(time.Hour))        // goes with its session

		sessions, holds, err := w.DeleteExpired(ctx, now, idle)
		if err != nil {
			t.Fatal(err)
		}
		if sessions != 2 || holds != 1 {
			t.Errorf("DeleteExpired = %d sessions, %d holds; want 2, 1", sessions, holds)
		}
		for id, want := range map[string]bool{"active": true, "idle-recently": true, "idle-long": false,
			"absolute-long": false, "absolute-recent": true, "signed-up": true} {
			_, err := w.Session(ctx, id)
			if got := err == nil; got != want {
				t.Errorf("session %s kept = %v, want %v (%v)", id, got, want, err)
			}
		}
		held, err := w.HeldNumbers(ctx, []string{"100", "101", "102"}, "", now.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(held, map[string]bool{"100": true}) {
			t.Errorf("holds left %v, want only 100", held)
		}
	})
}
