package public

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
)

// msgCardCleared tells a prospect whose card was refused why the number and
// security code are empty.
const msgCardCleared = "For your security, we cleared the card number and security code. Please enter them again."

// payment shows what is charged today and the card fields, empty but for a
// notice when the prospect was sent back because their card must be
// entered again (?card=expired|invalid|missing), or because Sign up
// declined it or failed (?signup=declined|failed: the reason comes from the
// job).
func (h *handlers) payment(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepPayment); !ok {
		return err
	}
	notice := cardReasonMessage(c.Query("card"))
	if reason, err := h.signupNotice(c, w); err != nil {
		return err
	} else if reason != "" {
		// A failed Sign up whose card has lapsed meanwhile says both.
		notice = strings.TrimSpace(reason + " " + notice)
	}
	return h.renderPayment(c, w, fiber.StatusOK, forms.CardInput{}, nil, notice)
}

// paymentPost validates the card. An accepted card is sealed for this
// session and handed to the browser in a short-lived cookie for the
// summary; only its brand and last four digits are stored. A refused card
// is shown again with the holder's name and expiry, never its number or
// security code.
func (h *handlers) paymentPost(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepPayment); !ok {
		return err
	}
	if done, err := h.refuseBots(c, w); done {
		return err
	}
	in := forms.CardInput{
		Name:     formValue(c, forms.InputCardName),
		Number:   formValue(c, forms.InputCardNumber),
		ExpMonth: formValue(c, forms.InputCardExpMonth),
		ExpYear:  formValue(c, forms.InputCardExpYear),
		CVV:      formValue(c, forms.InputCardCVV),
	}
	card, errs := forms.ValidateCard(in, w.now)
	if errs.Len() > 0 {
		notice := ""
		if strings.TrimSpace(in.Number) != "" || strings.TrimSpace(in.CVV) != "" {
			notice = msgCardCleared
		}
		kept := forms.CardInput{Name: in.Name, ExpMonth: in.ExpMonth, ExpYear: in.ExpYear}
		return h.renderPayment(c, w, fiber.StatusUnprocessableEntity, kept, errs, notice)
	}
	token, err := h.sealCard(card, w.sess.ID, w.now)
	if err != nil {
		return err
	}
	p := w.sess.Progress
	p.CardSealed = true
	if err := h.save(c, w, p, card.Brand, card.Last4()); err != nil {
		return err
	}
	setCardCookie(c, w.slug, token)
	return h.redirect(c, w, forms.StepSummary)
}

// charges is what the session's choices cost today, from the session's
// version: prices never come from the browser.
func charges(w *wizard) (forms.Charge, forms.Product, error) {
	p := w.sess.Progress
	product, ok := w.cfg().Product(p.Product)
	if !ok {
		return forms.Charge{}, forms.Product{}, fmt.Errorf("session product %d is not in version %d", p.Product, w.version.ID)
	}
	ch, err := w.cfg().ChargeFor(p.Product, p.Device)
	if err != nil {
		return forms.Charge{}, forms.Product{}, fmt.Errorf("charges of version %d: %w", w.version.ID, err)
	}
	return ch, product, nil
}

func (h *handlers) renderPayment(c *fiber.Ctx, w *wizard, status int, in forms.CardInput, errs forms.FieldErrors, notice string) error {
	ch, product, err := charges(w)
	if err != nil {
		return err
	}
	vm := components.PaymentVM{
		FormVM:    formVM(c, w),
		Charges:   components.NewCharges(ch),
		PlanName:  product.Name,
		Recurring: product.Recurring().String(),
		Period:    product.Period,
	}
	vm.Errors = errorItems(errs)
	vm.Notice = notice
	field := func(key, label, help, value, autocomplete, inputMode string, maxLen int) components.FieldVM {
		return components.FieldVM{
			Key: key, Kind: forms.KindText, Label: label, Help: help, Required: true,
			MaxLength: maxLen, Value: value, Error: errs.Get(key),
			Autocomplete: autocomplete, InputMode: inputMode,
		}
	}
	vm.Name = field(forms.InputCardName, "Name on card", "", in.Name, "cc-name", "", 100)
	vm.Number = field(forms.InputCardNumber, "Card number", "Visa, MasterCard, American Express or Discover.", "", "cc-number", "numeric", 23)
	vm.ExpMonth = field(forms.InputCardExpMonth, "Month (MM)", "", in.ExpMonth, "cc-exp-month", "numeric", 2)
	vm.ExpYear = field(forms.InputCardExpYear, "Year (YYYY)", "", in.ExpYear, "cc-exp-year", "numeric", 4)
	vm.CVV = field(forms.InputCardCVV, "Security code", "The last 3 digits on the back, or 4 on the front for American Express.", "", "cc-csc", "numeric", 4)
	return h.render(c, status, components.PaymentPage(h.page(w, forms.StepPayment, "Payment"), vm))
}
