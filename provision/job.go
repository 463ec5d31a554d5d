package provision

import (
	"fmt"
	"log/slog"
	"time"

	"websignup/forms"
)

// Status is where a Job is in its life.
type Status string

// The statuses of a job. Pending, running and retrying are live: a Worker
// may claim them when due. The others are settled and never change again
// (an operator may move a needs_review job back to retrying).
const (
	// StatusPending: created, not started yet.
	StatusPending Status = "pending"
	// StatusRunning: a runner is working on it (or crashed while doing so;
	// the Claimer hands it out again once its lease has expired).
	StatusRunning Status = "running"
	// StatusRetrying: a step failed in a way that may pass; NextAttemptAt
	// says when to try again.
	StatusRetrying Status = "retrying"
	// StatusCompleted: every step is done; exactly one charge was made.
	StatusCompleted Status = "completed"
	// StatusDeclined: the card was declined at the charge or failed the
	// authorisation check. Everything the job created was removed; Reason
	// says why in plain words; the prospect goes back to the payment step.
	StatusDeclined Status = "declined"
	// StatusCardNeeded: the job needed the card but no longer has it (it was
	// resumed after a crash before the card was registered). Everything it
	// created was removed; the prospect enters the card again.
	StatusCardNeeded Status = "card_needed"
	// StatusNeedsReview: an operator must look, e.g. a charge whose outcome
	// cannot be established, or a number that belongs to someone else. The
	// charge is never repeated automatically.
	StatusNeedsReview Status = "needs_review"
	// StatusFailed: PortaSwitch refused a step before anything was charged,
	// or the order could not be provisioned (Failure says which choice).
	// Everything the job created was removed; like declined, the prospect
	// goes back into the wizard to change what made it fail, or try again.
	StatusFailed Status = "failed"
)

// Failure says which of the prospect's choices made a failed job
// impossible, so that they can be sent to change it. The store keeps it.
type Failure string

// The failures a prospect can fix by choosing again; "" is any other.
const (
	// FailureNumberUnavailable: the chosen number was taken or withdrawn
	// in PortaSwitch meanwhile (Reason is ReasonNumberUnavailable).
	FailureNumberUnavailable Failure = "number_unavailable"
	// FailureDeviceOutOfStock: no device of the chosen type is left
	// (Reason is ReasonDeviceOutOfStock).
	FailureDeviceOutOfStock Failure = "device_out_of_stock"
)

// Settled reports whether s is final: no runner will act on a job in it.
func (s Status) Settled() bool {
	switch s {
	case StatusPending, StatusRunning, StatusRetrying, "":
		return false
	}
	return true
}

// Step names, as they appear in StepRecord.Name and in the test hooks
// Runner.BeforeStep and Runner.AfterStep.
const (
	StepCustomer        = "add_customer"
	StepPaymentMethod   = "add_payment_method"
	StepCharge          = "charge"
	StepAssignNumber    = "assign_number"
	StepAccount         = "add_account"
	StepNumberToAccount = "assign_number_to_account"
	StepDevice          = "assign_device"
	StepTerminate       = "terminate_customer"
)

// Steps lists the provisioning steps in the order the runner performs them
// (StepTerminate is only used to undo).
var Steps = []string{StepCustomer, StepPaymentMethod, StepCharge, StepAssignNumber,
	StepAccount, StepNumberToAccount, StepDevice}

// Outcomes of a StepRecord.
const (
	OutcomeOK       = "ok"        // the call succeeded
	OutcomeFound    = "found"     // a lookup established that it had been done
	OutcomeNotFound = "not_found" // a lookup established that it had not been done
	OutcomeUnknown  = "unknown"   // transport error: the call may have happened
	OutcomeDeclined = "declined"  // the card was declined or failed authorisation
	OutcomeFault    = "fault"     // PortaSwitch refused the call
)

// StepRecord is one remote step as the job recorded it. Intent is set and
// persisted before the call; Done, Outcome, RemoteID and Error after it. A
// record with Intent but no Done (or Outcome unknown) is unresolved: the
// runner looks up before acting again.
type StepRecord struct {
	Name     string
	Intent   time.Time
	Done     time.Time
	Outcome  string
	RemoteID int64  // the PortaSwitch id the step produced or found, if any
	Error    string // safe text: never a card number
}

// Order is the snapshot of the submission a job provisions: everything it
// needs, copied when the job is created so later edits of the form don't
// change it.
type Order struct {
	// IParent is the PortaSwitch reseller (i_customer) the customer is
	// created under (forms.Config.IParent).
	IParent int64
	// Customer holds PortaSwitch customer_info attributes from the answers
	// (firstname, lastname, email, baddr1, city, state, zip, country,
	// phone1, companyname, note, ...); see CustomerAttributes. name,
	// iso_4217 and i_parent are set by the runner and ignored here.
	Customer map[string]string
	// IProduct is the chosen product (plan).
	IProduct int64
	// Charge is the amount to charge, in minor units, exactly as the summary
	// showed it (activation fee + first period + device, if charged). Its
	// currency is also the customer's currency. An amount of 0 skips the
	// charge.
	Charge forms.Money
	// ChargeComment is the visible_comment of the charge, e.g.
	// "Signup: Home Basic"; empty gives "Signup".
	ChargeComment string
	// Number is the phone number, digits as PortaSwitch lists it.
	Number string
	// IDidNumber is the number's i_did_number if known (0: looked up).
	IDidNumber int64
	// IUAType is the chosen device type; 0 or BYOD means no device.
	IUAType int64
	// BYOD is true when the prospect brings their own device.
	BYOD bool
}

// Credentials are the subscriber's logins and the passwords the job
// generated. They are persisted (encrypted by the store) before the account
// is created, so a retry creates it with the same ones, and shown once on the
// done page. String and LogValue hide the passwords.
type Credentials struct {
	Login       string // web self-care login (the number)
	WebPassword string // generated; must be changed at first login
	SIPLogin    string // the account id (the number)
	SIPPassword string // the SIP (h323) password
}

// String returns the logins with the passwords hidden.
func (c Credentials) String() string {
	return fmt.Sprintf("{Login:%s WebPassword:%s SIPLogin:%s SIPPassword:%s}",
		c.Login, hidden(c.WebPassword), c.SIPLogin, hidden(c.SIPPassword))
}

// GoString is String, so %#v hides the passwords too.
func (c Credentials) GoString() string { return c.String() }

// LogValue returns the logins with the passwords hidden.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("login", c.Login), slog.String("sip_login", c.SIPLogin),
		slog.String("web_password", hidden(c.WebPassword)), slog.String("sip_password", hidden(c.SIPPassword)))
}

func hidden(s string) string {
	if s == "" {
		return ""
	}
	return "[hidden]"
}

// Job is one provisioning of one submission. The store persists all of it;
// the runner changes it and asks the store to persist each change.
type Job struct {
	ID        int64
	SessionID string // the wizard session the job was created from
	FormID    int64
	VersionID int64 // the form version the submission was made against

	Status Status
	// Reference is unique per job; the charge carries it in
	// internal_comment and the customer's name is derived from it, so a
	// retry can find both. Set it with NewReference when the job is created
	// (the runner sets one on its first run if it is empty).
	Reference string

	Order Order

	// Results of the steps: the PortaSwitch ids the job created or found.
	ICustomer      int64
	IPaymentMethod int64
	ITransaction   int64
	IDidNumber     int64
	IAccount       int64
	IUA            int64

	// Steps is the log of remote steps, in order; see StepRecord.
	Steps []StepRecord

	Attempts      int       // runs started so far
	NextAttemptAt time.Time // when a retrying job is due; zero = now
	LastError     string    // safe text of the last failure, for operators
	// Reason is a plain-words explanation for the prospect of why the job
	// did not complete (declined, card_needed, failed, needs_review).
	Reason string
	// Failure is set with StatusFailed (and while undoing towards it) when
	// a choice of the order made the job fail; "" otherwise.
	Failure Failure
	// UndoTo is set while the job is removing what it created; the undo
	// ends in this status (declined, card_needed or failed). A retrying job
	// with UndoTo set only finishes the undo when resumed.
	UndoTo Status

	// Credentials are the subscriber's logins and passwords; store them
	// encrypted, erase them once shown.
	Credentials Credentials

	// LeaseOwner and LeaseUntil are maintained by the Claimer: the worker
	// (or Sign up request) running the job and until when. The runner
	// neither reads nor writes them.
	LeaseOwner string
	LeaseUntil time.Time

	CreatedAt time.Time
	UpdatedAt time.Time

	// number is what this run has learnt of the job's number in
	// PortaSwitch, by its own lookup or calls (see Runner.findNumber);
	// nil at the start of a run and after any call that failed. It is
	// never stored.
	number *NumberInfo
	// startUnsaved: this run's start (status running, one more attempt)
	// is not stored yet; the run's next write stores it (Runner.record).
	startUnsaved bool
}

// CustomerName returns the PortaSwitch customer name derived from the job's
// Reference: a retry finds the customer by it.
func (j *Job) CustomerName() string { return "ws-" + j.Reference }

// Charged reports whether the job may have charged the card: a charge
// succeeded, or a charge call was attempted whose outcome was not a definite
// refusal. Such a job is never undone.
func (j *Job) Charged() bool {
	if j.ITransaction != 0 {
		return true
	}
	for _, s := range j.Steps {
		if s.Name == StepCharge && s.Outcome != OutcomeDeclined && s.Outcome != OutcomeFault {
			return true
		}
	}
	return false
}

// LogValue describes the job for logs without credentials or customer
// details.
func (j *Job) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", j.ID), slog.String("status", string(j.Status)),
		slog.String("reference", j.Reference), slog.Int("attempts", j.Attempts),
		slog.Int64("i_customer", j.ICustomer), slog.Int64("i_account", j.IAccount))
}

// NewReference returns a fresh reference for a job:
// "websignup-job-<id>-<10 random letters and digits>".
func NewReference(jobID int64) string {
	return fmt.Sprintf("websignup-job-%d-%s", jobID, randomString(10, lowerDigits))
}

// CopyJob returns a deep copy of j (for stores that keep jobs in memory and
// for tests that simulate a restart).
func CopyJob(j *Job) *Job {
	c := *j
	if j.Order.Customer != nil {
		c.Order.Customer = make(map[string]string, len(j.Order.Customer))
		for k, v := range j.Order.Customer {
			c.Order.Customer[k] = v
		}
	}
	c.Steps = append([]StepRecord(nil), j.Steps...)
	c.number = nil
	c.startUnsaved = false
	return &c
}
