package public

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
)

// summary shows everything for review and the Sign up form. The sealed card
// comes from the payment step's cookie and goes into the form; without a
// card that opens for this session (missing, expired or tampered with) the
// prospect is sent back to the payment step with an explanation. Reached
// from a failed Sign up (?signup=failed), it says why, with the support
// contact.
func (h *handlers) summary(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepSummary); !ok {
		return err
	}
	problem, err := h.signupNotice(c, w)
	if err != nil {
		return err
	}
	token := c.Cookies(CardCookie)
	if _, reason, err := h.openCard(token, w.sess.ID, w.now); err != nil {
		clearCookie(c, w.slug, CardCookie)
		noStore(c)
		to := components.WizardURL(w.slug, forms.StepPayment) + "?card=" + reason
		if problem != "" {
			// The payment step explains the failed Sign up instead.
			to += "&" + SignupParam + "=" + SignupFailed
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	return h.renderSummaryProblem(c, w, fiber.StatusOK, token, "", problem)
}

// renderSummary shows the review page with the sealed card in its form.
// Sign up uses it too, to show the page again (422) when the terms were not
// accepted: termsError is then the message next to the box.
func (h *handlers) renderSummary(c *fiber.Ctx, w *wizard, status int, cardToken, termsError string) error {
	return h.renderSummaryProblem(c, w, status, cardToken, termsError, "")
}

// renderSummaryProblem is renderSummary explaining, when problem is set, why
// the last Sign up failed.
func (h *handlers) renderSummaryProblem(c *fiber.Ctx, w *wizard, status int, cardToken, termsError, problem string) error {
	ch, product, err := charges(w)
	if err != nil {
		return err
	}
	cfg := w.cfg()
	p := w.sess.Progress
	vm := components.SummaryVM{
		FormVM:     formVM(c, w),
		PlanName:   product.Name,
		Recurring:  product.Recurring().String(),
		Period:     product.Period,
		Number:     listedDisplay.of(p.Number),
		Charges:    components.NewCharges(ch),
		CardBrand:  w.sess.CardBrand,
		CardLast4:  w.sess.CardLast4,
		CardToken:  cardToken,
		TermsURL:   w.brand.TermsURL,
		TermsError: termsError,
		Problem:    problem,
	}
	if termsError != "" {
		vm.Errors = []components.ErrorItemVM{{Key: forms.InputAcceptTerms, Message: termsError}}
	}
	for _, f := range forms.ShownFields(cfg.Fields, p.Answers) {
		v := p.Answers[f.Key]
		if v == "" && f.Kind != forms.KindCheckbox {
			continue
		}
		shown := f.Display(v)
		if f.Kind == forms.KindTel {
			shown = displayNumber(strings.TrimPrefix(v, "+"))
		}
		vm.Details = append(vm.Details, components.SummaryRowVM{Key: f.Key, Label: f.Label, Value: shown})
	}
	vm.Device = deviceName(*cfg, p.Device)
	return h.render(c, status, components.SummaryPage(h.page(w, forms.StepSummary, "Review and sign up"), vm))
}

// deviceName is the chosen device as the summary names it.
func deviceName(cfg forms.Config, choice string) string {
	if choice == forms.DeviceBYOD {
		return "Your own phone"
	}
	id, _ := strconv.ParseInt(choice, 10, 64)
	if d, ok := cfg.Device(id); ok {
		return d.Name
	}
	return ""
}
