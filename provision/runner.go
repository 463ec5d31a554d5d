package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Plain-words reasons for the prospect (Job.Reason).
const (
	ReasonDeclined   = "Your card was declined. Please check the details or use another card; you have not been charged."
	ReasonCardNeeded = "We could not finish setting up your account and you have not been charged. Please enter your card details again."
	ReasonFailed     = "We could not set up your account and you have not been charged. Please try again later or contact support."
	ReasonReview     = "Your signup needs a quick check by our team before it is complete. We will contact you; please don't sign up again."
	// ReasonNumberUnavailable goes with FailureNumberUnavailable.
	ReasonNumberUnavailable = "The phone number you chose is no longer available, and you have not been charged. Please choose another number."
	// ReasonDeviceOutOfStock goes with FailureDeviceOutOfStock.
	ReasonDeviceOutOfStock = "The phone you chose is out of stock, and you have not been charged. Please choose another phone."
)

// Defaults of the Runner's tuning fields.
const (
	DefaultTries       = 3
	DefaultRetryDelay  = 500 * time.Millisecond
	DefaultBackoffBase = 30 * time.Second
	DefaultBackoffMax  = 30 * time.Minute
	DefaultMaxAttempts = 25
)

// Runner runs provisioning jobs. PortaSwitch and Store are required; the
// other fields have defaults. A Runner is safe for concurrent use on
// different jobs; one job must run in one Run at a time (the Claimer's lease
// ensures it).
type Runner struct {
	PortaSwitch PortaSwitch
	Store       Store
	Logger      *slog.Logger // nil: slog.Default()

	// Tries is how often one run tries a step whose outcome was unknown
	// (looking up first each time) before giving up for this run.
	Tries int
	// RetryDelay is the pause between those tries.
	RetryDelay time.Duration
	// BackoffBase and BackoffMax shape the delay before the next run of a
	// retrying job: BackoffBase·2^(attempts-1), at most BackoffMax.
	BackoffBase, BackoffMax time.Duration
	// MaxAttempts is how many runs a job gets before an operator must look
	// (needs_review; or failed, undone, if nothing was charged). Negative
	// means no limit.
	MaxAttempts int
	// Now returns the current time; nil: time.Now.
	Now func() time.Time

	// BeforeStep, if set, is called with the step name after the intent is
	// recorded and before the remote call; AfterStep after the call returns
	// and before its result is recorded. They exist for tests, which panic
	// or kill the process there to simulate a crash. Nil in production.
	BeforeStep, AfterStep func(step string)
}

// stop ends a run with a given status. It deliberately does not unwrap, so
// that a stop is never mistaken for a retryable ErrUnknownOutcome.
type stop struct {
	status  Status
	reason  string
	failure Failure // for StatusFailed: which choice, if any, made it fail
	err     error
}

func (s *stop) Error() string { return string(s.status) + ": " + s.err.Error() }

func stopf(status Status, reason, format string, args ...any) *stop {
	return &stop{status: status, reason: reason, err: fmt.Errorf(format, args...)}
}

// storeError is a failure to persist; it ends the run at once.
type storeError struct{ err error }

func (e *storeError) Error() string { return "store: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// Run runs the job from where it stands until it settles (completed,
// declined, card_needed, needs_review, failed) or must be retried later
// (retrying, with NextAttemptAt). card is the prospect's card when called
// from the Sign up request and nil when a Worker resumes the job. Run does
// nothing for a settled job.
//
// The outcome is in job.Status (and Reason, LastError). Run returns an error
// only when the store failed to persist the job; the stored state is then
// behind the job in memory, and a later run resumes from the stored state
// (looking up whatever was left unresolved).
//
// Use a context that is not cancelled when a browser goes away
// (context.WithoutCancel): cancelling mid-call leaves an unknown outcome to be
// resolved by a later run, and a job that still needed the card then ends in
// card_needed.
func (r *Runner) Run(ctx context.Context, job *Job, card *Card) error {
	if job.Status.Settled() {
		return nil
	}
	if r.PortaSwitch == nil || r.Store == nil {
		return errors.New("provision: Runner needs PortaSwitch and Store")
	}
	if job.Reference == "" {
		job.Reference = NewReference(job.ID)
	}
	// The run's start is stored with its first write (record), which
	// comes before any call that changes anything in PortaSwitch (an
	// intent), or with the status it settles in: one write fewer per run.
	// A crash before that write leaves the job as it was, to be claimed
	// and run again.
	job.Status = StatusRunning
	job.Attempts++
	job.NextAttemptAt = time.Time{}
	job.number = nil
	job.startUnsaved = true
	var err error
	if job.UndoTo != "" {
		err = &stop{status: job.UndoTo, reason: job.Reason, failure: job.Failure, err: errors.New("finishing the undo")}
	} else {
		err = r.provision(ctx, job, card)
	}
	return r.settle(ctx, job, card, err)
}

func (r *Runner) provision(ctx context.Context, job *Job, card *Card) error {
	steps := []func(context.Context, *Job, *Card) error{
		r.customer, r.paymentMethod, r.charge, r.assignNumber, r.account, r.numberToAccount, r.device,
	}
	for _, step := range steps {
		if err := r.retryInRun(ctx, job, card, step); err != nil {
			return err
		}
	}
	return nil
}

// retryInRun runs step, again after an unknown outcome (each step looks up
// before it acts again) up to Tries times.
func (r *Runner) retryInRun(ctx context.Context, job *Job, card *Card, step func(context.Context, *Job, *Card) error) error {
	for try := 1; ; try++ {
		err := step(ctx, job, card)
		if err == nil {
			return nil
		}
		var se *storeError
		if errors.As(err, &se) || !errors.Is(err, ErrUnknownOutcome) || try >= r.tries() || ctx.Err() != nil {
			return err
		}
		job.number = nil // look the number up again too
		r.logger().Warn("provision: outcome unknown, looking up and trying again",
			"job", job, "try", try, "error", safeText(err, card))
		if !sleep(ctx, r.retryDelay()) {
			return err
		}
	}
}

// settle turns the run's result into the job's status and persists it.
func (r *Runner) settle(ctx context.Context, job *Job, card *Card, err error) error {
	if err == nil {
		job.Status = StatusCompleted
		job.LastError, job.Reason, job.Failure = "", "", ""
		return r.update(ctx, job)
	}
	var se *storeError
	if errors.As(err, &se) {
		return fmt.Errorf("provision job %d: %w", job.ID, err)
	}
	var s *stop
	if !errors.As(err, &s) {
		switch {
		case errors.Is(err, ErrUnknownOutcome) || job.Charged():
			s = &stop{status: StatusRetrying, err: err}
		default:
			s = &stop{status: StatusFailed, reason: ReasonFailed, err: err}
		}
	}
	job.LastError = safeText(s.err, card)
	r.logger().Warn("provision: step failed", "job", job, "next", string(s.status), "error", job.LastError)
	switch s.status {
	case StatusDeclined, StatusCardNeeded, StatusFailed:
		return r.undo(ctx, job, card, s)
	case StatusRetrying:
		return r.retryLater(ctx, job, card, s)
	default:
		return r.review(ctx, job, s.reason)
	}
}

func (r *Runner) review(ctx context.Context, job *Job, reason string) error {
	job.Status = StatusNeedsReview
	if reason == "" {
		reason = ReasonReview
	}
	job.Reason = reason
	return r.update(ctx, job)
}

// retryLater schedules the next run, unless that run could not succeed
// without the card or the job has had its attempts.
func (r *Runner) retryLater(ctx context.Context, job *Job, card *Card, s *stop) error {
	if job.UndoTo == "" && !job.Charged() && job.IPaymentMethod == 0 {
		// A worker resumes without the card; undo now while we know it.
		return r.undo(ctx, job, card, &stop{status: StatusCardNeeded, reason: ReasonCardNeeded, err: s.err})
	}
	if max := r.maxAttempts(); max > 0 && job.Attempts >= max {
		job.LastError = fmt.Sprintf("gave up after %d attempts: %s", job.Attempts, job.LastError)
		if job.Charged() || job.UndoTo != "" {
			return r.review(ctx, job, "")
		}
		return r.undo(ctx, job, card, &stop{status: StatusFailed, reason: ReasonFailed, err: s.err})
	}
	job.Status = StatusRetrying
	job.NextAttemptAt = r.now().Add(r.backoff(job.Attempts))
	return r.update(ctx, job)
}

// undo removes what the job created (the customer; nothing else exists
// before the charge) and settles in s.status. It refuses once a charge may
// have happened.
func (r *Runner) undo(ctx context.Context, job *Job, card *Card, s *stop) error {
	if job.Charged() {
		job.LastError = "not undoing after a charge: " + job.LastError
		return r.review(ctx, job, "")
	}
	job.UndoTo = s.status
	if s.reason != "" {
		job.Reason = s.reason
	}
	job.Failure = s.failure
	if err := r.update(ctx, job); err != nil {
		return err
	}
	err := r.retryInRun(ctx, job, card, r.terminate)
	var se *storeError
	switch {
	case err == nil:
		job.Status = job.UndoTo
		return r.update(ctx, job)
	case errors.As(err, &se):
		return fmt.Errorf("provision job %d: %w", job.ID, err)
	case errors.Is(err, ErrUnknownOutcome):
		job.LastError = "undo: " + safeText(err, card)
		return r.retryLater(ctx, job, card, &stop{status: StatusRetrying, err: err})
	default:
		job.LastError = "undo refused: " + safeText(err, card)
		return r.review(ctx, job, "")
	}
}

// terminate terminates the job's customer, finding it by name first if its
// creation's outcome was never established.
func (r *Runner) terminate(ctx context.Context, job *Job, card *Card) error {
	if job.ICustomer == 0 {
		if !hasRecord(job, StepCustomer) {
			return nil // nothing was created
		}
		id, err := r.PortaSwitch.FindCustomerByName(ctx, job.CustomerName())
		if errors.Is(err, ErrNotFound) {
			return r.resolveNotFound(ctx, job, StepCustomer)
		}
		if err != nil {
			return fmt.Errorf("look up customer: %w", err)
		}
		if err := r.resolve(ctx, job, StepCustomer, id, func() { job.ICustomer = id }); err != nil {
			return err
		}
	}
	if unresolved(job, StepTerminate) {
		_, err := r.PortaSwitch.FindCustomerByName(ctx, job.CustomerName())
		if errors.Is(err, ErrNotFound) {
			return r.resolve(ctx, job, StepTerminate, job.ICustomer, nil) // terminated
		}
		if err != nil {
			return fmt.Errorf("look up customer: %w", err)
		}
	}
	_, err := r.call(ctx, job, card, StepTerminate, func(ctx context.Context) (int64, error) {
		return job.ICustomer, r.PortaSwitch.TerminateCustomer(ctx, job.ICustomer)
	}, nil)
	if err != nil {
		return fmt.Errorf("terminate customer: %w", err)
	}
	return nil
}

func (r *Runner) customer(ctx context.Context, job *Job, card *Card) error {
	if job.ICustomer != 0 {
		return nil
	}
	set := func(id int64) func() { return func() { job.ICustomer = id } }
	if hasRecord(job, StepCustomer) {
		id, err := r.PortaSwitch.FindCustomerByName(ctx, job.CustomerName())
		switch {
		case err == nil:
			return r.resolve(ctx, job, StepCustomer, id, set(id))
		case errors.Is(err, ErrNotFound):
			if err := r.resolveNotFound(ctx, job, StepCustomer); err != nil {
				return err
			}
		default:
			return fmt.Errorf("look up customer: %w", err)
		}
	}
	o := job.Order
	_, err := r.call(ctx, job, card, StepCustomer, func(ctx context.Context) (int64, error) {
		return r.PortaSwitch.AddCustomer(ctx, NewCustomer{Name: job.CustomerName(), IParent: o.IParent,
			Currency: o.Charge.Currency, Attributes: o.Customer})
	}, func(id int64) { job.ICustomer = id })
	if errors.Is(err, ErrDuplicate) {
		id, lerr := r.PortaSwitch.FindCustomerByName(ctx, job.CustomerName())
		if lerr == nil {
			return r.resolve(ctx, job, StepCustomer, id, set(id))
		}
		return fmt.Errorf("add customer: name taken but not found: %w", errors.Join(err, lerr))
	}
	if err != nil {
		return fmt.Errorf("add customer: %w", err)
	}
	return nil
}

func (r *Runner) paymentMethod(ctx context.Context, job *Job, card *Card) error {
	if job.IPaymentMethod != 0 {
		return nil
	}
	if card == nil {
		return stopf(StatusCardNeeded, ReasonCardNeeded, "the card is needed to register the payment method but the job was resumed without it")
	}
	// update_payment_method replaces the card, so repeating it after an
	// unknown outcome is safe; there is nothing to look up.
	_, err := r.call(ctx, job, card, StepPaymentMethod, func(ctx context.Context) (int64, error) {
		return r.PortaSwitch.AddPaymentMethod(ctx, job.ICustomer, *card)
	}, func(id int64) { job.IPaymentMethod = id })
	var d *Declined
	if errors.As(err, &d) {
		return declined(d, err)
	}
	if err != nil {
		return fmt.Errorf("add payment method: %w", err)
	}
	return nil
}

func declined(d *Declined, err error) *stop {
	reason := d.Reason
	if reason == "" {
		reason = ReasonDeclined
	}
	return &stop{status: StatusDeclined, reason: reason, err: err}
}

func (r *Runner) charge(ctx context.Context, job *Job, card *Card) error {
	amount := job.Order.Charge
	if job.ITransaction != 0 || amount.Amount == 0 {
		return nil
	}
	if job.Charged() {
		// A charge call may have happened: never charge again, find it.
		return r.findCharge(ctx, job)
	}
	if amount.Amount < 0 {
		return stopf(StatusFailed, ReasonFailed, "negative charge %s", amount.Decimal())
	}
	if err := r.preflight(ctx, job); err != nil {
		return err
	}
	comment := job.Order.ChargeComment
	if comment == "" {
		comment = "Signup"
	}
	_, err := r.call(ctx, job, card, StepCharge, func(ctx context.Context) (int64, error) {
		return r.PortaSwitch.Charge(ctx, NewCharge{ICustomer: job.ICustomer, Amount: amount,
			Reference: job.Reference, VisibleComment: comment})
	}, func(id int64) { job.ITransaction = id })
	var d *Declined
	switch {
	case err == nil:
		return nil
	case errors.As(err, &d):
		return declined(d, err)
	case errors.Is(err, ErrUnknownOutcome):
		return r.findCharge(ctx, job)
	default:
		return fmt.Errorf("charge: %w", err)
	}
}

// findCharge establishes the outcome of a charge call by the job's
// reference; if it is not there, the job needs review.
func (r *Runner) findCharge(ctx context.Context, job *Job) error {
	id, err := r.PortaSwitch.FindCharge(ctx, job.ICustomer, job.Reference)
	var d *Declined
	switch {
	case err == nil:
		return r.resolve(ctx, job, StepCharge, id, func() { job.ITransaction = id })
	case errors.As(err, &d):
		// Established: the charge was made and declined; nothing was taken.
		if rec := lastUnresolved(job, StepCharge); rec != nil {
			rec.Done, rec.Outcome, rec.Error = r.now(), OutcomeDeclined, safeText(err, nil)
			if err := r.record(ctx, job, func(ctx context.Context) error { return r.Store.RecordResult(ctx, job, StepCharge) }); err != nil {
				return err
			}
		}
		if !job.Charged() {
			return declined(d, err)
		}
		return stopf(StatusNeedsReview, ReasonReview, "charge lookup found only a declined charge, but an earlier charge call is unresolved")
	case errors.Is(err, ErrNotFound):
		if err := r.resolveNotFound(ctx, job, StepCharge); err != nil {
			return err
		}
		return stopf(StatusNeedsReview, ReasonReview,
			"charge %s may have been made but no transaction with internal_comment %q was found; not charging again",
			job.Order.Charge.Decimal(), job.Reference)
	default:
		return fmt.Errorf("look up charge: %w", err)
	}
}

// preflight checks, before charging, what would make provisioning
// impossible afterwards: the number must exist and be free (or ours), and a
// device of the chosen type must be in stock.
func (r *Runner) preflight(ctx context.Context, job *Job) error {
	info, err := r.PortaSwitch.FindNumber(ctx, job.Order.Number)
	if errors.Is(err, ErrNotFound) || (err == nil && info.ICustomer != 0 && info.ICustomer != job.ICustomer) {
		return &stop{status: StatusFailed, reason: ReasonNumberUnavailable, failure: FailureNumberUnavailable,
			err: fmt.Errorf("number %s is not available", job.Order.Number)}
	}
	if err != nil {
		return fmt.Errorf("look up number: %w", err)
	}
	job.number = &info // free, or already ours: assignNumber starts from it
	if needsDevice(job) {
		_, err := r.PortaSwitch.FindFreeDevice(ctx, job.Order.IUAType)
		if errors.Is(err, ErrNotFound) {
			return &stop{status: StatusFailed, reason: ReasonDeviceOutOfStock, failure: FailureDeviceOutOfStock,
				err: fmt.Errorf("no free device of type %d", job.Order.IUAType)}
		}
		if err != nil {
			return fmt.Errorf("look up free device: %w", err)
		}
	}
	return nil
}

func (r *Runner) assignNumber(ctx context.Context, job *Job, card *Card) error {
	if done(job, StepAssignNumber) {
		return nil
	}
	info, err := r.findNumber(ctx, job)
	if err != nil {
		return err
	}
	job.IDidNumber = info.IDidNumber
	if info.ICustomer == job.ICustomer {
		return r.resolve(ctx, job, StepAssignNumber, info.IDidNumber, nil)
	}
	if info.ICustomer != 0 {
		return stopf(StatusNeedsReview, ReasonReview, "number %s belongs to customer %d", job.Order.Number, info.ICustomer)
	}
	_, err = r.call(ctx, job, card, StepAssignNumber, func(ctx context.Context) (int64, error) {
		return info.IDidNumber, r.PortaSwitch.AssignNumber(ctx, job.ICustomer, info.IDidNumber)
	}, nil)
	if err != nil {
		return fmt.Errorf("assign number to customer: %w", err)
	}
	if job.number != nil {
		job.number.ICustomer = job.ICustomer
	}
	return nil
}

// findNumber returns the job's number as PortaSwitch has it. Within a run it
// looks it up once: what the run learnt since (job.number: the lookup, the
// preflight's before the charge, and the run's own successful calls) stands
// in for another lookup: no other job or prospect gets a number a job holds,
// and a change made outside websignup meanwhile makes the next call fail. A
// failed call forgets it, so a retry looks up again, and so does every new
// run. That spares a signup two of its PortaSwitch calls.
func (r *Runner) findNumber(ctx context.Context, job *Job) (NumberInfo, error) {
	if job.number != nil {
		return *job.number, nil
	}
	info, err := r.PortaSwitch.FindNumber(ctx, job.Order.Number)
	if errors.Is(err, ErrNotFound) {
		return info, stopf(StatusNeedsReview, ReasonReview, "number %s is not in PortaSwitch", job.Order.Number)
	}
	if err != nil {
		return info, fmt.Errorf("look up number: %w", err)
	}
	job.number = &info
	return info, nil
}

func (r *Runner) account(ctx context.Context, job *Job, card *Card) error {
	if job.IAccount != 0 {
		return nil
	}
	if job.Credentials.WebPassword == "" {
		// Generated once and persisted with the intent below, so a retry
		// creates the account with the same credentials.
		job.Credentials = Credentials{
			Login: job.Order.Number, WebPassword: GeneratePassword(PasswordLength),
			SIPLogin: job.Order.Number, SIPPassword: GeneratePassword(PasswordLength),
		}
	}
	lookup := func() (bool, error) {
		info, err := r.PortaSwitch.FindAccountByID(ctx, job.Order.Number)
		switch {
		case err == nil && info.ICustomer == job.ICustomer:
			return true, r.resolve(ctx, job, StepAccount, info.IAccount, func() { job.IAccount = info.IAccount })
		case err == nil:
			return false, stopf(StatusNeedsReview, ReasonReview, "account %s belongs to customer %d", job.Order.Number, info.ICustomer)
		case errors.Is(err, ErrNotFound):
			return false, nil
		default:
			return false, fmt.Errorf("look up account: %w", err)
		}
	}
	if hasRecord(job, StepAccount) {
		found, err := lookup()
		if found || err != nil {
			return err
		}
		if err := r.resolveNotFound(ctx, job, StepAccount); err != nil {
			return err
		}
	}
	o, c := job.Order, job.Credentials
	_, err := r.call(ctx, job, card, StepAccount, func(ctx context.Context) (int64, error) {
		return r.PortaSwitch.AddAccount(ctx, NewAccount{ICustomer: job.ICustomer, IProduct: o.IProduct,
			ID: o.Number, Login: c.Login, Password: c.WebPassword, SIPPassword: c.SIPPassword,
			Currency: o.Charge.Currency, Firstname: o.Customer["firstname"], Lastname: o.Customer["lastname"],
			Email: o.Customer["email"]})
	}, func(id int64) { job.IAccount = id })
	if errors.Is(err, ErrDuplicate) {
		found, lerr := lookup()
		if found || lerr != nil {
			return lerr
		}
		return fmt.Errorf("add account: id taken but not found: %w", err)
	}
	if err != nil {
		return fmt.Errorf("add account: %w", err)
	}
	return nil
}

func (r *Runner) numberToAccount(ctx context.Context, job *Job, card *Card) error {
	if done(job, StepNumberToAccount) {
		return nil
	}
	info, err := r.findNumber(ctx, job)
	if err != nil {
		return err
	}
	switch {
	case info.IAccount == job.IAccount:
		return r.resolve(ctx, job, StepNumberToAccount, info.IDidNumber, nil)
	case info.IAccount != 0:
		return stopf(StatusNeedsReview, ReasonReview, "number %s is on account %d", job.Order.Number, info.IAccount)
	case info.ICustomer != job.ICustomer:
		return stopf(StatusNeedsReview, ReasonReview, "number %s belongs to customer %d", job.Order.Number, info.ICustomer)
	}
	_, err = r.call(ctx, job, card, StepNumberToAccount, func(ctx context.Context) (int64, error) {
		return info.IDidNumber, r.PortaSwitch.AssignNumberToAccount(ctx, info.IDidNumber, job.IAccount)
	}, nil)
	if err != nil {
		return fmt.Errorf("assign number to account: %w", err)
	}
	if job.number != nil {
		job.number.IAccount = job.IAccount
	}
	return nil
}

func needsDevice(job *Job) bool { return !job.Order.BYOD && job.Order.IUAType != 0 }

func (r *Runner) device(ctx context.Context, job *Job, card *Card) error {
	if !needsDevice(job) || job.IUA != 0 {
		return nil
	}
	if hasRecord(job, StepDevice) {
		id, err := r.PortaSwitch.FindDeviceOnAccount(ctx, job.IAccount)
		switch {
		case err == nil:
			return r.resolve(ctx, job, StepDevice, id, func() { job.IUA = id })
		case errors.Is(err, ErrNotFound):
			if err := r.resolveNotFound(ctx, job, StepDevice); err != nil {
				return err
			}
		default:
			return fmt.Errorf("look up device on account: %w", err)
		}
	}
	// Another job may take the free device first; then try the next one.
	for try := 1; ; try++ {
		iUA, err := r.PortaSwitch.FindFreeDevice(ctx, job.Order.IUAType)
		if err != nil {
			return fmt.Errorf("find a free device of type %d: %w", job.Order.IUAType, err)
		}
		_, err = r.call(ctx, job, card, StepDevice, func(ctx context.Context) (int64, error) {
			return iUA, r.PortaSwitch.AssignDevice(ctx, job.IAccount, iUA)
		}, func(id int64) { job.IUA = id })
		var se *storeError
		if err == nil || errors.As(err, &se) || errors.Is(err, ErrUnknownOutcome) || try >= r.tries() {
			if err != nil {
				return fmt.Errorf("assign device: %w", err)
			}
			return nil
		}
	}
}

// call records the intent of step, makes the remote call, and records its
// result (and, on success, set(id)). It returns the call's error, or a
// *storeError if either record failed.
//
// A failed call's result is written at once. A successful call's result is
// written with the job's next write instead: the next intent written, a
// lookup's resolution, or the status every run ends with (see settle). Each
// write stores every step record, so the result is durable before the next
// call that is not repeatable, and before the run returns; only read-only
// lookups and repeatable calls may come in between. A crash before that
// write leaves the intent without its result (or no record of a repeatable
// call), the state a crash during the call leaves, which a resumed job
// resolves by looking up. That saves a write per successful call.
//
// The intent of a repeatable step (see repeatable) is likewise kept in the
// job's step records and written with the job's next write: no resumed run
// needs to know that such a call may have happened. That spares three
// writes per signup, and Sign up's request three waits for a commit.
func (r *Runner) call(ctx context.Context, job *Job, card *Card, step string,
	fn func(context.Context) (int64, error), set func(id int64)) (int64, error) {
	job.Steps = append(job.Steps, StepRecord{Name: step, Intent: r.now()})
	if !repeatable(step) {
		if err := r.record(ctx, job, func(ctx context.Context) error { return r.Store.RecordIntent(ctx, job, step) }); err != nil {
			return 0, err
		}
	}
	if r.BeforeStep != nil {
		r.BeforeStep(step)
	}
	id, err := fn(ctx)
	if r.AfterStep != nil {
		r.AfterStep(step)
	}
	rec := &job.Steps[len(job.Steps)-1]
	rec.Done = r.now()
	rec.Outcome = outcomeOf(err)
	if err != nil {
		job.number = nil // the call may have changed it
		rec.Error = safeText(err, card)
	} else {
		rec.RemoteID = id
		if set != nil {
			set(id)
		}
	}
	if err == nil {
		return id, nil
	}
	if serr := r.record(ctx, job, func(ctx context.Context) error { return r.Store.RecordResult(ctx, job, step) }); serr != nil {
		return id, serr
	}
	return id, err
}

// repeatable reports whether every run establishes step's state afresh,
// whether or not a record says the call may have happened, so that its
// intent need not be durable before the call:
//
//   - the payment method: update_payment_method replaces the card, so it is
//     simply made again (and a resumed run, which has no card, stops before
//     it either way);
//   - the number's two assignments: every run looks the number up before
//     them (findNumber) and takes an assignment it finds as done.
//
// The customer, the charge, the account and the device are not: a run
// looks them up only when a record says the call may have happened, and
// would otherwise create a second customer or account, charge twice or
// assign a second device.
func repeatable(step string) bool {
	switch step {
	case StepPaymentMethod, StepAssignNumber, StepNumberToAccount:
		return true
	}
	return false
}

func outcomeOf(err error) string {
	var d *Declined
	switch {
	case err == nil:
		return OutcomeOK
	case errors.As(err, &d):
		return OutcomeDeclined
	case errors.Is(err, ErrUnknownOutcome):
		return OutcomeUnknown
	default:
		return OutcomeFault
	}
}

// resolve records that a lookup found step done (id) and applies set. It
// completes the step's unresolved record, or adds one.
func (r *Runner) resolve(ctx context.Context, job *Job, step string, id int64, set func()) error {
	rec := lastUnresolved(job, step)
	if rec == nil {
		job.Steps = append(job.Steps, StepRecord{Name: step, Intent: r.now()})
		rec = &job.Steps[len(job.Steps)-1]
	}
	rec.Done, rec.Outcome, rec.RemoteID = r.now(), OutcomeFound, id
	if set != nil {
		set()
	}
	return r.record(ctx, job, func(ctx context.Context) error { return r.Store.RecordResult(ctx, job, step) })
}

// resolveNotFound records that a lookup established step was not done.
func (r *Runner) resolveNotFound(ctx context.Context, job *Job, step string) error {
	rec := lastUnresolved(job, step)
	if rec == nil {
		return nil
	}
	rec.Done, rec.Outcome = r.now(), OutcomeNotFound
	return r.record(ctx, job, func(ctx context.Context) error { return r.Store.RecordResult(ctx, job, step) })
}

func lastRecord(job *Job, step string) *StepRecord {
	for i := len(job.Steps) - 1; i >= 0; i-- {
		if job.Steps[i].Name == step {
			return &job.Steps[i]
		}
	}
	return nil
}

func lastUnresolved(job *Job, step string) *StepRecord {
	if rec := lastRecord(job, step); rec != nil && (rec.Done.IsZero() || rec.Outcome == OutcomeUnknown) {
		return rec
	}
	return nil
}

func hasRecord(job *Job, step string) bool { return lastRecord(job, step) != nil }

func unresolved(job *Job, step string) bool { return lastUnresolved(job, step) != nil }

func done(job *Job, step string) bool {
	for _, s := range job.Steps {
		if s.Name == step && (s.Outcome == OutcomeOK || s.Outcome == OutcomeFound) {
			return true
		}
	}
	return false
}

// persist runs a store write with a context that survives the run's
// cancellation: what happened must be recorded even while shutting down.
func (r *Runner) persist(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := write(ctx); err != nil {
		return &storeError{err}
	}
	return nil
}

func (r *Runner) update(ctx context.Context, job *Job) error {
	if err := r.persist(ctx, func(ctx context.Context) error { return r.Store.Update(ctx, job) }); err != nil {
		return fmt.Errorf("provision job %d: %w", job.ID, err)
	}
	job.startUnsaved = false
	return nil
}

// record persists an intent or a result with write, or, while the run's
// start is not stored (Job.startUnsaved), with an Update, which stores the
// step records and the start together.
func (r *Runner) record(ctx context.Context, job *Job, write func(context.Context) error) error {
	if job.startUnsaved {
		return r.update(ctx, job)
	}
	return r.persist(ctx, write)
}

func (r *Runner) backoff(attempts int) time.Duration {
	base, max := r.BackoffBase, r.BackoffMax
	if base <= 0 {
		base = DefaultBackoffBase
	}
	if max <= 0 {
		max = DefaultBackoffMax
	}
	d := base
	for i := 1; i < attempts && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

func (r *Runner) tries() int {
	if r.Tries <= 0 {
		return DefaultTries
	}
	return r.Tries
}

func (r *Runner) retryDelay() time.Duration {
	if r.RetryDelay < 0 {
		return 0
	}
	if r.RetryDelay == 0 {
		return DefaultRetryDelay
	}
	return r.RetryDelay
}

func (r *Runner) maxAttempts() int {
	if r.MaxAttempts == 0 {
		return DefaultMaxAttempts
	}
	return r.MaxAttempts
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// safeText is err's text with the card's number and CVV masked wherever
// they stand as a run of digits, cut to a sensible length. The adapter never
// puts them there; this is a second line of defence.
func safeText(err error, card *Card) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if card != nil {
		s = maskDigitRun(s, card.Number, "[card]")
		if len(card.CVV) >= 3 {
			s = maskDigitRun(s, card.CVV, "[cvv]")
		}
	}
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// maskDigitRun replaces each maximal run of digits in s that equals secret.
func maskDigitRun(s, secret, mask string) string {
	if secret == "" || !strings.Contains(s, secret) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if s[i:j] == secret {
			b.WriteString(mask)
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}
