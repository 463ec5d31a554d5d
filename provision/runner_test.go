package provision_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"websignup/forms"
	"websignup/provision"
	"websignup/provision/provisiontest"
)

func newJob(store *provisiontest.Store, byod bool) *provision.Job {
	o := provision.Order{
		IParent: 1,
		Customer: provision.CustomerAttributes(map[string]string{
			"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "baddr1": "1 Main St",
			"city": "Vancouver", "state": "BC", "zip": "V6B 1A1", "country": "CA", "phone1": "+16045550000",
			"heard_from": "a friend",
		}),
		IProduct:      1,
		Charge:        forms.Money{Amount: 7390, Currency: "USD"},
		ChargeComment: "Signup: Home Basic",
		Number:        "16045550100",
		IUAType:       1,
		BYOD:          byod,
	}
	if byod {
		o.IUAType = 0
	}
	j := &provision.Job{SessionID: "s1", FormID: 1, VersionID: 1, Order: o}
	store.Create(j)
	return j
}

func newRunner(ps provision.PortaSwitch, store provision.Store) *provision.Runner {
	return &provision.Runner{PortaSwitch: ps, Store: store, RetryDelay: -1,
		BackoffBase: time.Second, BackoffMax: time.Minute, Logger: quietLogger()}
}

func card(number string) *provision.Card {
	return &provision.Card{Number: number, ExpMonth: 12, ExpYear: 2030, CVV: "987", Name: "Ada Lovelace", Brand: "VISA"}
}

// checkInvariants checks what must hold for any job in any state against
// the fake PortaSwitch, and what its status promises.
func checkInvariants(t *testing.T, ps *fakePS, job *provision.Job) {
	t.Helper()
	charges := ps.chargesFor(job.Reference)
	if len(charges) > 1 {
		t.Fatalf("charged %d times", len(charges))
	}
	switch job.Status {
	case provision.StatusCompleted:
		if len(charges) != 1 || charges[0].amount != job.Order.Charge.Amount || charges[0].currency != "USD" {
			t.Fatalf("completed with charges %+v, want exactly one of %d", charges, job.Order.Charge.Amount)
		}
		ps.mu.Lock()
		a := ps.accounts[job.Order.Number]
		n := ps.numbers[job.Order.Number]
		ps.mu.Unlock()
		if a == nil || a.iAccount != job.IAccount || a.iCustomer != job.ICustomer {
			t.Fatalf("completed without its account: %+v (job i_account %d)", a, job.IAccount)
		}
		if a.password != job.Credentials.WebPassword || a.login != job.Credentials.Login {
			t.Fatalf("account credentials differ from the job's")
		}
		if n.iCustomer != job.ICustomer || n.iAccount != job.IAccount {
			t.Fatalf("number not on the account: %+v", n)
		}
		if !job.Order.BYOD {
			ps.mu.Lock()
			d := ps.devices[job.IUA]
			ps.mu.Unlock()
			if d == nil || d.iAccount != job.IAccount {
				t.Fatalf("device %d not on the account", job.IUA)
			}
		}
		if ps.activeCustomers(job.CustomerName()) != 1 {
			t.Fatalf("completed job has %d active customers", ps.activeCustomers(job.CustomerName()))
		}
	case provision.StatusDeclined, provision.StatusCardNeeded, provision.StatusFailed:
		if len(charges) != 0 {
			t.Fatalf("%s job was charged", job.Status)
		}
		if n := ps.activeCustomers(job.CustomerName()); n != 0 {
			t.Fatalf("%s job left %d active customers", job.Status, n)
		}
		if job.Reason == "" {
			t.Fatalf("%s job has no reason for the prospect", job.Status)
		}
	case provision.StatusNeedsReview, provision.StatusRetrying:
	default:
		t.Fatalf("job left in status %q", job.Status)
	}
	for _, s := range job.Steps {
		if s.Intent.IsZero() {
			t.Fatalf("step %s recorded without intent", s.Name)
		}
	}
}

func stepNames(job *provision.Job) []string {
	var out []string
	for _, s := range job.Steps {
		out = append(out, s.Name+":"+s.Outcome)
	}
	return out
}

func TestRunHappyPath(t *testing.T) {
	for _, byod := range []bool{false, true} {
		t.Run(fmt.Sprintf("byod=%v", byod), func(t *testing.T) {
			ps, store := newFakePS(), &provisiontest.Store{}
			job := newJob(store, byod)
			if err := newRunner(ps, store).Run(context.Background(), job, card(cardOK)); err != nil {
				t.Fatal(err)
			}
			if job.Status != provision.StatusCompleted {
				t.Fatalf("status %s (%s)", job.Status, job.LastError)
			}
			checkInvariants(t, ps, job)
			want := []string{"add_customer:ok", "add_payment_method:ok", "charge:ok", "assign_number:ok",
				"add_account:ok", "assign_number_to_account:ok"}
			if !byod {
				want = append(want, "assign_device:ok")
			}
			if got := stepNames(job); !slices.Equal(got, want) {
				t.Fatalf("steps %v, want %v", got, want)
			}
			for _, s := range job.Steps {
				if s.Done.IsZero() || s.Done.Before(s.Intent) {
					t.Fatalf("step %s: intent %v done %v", s.Name, s.Intent, s.Done)
				}
			}
			stored, _ := store.Load(job.ID)
			if stored.Status != provision.StatusCompleted || stored.ITransaction == 0 || len(stored.Steps) != len(job.Steps) {
				t.Fatalf("store has %+v", stored)
			}
			if c := job.Credentials; c.Login != "16045550100" || len(c.WebPassword) < 12 || len(c.SIPPassword) < 12 || c.WebPassword == c.SIPPassword {
				t.Fatalf("credentials %v", c)
			}
			if !strings.HasPrefix(job.CustomerName(), "ws-websignup-job-") {
				t.Fatalf("customer name %q", job.CustomerName())
			}
			if ps.calls["Charge"] != 1 {
				t.Fatalf("Charge called %d times", ps.calls["Charge"])
			}
			// A settled job is left alone.
			if err := newRunner(ps, store).Run(context.Background(), job, nil); err != nil || job.Attempts != 1 {
				t.Fatalf("rerun of a settled job: %v, attempts %d", err, job.Attempts)
			}
		})
	}
}

func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		card       string
		faults     map[string][]fault
		setup      func(*fakePS)
		want       provision.Status
		wantCharge int
		wantReason string
		// wantFailure is the choice a failed job blames (Job.Failure).
		wantFailure provision.Failure
	}{
		{name: "declined at charge", card: cardDeclined, want: provision.StatusDeclined, wantReason: "declined by your bank"},
		{name: "authorisation failure", card: cardAuthFail, want: provision.StatusDeclined, wantReason: "could not be authorised"},
		{name: "declined, terminate dropped after apply", card: cardDeclined,
			faults: map[string][]fault{"TerminateCustomer": {dropAfter}}, want: provision.StatusDeclined},
		{name: "declined, terminate dropped before apply", card: cardDeclined,
			faults: map[string][]fault{"TerminateCustomer": {dropBefore}}, want: provision.StatusDeclined},

		// Unknown outcomes, applied or not: the lookup resolves them.
		{name: "customer applied then dropped", faults: map[string][]fault{"AddCustomer": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "customer dropped", faults: map[string][]fault{"AddCustomer": {dropBefore}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "payment method applied then dropped", faults: map[string][]fault{"AddPaymentMethod": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "payment method dropped", faults: map[string][]fault{"AddPaymentMethod": {dropBefore}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "charge applied then dropped", faults: map[string][]fault{"Charge": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "charge applied then dropped, lookup dropped once", faults: map[string][]fault{"Charge": {dropAfter}, "FindCharge": {dropBefore}},
			want: provision.StatusCompleted, wantCharge: 1},
		{name: "charge dropped before apply", faults: map[string][]fault{"Charge": {dropBefore}}, want: provision.StatusNeedsReview, wantCharge: 0},
		{name: "charge lookup keeps failing", faults: map[string][]fault{"Charge": {dropAfter}, "FindCharge": {dropBefore, dropBefore, dropBefore}},
			want: provision.StatusRetrying, wantCharge: 1},
		{name: "number applied then dropped", faults: map[string][]fault{"AssignNumber": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "number dropped", faults: map[string][]fault{"AssignNumber": {dropBefore}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "account applied then dropped", faults: map[string][]fault{"AddAccount": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "account dropped", faults: map[string][]fault{"AddAccount": {dropBefore}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "account lookup dropped", faults: map[string][]fault{"AddAccount": {dropAfter}, "FindAccountByID": {dropBefore}},
			want: provision.StatusCompleted, wantCharge: 1},
		{name: "number to account applied then dropped", faults: map[string][]fault{"AssignNumberToAccount": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "number to account dropped", faults: map[string][]fault{"AssignNumberToAccount": {dropBefore}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "device applied then dropped", faults: map[string][]fault{"AssignDevice": {dropAfter}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "device dropped", faults: map[string][]fault{"AssignDevice": {dropBefore}}, want: provision.StatusCompleted, wantCharge: 1},

		// Refusals.
		{name: "customer refused", faults: map[string][]fault{"AddCustomer": {refuse}}, want: provision.StatusFailed},
		{name: "payment method refused", faults: map[string][]fault{"AddPaymentMethod": {refuse}}, want: provision.StatusFailed},
		{name: "charge refused", faults: map[string][]fault{"Charge": {refuse}}, want: provision.StatusFailed},
		{name: "number refused after charge", faults: map[string][]fault{"AssignNumber": {refuse}}, want: provision.StatusRetrying, wantCharge: 1},
		{name: "account refused after charge", faults: map[string][]fault{"AddAccount": {refuse}}, want: provision.StatusRetrying, wantCharge: 1},
		{name: "device refused once after charge", faults: map[string][]fault{"AssignDevice": {refuse}}, want: provision.StatusCompleted, wantCharge: 1},
		{name: "device keeps being refused after charge", faults: map[string][]fault{"AssignDevice": {refuse, refuse, refuse}}, want: provision.StatusRetrying, wantCharge: 1},
		{name: "declined, answer lost, lookup finds the decline", card: cardDeclined,
			faults: map[string][]fault{"Charge:declined": {dropAfter}}, want: provision.StatusDeclined, wantReason: "declined by your bank"},
		{name: "declined, terminate refused", card: cardDeclined, faults: map[string][]fault{"TerminateCustomer": {refuse}},
			want: provision.StatusNeedsReview},

		// PortaSwitch unreachable before the card is registered: undo, ask again.
		{name: "customer keeps dropping", faults: map[string][]fault{"AddCustomer": {dropBefore, dropBefore, dropBefore}},
			want: provision.StatusCardNeeded},
		{name: "payment method keeps dropping", faults: map[string][]fault{"AddPaymentMethod": {dropAfter, dropAfter, dropAfter}},
			want: provision.StatusCardNeeded},
		// ... after it is registered: retry later.
		{name: "number lookup keeps dropping before charge", faults: map[string][]fault{"FindNumber": {dropBefore, dropBefore, dropBefore}},
			want: provision.StatusRetrying},

		// Checked before charging.
		{name: "number taken", setup: func(f *fakePS) { f.numbers["16045550100"].iCustomer = 7 },
			want: provision.StatusFailed, wantReason: "no longer available", wantFailure: provision.FailureNumberUnavailable},
		{name: "device out of stock", setup: func(f *fakePS) { delete(f.devices, 501); delete(f.devices, 502) },
			want: provision.StatusFailed, wantReason: "out of stock", wantFailure: provision.FailureDeviceOutOfStock},
		{name: "account id taken after charge", setup: func(f *fakePS) { f.accounts["16045550100"] = &fakeAccount{iAccount: 1, iCustomer: 7} },
			want: provision.StatusNeedsReview, wantCharge: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, store := newFakePS(), &provisiontest.Store{}
			for m, f := range tt.faults {
				ps.inject(m, f...)
			}
			if tt.setup != nil {
				tt.setup(ps)
			}
			number := tt.card
			if number == "" {
				number = cardOK
			}
			job := newJob(store, false)
			if err := newRunner(ps, store).Run(context.Background(), job, card(number)); err != nil {
				t.Fatal(err)
			}
			if job.Status != tt.want {
				t.Fatalf("status %s, want %s (last error %q, steps %v)", job.Status, tt.want, job.LastError, stepNames(job))
			}
			if n := len(ps.chargesFor(job.Reference)); n != tt.wantCharge {
				t.Fatalf("%d charges, want %d", n, tt.wantCharge)
			}
			if !strings.Contains(job.Reason, tt.wantReason) {
				t.Fatalf("reason %q, want it to contain %q", job.Reason, tt.wantReason)
			}
			stored, _ := store.Load(job.ID)
			if stored.Status != job.Status {
				t.Fatalf("stored status %s, job %s", stored.Status, job.Status)
			}
			if job.Failure != tt.wantFailure || stored.Failure != tt.wantFailure {
				t.Fatalf("failure %q (stored %q), want %q", job.Failure, stored.Failure, tt.wantFailure)
			}
			checkInvariants(t, ps, job)
			if job.Status == provision.StatusRetrying {
				if !job.NextAttemptAt.After(time.Now()) {
					t.Fatalf("retrying without a future NextAttemptAt: %v", job.NextAttemptAt)
				}
				// Resume the way the worker does: from the store, without the card.
				job, _ = store.Load(job.ID)
				if err := newRunner(ps, store).Run(context.Background(), job, nil); err != nil {
					t.Fatal(err)
				}
				if job.Status != provision.StatusCompleted {
					t.Fatalf("after retry: status %s (%s)", job.Status, job.LastError)
				}
				checkInvariants(t, ps, job)
			}
		})
	}
}

// crashed is the value the crash hook panics with.
type crashed string

// crashAt is a BeforeStep or AfterStep hook that crashes the run (panics
// with crashed) at step.
func crashAt(want string) func(step string) {
	return func(step string) {
		if step == want {
			panic(crashed(step))
		}
	}
}

// runUntilCrash runs the job with a hook that panics at the named point and
// reports whether it did.
func runUntilCrash(t *testing.T, r *provision.Runner, job *provision.Job, c *provision.Card) (didCrash bool) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(crashed); !ok {
				panic(p)
			}
			didCrash = true
		}
	}()
	if err := r.Run(context.Background(), job, c); err != nil {
		t.Fatal(err)
	}
	return false
}

func TestCrashAndResume(t *testing.T) {
	type point struct {
		step  string
		after bool // crash after the call, before its result is recorded
	}
	want := map[point]provision.Status{}
	for _, s := range provision.Steps {
		for _, after := range []bool{false, true} {
			switch {
			case s == provision.StepCustomer || s == provision.StepPaymentMethod:
				want[point{s, after}] = provision.StatusCardNeeded
			case s == provision.StepCharge && !after:
				want[point{s, after}] = provision.StatusNeedsReview // never charge again
			default:
				want[point{s, after}] = provision.StatusCompleted
			}
		}
	}
	for p, wantStatus := range want {
		for _, cardNumber := range []string{cardOK, cardDeclined} {
			name := fmt.Sprintf("%s/after=%v/%s", p.step, p.after, cardNumber)
			t.Run(name, func(t *testing.T) {
				ps, store := newFakePS(), &provisiontest.Store{}
				job := newJob(store, false)
				r := newRunner(ps, store)
				hook := crashAt(p.step)
				if p.after {
					r.AfterStep = hook
				} else {
					r.BeforeStep = hook
				}
				if !runUntilCrash(t, r, job, card(cardNumber)) {
					if cardNumber == cardDeclined && p.step != provision.StepCustomer && p.step != provision.StepPaymentMethod && p.step != provision.StepCharge {
						return // declined before reaching the step
					}
					t.Fatalf("did not reach %s", p.step)
				}
				// A new process: the job as stored, no card, no hooks.
				job, _ = store.Load(job.ID)
				if err := newRunner(ps, store).Run(context.Background(), job, nil); err != nil {
					t.Fatal(err)
				}
				w := wantStatus
				if cardNumber == cardDeclined && p.step == provision.StepCharge && p.after {
					w = provision.StatusDeclined // the lookup finds the declined charge
				}
				if job.Status != w {
					t.Fatalf("status %s, want %s (%s; steps %v)", job.Status, w, job.LastError, stepNames(job))
				}
				checkInvariants(t, ps, job)
			})
		}
	}
}

func TestCrashDuringUndo(t *testing.T) {
	for _, after := range []bool{false, true} {
		ps, store := newFakePS(), &provisiontest.Store{}
		job := newJob(store, false)
		r := newRunner(ps, store)
		hook := crashAt(provision.StepTerminate)
		if after {
			r.AfterStep = hook
		} else {
			r.BeforeStep = hook
		}
		if !runUntilCrash(t, r, job, card(cardDeclined)) {
			t.Fatal("did not reach terminate")
		}
		job, _ = store.Load(job.ID)
		if job.UndoTo != provision.StatusDeclined {
			t.Fatalf("undo target %q not stored", job.UndoTo)
		}
		if err := newRunner(ps, store).Run(context.Background(), job, nil); err != nil {
			t.Fatal(err)
		}
		if job.Status != provision.StatusDeclined || !strings.Contains(job.Reason, "declined") {
			t.Fatalf("after=%v: status %s reason %q (%s)", after, job.Status, job.Reason, job.LastError)
		}
		checkInvariants(t, ps, job)
	}
}

// TestResultsWrittenWithNextIntent checks when a step record becomes
// durable (see Runner.call): a successful call's result with the next
// intent written, before that call is made, and with the final status;
// never later. The intent of a repeatable step (the payment method, the
// number's two assignments: every run establishes them afresh) is written
// with the next write too, not before its call. The run's start (running,
// one more attempt) is durable before the first call, with its intent.
func TestResultsWrittenWithNextIntent(t *testing.T) {
	repeatable := map[string]bool{provision.StepPaymentMethod: true,
		provision.StepAssignNumber: true, provision.StepNumberToAccount: true}
	for _, byod := range []bool{false, true} {
		t.Run(fmt.Sprintf("byod=%v", byod), func(t *testing.T) {
			ps, store := newFakePS(), &provisiontest.Store{}
			job := newJob(store, byod)
			r := newRunner(ps, store)
			written := 0 // calls whose intent was written before them
			r.BeforeStep = func(step string) {
				stored, _ := store.Load(job.ID)
				if repeatable[step] {
					// Its own intent is not stored yet; what is stored is
					// what was made before the call ahead of it, or more.
					if len(stored.Steps) >= len(job.Steps) {
						t.Fatalf("before %s: its intent was written first", step)
					}
					return
				}
				written++
				if len(stored.Steps) != len(job.Steps) {
					t.Fatalf("before %s: %d step records stored, %d made", step, len(stored.Steps), len(job.Steps))
				}
				for i, s := range job.Steps[:len(job.Steps)-1] {
					if got := stored.Steps[i]; got.Outcome != s.Outcome || got.RemoteID != s.RemoteID || !got.Done.Equal(s.Done) {
						t.Fatalf("before %s: step %s stored as %+v, made %+v", step, s.Name, got, s)
					}
				}
				if stored.Status != provision.StatusRunning || stored.Attempts != job.Attempts {
					t.Fatalf("before %s: stored %s after %d attempts, want running after %d", step, stored.Status, stored.Attempts, job.Attempts)
				}
				if stored.ICustomer != job.ICustomer || stored.IPaymentMethod != job.IPaymentMethod ||
					stored.ITransaction != job.ITransaction || stored.IAccount != job.IAccount {
					t.Fatalf("before %s: stored ids %+v, made %+v", step, stored, job)
				}
			}
			if err := r.Run(context.Background(), job, card(cardOK)); err != nil {
				t.Fatal(err)
			}
			stored, _ := store.Load(job.ID)
			if stored.Status != provision.StatusCompleted || !slices.Equal(stepNames(stored), stepNames(job)) {
				t.Fatalf("stored %s %v, made %s %v", stored.Status, stepNames(stored), job.Status, stepNames(job))
			}
			for _, s := range stored.Steps {
				if s.Intent.IsZero() || s.Outcome != provision.OutcomeOK {
					t.Fatalf("step %s stored without its intent or outcome: %+v", s.Name, s)
				}
			}
			// One per call that is not repeatable (the first with the
			// run's start), one for completed.
			if want := written + 1; store.Writes != want || written != len(stored.Steps)-len(repeatable) {
				t.Fatalf("%d writes for %d steps, %d of them not repeatable, want %d", store.Writes, len(stored.Steps), written, want)
			}
		})
	}
}

// TestNumberLookedUpOncePerRun: a run looks the number up once (the
// preflight before the charge) and goes on from what it learnt; after a call
// whose outcome is unknown, and in a resumed run, it looks again.
func TestNumberLookedUpOncePerRun(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	job := newJob(store, true)
	if err := newRunner(ps, store).Run(context.Background(), job, card(cardOK)); err != nil {
		t.Fatal(err)
	}
	if job.Status != provision.StatusCompleted || ps.calls["FindNumber"] != 1 {
		t.Fatalf("status %s after %d number lookups, want completed after 1", job.Status, ps.calls["FindNumber"])
	}
	checkInvariants(t, ps, job)

	// The first assignment to the account is applied but its answer lost:
	// the retry in the run looks the number up and finds it done.
	ps, store = newFakePS(), &provisiontest.Store{}
	job = newJob(store, true)
	ps.inject("AssignNumberToAccount", dropAfter)
	if err := newRunner(ps, store).Run(context.Background(), job, card(cardOK)); err != nil {
		t.Fatal(err)
	}
	if job.Status != provision.StatusCompleted || ps.calls["FindNumber"] != 2 || ps.calls["AssignNumberToAccount"] != 1 {
		t.Fatalf("status %s after %d lookups and %d assignments, want completed after 2 and 1",
			job.Status, ps.calls["FindNumber"], ps.calls["AssignNumberToAccount"])
	}
	checkInvariants(t, ps, job)

	// A run that crashed after assigning the number to the customer: the
	// resumed run looks the number up before assigning it to the account.
	ps, store = newFakePS(), &provisiontest.Store{}
	job = newJob(store, true)
	r := newRunner(ps, store)
	r.BeforeStep = crashAt(provision.StepAccount)
	if !runUntilCrash(t, r, job, card(cardOK)) {
		t.Fatal("no crash")
	}
	before := ps.calls["FindNumber"]
	job, _ = store.Load(job.ID)
	if err := newRunner(ps, store).Run(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if job.Status != provision.StatusCompleted || ps.calls["FindNumber"] != before+1 {
		t.Fatalf("resumed: status %s after %d more lookups, want completed after 1", job.Status, ps.calls["FindNumber"]-before)
	}
	checkInvariants(t, ps, job)
}

func TestStoreFailureAfterChargeResumes(t *testing.T) {
	ps := newFakePS()
	store := &provisiontest.Store{}
	store.Fail = func(method, step string) error {
		// The write after the charge: the next intent written (the
		// number's assignment is repeatable and writes none), which
		// carries the charge's result (Runner.call).
		if method == "RecordIntent" && step == provision.StepAccount {
			return errors.New("disk full")
		}
		return nil
	}
	job := newJob(store, false)
	if err := newRunner(ps, store).Run(context.Background(), job, card(cardOK)); err == nil {
		t.Fatal("Run hid a store failure")
	}
	if ps.calls["AddAccount"] != 0 {
		t.Fatal("went on after a store failure")
	}
	store.Fail = nil
	job, _ = store.Load(job.ID)
	if err := newRunner(ps, store).Run(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if job.Status != provision.StatusCompleted {
		t.Fatalf("status %s (%s)", job.Status, job.LastError)
	}
	checkInvariants(t, ps, job)
}

func TestRetryBackoffAndGiveUp(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := newRunner(ps, store)
	r.Now = func() time.Time { return now }
	r.MaxAttempts = 6
	job := newJob(store, false)
	ps.inject("AssignNumber", refuse, refuse, refuse, refuse, refuse, refuse)
	var delays []time.Duration
	for i := 0; i < 6; i++ {
		c := card(cardOK)
		if i > 0 {
			c = nil
		}
		if err := r.Run(context.Background(), job, c); err != nil {
			t.Fatal(err)
		}
		if job.Status == provision.StatusRetrying {
			delays = append(delays, job.NextAttemptAt.Sub(now))
		}
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	if !slices.Equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	if job.Status != provision.StatusNeedsReview || job.Attempts != 6 {
		t.Fatalf("after %d attempts: %s", job.Attempts, job.Status)
	}
	checkInvariants(t, ps, job)

	r.MaxAttempts = -1
	r.BackoffMax = 10 * time.Second
	job = newJob(store, false)
	ps.inject("AddAccount", refuse, refuse, refuse, refuse, refuse)
	for i := 0; i < 5; i++ {
		_ = r.Run(context.Background(), job, card(cardOK))
	}
	if d := job.NextAttemptAt.Sub(now); d != 10*time.Second {
		t.Fatalf("delay not capped: %v", d)
	}
}

func TestErrorTextNeverHoldsTheCard(t *testing.T) {
	ps, store := newFakePS(), &provisiontest.Store{}
	// A careless adapter that echoes the request in its fault.
	ps.errText = "Server.Customer.bad_card: card " + cardOK + " cvv 987 rejected"
	ps.inject("AddPaymentMethod", refuse)
	job := newJob(store, false)
	if err := newRunner(ps, store).Run(context.Background(), job, card(cardOK)); err != nil {
		t.Fatal(err)
	}
	stored, _ := store.Load(job.ID)
	text := fmt.Sprintf("%+v", stored)
	if strings.Contains(text, cardOK) || strings.Contains(text, "cvv 987") {
		t.Fatalf("card in the stored job: %s", text)
	}
	if !strings.Contains(stored.LastError, "[card]") {
		t.Fatalf("last error %q", stored.LastError)
	}
}
