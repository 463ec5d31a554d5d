package components

// DoneState is what the done page can say about a signup.
type DoneState int

// The done page's states.
const (
	// DoneWorking: the job is still running or retrying; the page refreshes.
	DoneWorking DoneState = iota
	// DoneCompleted: the subscriber exists; Credentials may be shown.
	DoneCompleted
	// DoneProblem: the job needs an operator or failed; Reason says what.
	DoneProblem
)

// DoneVM is the done page of the wizard.
type DoneVM struct {
	State DoneState
	// Reason is the plain-words explanation of a problem.
	Reason string
	// Number is the new phone number, formatted for display.
	Number string
	// Charged is what was charged, e.g. "$34.90"; "" when nothing was.
	Charged string
	// CardBrand and CardLast4 describe the card that was charged, if known.
	CardBrand, CardLast4 string
	// SelfcareURL is the absolute address of self-care's login page.
	SelfcareURL string
	// Credentials are shown once; nil when they were shown before (or
	// expired): CredentialsShown then says so.
	Credentials      *CredentialsVM
	CredentialsShown bool
	// StatusURL is polled every PollSeconds while the job runs (DoneWorking).
	StatusURL   string
	PollSeconds int
}

// CredentialsVM are a new subscriber's logins and passwords, shown once.
type CredentialsVM struct {
	Login, Password       string
	SIPLogin, SIPPassword string
}
