package public

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

// page is the layout's view model of a wizard step.
func (h *handlers) page(w *wizard, step forms.Step, title string) components.Page {
	return components.Page{Title: title, Brand: w.brand, Steps: components.WizardProgress(w.slug, step, w.progress().FirstIncomplete())}
}

// formVM is what every step's form shares.
func formVM(c *fiber.Ctx, w *wizard) components.FormVM {
	return components.FormVM{Slug: w.slug, CSRFToken: csrfToken(c)}
}

// csrfToken is the token the page's forms send back.
func csrfToken(c *fiber.Ctx) string { return web.CSRFToken(c) }

// render sends a wizard page. Every wizard page may carry personal details,
// so none is ever cached.
func (h *handlers) render(c *fiber.Ctx, status int, comp templ.Component) error {
	noStore(c)
	return web.Render(c, status, comp)
}

// redirect answers a POST that was accepted with a 303 to the next step.
func (h *handlers) redirect(c *fiber.Ctx, w *wizard, step forms.Step) error {
	return c.Redirect(components.WizardURL(w.slug, step), fiber.StatusSeeOther)
}

// refuseBots answers a post whose honeypot is filled with a bland 422 page
// and reports done; nothing of the post is looked at or kept.
func (h *handlers) refuseBots(c *fiber.Ctx, w *wizard) (done bool, err error) {
	if strings.TrimSpace(c.FormValue(forms.InputHoneypot)) == "" {
		return false, nil
	}
	h.Logger.Info("honeypot filled: post refused", "request_id", web.RequestID(c), "path", strings.Clone(c.Path()))
	page := components.Page{Title: "Please try again", Brand: w.brand}
	vm := components.ErrorVM{
		Status:  fiber.StatusUnprocessableEntity,
		Title:   "Please try again",
		Message: "We couldn't accept this form. Please go back and try again.",
		BackURL: w.brand.HomeURL,
	}
	noStore(c)
	return true, web.Render(c, fiber.StatusUnprocessableEntity, components.ErrorPage(page, vm))
}

// errorItems turns field errors into the error summary's entries.
func errorItems(errs forms.FieldErrors) []components.ErrorItemVM {
	items := make([]components.ErrorItemVM, 0, len(errs))
	for _, e := range errs {
		items = append(items, components.ErrorItemVM{Key: e.Key, Message: e.Message})
	}
	return items
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

// formValue returns a posted value, copied out of Fiber's buffers.
func formValue(c *fiber.Ctx, key string) string { return strings.Clone(c.FormValue(key)) }
