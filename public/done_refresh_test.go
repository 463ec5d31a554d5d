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

// TestDoneWhileRunningPollsForTheResult: while the job runs the done page
// says so and polls a status address (htmx) instead of reloading itself on
// a timer (a timed refresh fails WCAG 2.2.1); the status answers 204 until
// the job settles, then sends the browser to the done page.
func TestDoneWhileRunningPollsForTheResult(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		b := e.prospect(e.freeNumbers(1)[0], "")
		// A Sign up whose job has not run yet, as when a worker has it.
		f, v, err := s.PublishedForm(context.Background(), "demo")
		if err != nil {
			t.Fatal(err)
		}
		job, _, err := e.jobs.StartSignup(context.Background(), sessionIDOf(b),
			&provision.Job{FormID: f.ID, VersionID: v.ID, Order: provision.Order{Number: b.number}},
			"elsewhere", time.Minute, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		p := b.get("/s/demo/done")
		if p.status() != http.StatusOK || p.testid("done-working").Length() != 1 {
			t.Fatalf("done while running: %d %.400s", p.status(), p.body)
		}
		w := p.testid("done-working")
		if got := w.AttrOr("hx-get", ""); got != "/s/demo/done/status" {
			t.Errorf("done-working polls %q; want /s/demo/done/status", got)
		}
		if got := w.AttrOr("hx-trigger", ""); got != "every 3s" {
			t.Errorf("done-working hx-trigger %q; want every 3s", got)
		}
		if n := p.doc.Find(`meta[http-equiv="refresh"]`).Length(); n != 0 || p.resp.Header.Get("Refresh") != "" {
			t.Errorf("timed refresh on the page: %d meta elements, header %q", n, p.resp.Header.Get("Refresh"))
		}
		if p.testid("done-refresh").Length() != 1 {
			t.Error("no Check again link for browsers without JavaScript")
		}

		st := b.get("/s/demo/done/status")
		if st.status() != http.StatusNoContent || st.resp.Header.Get("HX-Redirect") != "" {
			t.Fatalf("status while running: %d, HX-Redirect %q; want 204 without", st.status(), st.resp.Header.Get("HX-Redirect"))
		}
		job.Status = provision.StatusCompleted
		if err := e.jobs.Update(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		st = b.get("/s/demo/done/status")
		if st.status() != http.StatusNoContent || st.resp.Header.Get("HX-Redirect") != "/s/demo/done" {
			t.Fatalf("status once settled: %d, HX-Redirect %q; want 204 to /s/demo/done", st.status(), st.resp.Header.Get("HX-Redirect"))
		}
	})
}
