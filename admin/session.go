package admin

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/token"
	"websignup/internal/web"
	"websignup/storage"
)

// Cookies of the admin area. Both live under /admin only, so the public
// site never receives them.
const (
	sessionCookie = "ws_admin"
	csrfCookie    = "ws_admin_csrf"
	cookiePath    = "/admin"
)

const (
	userKey    = "admin.user"
	sessionKey = "admin.session"
)

// newSessionID returns a fresh random session id for the cookie and the
// hash under which the database keeps it.
func newSessionID() (raw, hash string) {
	raw = token.NewSessionID()
	return raw, storage.SessionHash(raw)
}

// sessionHashFromCookie returns the hash of the request's session cookie,
// or "" when there is none or it is not one we could have made.
func sessionHashFromCookie(c *fiber.Ctx) string {
	raw := c.Cookies(sessionCookie)
	if !token.PlausibleSessionID(raw) {
		return ""
	}
	return storage.SessionHash(raw)
}

func (h *handlers) setSessionCookie(c *fiber.Ctx, raw string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name:     sessionCookie,
		Value:    raw,
		Path:     cookiePath,
		Expires:  expires,
		HTTPOnly: true,
		Secure:   web.Secure(c),
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (h *handlers) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name:     sessionCookie,
		Value:    "",
		Path:     cookiePath,
		Expires:  time.Unix(0, 0),
		MaxAge:   -1,
		HTTPOnly: true,
		Secure:   web.Secure(c),
		SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// adminBrand makes error pages under /admin wear the admin's name and
// lead back to the dashboard, and keeps admin pages out of caches.
func (h *handlers) adminBrand(c *fiber.Ctx) error {
	web.SetBrand(c, components.BrandVM{CompanyTitle: components.AdminProduct, HomeURL: "/admin/", Badge: "Secure admin"})
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// loadSession puts the signed-in user into c.Locals when the request
// carries a live session: not past its absolute expiry, used within the
// idle limit, of a user not disabled. A dead session is deleted and its
// cookie cleared. last_seen_at is written at most every TouchInterval.
func (h *handlers) loadSession(c *fiber.Ctx) error {
	hash := sessionHashFromCookie(c)
	if hash == "" {
		return c.Next()
	}
	ctx := c.UserContext()
	sess, u, err := h.Store.SessionUser(ctx, hash)
	switch {
	case forms.ErrorCode(err) == forms.ENotFound:
		h.clearSessionCookie(c)
		return c.Next()
	case err != nil:
		return fmt.Errorf("load admin session: %w", err)
	}
	now := h.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= h.Limits.Idle || u.Disabled {
		if err := h.Store.DeleteSession(ctx, hash); err != nil {
			return fmt.Errorf("end admin session: %w", err)
		}
		h.clearSessionCookie(c)
		return c.Next()
	}
	if now.Sub(sess.LastSeenAt) >= h.Limits.TouchInterval {
		if err := h.Store.TouchSession(ctx, hash, now); err != nil {
			h.Logger.Warn("touch admin session", "request_id", web.RequestID(c), "err", err)
		}
	}
	c.Locals(userKey, u)
	c.Locals(sessionKey, hash)
	return c.Next()
}

// currentUser returns the signed-in user; ok is false for an anonymous
// request.
func currentUser(c *fiber.Ctx) (storage.User, bool) {
	u, ok := c.Locals(userKey).(storage.User)
	return u, ok
}

// tenantScope is the scope every query of this request must use: all
// tenants for an operator, the user's own tenant otherwise, and nothing at
// all for an anonymous request.
func tenantScope(c *fiber.Ctx) storage.Scope {
	u, ok := currentUser(c)
	switch {
	case !ok:
		return storage.Scope{}
	case u.Role == storage.RoleOperator:
		return storage.AllTenants()
	}
	return storage.TenantOnly(u.TenantID)
}

// requireAuth lets signed-in users through and sends anyone else to the
// sign-in page (remembering where they were going, for a GET).
func (h *handlers) requireAuth(c *fiber.Ctx) error {
	if _, ok := currentUser(c); ok {
		return c.Next()
	}
	target := "/admin/login"
	if c.Method() == fiber.MethodGet {
		if next := safeNext(c.OriginalURL()); next != "" && next != "/admin/" {
			target += "?next=" + urlQueryEscape(next)
		}
	}
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", target)
		return c.SendStatus(fiber.StatusUnauthorized)
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// errForbidden is what a signed-in user sees for a page their role does
// not allow.
var errForbidden = forms.Errorf(forms.EForbidden, "Your role doesn't allow this. Ask an admin of your team if you need it.")

// require returns a guard that lets the request through only when Casbin
// allows the signed-in user's role to do act on obj in their tenant. It
// must follow requireAuth.
func (h *handlers) require(obj, act string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, ok := currentUser(c)
		if !ok {
			return errForbidden
		}
		allowed, err := h.Enforcer.Allow(c.UserContext(), storage.UserSubject(u.ID), domainOf(u), obj, act)
		if err != nil {
			return fmt.Errorf("check permission %s/%s: %w", obj, act, err)
		}
		if !allowed {
			return errForbidden
		}
		return c.Next()
	}
}

// can reports whether the signed-in user may do act on obj, for showing
// or hiding links and buttons (the routes check again).
func (h *handlers) can(c *fiber.Ctx, obj, act string) bool {
	u, ok := currentUser(c)
	return ok && h.Enforcer.Can(c.UserContext(), u, obj, act)
}

// safeNext returns next when it is a path inside the admin area that is
// safe to redirect to after signing in, and "" otherwise (another site,
// a protocol-relative URL, the login page itself).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.HasPrefix(next, "/admin/login") ||
		strings.Contains(next, "//") || strings.ContainsAny(next, "\\\r\n\t") || len(next) > 512 {
		return ""
	}
	return next
}
