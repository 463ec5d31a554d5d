package public

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/token"
	"websignup/internal/web"
)

// SessionCookie is the name of the cookie carrying the wizard session's id.
const SessionCookie = "ws_session"

// wizardPath is the cookie path of a form's wizard: /s/{slug}/.
func wizardPath(slug string) string { return components.WizardURL(slug, forms.StepWelcome) }

// setSessionCookie gives the browser the session's id for this form's wizard.
func setSessionCookie(c *fiber.Ctx, slug, id string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name:     SessionCookie,
		Value:    id,
		Path:     wizardPath(slug),
		Expires:  expires,
		HTTPOnly: true,
		Secure:   web.Secure(c),
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// clearCookie tells the browser to forget a cookie of this form's wizard.
func clearCookie(c *fiber.Ctx, slug, name string) {
	c.Cookie(&fiber.Cookie{
		Name:     name,
		Value:    "",
		Path:     wizardPath(slug),
		MaxAge:   -1,
		Expires:  time.Unix(0, 0),
		HTTPOnly: true,
		Secure:   web.Secure(c),
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// wizard is what every step handler works with: the form, the version the
// prospect sees (their session's, or the published one before there is a
// session), and the session.
type wizard struct {
	slug    string
	form    forms.Form
	version forms.Version
	// view holds the view models of version; brand is view's brand.
	view  *versionView
	brand components.BrandVM
	// sess is the prospect's live session; nil when there is none.
	sess *forms.Session
	// expired says a session cookie came with the request but its session
	// is over; stale says it named no session of this form at all.
	expired, stale bool
	now            time.Time
}

// cfg is the configuration the prospect sees.
func (w *wizard) cfg() *forms.Config { return &w.version.Config }

// progress is the session's progress, or the empty progress without one.
func (w *wizard) progress() forms.Progress {
	if w.sess == nil {
		return forms.Progress{}
	}
	return w.sess.Progress
}

// load finds the form by the :slug parameter, the prospect's session by
// cookie and the version to show. It never writes.
func (h *handlers) load(c *fiber.Ctx) (*wizard, error) {
	slug, err := slugParam(c)
	if err != nil {
		return nil, err
	}
	ctx := c.UserContext()
	form, published, err := h.Forms.PublishedForm(ctx, slug)
	if err != nil {
		return nil, formError(slug, err)
	}
	w := &wizard{slug: slug, form: form, version: published, now: h.Now()}
	if id := c.Cookies(SessionCookie); id != "" && h.Sessions != nil {
		if err := h.attachSession(c, w, strings.Clone(id)); err != nil {
			return nil, err
		}
	}
	w.view = h.views.view(slug, &w.version)
	w.brand = w.view.brand
	web.SetBrand(c, w.brand)
	return w, nil
}

// attachSession looks up the session id of the cookie and, when it is a
// live session of this form, makes it and its version the wizard's.
func (h *handlers) attachSession(c *fiber.Ctx, w *wizard, id string) error {
	if !token.PlausibleSessionID(id) {
		w.stale = true
		return nil
	}
	ctx := c.UserContext()
	s, err := h.Sessions.Session(ctx, id)
	switch {
	case forms.ErrorCode(err) == forms.ENotFound:
		w.stale = true
		return nil
	case err != nil:
		return fmt.Errorf("wizard session: %w", err)
	case s.FormID != w.form.ID:
		w.stale = true
		return nil
	case s.Expired(w.now, h.IdleTimeout):
		w.expired = true
		return nil
	}
	if s.VersionID != w.version.ID {
		v, err := h.Versions.Version(ctx, s.VersionID)
		if err != nil {
			if forms.ErrorCode(err) == forms.ENotFound {
				// The version is gone (it never should be): start again.
				w.expired = true
				return nil
			}
			return fmt.Errorf("session version %d: %w", s.VersionID, err)
		}
		w.version = v
	}
	w.sess = &s
	return nil
}

// gate checks that the prospect may see step: it returns false, having
// answered with a 303 to the step they must complete first (or to the
// welcome page when they have no live session), when they may not.
func (h *handlers) gate(c *fiber.Ctx, w *wizard, step forms.Step) (bool, error) {
	if w.sess == nil {
		if step == forms.StepWelcome {
			return true, nil
		}
		return false, c.Redirect(components.WizardURL(w.slug, forms.StepWelcome), fiber.StatusSeeOther)
	}
	ok, to := w.sess.Progress.Allowed(step)
	if ok {
		return true, nil
	}
	return false, c.Redirect(components.WizardURL(w.slug, to), fiber.StatusSeeOther)
}

// save records the session's new progress, marking it active now and
// extending its number hold as long as the session may now idle.
func (h *handlers) save(c *fiber.Ctx, w *wizard, p forms.Progress, cardBrand, cardLast4 string) error {
	err := h.Sessions.SaveProgress(c.UserContext(), w.sess.ID, p, cardBrand, cardLast4, w.now, w.holdUntil(h))
	if err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	w.saved(p, cardBrand, cardLast4)
	return nil
}

// saved brings the session in memory up to what was just stored.
func (w *wizard) saved(p forms.Progress, cardBrand, cardLast4 string) {
	w.sess.Progress = p
	w.sess.CardBrand, w.sess.CardLast4 = cardBrand, cardLast4
	w.sess.UpdatedAt = w.now
}

// holdUntil is when a number held now is released: when the session would
// expire if the prospect did nothing more.
func (w *wizard) holdUntil(h *handlers) time.Time {
	until := w.now.Add(h.IdleTimeout)
	if w.sess != nil && w.sess.ExpiresAt.Before(until) {
		until = w.sess.ExpiresAt
	}
	return until
}

// noStore keeps a page out of every cache, the browser's history cache
// included: wizard pages carry personal details and card data.
func noStore(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderPragma, "no-cache")
}
