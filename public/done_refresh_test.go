package public_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestDoneWhileRunningRefreshesFromHead: while the job runs the done page
// says so and reloads itself, by the Refresh header and a meta element in
// the head (never in the body).
func TestDoneWhileRunningRefreshesFromHead(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		b := e.prospect(e.freeNumbers(1)[0], "")
		// A Sign up whose job has not run yet, as when a worker has it.
		f, v, err := s.PublishedForm(context.Background(), "demo")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.jobs.StartSignup(context.Background(), sessionIDOf(b),
			&provision.Job{FormID: f.ID, VersionID: v.ID, Order: provision.Order{Number: b.number}},
			"elsewhere", time.Minute, time.Now()); err != nil {
			t.Fatal(err)
		}
		p := b.get("/s/demo/done")
		if p.status() != http.StatusOK || p.testid("done-working").Length() != 1 {
			t.Fatalf("done while running: %d %.400s", p.status(), p.body)
		}
		if got := p.resp.Header.Get("Refresh"); got != "3" {
			t.Errorf("Refresh header %q; want \"3\"", got)
		}
		if m := p.doc.Find(`head meta[http-equiv="refresh"]`); m.Length() != 1 || m.AttrOr("content", "") != "3" {
			t.Errorf("head refresh: %d elements, content %q; want one, \"3\"", m.Length(), m.AttrOr("content", ""))
		}
		if n := p.doc.Find(`body meta`).Length(); n != 0 {
			t.Errorf("%d meta elements in the body", n)
		}
	})
}
