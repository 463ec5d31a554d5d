package admin

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
	"websignup/storage"
)

// Messages of the sign-in page. An unknown address, a wrong password and
// a disabled user all get msgBadLogin with the same status, so the page
// never tells which addresses have accounts.
const (
	msgBadLogin  = "The email address or password is incorrect."
	msgTooMany   = "Too many sign-in attempts. For your security, wait 15 minutes and try again."
	msgSignedOut = "You have signed out."
)

// loginPage shows the sign-in form; a signed-in user goes to the dashboard.
func (h *handlers) loginPage(c *fiber.Ctx) error {
	if _, ok := currentUser(c); ok {
		return c.Redirect("/admin/", fiber.StatusSeeOther)
	}
	vm := components.AdminLoginVM{Next: safeNext(c.Query("next"))}
	if c.Query("signed_out") == "1" {
		vm.Notice = msgSignedOut
	}
	return h.renderLogin(c, fiber.StatusOK, vm)
}

func (h *handlers) renderLogin(c *fiber.Ctx, status int, vm components.AdminLoginVM) error {
	p := h.page(c, "Sign in")
	p.SignedIn, p.Nav = false, nil
	return web.Render(c, status, components.AdminLogin(p, vm))
}

// login checks the address and password. Every attempt counts against the
// address typed and the client's address (shared by every instance through
// the database) before the password is checked, so a guesser is stopped
// even with the right password once over the limit. Success rotates the
// session: a new random id, and the session the browser held before is
// deleted.
func (h *handlers) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email := storage.NormalizeEmail(strings.Clone(c.FormValue("email")))
	password := strings.Clone(c.FormValue("password"))
	vm := components.AdminLoginVM{Email: email, Next: safeNext(formValue(c, "next")), FieldErrors: map[string]string{}}
	if email == "" {
		vm.FieldErrors["email"] = "Enter your email address"
	}
	if password == "" {
		vm.FieldErrors["password"] = "Enter your password"
	}
	if len(vm.FieldErrors) > 0 {
		vm.Errors = errorItems(vm.FieldErrors, "email", "password")
		return h.renderLogin(c, fiber.StatusUnprocessableEntity, vm)
	}

	now := h.Now()
	perEmail, err := h.Store.CountLoginAttempt(ctx, "email:"+email, now, h.Limits.Window)
	if err != nil {
		return fmt.Errorf("count sign-in attempt: %w", err)
	}
	perAddress, err := h.Store.CountLoginAttempt(ctx, "ip:"+c.IP(), now, h.Limits.Window)
	if err != nil {
		return fmt.Errorf("count sign-in attempt: %w", err)
	}
	if perEmail > h.Limits.PerEmail || perAddress > h.Limits.PerAddress {
		h.Logger.Warn("admin sign-in rate limited", "request_id", web.RequestID(c), "per_email", perEmail, "per_address", perAddress)
		vm.Errors = []components.ErrorItemVM{{Key: "email", Message: msgTooMany}}
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(h.Limits.Window.Seconds())))
		return h.renderLogin(c, fiber.StatusTooManyRequests, vm)
	}

	u, hash, err := h.Store.UserCredentials(ctx, email)
	switch {
	case forms.ErrorCode(err) == forms.ENotFound:
		// The same work as for a real user, so timing does not tell.
		CheckPassword(dummyHash(), password)
		return h.badLogin(c, vm)
	case err != nil:
		return fmt.Errorf("sign in: %w", err)
	}
	if !CheckPassword(hash, password) || u.Disabled {
		return h.badLogin(c, vm)
	}

	if err := h.Store.ResetLoginAttempts(ctx, "email:"+email); err != nil {
		h.Logger.Warn("reset sign-in attempts", "request_id", web.RequestID(c), "err", err)
	}
	raw, idHash := newSessionID()
	sess := storage.Session{IDHash: idHash, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(h.Limits.Absolute)}
	if err := h.Store.CreateSession(ctx, sess, sessionHashFromCookie(c)); err != nil {
		return fmt.Errorf("create admin session: %w", err)
	}
	if _, err := h.Store.DeleteExpiredSessions(ctx, now, now.Add(-h.Limits.Idle)); err != nil {
		h.Logger.Warn("delete expired admin sessions", "request_id", web.RequestID(c), "err", err)
	}
	h.setSessionCookie(c, raw, sess.ExpiresAt)
	h.Logger.Info("admin signed in", "request_id", web.RequestID(c), "user_id", u.ID, "role", u.Role)
	next := vm.Next
	if next == "" {
		next = "/admin/"
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (h *handlers) badLogin(c *fiber.Ctx, vm components.AdminLoginVM) error {
	vm.Errors = []components.ErrorItemVM{{Key: "email", Message: msgBadLogin}}
	return h.renderLogin(c, fiber.StatusUnprocessableEntity, vm)
}

// logout ends the session (if any) and shows the sign-in page.
func (h *handlers) logout(c *fiber.Ctx) error {
	if hash := sessionHashFromCookie(c); hash != "" {
		if err := h.Store.DeleteSession(c.UserContext(), hash); err != nil {
			return fmt.Errorf("sign out: %w", err)
		}
	}
	h.clearSessionCookie(c)
	return c.Redirect("/admin/login?signed_out=1", fiber.StatusSeeOther)
}
