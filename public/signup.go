package public

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/provision"
)

// JobStore is what Sign up and the done page need from the provisioning job
// store. storage.JobStore satisfies it.
type JobStore interface {
	// StartSignup claims the wizard session sessionID and creates its job
	// in one transaction, leased to owner until now+lease; when the
	// session already has a job that did not reopen it (live, completed,
	// needs review; not declined, card_needed or failed) it returns that
	// one and created false. ENotFound for an unknown session.
	StartSignup(ctx context.Context, sessionID string, job *provision.Job, owner string,
		lease time.Duration, now time.Time) (stored *provision.Job, created bool, err error)
	// JobBySession returns the session's latest job, or ENotFound.
	JobBySession(ctx context.Context, sessionID string) (*provision.Job, error)
	// TakeCredentials returns a completed job's credentials once and
	// erases them; later, empty credentials and when they were shown.
	TakeCredentials(ctx context.Context, jobID int64, now time.Time, maxAge time.Duration) (provision.Credentials, time.Time, error)
	// Release clears the job's lease if its LeaseOwner still holds it.
	Release(ctx context.Context, job *provision.Job) error
}

// SignupDeps is what Sign up and the done page need. Jobs and Runner are
// required for those routes to be registered.
type SignupDeps struct {
	Jobs JobStore
	// Runner runs the job inside the Sign up request, with the card; the
	// server's provision.Worker resumes what it leaves unfinished.
	Runner *provision.Runner
	// Lease is how long the request holds its job before a worker may take
	// it over (default provision.DefaultLease); the request gives the run
	// at most half of it, as the worker does.
	Lease time.Duration
}

// CredentialsMaxAge is how long after a job completed its credentials may
// still be shown; after that they are erased unseen.
const CredentialsMaxAge = 30 * time.Minute

// donePollSeconds is how often the done page of an unfinished signup asks
// whether the job has settled.
const donePollSeconds = 3

// msgAcceptTerms asks for the terms box.
const msgAcceptTerms = "Please accept the terms of service to sign up."

// signup is Sign up: it claims the session and creates the provisioning job
// in one transaction, runs the job in this request with the card unsealed
// from the summary form (or the card cookie), and redirects (303) to the
// outcome: the done page, or, for a declined card or a failed signup, the
// step that can put it right, which explains (see redirectFromSignup). A second or concurrent Sign up for the
// session never starts a second job: it is sent to the done page, which
// shows the one job's outcome.
func (h *handlers) signup(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepSummary); !ok {
		return err
	}
	if done, err := h.refuseBots(c, w); done {
		return err
	}
	token := formValue(c, InputCardToken)
	if token == "" {
		token = strings.Clone(c.Cookies(CardCookie))
	}
	if formValue(c, forms.InputAcceptTerms) != forms.CheckboxChecked {
		return h.renderSummary(c, w, fiber.StatusUnprocessableEntity, token, msgAcceptTerms)
	}
	fcard, reason, err := h.openCard(token, w.sess.ID, w.now)
	if err != nil {
		clearCookie(c, w.slug, CardCookie)
		noStore(c)
		return c.Redirect(components.WizardURL(w.slug, forms.StepPayment)+"?card="+reason, fiber.StatusSeeOther)
	}
	order, err := orderOf(w)
	if err != nil {
		return err
	}
	owner := "signup-" + web.RequestID(c) + "-" + randomHex(4)
	lease := h.Signup.lease()
	job, created, err := h.Signup.Jobs.StartSignup(c.UserContext(), w.sess.ID,
		&provision.Job{FormID: w.form.ID, VersionID: w.version.ID, Order: order}, owner, lease, w.now)
	if err != nil {
		return fmt.Errorf("start signup: %w", err)
	}
	if created {
		card := provision.Card{Number: fcard.Number, ExpMonth: fcard.ExpMonth, ExpYear: fcard.ExpYear,
			CVV: fcard.CVV, Name: fcard.Name, Brand: fcard.Brand}
		h.runSignup(c, job, &card)
		card.Number, card.CVV = "", ""
	}
	fcard.Number, fcard.CVV = "", ""
	if job.Status == provision.StatusFailed {
		// Nothing was charged and the card was fine: the sealed card
		// stays in this browser (for the rest of its lifetime) so that
		// the prospect can sign up again once they have put right what
		// failed, without typing it again.
		setCardCookie(c, w.slug, token)
	} else {
		// The card is gone: Sign up was its only use.
		clearCookie(c, w.slug, CardCookie)
	}
	// When the store reopened the session (answers and number kept), the
	// step sent back to reads the reason from the job; a reload of it
	// never posts Sign up again.
	if sent, err := redirectFromSignup(c, w.slug, job); sent {
		return err
	}
	return c.Redirect(components.WizardURL(w.slug, forms.StepDone), fiber.StatusSeeOther)
}

// runSignup runs a job the request has just created and holds the lease of,
// with the card, then releases it. The run is not cancelled when the
// browser goes away; it is bounded by half the lease, like a worker's.
func (h *handlers) runSignup(c *fiber.Ctx, job *provision.Job, card *provision.Card) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), h.Signup.lease()/2)
	defer cancel()
	if err := h.Signup.Runner.Run(ctx, job, card); err != nil {
		// The store failed: the job is behind in the database; a worker
		// resumes it from there once the lease expires.
		h.Logger.Error("signup: run failed", "request_id", web.RequestID(c), "job", job, "error", err)
		return
	}
	h.Logger.Info("signup: ran job", "request_id", web.RequestID(c), "job", job)
	if err := provision.Release(c.UserContext(), h.Signup.Jobs, job); err != nil {
		h.Logger.Error("signup: release failed", "request_id", web.RequestID(c), "job", job, "error", err)
	}
}

// orderOf snapshots what the session's job provisions, from the session's
// version: prices never come from the browser.
func orderOf(w *wizard) (provision.Order, error) {
	cfg := w.cfg()
	p := w.sess.Progress
	ch, product, err := charges(w)
	if err != nil {
		return provision.Order{}, err
	}
	o := provision.Order{
		IParent:       cfg.IParent,
		Customer:      provision.CustomerAttributes(p.Answers),
		IProduct:      product.IProduct,
		Charge:        ch.Total,
		ChargeComment: "Signup: " + product.Name,
		Number:        p.Number,
	}
	d, byod, err := cfg.DeviceChoice(p.Device)
	if err != nil {
		return provision.Order{}, fmt.Errorf("session device %q: %w", p.Device, err)
	}
	o.BYOD = byod
	if !byod {
		o.IUAType = d.IUAType
	}
	return o, nil
}

func (d SignupDeps) lease() time.Duration {
	if d.Lease <= 0 {
		return provision.DefaultLease
	}
	return d.Lease
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
