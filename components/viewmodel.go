package components

import (
	"net/url"
	"strconv"

	"websignup/forms"
)

// Page is what the layout needs around every page's content.
type Page struct {
	// Title is the page's own title; the layout appends the company title.
	Title string
	// Brand is the operator's look; NeutralBrand() where there is no form.
	Brand BrandVM
	// Steps is the wizard's progress indicator; nil on pages outside it.
	Steps []StepVM
}

// StepState is where a wizard step stands relative to the current one.
type StepState int

// The states of a step in the progress indicator.
const (
	StepUpcoming StepState = iota // not reached yet: plain text
	StepDone                      // completed: a link back to it
	StepCurrent                   // the page being shown
)

// StepVM is one step of the wizard's progress indicator.
type StepVM struct {
	Name  string    // short, e.g. "Plan", "Your details"
	URL   string    // where a completed step links to; may be empty
	State StepState // done, current or upcoming
}

// ErrorItemVM is one entry of an error summary: the field's key (the summary
// links to #field-{key}) and what is wrong, in words a prospect understands.
type ErrorItemVM struct {
	Key     string
	Message string
}

// FieldID returns the id of the input of the field with the given key, the
// target of the error summary's links.
func FieldID(key string) string { return "field-" + key }

// WelcomeVM is the welcome step: the subscription text and the plans.
type WelcomeVM struct {
	Slug             string   // the form's slug, for the form's action
	SubscriptionText string   // the operator's pitch; may be empty
	Plans            []PlanVM // in the version's order
	// Error says why the plan choice was refused (e.g. "Choose a plan");
	// empty when there is nothing wrong.
	Error string
	// Notice is a neutral message shown above the plans, such as "Your
	// session expired, so we started again"; may be empty.
	Notice string
	// CSRFToken, when set, is sent back in a hidden CSRFFieldName field.
	CSRFToken string
}

// PlanVM is one plan (a PortaSwitch product) as a choice on the welcome step.
type PlanVM struct {
	IProduct    int64
	Name        string
	Description string
	Activation  string // formatted activation fee, e.g. "$9.95"; "" if there is none
	Recurring   string // formatted recurring fee, e.g. "$14.95"
	Period      string // "month", "year", ...
	Selected    bool
}

// Value returns the radio's value: the product's i_product.
func (p PlanVM) Value() string { return strconv.FormatInt(p.IProduct, 10) }

// NewPlan turns a product of the published version into a plan choice.
func NewPlan(p forms.Product, selected bool) PlanVM {
	vm := PlanVM{
		IProduct:    p.IProduct,
		Name:        p.Name,
		Description: p.Description,
		Recurring:   p.Recurring().String(),
		Period:      p.Period,
		Selected:    selected,
	}
	if p.ActivationFee != 0 {
		vm.Activation = p.Activation().String()
	}
	return vm
}

// ErrorVM is the error page: a status, a short title and a safe message.
type ErrorVM struct {
	Status  int
	Title   string // e.g. "Page not found"
	Message string // safe to show: forms.ErrorMessage or our own words
	// RequestID is shown for server errors so support can find the log line.
	RequestID string
	// BackURL, when set, is offered as a link labelled BackLabel (default
	// "Back to the start").
	BackURL   string
	BackLabel string
}

func backLabel(vm ErrorVM) string {
	if vm.BackLabel == "" {
		return "Back to the start"
	}
	return vm.BackLabel
}

// CSRFFieldName is the name of the hidden form field that carries the CSRF
// token (the CSRF middleware looks it up as "form:_csrf").
const CSRFFieldName = "_csrf"

// WizardURL returns the path of a wizard step of the form with the given
// slug: WizardURL("demo", forms.StepWelcome) is "/s/demo/",
// WizardURL("demo", forms.StepAddress) is "/s/demo/address".
func WizardURL(slug string, step forms.Step) string {
	u := "/s/" + url.PathEscape(slug) + "/"
	if step != forms.StepWelcome {
		u += string(step)
	}
	return u
}

// WizardSteps returns the progress indicator for the wizard of the form
// with the given slug: every step of forms.Steps named by its title, those
// before current done and linking back, current marked.
func WizardSteps(slug string, current forms.Step) []StepVM {
	cur := current.Index()
	vms := make([]StepVM, len(forms.Steps))
	for i, s := range forms.Steps {
		vms[i] = StepVM{Name: s.Title()}
		switch {
		case i < cur:
			vms[i].State = StepDone
			vms[i].URL = WizardURL(slug, s)
		case i == cur:
			vms[i].State = StepCurrent
		}
	}
	return vms
}

// WizardProgress is WizardSteps for a prospect who may have completed steps
// after the current one (having come back to change something): every step
// before reached, the first step they have not completed, is done and links
// back, whichever side of current it is on.
func WizardProgress(slug string, current, reached forms.Step) []StepVM {
	vms := WizardSteps(slug, current)
	cur, r := current.Index(), reached.Index()
	for i, s := range forms.Steps {
		if i > cur && i < r {
			vms[i].State = StepDone
			vms[i].URL = WizardURL(slug, s)
		}
	}
	return vms
}

func planInputID(i int) string {
	if i == 0 {
		// The error summary links to #field-product.
		return FieldID("product")
	}
	return FieldID("product") + "-" + strconv.Itoa(i)
}

func planDescribedBy(vm WelcomeVM) string {
	if vm.Error != "" {
		return "product-help product-error"
	}
	return "product-help"
}
