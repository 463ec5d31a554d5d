package public

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/token"
	"websignup/provision"
)

// SelfcareLoginPath is self-care's login page.
const SelfcareLoginPath = "/selfcare/login"

// done shows the outcome of the session's signup: "we're finishing" with an
// automatic refresh while the job runs; the number, what was charged and,
// once only, the credentials when it completed; a clear message and the
// support contact when it needs an operator. A job that reopened the wizard
// (declined, card_needed, failed) sends the prospect back to the step that
// can put it right, which explains (redirectFromSignup). The page is never
// cached.
func (h *handlers) done(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	// The job is found by the session cookie even when the session itself
	// has gone idle: a job may take longer than the wizard's idle timeout.
	id := strings.Clone(c.Cookies(SessionCookie))
	if !token.PlausibleSessionID(id) {
		return c.Redirect(components.WizardURL(w.slug, forms.StepWelcome), fiber.StatusSeeOther)
	}
	job, err := h.Signup.Jobs.JobBySession(c.UserContext(), id)
	switch {
	case forms.ErrorCode(err) == forms.ENotFound || (err == nil && job.FormID != w.form.ID):
		if ok, err := h.gate(c, w, forms.StepDone); !ok {
			return err
		}
		return c.Redirect(components.WizardURL(w.slug, forms.StepWelcome), fiber.StatusSeeOther)
	case err != nil:
		return err
	}
	vm := components.DoneVM{
		Number:      listedDisplay.of(job.Order.Number),
		SelfcareURL: SelfcareLoginURL(c.BaseURL(), w.slug),
	}
	title := "Welcome aboard"
	if sent, err := redirectFromSignup(c, w.slug, job); sent {
		return err
	}
	switch job.Status {
	case provision.StatusPending, provision.StatusRunning, provision.StatusRetrying:
		vm.State = components.DoneWorking
		title = "Finishing your signup"
		vm.StatusURL = components.WizardURL(w.slug, forms.StepDone) + "/status"
		vm.PollSeconds = donePollSeconds
	case provision.StatusCompleted:
		vm.State = components.DoneCompleted
		if job.Order.Charge.Amount > 0 {
			vm.Charged = job.Order.Charge.String()
		}
		if w.sess != nil {
			vm.CardBrand, vm.CardLast4 = w.sess.CardBrand, w.sess.CardLast4
		}
		creds, shownAt, err := h.Signup.Jobs.TakeCredentials(c.UserContext(), job.ID, h.Now(), CredentialsMaxAge)
		if err != nil {
			return err
		}
		if creds.WebPassword != "" {
			vm.Credentials = &components.CredentialsVM{Login: creds.Login, Password: creds.WebPassword,
				SIPLogin: creds.SIPLogin, SIPPassword: creds.SIPPassword}
		} else {
			vm.CredentialsShown = !shownAt.IsZero()
		}
	default:
		vm.State = components.DoneProblem
		title = "Your signup needs our attention"
		vm.Reason = job.Reason
		if vm.Reason == "" {
			vm.Reason = provision.ReasonReview
		}
	}
	page := components.Page{Title: title, Brand: w.brand}
	return h.render(c, fiber.StatusOK, components.DonePage(page, vm))
}

// doneStatus answers the done page's poll while the job runs: 204 (htmx
// leaves the page alone) until the job has settled, then an HX-Redirect to
// the done page, which shows the result. It only reads, and never takes the
// credentials: the done page itself shows them once.
func (h *handlers) doneStatus(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	id := strings.Clone(c.Cookies(SessionCookie))
	if !token.PlausibleSessionID(id) {
		return c.SendStatus(fiber.StatusNoContent)
	}
	job, err := h.Signup.Jobs.JobBySession(c.UserContext(), id)
	if err != nil {
		if forms.ErrorCode(err) == forms.ENotFound {
			return c.SendStatus(fiber.StatusNoContent)
		}
		return err
	}
	if !job.Status.Settled() {
		return c.SendStatus(fiber.StatusNoContent)
	}
	c.Set("HX-Redirect", components.WizardURL(c.Params("slug"), forms.StepDone))
	return c.SendStatus(fiber.StatusNoContent)
}
