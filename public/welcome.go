package public

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/token"
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

// msgExpired is the notice of a prospect whose session ended.
const msgExpired = "Your session expired, so we started again. Your details were not kept, for your security."

// welcome shows the first step: the operator's branding and pitch, and the
// plans to choose from, the chosen one selected when the prospect comes back.
func (h *handlers) welcome(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	vm := components.WelcomeVM{}
	if w.expired || w.stale {
		// Forget the dead session's cookie, so the notice is shown once.
		clearCookie(c, w.slug, SessionCookie)
		clearCookie(c, w.slug, CardCookie)
		if w.expired {
			vm.Notice = msgExpired
		}
	}
	return h.renderWelcome(c, w, fiber.StatusOK, vm)
}

func (h *handlers) renderWelcome(c *fiber.Ctx, w *wizard, status int, vm components.WelcomeVM) error {
	noStore(c)
	vm.Slug = w.slug
	vm.SubscriptionText = w.brand.SubscriptionText
	vm.CSRFToken = csrfToken(c)
	vm.Plans = w.view.plansChoosing(w.progress().Product)
	return h.render(c, status, components.WelcomePage(h.page(w, forms.StepWelcome, "Choose your plan"), vm))
}

// welcomePost takes the plan: it starts a session when the prospect has
// none (recording the published version, whose plans they saw) or changes
// the plan of the one they have, and goes on to the address step.
func (h *handlers) welcomePost(c *fiber.Ctx) error {
	w, err := h.load(c)
	if err != nil {
		return err
	}
	if done, err := h.refuseBots(c, w); done {
		return err
	}
	raw := strings.TrimSpace(c.FormValue(forms.InputProduct))
	id, _ := strconv.ParseInt(raw, 10, 64)
	product, ok := w.cfg().Product(id)
	if !ok {
		msg := "Choose a plan"
		if raw != "" {
			msg = "That plan is no longer on offer; choose another"
		}
		return h.renderWelcome(c, w, fiber.StatusUnprocessableEntity, components.WelcomeVM{Error: msg})
	}

	if w.sess == nil {
		s := forms.Session{
			ID:        token.NewSessionID(),
			FormID:    w.form.ID,
			VersionID: w.version.ID,
			Progress:  forms.Progress{Product: product.IProduct},
			CreatedAt: w.now,
			UpdatedAt: w.now,
			ExpiresAt: w.now.Add(h.SessionLifetime),
		}
		if err := h.Sessions.CreateSession(c.UserContext(), s); err != nil {
			return fmt.Errorf("create wizard session: %w", err)
		}
		setSessionCookie(c, w.slug, s.ID, s.ExpiresAt)
		clearCookie(c, w.slug, CardCookie)
	} else {
		p := w.sess.Progress
		p.Product = product.IProduct
		if err := h.save(c, w, p, w.sess.CardBrand, w.sess.CardLast4); err != nil {
			return err
		}
	}
	return h.redirect(c, w, forms.StepAddress)
}
