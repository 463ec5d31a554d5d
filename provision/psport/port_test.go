package psport_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"websignup/forms"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
	"websignup/provision"
	"websignup/provision/provisiontest"
	"websignup/provision/psport"
)

type env struct {
	sim    *sim.Sim
	port   *psport.Port
	store  *provisiontest.Store
	runner *provision.Runner
	client *portaswitch.Client
	base   string
}

func newEnv(t *testing.T, faults ...sim.FaultRule) *env {
	t.Helper()
	s, err := sim.New(sim.Options{Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin",
		Timeout: 5 * time.Second, RetryBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	store := &provisiontest.Store{}
	p := psport.New(c)
	return &env{sim: s, port: p, store: store, client: c, base: srv.URL, runner: &provision.Runner{
		PortaSwitch: p, Store: store, RetryDelay: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}}
}

// newJob creates a job for a free number of pool 1, Home Basic and a Yealink
// (or BYOD), charging what the summary would show.
func (e *env) newJob(t *testing.T, byod bool) *provision.Job {
	t.Helper()
	nums, err := e.client.GetNumberList(context.Background(), portaswitch.GetNumberListRequest{Usage: portaswitch.UsageIdle, IDVBatch: 1, Limit: 1})
	if err != nil || len(nums) == 0 {
		t.Fatalf("no free number: %v", err)
	}
	amount := int64(995 + 1495)
	o := provision.Order{
		IParent: sim.SeedResellerID,
		Customer: provision.CustomerAttributes(map[string]string{"firstname": "Ada", "lastname": "Lovelace",
			"email": "ada@example.com", "baddr1": "1 Main St", "city": "Seattle", "state": "WA", "zip": "98101",
			"country": "US", "phone1": "+12065550000"}),
		IProduct: 1, Number: nums[0].Number, IDidNumber: nums[0].IDIDNumber, ChargeComment: "Signup: Home Basic",
	}
	if byod {
		o.BYOD = true
	} else {
		o.IUAType = 1
		amount += 4900
	}
	o.Charge = forms.Money{Amount: amount, Currency: "USD"}
	j := &provision.Job{SessionID: "s", FormID: 1, VersionID: 1, Order: o}
	e.store.Create(j)
	return j
}

func card(number string) *provision.Card {
	return &provision.Card{Number: number, ExpMonth: 12, ExpYear: time.Now().Year() + 3, CVV: "987", Name: "Ada Lovelace"}
}

// check verifies the job against the simulator's state: never two charges;
// completed ⇒ one charge of the amount, an open account with the number and
// the device; undone ⇒ no charge and no open customer or account.
func (e *env) check(t *testing.T, job *provision.Job) {
	t.Helper()
	st := e.sim.State()
	var charges []sim.Transaction
	for _, tr := range st.Transactions {
		if tr.InternalComment == job.Reference && tr.Status == portaswitch.TransactionCompleted {
			charges = append(charges, tr)
		}
	}
	if len(charges) > 1 {
		t.Fatalf("charged %d times", len(charges))
	}
	var openCustomers []sim.Customer
	for _, c := range st.Customers {
		if c.Name == job.CustomerName() && c.BillStatus == "O" {
			openCustomers = append(openCustomers, c)
		}
	}
	var openAccounts []sim.Account
	for _, a := range st.Accounts {
		if a.ID == job.Order.Number && a.BillStatus == "O" {
			openAccounts = append(openAccounts, a)
		}
	}
	switch job.Status {
	case provision.StatusCompleted:
		want := forms.Money{Amount: job.Order.Charge.Amount, Currency: "USD"}.Decimal()
		if len(charges) != 1 || string(charges[0].Amount) != want {
			t.Fatalf("completed with charges %+v, want one of %s", charges, want)
		}
		if len(openCustomers) != 1 || openCustomers[0].ICustomer != job.ICustomer || openCustomers[0].IParent != sim.SeedResellerID {
			t.Fatalf("customers %+v", openCustomers)
		}
		if len(openAccounts) != 1 || openAccounts[0].IAccount != job.IAccount || openAccounts[0].ICustomer != job.ICustomer {
			t.Fatalf("accounts %+v", openAccounts)
		}
		if openAccounts[0].Login != job.Credentials.Login {
			t.Fatalf("login %q, want %q", openAccounts[0].Login, job.Credentials.Login)
		}
		for _, n := range st.Numbers {
			if n.Number == job.Order.Number && (n.IAccount != job.IAccount || n.ICustomer != job.ICustomer) {
				t.Fatalf("number %+v not on the account", n)
			}
		}
		devices := 0
		for _, d := range st.Devices {
			if d.IAccount == job.IAccount {
				devices++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[job.Order.BYOD]; devices != want {
			t.Fatalf("%d devices on the account, want %d", devices, want)
		}
		// The generated web password works in the account realm.
		acct, err := portaswitch.New(portaswitch.Config{BaseURL: e.base + sim.AccountPrefix,
			Login: job.Credentials.Login, Password: job.Credentials.WebPassword})
		if err != nil {
			t.Fatal(err)
		}
		res, err := acct.Login(context.Background())
		if err != nil || !res.MustChangePassword() {
			t.Fatalf("self-care login: %v %+v", err, res)
		}
	case provision.StatusDeclined, provision.StatusCardNeeded, provision.StatusFailed:
		if len(charges) != 0 || len(openCustomers) != 0 || len(openAccounts) != 0 {
			t.Fatalf("%s left charges %d, customers %d, accounts %d", job.Status, len(charges), len(openCustomers), len(openAccounts))
		}
	case provision.StatusNeedsReview, provision.StatusRetrying:
	default:
		t.Fatalf("job left %s (%s)", job.Status, job.LastError)
	}
}

func TestRunnerAgainstSimulator(t *testing.T) {
	drop := func(method string) sim.FaultRule { return sim.FaultRule{Method: method, Drop: true, Count: 1} }
	tests := []struct {
		name        string
		card        string
		byod        bool
		faults      []sim.FaultRule
		want        provision.Status
		wantReason  string
		wantCharges int
	}{
		{name: "happy path", card: "4242424242424242", want: provision.StatusCompleted, wantCharges: 1},
		{name: "happy path, BYOD, MasterCard", card: "5555555555554444", byod: true, want: provision.StatusCompleted, wantCharges: 1},
		{name: "declined at the charge", card: "4000000000000002", want: provision.StatusDeclined, wantReason: "declined by your bank"},
		{name: "authorisation failure", card: "4000000000000069", want: provision.StatusDeclined, wantReason: "could not be authorised"},
		{name: "declined, answer dropped", card: "4000000000000002", faults: []sim.FaultRule{drop("Customer/make_transaction")},
			want: provision.StatusDeclined, wantReason: "declined"},
		{name: "charge applied then dropped", card: "4242424242424242", faults: []sim.FaultRule{drop("Customer/make_transaction")},
			want: provision.StatusCompleted, wantCharges: 1},
		{name: "account applied then dropped", card: "4242424242424242", faults: []sim.FaultRule{drop("Account/add_account")},
			want: provision.StatusCompleted, wantCharges: 1},
		{name: "customer applied then dropped", card: "4242424242424242", faults: []sim.FaultRule{drop("Customer/add_customer")},
			want: provision.StatusCompleted, wantCharges: 1},
		{name: "card applied then dropped", card: "4242424242424242", faults: []sim.FaultRule{drop("Customer/update_payment_method")},
			want: provision.StatusCompleted, wantCharges: 1},
		{name: "numbers and device applied then dropped", card: "4242424242424242",
			faults: []sim.FaultRule{drop("DID/assign_did_to_customer"), drop("DID/assign_did_to_account"), drop("Account/assign_ua")},
			want:   provision.StatusCompleted, wantCharges: 1},
		{name: "charge refused", card: "4242424242424242",
			faults: []sim.FaultRule{{Method: "Customer/make_transaction", FaultCode: "Server.Sim.injected_fault", Count: 1}},
			want:   provision.StatusFailed},
		{name: "charge lookup unreachable", card: "4242424242424242",
			faults: []sim.FaultRule{drop("Customer/make_transaction"), {Method: "Customer/get_transaction_list", Drop: true}},
			want:   provision.StatusRetrying, wantCharges: 1},
		{name: "account refused after the charge", card: "4242424242424242",
			faults: []sim.FaultRule{{Method: "Account/add_account", FaultCode: "Server.Sim.injected_fault", Count: 1}},
			want:   provision.StatusRetrying, wantCharges: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			job := e.newJob(t, tt.byod)
			if err := e.sim.SetFaults(tt.faults); err != nil {
				t.Fatal(err)
			}
			if err := e.runner.Run(context.Background(), job, card(tt.card)); err != nil {
				t.Fatal(err)
			}
			if job.Status != tt.want {
				t.Fatalf("status %s, want %s (%s)", job.Status, tt.want, job.LastError)
			}
			if !strings.Contains(job.Reason, tt.wantReason) {
				t.Fatalf("reason %q, want %q", job.Reason, tt.wantReason)
			}
			n := 0
			for _, tr := range e.sim.State().Transactions {
				if tr.InternalComment == job.Reference && tr.Status == portaswitch.TransactionCompleted {
					n++
				}
			}
			if n != tt.wantCharges {
				t.Fatalf("%d charges, want %d", n, tt.wantCharges)
			}
			e.check(t, job)
			if job.Status == provision.StatusRetrying {
				// The faults pass; the worker resumes the stored job without the card.
				e.sim.ClearFaults()
				job, _ = e.store.Load(job.ID)
				if err := e.runner.Run(context.Background(), job, nil); err != nil {
					t.Fatal(err)
				}
				if job.Status != provision.StatusCompleted {
					t.Fatalf("after retry: %s (%s)", job.Status, job.LastError)
				}
				e.check(t, job)
			}
			for _, s := range job.Steps {
				if strings.Contains(s.Error, tt.card) {
					t.Fatalf("card number in step error %q", s.Error)
				}
			}
		})
	}
}

type crash string

func TestCrashAgainstSimulator(t *testing.T) {
	for _, step := range provision.Steps {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/after=%v", step, after), func(t *testing.T) {
				e := newEnv(t)
				job := e.newJob(t, false)
				hook := func(s string) {
					if s == step {
						panic(crash(s))
					}
				}
				if after {
					e.runner.AfterStep = hook
				} else {
					e.runner.BeforeStep = hook
				}
				func() {
					defer func() {
						if p := recover(); p == nil {
							t.Fatal("did not crash")
						} else if _, ok := p.(crash); !ok {
							panic(p)
						}
					}()
					_ = e.runner.Run(context.Background(), job, card("4242424242424242"))
				}()
				e.runner.BeforeStep, e.runner.AfterStep = nil, nil
				job, _ = e.store.Load(job.ID)
				if err := e.runner.Run(context.Background(), job, nil); err != nil {
					t.Fatal(err)
				}
				want := provision.StatusCompleted
				switch {
				case step == provision.StepCustomer || step == provision.StepPaymentMethod:
					want = provision.StatusCardNeeded
				case step == provision.StepCharge && !after:
					want = provision.StatusNeedsReview
				}
				if job.Status != want {
					t.Fatalf("status %s, want %s (%s)", job.Status, want, job.LastError)
				}
				e.check(t, job)
			})
		}
	}
}
