package public_test

import (
	"context"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestFunnelCountsAfterAWalk walks prospects through the real wizard over
// a real store and the simulator, and reads the form's funnel: each step
// counts a session once (posting a step again, or the payment step again
// after a declined card, counts nothing), and Sign up's outcomes come from
// the jobs. The counters survive the sweeper deleting the sessions.
// (The counting lives in storage, next to SaveProgress; see
// storage/funnel.go.)
func TestFunnelCountsAfterAWalk(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newRealEnv(t, s)
		nums := e.freeNumbers(3)

		// Ada signs up and is provisioned; she posted her details twice.
		ada := e.prospect(nums[0], "")
		ada.get("/s/demo/address")
		mustRedirect(t, ada.post("/s/demo/address", addressForm), "/s/demo/phone")
		mustRedirect(t, ada.post("/s/demo/signup", signupForm(ada, ada.get("/s/demo/summary"))), "/s/demo/done")

		// Cy's card is declined; he enters one again but leaves.
		cy := e.prospect(nums[1], "4000000000000002")
		mustRedirect(t, cy.post("/s/demo/signup", signupForm(cy, cy.get("/s/demo/summary"))), "/s/demo/payment?signup=declined")
		cy.get("/s/demo/payment")
		mustRedirect(t, cy.post("/s/demo/payment", paymentForm), "/s/demo/summary")

		// Bob stops after his details; Dee after choosing a plan; Eve only looks.
		bob := e.browser()
		bob.number = nums[2]
		bob.walkTo(forms.StepPhone)
		dee := e.browser()
		dee.walkTo(forms.StepAddress)
		e.browser().get("/s/demo/")

		f, _, err := s.PublishedForm(ctx, forms.DemoSlug)
		if err != nil {
			t.Fatal(err)
		}
		today := time.Now().UTC()
		want := storage.Funnel{Steps: map[storage.FunnelStep]int64{storage.FunnelStarted: 4, storage.FunnelAddress: 3,
			storage.FunnelPhone: 2, storage.FunnelPayment: 2}, SignedUp: 2, Completed: 1, Failed: 1}
		check := func(when string) {
			t.Helper()
			got, err := s.Funnel(ctx, f.ID, today.AddDate(0, 0, -1), today)
			if err != nil {
				t.Fatal(err)
			}
			got.From, got.To = time.Time{}, time.Time{}
			if !funnelEqual(got, want) {
				t.Errorf("%s: funnel %+v, want %+v", when, got, want)
			}
		}
		check("after the walk")

		// The sweeper deletes the abandoned sessions; the counters stay.
		if _, _, err := s.Wizard().DeleteExpired(ctx, time.Now().Add(72*time.Hour), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Wizard().Session(ctx, dee.cookies["ws_session"].Value); err == nil {
			t.Fatal("the sweeper kept an abandoned session")
		}
		check("after the sweep")
	})
}

func funnelEqual(a, b storage.Funnel) bool {
	if len(a.Steps) != len(b.Steps) {
		return false
	}
	for k, v := range b.Steps {
		if a.Steps[k] != v {
			return false
		}
	}
	a.Steps, b.Steps = nil, nil
	return a.SignedUp == b.SignedUp && a.Completed == b.Completed && a.Failed == b.Failed &&
		a.NeedsReview == b.NeedsReview && a.Resolved == b.Resolved && a.InProgress == b.InProgress
}
