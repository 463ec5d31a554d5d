package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// startJob creates a wizard session of form f (version v) and signs it up
// at at, then stores the job in status st (with a charge step whose
// outcome is chargeOutcome, when not empty).
func startJob(t *testing.T, s *storage.Store, js *storage.JobStore, f forms.Form, v forms.Version, n int,
	order provision.Order, st provision.Status, chargeOutcome string, at time.Time) *provision.Job {
	t.Helper()
	ctx := context.Background()
	id := fmt.Sprintf("sub-session-%03d-0123456789abcdef0123456789", n)
	if err := s.Wizard().CreateSession(ctx, forms.Session{ID: id, FormID: f.ID, VersionID: v.ID,
		Progress:  forms.Progress{Product: order.IProduct, Answers: forms.Answers{"email": order.Customer["email"]}, Number: order.Number, Device: "1", CardSealed: true},
		CardBrand: "Visa", CardLast4: "4242", CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	job, _, err := js.StartSignup(ctx, id, &provision.Job{FormID: f.ID, VersionID: v.ID, Order: order}, "t", time.Minute, at)
	if err != nil {
		t.Fatal(err)
	}
	job.Status = st
	job.ICustomer = 100 + int64(n)
	if chargeOutcome != "" {
		job.Steps = append(job.Steps, provision.StepRecord{Name: provision.StepCharge, Intent: at, Done: at, Outcome: chargeOutcome})
	}
	if err := js.Update(ctx, job); err != nil {
		t.Fatal(err)
	}
	if err := js.Release(ctx, job); err != nil {
		t.Fatal(err)
	}
	return job
}

func TestSubmissionsFilterReviewAndResolvedNeverClaimed(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		js := jobStore(t, s)
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		f, v, err := s.PublishedForm(ctx, forms.DemoSlug)
		if err != nil {
			t.Fatal(err)
		}
		day := time.Date(2030, 5, 10, 12, 0, 0, 0, time.UTC)
		mk := func(n int, first, email, number string, st provision.Status, charge string, at time.Time) *provision.Job {
			o := testOrder()
			o.Customer = map[string]string{"firstname": first, "lastname": "Lovelace", "email": email}
			o.Number = number
			return startJob(t, s, js, f, v, n, o, st, charge, at)
		}
		done := mk(1, "Ada", "ada@example.com", "12065550101", provision.StatusCompleted, provision.OutcomeOK, day)
		review := mk(2, "Bob", "bob@example.com", "12065550102", provision.StatusNeedsReview, provision.OutcomeNotFound, day.AddDate(0, 0, 1))
		failed := mk(3, "Cy & Co", "cy@example.com", "12065550103", provision.StatusFailed, "", day.AddDate(0, 0, 2))

		all := storage.AllTenants()
		page, err := js.Submissions(ctx, all, storage.SubmissionFilter{FormID: f.ID})
		if err != nil || page.Total != 3 || len(page.Submissions) != 3 || page.Submissions[0].Job.ID != failed.ID {
			t.Fatalf("all: %+v %v", page, err)
		}
		got := page.Submissions[2]
		if got.CardBrand != "Visa" || got.CardLast4 != "4242" || got.VersionNumber != v.Number || got.Answers["email"] != "ada@example.com" || got.Job.Credentials != (provision.Credentials{}) {
			t.Errorf("submission %+v", got)
		}
		for _, c := range []struct {
			name string
			f    storage.SubmissionFilter
			want []int64
		}{
			{"status", storage.SubmissionFilter{Statuses: []provision.Status{provision.StatusNeedsReview, provision.StatusFailed}}, []int64{failed.ID, review.ID}},
			{"from", storage.SubmissionFilter{From: day.AddDate(0, 0, 1)}, []int64{failed.ID, review.ID}},
			{"to", storage.SubmissionFilter{To: day}, []int64{done.ID}},
			{"email", storage.SubmissionFilter{Query: "BOB@"}, []int64{review.ID}},
			{"name", storage.SubmissionFilter{Query: "ada lovelace"}, []int64{done.ID}},
			{"ampersand", storage.SubmissionFilter{Query: "cy & co"}, []int64{failed.ID}},
			{"number typed", storage.SubmissionFilter{Query: "+1 206-555-0103"}, []int64{failed.ID}},
			{"reference", storage.SubmissionFilter{Query: review.Reference}, []int64{review.ID}},
			{"a key is no match", storage.SubmissionFilter{Query: "firstname"}, nil},
			{"page 2", storage.SubmissionFilter{Limit: 2, Offset: 2}, []int64{done.ID}},
		} {
			c.f.FormID = f.ID
			p, err := js.Submissions(ctx, all, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var ids []int64
			for _, s := range p.Submissions {
				ids = append(ids, s.Job.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.want) {
				t.Errorf("%s: got %v, want %v", c.name, ids, c.want)
			}
		}
		if p, _ := js.Submissions(ctx, storage.TenantOnly(f.TenantID+99), storage.SubmissionFilter{FormID: f.ID}); p.Total != 0 {
			t.Errorf("another tenant sees %d", p.Total)
		}
		if _, err := js.Submission(ctx, storage.TenantOnly(f.TenantID+99), review.ID); forms.ErrorCode(err) != forms.ENotFound {
			t.Errorf("foreign submission: %v", err)
		}

		now := day.AddDate(0, 0, 3)
		// An unresolved charge: no retry until confirmed.
		if _, _, err := js.RetrySubmission(ctx, all, review.ID, "op@x", "", now); forms.ErrorCode(err) != forms.EConflict {
			t.Fatalf("retry with an unresolved charge: %v", err)
		}
		if _, _, err := js.RetrySubmission(ctx, all, failed.ID, "op@x", "", now); forms.ErrorCode(err) != forms.EConflict {
			t.Fatalf("retry of a failed job: %v", err)
		}
		_, after, err := js.ConfirmCharge(ctx, all, review.ID, 777, "op@x", "found it", now)
		if err != nil || after.Job.ITransaction != 777 || after.ChargeUnresolved() || !after.CanRetry() {
			t.Fatalf("confirm: %+v %v", after.Job, err)
		}
		before, after, err := js.RetrySubmission(ctx, all, review.ID, "op@x", "go", now)
		if err != nil || before.Job.Status != provision.StatusNeedsReview || after.Job.Status != provision.StatusRetrying || len(after.Notes) != 2 {
			t.Fatalf("retry: %v %+v %v", before.Job.Status, after, err)
		}
		claimed, err := js.ClaimDue(ctx, "w", time.Minute, now)
		if err != nil || claimed == nil || claimed.ID != review.ID {
			t.Fatalf("the retried job is not claimed: %v %v", claimed, err)
		}

		_, after, err = js.ResolveSubmission(ctx, all, failed.ID, "op@x", "called them", now)
		if err != nil || after.Job.Status != storage.StatusResolved || after.Notes[0].Note != "called them" {
			t.Fatalf("resolve: %+v %v", after, err)
		}
		// Even made due by hand, a resolved job is never claimed.
		if err := s.ExecForTest(ctx, `UPDATE provision_jobs SET next_attempt_at = NULL, lease_until = NULL WHERE id = ?`, failed.ID); err != nil {
			t.Fatal(err)
		}
		if j, err := js.ClaimDue(ctx, "w", time.Minute, now.Add(30*time.Second)); err != nil || j != nil {
			t.Fatalf("claimed %v, %v; want nothing", j, err)
		}
		if _, _, err := js.ResolveSubmission(ctx, all, done.ID, "op@x", "x", now); forms.ErrorCode(err) != forms.EConflict {
			t.Errorf("resolving a completed job: %v", err)
		}
	})
}

func TestFunnelCountsEachStepOncePerSession(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		if _, err := s.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		f, v, err := s.PublishedForm(ctx, forms.DemoSlug)
		if err != nil {
			t.Fatal(err)
		}
		w := s.Wizard()
		day := time.Date(2030, 5, 10, 9, 0, 0, 0, time.UTC)
		walk := func(id string, at time.Time, steps int) {
			p := forms.Progress{Product: 1}
			if err := w.CreateSession(ctx, forms.Session{ID: id, FormID: f.ID, VersionID: v.ID, Progress: p,
				CreatedAt: at, UpdatedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= steps; i++ {
				switch i {
				case 1:
					p.Answers = forms.Answers{"email": "a@b"}
				case 2:
					p.Number, p.Device = "1", "byod"
				case 3:
					p.CardSealed = true
				}
				// Saving twice (a step posted again) counts once.
				for range 2 {
					if err := w.SaveProgress(ctx, id, p, "", "", at, time.Time{}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		walk("funnel-a-0123456789abcdef0123456789abcdef01", day, 3)
		walk("funnel-b-0123456789abcdef0123456789abcdef01", day, 1)
		walk("funnel-c-0123456789abcdef0123456789abcdef01", day.AddDate(0, 0, 1), 0)
		walk("funnel-d-0123456789abcdef0123456789abcdef01", day.AddDate(0, 0, -5), 3) // before the period

		// A form without a phone step: payment right after the address.
		skip := "funnel-e-0123456789abcdef0123456789abcdef01"
		walk(skip, day, 1)
		paid := forms.Progress{Product: 1, Answers: forms.Answers{"email": "a@b"}, CardSealed: true}
		// Back to the address after paying, then forward again, and ten
		// saves of one session at once: each step counts once.
		back := forms.Progress{Product: 1, Answers: forms.Answers{"email": "c@d"}, CardSealed: true}
		for _, p := range []forms.Progress{paid, back, paid} {
			if err := w.SaveProgress(ctx, skip, p, "", "", day, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		racer := "funnel-f-0123456789abcdef0123456789abcdef01"
		walk(racer, day, 0)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := w.SaveProgress(ctx, racer, forms.Progress{Product: 1, Answers: forms.Answers{"email": "a@b"}}, "", "", day, time.Time{}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()

		fn, err := s.Funnel(ctx, f.ID, day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		want := map[storage.FunnelStep]int64{storage.FunnelStarted: 5, storage.FunnelAddress: 4, storage.FunnelPhone: 1, storage.FunnelPayment: 2}
		if fmt.Sprint(fn.Steps) != fmt.Sprint(want) {
			t.Errorf("steps %v, want %v", fn.Steps, want)
		}
		// The sweeper deletes the sessions; the counts stay.
		if _, _, err := w.DeleteExpired(ctx, day.AddDate(0, 0, 30), time.Hour); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.Funnel(ctx, f.ID, day, day.AddDate(0, 0, 1)); fmt.Sprint(again.Steps) != fmt.Sprint(want) {
			t.Errorf("after the sweep: %v", again.Steps)
		}
		if _, err := s.Funnel(ctx, f.ID, day, day.AddDate(0, 0, -1)); forms.ErrorCode(err) != forms.EInvalid {
			t.Errorf("reversed period: %v", err)
		}
	})
}
