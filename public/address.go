package public

import (
	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
)

// address shows the configured fields with what the prospect entered before.
func (h *handlers) address(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepAddress); !ok {
		return err
	}
	return h.renderAddress(c, w, fiber.StatusOK, w.sess.Progress.Answers, nil)
}

// addressPost validates the page's fields (only the keys the page defines
// are read) and keeps the answers, or shows the page again with the errors
// and everything typed.
func (h *handlers) addressPost(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if ok, err := h.gate(c, w, forms.StepAddress); !ok {
		return err
	}
	if done, err := h.refuseBots(c, w); done {
		return err
	}
	fields := w.cfg().Fields
	input := make(map[string]string, len(fields))
	for _, f := range fields {
		input[f.Key] = formValue(c, f.Key)
	}
	answers, errs := forms.ValidateAnswers(fields, input)
	if errs.Len() > 0 {
		return h.renderAddress(c, w, fiber.StatusUnprocessableEntity, answers, errs)
	}
	p := w.sess.Progress
	p.Answers = answers
	if err := h.save(c, w, p, w.sess.CardBrand, w.sess.CardLast4); err != nil {
		return err
	}
	return h.redirect(c, w, forms.StepPhone)
}

func (h *handlers) renderAddress(c *fiber.Ctx, w *wizard, status int, answers forms.Answers, errs forms.FieldErrors) error {
	fields := w.cfg().Fields
	// shown is what forms.ShownFields shows, asked only of a page with a
	// conditional field (it copies the fields).
	var shown map[string]bool
	vm := components.AddressVM{FormVM: formVM(c, w), Fields: make([]components.AddressFieldVM, 0, len(fields))}
	vm.Errors = errorItems(errs)
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f.Key] {
			continue // a broken configuration; ValidateAnswers keeps the first
		}
		seen[f.Key] = true
		af := components.AddressFieldVM{Field: components.NewField(f, answers[f.Key], errs.Get(f.Key))}
		if f.ShowWhen != nil {
			if shown == nil {
				shown = make(map[string]bool, len(fields))
				for _, sf := range forms.ShownFields(fields, answers) {
					shown[sf.Key] = true
				}
			}
			af.ShowWhenKey, af.ShowWhenEquals = f.ShowWhen.Field, f.ShowWhen.Equals
			af.Hidden = !shown[f.Key]
		}
		vm.Fields = append(vm.Fields, af)
	}
	return h.render(c, status, components.AddressPage(h.page(w, forms.StepAddress, "Your details"), vm))
}
