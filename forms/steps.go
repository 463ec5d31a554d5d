package forms

// Step is one page of the wizard; its value is also the last segment of the
// page's path (/s/{slug}/address), except StepWelcome, whose path is /s/{slug}/.
type Step string

// The wizard's steps, in order.
const (
	StepWelcome Step = "welcome"
	StepAddress Step = "address"
	StepPhone   Step = "phone"
	StepPayment Step = "payment"
	StepSummary Step = "summary"
	StepDone    Step = "done"
)

// Steps lists the steps a prospect fills in, in order, as the progress
// indicator shows them; StepDone follows them.
var Steps = []Step{StepWelcome, StepAddress, StepPhone, StepPayment, StepSummary}

var stepTitles = map[Step]string{
	StepWelcome: "Plan",
	StepAddress: "Your details",
	StepPhone:   "Number & phone",
	StepPayment: "Payment",
	StepSummary: "Review",
	StepDone:    "Done",
}

// Title returns the step's human title, such as "Your details", or "" for an
// unknown step.
func (s Step) Title() string { return stepTitles[s] }

// Index returns the step's position (StepWelcome 0 … StepDone 5), or -1 for
// an unknown step.
func (s Step) Index() int {
	for i, t := range Steps {
		if t == s {
			return i
		}
	}
	if s == StepDone {
		return len(Steps)
	}
	return -1
}

// Valid reports whether s is one of the wizard's steps.
func (s Step) Valid() bool { return s.Index() >= 0 }

// Progress is what a wizard session has completed so far.
type Progress struct {
	Product int64   // the chosen i_product; 0 until the plan is chosen
	Answers Answers // the address page's answers; nil until it was accepted
	Number  string  // the held phone number; "" until chosen
	Device  string  // DeviceBYOD or an i_ua_type; "" until chosen
	// CardSealed is true once the payment step accepted a card.
	CardSealed bool
	// SignedUp is true once Sign up was accepted and provisioning began.
	SignedUp bool
}

// FirstIncomplete returns the first step the prospect has not completed,
// or StepDone when they have signed up.
func (p Progress) FirstIncomplete() Step {
	switch {
	case p.SignedUp:
		return StepDone
	case p.Product == 0:
		return StepWelcome
	case p.Answers == nil:
		return StepAddress
	case p.Number == "" || p.Device == "":
		return StepPhone
	case !p.CardSealed:
		return StepPayment
	default:
		return StepSummary
	}
}

// Allowed reports whether the prospect may see step s; if not, redirectTo is
// the step to send them to ("" when ok). A step cannot be skipped, but any earlier step
// can be revisited until the prospect signs up; after that only StepDone is
// shown. An unknown step redirects to the first incomplete one.
func (p Progress) Allowed(s Step) (ok bool, redirectTo Step) {
	first := p.FirstIncomplete()
	if p.SignedUp {
		if s == StepDone {
			return true, ""
		}
		return false, StepDone
	}
	if i := s.Index(); i >= 0 && i <= first.Index() {
		return true, ""
	}
	return false, first
}
