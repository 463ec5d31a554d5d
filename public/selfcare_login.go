package public

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/internal/token"
	"websignup/internal/web"
)

// Messages of the login page. An unknown login and a wrong password get the
// same message and status, so the page does not tell which logins exist.
const (
	msgBadLogin     = "The login or password is not right. Check them and try again."
	msgTooMany      = "Too many failed attempts. For your security, please wait 15 minutes and try again."
	msgLoggedOut    = "You have logged out."
	msgEnded        = "Your self-care session has ended. Please log in again."
	maxLoginLength  = 64
	maxPasswordSize = 64
)

// loginPage shows the login form.
func (s *selfcare) loginPage(c *fiber.Ctx) error {
	s.rememberForm(c)
	vm := components.SelfcareLoginVM{CSRFToken: web.CSRFToken(c)}
	switch {
	case c.Query("out") == "1":
		vm.Notice = msgLoggedOut
	case c.Query("ended") == "1":
		vm.Notice = msgEnded
	}
	return s.render(c, fiber.StatusOK, components.SelfcareLoginPage(s.page(c, "Log in"), vm))
}

// loginPost logs in in the account realm. Failures count against the login
// and the client address; past either limit, attempts are refused (429)
// without asking PortaSwitch. Success starts a new self-care session with a
// new id (the old one, if any, is deleted) and goes to the overview, or to
// the password change PortaSwitch demands.
func (s *selfcare) loginPost(c *fiber.Ctx) error {
	ctx := c.UserContext()
	login := strings.TrimSpace(formValue(c, "login"))
	password := formValue(c, "password")
	vm := components.SelfcareLoginVM{CSRFToken: web.CSRFToken(c), Login: login}
	refuse := func(status int, msg string) error {
		vm.Error = msg
		return s.render(c, status, components.SelfcareLoginPage(s.page(c, "Log in"), vm))
	}
	if login == "" || password == "" || len(login) > maxLoginLength || len(password) > maxPasswordSize {
		return refuse(fiber.StatusUnprocessableEntity, msgBadLogin)
	}
	now := s.Now()
	loginKey := "selfcare-login:" + strings.ToLower(login)
	addrKey := "selfcare-addr:" + c.IP()
	for _, k := range []struct {
		key   string
		limit int
	}{{loginKey, s.d.FailuresPerLogin}, {addrKey, s.d.FailuresPerAddress}} {
		n, err := s.d.Store.ThrottleCount(ctx, k.key, LoginThrottleWindow, now)
		if err != nil {
			return err
		}
		if n >= k.limit {
			return refuse(fiber.StatusTooManyRequests, msgTooMany)
		}
	}
	acct, err := s.d.Realm.Login(ctx, login, password)
	if errors.Is(err, ErrBadLogin) {
		for _, k := range []string{loginKey, addrKey} {
			if _, err := s.d.Store.ThrottleHit(ctx, k, LoginThrottleWindow, now); err != nil {
				return err
			}
		}
		s.Logger.Info("self-care login refused", "request_id", web.RequestID(c))
		return refuse(fiber.StatusUnprocessableEntity, msgBadLogin)
	}
	if err != nil {
		return fmt.Errorf("self-care login: %w", err)
	}
	if err := s.d.Store.ThrottleReset(ctx, loginKey); err != nil {
		return err
	}
	// Rotate: whatever session the browser had ends; the login gets a new id.
	if old := strings.Clone(c.Cookies(SelfcareCookie)); token.PlausibleSessionID(old) {
		if err := s.d.Store.DeleteSelfcareSession(ctx, old); err != nil {
			return err
		}
	}
	id := token.NewSessionID()
	state, err := s.seal(id, acct)
	if err != nil {
		return err
	}
	if err := s.d.Store.CreateSelfcareSession(ctx, id, state, now, now.Add(SelfcareLifetime)); err != nil {
		return fmt.Errorf("create self-care session: %w", err)
	}
	c.Cookie(&fiber.Cookie{Name: SelfcareCookie, Value: id, Path: "/selfcare/", HTTPOnly: true,
		Secure: web.Secure(c), SameSite: fiber.CookieSameSiteLaxMode, Expires: now.Add(SelfcareLifetime)})
	noStore(c)
	if acct.MustChange {
		return c.Redirect("/selfcare/password", fiber.StatusSeeOther)
	}
	return c.Redirect("/selfcare/", fiber.StatusSeeOther)
}

// logout ends the self-care session, here and in the account realm.
func (s *selfcare) logout(c *fiber.Ctx) error {
	cur, err := s.load(c)
	if err != nil {
		return err
	}
	id := ""
	if cur != nil {
		id = cur.id
		if err := s.d.Realm.Logout(c.UserContext(), cur.acct); err != nil {
			s.Logger.Warn("self-care: realm logout failed", "request_id", web.RequestID(c), "error", err)
		}
	}
	if err := s.end(c, id); err != nil {
		return err
	}
	return c.Redirect("/selfcare/login?out=1", fiber.StatusSeeOther)
}
