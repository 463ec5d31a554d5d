package public_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"websignup/portaswitch/sim"
	"websignup/provision"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestSignupSurvivesEveryFault makes each PortaSwitch call of provisioning
// fail once, as a fault, a timeout, and "applied, then the connection
// dropped", through a real Sign up; then lets the worker finish. Every job
// must end completed with exactly one charge, or undone with no charge, or
// in needs_review without a second charge.
func TestSignupSurvivesEveryFault(t *testing.T) {
	methods := []string{
		"Customer/add_customer", "Customer/update_payment_method", "Customer/make_transaction",
		"Customer/get_transaction_list", "DID/get_number_list", "DID/assign_did_to_customer",
		"Account/add_account", "DID/assign_did_to_account", "UA/get_ua_list", "Account/assign_ua",
	}
	modes := map[string]sim.FaultRule{
		"fault":   {FaultCode: "Server.Sim.injected_fault", Count: 1},
		"timeout": {Delay: sim.Duration{D: 700 * time.Millisecond}, Count: 1},
		"drop":    {Drop: true, Count: 1},
	}
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		// A short client timeout makes the delayed call time out.
		e.setClientTimeout(300 * time.Millisecond)
		numbers := e.freeNumbers(len(methods) * len(modes))
		i := 0
		for _, m := range methods {
			for mode, rule := range modes {
				name := fmt.Sprintf("%s/%s", m, mode)
				// Devices are few: only the device steps order one.
				device := "byod"
				if m == "UA/get_ua_list" || m == "Account/assign_ua" {
					device = fmt.Sprint(2 + i%2)
				}
				b := e.prospectWith(numbers[i], device, "")
				i++
				form := signupForm(b, b.get("/s/demo/summary"))
				rule.Method = m
				if err := e.sim.Sim.SetFaults([]sim.FaultRule{rule}); err != nil {
					t.Fatal(err)
				}
				p := b.post("/s/demo/signup", form)
				e.sim.Sim.ClearFaults()
				if p.status() != http.StatusSeeOther && p.status() != http.StatusUnprocessableEntity {
					t.Errorf("%s: Sign up answered %d: %.300s", name, p.status(), p.body)
				}
			}
		}
		e.drain()
		e.checkInvariants(t)
	})
}

// setClientTimeout gives the runner a PortaSwitch client with timeout d
// (a client's timeout is fixed when it is made).
func (e *realEnv) setClientTimeout(d time.Duration) {
	e.t.Helper()
	e.runner.PortaSwitch = newPort(e.t, e.sim.URL, d)
}

// checkInvariants checks every job against the simulator's state.
func (e *realEnv) checkInvariants(t *testing.T) {
	t.Helper()
	page, err := e.jobs.ListJobs(context.Background(), storage.JobFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	st := e.sim.Sim.State()
	byStatus := map[provision.Status]int{}
	for _, j := range page.Jobs {
		byStatus[j.Status]++
		if testing.Verbose() && j.Status != provision.StatusCompleted {
			t.Logf("job %d %s: %s", j.ID, j.Status, j.LastError)
		}
		charges := 0
		for _, tr := range st.Transactions {
			if tr.InternalComment == j.Reference && tr.Status == "completed" {
				charges++
			}
		}
		open := false
		for _, c := range st.Customers {
			if c.Name == j.CustomerName() && c.BillStatus == "O" {
				open = true
			}
		}
		switch j.Status {
		case provision.StatusCompleted:
			if charges != 1 || !open || j.IAccount == 0 {
				t.Errorf("job %d (%s) completed with %d charges, customer open %v, account %d", j.ID, j.Order.Number, charges, open, j.IAccount)
			}
		case provision.StatusDeclined, provision.StatusCardNeeded, provision.StatusFailed:
			if charges != 0 || open {
				t.Errorf("job %d undone (%s) but %d charges, customer open %v", j.ID, j.Status, charges, open)
			}
		case provision.StatusNeedsReview:
			if charges > 1 {
				t.Errorf("job %d needs review with %d charges", j.ID, charges)
			}
		default:
			t.Errorf("job %d did not settle: %s", j.ID, j.Status)
		}
	}
	t.Logf("%d jobs settled: %v", len(page.Jobs), byStatus)
}

// TestSignupOutOfTimeReleasesJob: a Sign up whose run uses up its time (half
// the lease; here PortaSwitch takes a second to charge) still releases its
// job, so that a worker takes it up as soon as it is due instead of once the
// lease has run out; and the worker finishes it with the one charge.
func TestSignupOutOfTimeReleasesJob(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnvLease(t, s, 600*time.Millisecond)
		b := e.prospectWith(e.freeNumbers(1)[0], "byod", "")
		form := signupForm(b, b.get("/s/demo/summary"))
		if err := e.sim.Sim.SetFaults([]sim.FaultRule{{Method: "Customer/make_transaction",
			Delay: sim.Duration{D: time.Second}, Count: 1}}); err != nil {
			t.Fatal(err)
		}
		if p := b.post("/s/demo/signup", form); p.status() != http.StatusSeeOther {
			t.Fatalf("Sign up answered %d: %.300s", p.status(), p.body)
		}
		page, err := e.jobs.ListJobs(context.Background(), storage.JobFilter{Limit: 10})
		if err != nil || len(page.Jobs) != 1 {
			t.Fatalf("jobs %+v, %v", page, err)
		}
		job := page.Jobs[0]
		if job.Status != provision.StatusRetrying {
			t.Fatalf("job %s after a run out of time, want retrying (%s)", job.Status, job.LastError)
		}
		if job.LeaseOwner != "" {
			t.Fatalf("job still leased to %q after the Sign up answered:\n%s", job.LeaseOwner, e.logs.String())
		}
		time.Sleep(time.Second) // the delayed charge lands
		e.drain()
		e.checkInvariants(t)
	})
}
