package public_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"websignup/portaswitch/sim"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestSignupNumberTakenMeanwhile: the chosen number is taken in PortaSwitch
// between the summary and Sign up. Nothing is charged or left behind; the
// prospect is sent (POST → 303 → GET) to the phone step, which says why,
// offers other numbers and no longer holds the stale one; answers and card
// are kept, and signing up with another number completes.
func TestSignupNumberTakenMeanwhile(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newRealEnv(t, s)
		taken := e.freeNumbers(1)[0]
		b := e.prospect(taken, "")
		form := signupForm(b, b.get("/s/demo/summary"))
		// Someone else gets the number in PortaSwitch meanwhile.
		if err := e.client.AssignDIDToCustomer(ctx, sim.SeedResellerID, e.didOf(taken)); err != nil {
			t.Fatal(err)
		}
		mustRedirect(t, b.post("/s/demo/signup", form), "/s/demo/phone?signup=failed")
		if customers, accounts, charges := simCounts(e.sim.Sim.State()); customers+accounts+charges != 0 {
			t.Fatalf("after the failure the simulator has %d customers, %d accounts, %d charges; want none", customers, accounts, charges)
		}
		other := ""
		for range 2 { // a reload shows the same, posting nothing
			p := b.get("/s/demo/phone?signup=failed")
			if p.status() != http.StatusOK || !strings.Contains(words(p.testid("notice")), "no longer available") {
				t.Fatalf("phone step after the failure: %d notice %q", p.status(), words(p.testid("notice")))
			}
			if p.doc.Find(`input[name="number"][value="`+taken+`"]`).Length() != 0 {
				t.Fatal("the taken number is still offered")
			}
			offered := p.doc.Find(`input[name="number"]`)
			if offered.Length() != 12 {
				t.Fatalf("%d other free numbers offered, want 12", offered.Length())
			}
			if first := offered.First().AttrOr("value", ""); other == "" {
				other = first
			} else if first != other {
				t.Fatalf("the reload offers %s first, the page before %s: the list should stay the same", first, other)
			}
		}
		if _, held, err := s.Wizard().SessionHold(ctx, sessionIDOf(b), time.Now()); err != nil || held {
			t.Fatalf("the stale hold: held %v, %v; want released", held, err)
		}
		// The done page and the summary send back to the phone step too.
		mustRedirect(t, b.get("/s/demo/done"), "/s/demo/phone?signup=failed")
		mustRedirect(t, b.get("/s/demo/summary"), "/s/demo/phone")
		// Answers are kept: the address step shows them.
		if got := b.get("/s/demo/address").doc.Find(`input[name="firstname"]`).AttrOr("value", ""); got != addressForm.Get("firstname") {
			t.Fatalf("first name after the failure: %q", got)
		}
		// Another number; the card is still there: straight to Sign up.
		b.get("/s/demo/phone")
		mustRedirect(t, b.post("/s/demo/phone", map[string][]string{"number": {other}, "device": {"1"}}), "/s/demo/payment")
		sum := b.get("/s/demo/summary")
		if sum.status() != http.StatusOK || sum.testid("signup-problem").Length() != 0 {
			t.Fatalf("summary after choosing again: %d %.300s", sum.status(), sum.body)
		}
		mustRedirect(t, b.post("/s/demo/signup", signupForm(b, sum)), "/s/demo/done")
		if got := b.get("/s/demo/done").testid("selfcare-login").Text(); got != other {
			t.Fatalf("done after choosing again: login %q, want %q", got, other)
		}
		if customers, accounts, charges := simCounts(e.sim.Sim.State()); customers != 1 || accounts != 1 || charges != 1 {
			t.Fatalf("after the second attempt: %d customers, %d accounts, %d charges; want 1 each", customers, accounts, charges)
		}
	})
}

// TestSignupFailedOtherwiseBackToSummary: PortaSwitch refuses the customer
// (nothing charged). The prospect lands on the summary, which says why with
// the support contact and lets them sign up again with the same card.
func TestSignupFailedOtherwiseBackToSummary(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		number := e.freeNumbers(1)[0]
		b := e.prospect(number, "")
		form := signupForm(b, b.get("/s/demo/summary"))
		if err := e.sim.Sim.SetFaults([]sim.FaultRule{{Method: "Customer/add_customer", FaultCode: "Server.Sim.injected_fault", Count: 1}}); err != nil {
			t.Fatal(err)
		}
		mustRedirect(t, b.post("/s/demo/signup", form), "/s/demo/summary?signup=failed")
		e.sim.Sim.ClearFaults()
		p := b.get("/s/demo/summary?signup=failed")
		problem := p.testid("signup-problem")
		if p.status() != http.StatusOK || !strings.Contains(words(problem), "not been charged") ||
			problem.Find(`a[href="mailto:support@northwind.example"]`).Length() != 1 {
			t.Fatalf("summary after the failure: %d problem %q", p.status(), words(problem))
		}
		if hold, held, err := s.Wizard().SessionHold(context.Background(), sessionIDOf(b), time.Now()); err != nil || !held || hold.Number != number {
			t.Fatalf("hold after the failure: %+v %v %v; want kept", hold, held, err)
		}
		mustRedirect(t, b.post("/s/demo/signup", signupForm(b, p)), "/s/demo/done")
		if got := b.get("/s/demo/done").testid("selfcare-login").Text(); got != number {
			t.Fatalf("done after trying again: login %q", got)
		}
	})
}

// didOf is the simulator's i_did_number of number.
func (e *realEnv) didOf(number string) int64 {
	e.t.Helper()
	for _, n := range e.sim.Sim.State().Numbers {
		if n.Number == number {
			return n.IDIDNumber
		}
	}
	e.t.Fatalf("no number %s in the simulator", number)
	return 0
}
