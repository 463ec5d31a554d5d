package admin_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"websignup/forms"
	"websignup/internal/seal"
	"websignup/provision"
	"websignup/storage"
)

// seedJob is how a test submission is made: a wizard session of the form
// (with the card's brand and last four), signed up at at, then stored in
// the given state.
type seedJob struct {
	first, last, email, company string
	number                      string
	status                      provision.Status
	unresolvedCharge            bool // a charge call whose outcome was never found
	at                          time.Time
	credentials                 provision.Credentials
}

var seedN struct {
	sync.Mutex
	n int
}

// jobs is the job store as the provisioning side uses it.
func (e *env) jobs() *storage.JobStore {
	e.t.Helper()
	sealer, err := seal.New(secret, "credentials")
	if err != nil {
		e.t.Fatal(err)
	}
	return e.store.Jobs(sealer)
}

// seed creates one submission of form f and returns its job.
func (e *env) seed(f forms.Form, sj seedJob) *provision.Job {
	e.t.Helper()
	ctx := context.Background()
	v := ensureDraft(e, f)
	seedN.Lock()
	seedN.n++
	n := seedN.n
	seedN.Unlock()
	if sj.at.IsZero() {
		sj.at = e.clock.Now()
	}
	if sj.number == "" {
		sj.number = fmt.Sprintf("1604555%04d", n)
	}
	if sj.status == "" {
		sj.status = provision.StatusCompleted
	}
	id := fmt.Sprintf("seed-session-%06d-0123456789abcdef0123456789", n)
	answers := forms.Answers{"firstname": sj.first, "lastname": sj.last, "email": sj.email}
	if err := e.store.Wizard().CreateSession(ctx, forms.Session{ID: id, FormID: f.ID, VersionID: v.ID,
		Progress:  forms.Progress{Product: v.Config.Products[0].IProduct, Answers: answers, Number: sj.number, Device: forms.DeviceBYOD, CardSealed: true},
		CardBrand: "Visa", CardLast4: "4242", CreatedAt: sj.at, UpdatedAt: sj.at, ExpiresAt: sj.at.Add(time.Hour)}); err != nil {
		e.t.Fatal(err)
	}
	order := provision.Order{IParent: 1, IProduct: v.Config.Products[0].IProduct, Number: sj.number, BYOD: true,
		Customer: map[string]string{"firstname": sj.first, "lastname": sj.last, "email": sj.email, "companyname": sj.company},
		Charge:   forms.Money{Amount: 3490, Currency: "USD"}}
	js := e.jobs()
	job, _, err := js.StartSignup(ctx, id, &provision.Job{FormID: f.ID, VersionID: v.ID, Order: order}, "seed", time.Minute, sj.at)
	if err != nil {
		e.t.Fatal(err)
	}
	job.Status = sj.status
	job.ICustomer = 9000 + int64(n)
	job.Attempts = 1
	step := func(name, outcome string, id int64, msg string) {
		job.Steps = append(job.Steps, provision.StepRecord{Name: name, Intent: sj.at, Done: sj.at.Add(time.Second),
			Outcome: outcome, RemoteID: id, Error: msg})
	}
	step(provision.StepCustomer, provision.OutcomeOK, job.ICustomer, "")
	step(provision.StepPaymentMethod, provision.OutcomeOK, 700+int64(n), "")
	job.IPaymentMethod = 700 + int64(n)
	switch {
	case sj.unresolvedCharge:
		step(provision.StepCharge, provision.OutcomeUnknown, 0, "charge: connection reset")
		step(provision.StepCharge, provision.OutcomeNotFound, 0, "")
		job.LastError = "charge $34.90 may have been made but no transaction was found; not charging again"
		job.Reason = provision.ReasonReview
	case sj.status == provision.StatusFailed:
		step(provision.StepAssignNumber, provision.OutcomeFault, 0, "number is no longer available")
		step(provision.StepTerminate, provision.OutcomeOK, job.ICustomer, "")
		job.LastError = "number is no longer available"
		job.Reason = provision.ReasonFailed
	default:
		job.ITransaction = 5000 + int64(n)
		step(provision.StepCharge, provision.OutcomeOK, job.ITransaction, "")
		if sj.status == provision.StatusNeedsReview {
			step(provision.StepAccount, provision.OutcomeFault, 0, "account 16045550000 belongs to customer 12")
			job.LastError = "account belongs to customer 12"
			job.Reason = provision.ReasonReview
		}
	}
	if sj.status == provision.StatusCompleted {
		job.IAccount = 8000 + int64(n)
		step(provision.StepAccount, provision.OutcomeOK, job.IAccount, "")
	}
	job.Credentials = sj.credentials
	if err := js.Update(ctx, job); err != nil {
		e.t.Fatal(err)
	}
	if err := js.Release(ctx, job); err != nil {
		e.t.Fatal(err)
	}
	return provision.CopyJob(job)
}

// restore stores job as it was seeded (undoing what an action changed).
func (e *env) restore(job *provision.Job) {
	e.t.Helper()
	j := provision.CopyJob(job)
	if err := e.jobs().Update(context.Background(), j); err != nil {
		e.t.Fatal(err)
	}
}
