package public

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/provision"
)

// SignupParam is the query parameter of the step a settled, undone Sign up
// sends the prospect back to (POST → 303 → GET, so that a reload never posts
// again). Its value names the outcome to explain, never the words: the page
// reads the reason from the session's latest job, so no text from the URL
// ever reaches the page.
const SignupParam = "signup"

// Values of SignupParam.
const (
	// SignupDeclined: the card was declined, or must be entered again
	// (declined, card_needed). The payment step explains.
	SignupDeclined = "declined"
	// SignupFailed: the signup failed before anything was charged
	// (failed). The phone step explains when the number or the phone was
	// no longer available, the summary (with the support contact)
	// otherwise.
	SignupFailed = "failed"
)

// backFromSignup returns the step a settled job that reopened the wizard
// sends the prospect to and the SignupParam value that explains it there;
// ok is false for a job that did not reopen it.
func backFromSignup(job *provision.Job) (step forms.Step, outcome string, ok bool) {
	switch job.Status {
	case provision.StatusDeclined, provision.StatusCardNeeded:
		return forms.StepPayment, SignupDeclined, true
	case provision.StatusFailed:
		// The store took the failed choice back (storage.JobStore.Update),
		// so the step rules agree: the phone step is incomplete again.
		switch job.Failure {
		case provision.FailureNumberUnavailable, provision.FailureDeviceOutOfStock:
			return forms.StepPhone, SignupFailed, true
		}
		return forms.StepSummary, SignupFailed, true
	}
	return "", "", false
}

// redirectFromSignup answers with a 303 to where job sends the prospect
// back, and reports whether it did (false: the job did not reopen the
// wizard).
func redirectFromSignup(c *fiber.Ctx, slug string, job *provision.Job) (bool, error) {
	step, outcome, ok := backFromSignup(job)
	if !ok {
		return false, nil
	}
	noStore(c)
	return true, c.Redirect(components.WizardURL(slug, step)+"?"+SignupParam+"="+outcome, fiber.StatusSeeOther)
}

// signupNotice returns, for a step reached with SignupParam, the plain-words
// reason of the session's latest job when that job has the outcome the
// parameter names; "" otherwise (no such job, another outcome, an unknown
// value, or Sign up not configured).
func (h *handlers) signupNotice(c *fiber.Ctx, w *wizard) (string, error) {
	want := c.Query(SignupParam)
	if want == "" || h.Signup.Jobs == nil || w.sess == nil {
		return "", nil
	}
	job, err := h.Signup.Jobs.JobBySession(c.UserContext(), w.sess.ID)
	switch {
	case forms.ErrorCode(err) == forms.ENotFound:
		return "", nil
	case err != nil:
		return "", fmt.Errorf("session's signup: %w", err)
	case job.FormID != w.form.ID:
		return "", nil
	}
	if _, outcome, ok := backFromSignup(job); !ok || outcome != want {
		return "", nil
	}
	if job.Reason != "" {
		return job.Reason, nil
	}
	if want == SignupDeclined {
		return provision.ReasonDeclined, nil
	}
	return provision.ReasonFailed, nil
}
