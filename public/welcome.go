package public

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

// wizardRoot sends /s/{slug} to /s/{slug}/, keeping the query string, so
// that relative links and the form's action resolve under the wizard.
func (h *handlers) wizardRoot(c *fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	target := components.WizardURL(slug, forms.StepWelcome)
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		target += "?" + string(q)
	}
	return c.Redirect(target, fiber.StatusMovedPermanently)
}

// welcome shows the first step: the operator's branding and pitch, and the
// plans to choose from.
func (h *handlers) welcome(c *fiber.Ctx) error {
	slug, err := slugParam(c)
	if err != nil {
		return err
	}
	_, v, err := h.Forms.PublishedForm(c.UserContext(), slug)
	if err != nil {
		return formError(slug, err)
	}
	brand := components.NewBrand(v.Config.Branding, components.WizardURL(slug, forms.StepWelcome))
	web.SetBrand(c, brand)

	vm := components.WelcomeVM{
		Slug:             slug,
		SubscriptionText: brand.SubscriptionText,
	}
	for _, p := range v.Config.Products {
		vm.Plans = append(vm.Plans, components.NewPlan(p, false))
	}
	page := components.Page{Title: "Choose your plan", Brand: brand, Steps: components.WizardSteps(slug, forms.StepWelcome)}
	return web.Render(c, fiber.StatusOK, components.WelcomePage(page, vm))
}

// errUnknownForm is what a prospect sees for a slug with no published form.
var errUnknownForm = forms.Errorf(forms.ENotFound,
	"We couldn't find this signup page. Check the link you were given, or contact the company that sent it.")

// formError turns a FormSource failure into the error to return: our own
// not-found message for an unknown form, the error wrapped otherwise.
func formError(slug string, err error) error {
	if forms.ErrorCode(err) == forms.ENotFound {
		return errUnknownForm
	}
	return fmt.Errorf("published form %q: %w", slug, err)
}

// slugParam returns the :slug parameter, copied out of Fiber's reused
// buffers. A slug that could not be a form's is reported as an unknown form
// without asking the store.
func slugParam(c *fiber.Ctx) (string, error) {
	slug := strings.Clone(c.Params("slug"))
	if !validSlug(slug) {
		return "", errUnknownForm
	}
	return slug, nil
}

func validSlug(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
