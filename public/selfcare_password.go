package public

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/internal/web"
)

// Input names of the password page.
const (
	inputOldPassword     = "old_password"
	inputNewPassword     = "new_password"
	inputNewPasswordConf = "new_password_confirm"
)

// passwordPage shows the password change form.
func (s *selfcare) passwordPage(c *fiber.Ctx) error {
	cur := currentSession(c)
	vm := components.SelfcarePasswordVM{CSRFToken: web.CSRFToken(c), Login: cur.acct.Login, Required: cur.acct.MustChange}
	return s.render(c, fiber.StatusOK, components.SelfcarePasswordPage(s.page(c, "Choose your password"), vm))
}

// passwordPost checks the new password against the rules (letters and
// digits, 8 to 32 characters, typed twice the same), changes it with
// Account/change_password, and goes to the overview. Every error stands
// next to its field (422); no password is ever sent back to the page.
func (s *selfcare) passwordPost(c *fiber.Ctx) error {
	cur := currentSession(c)
	oldPw := formValue(c, inputOldPassword)
	newPw := formValue(c, inputNewPassword)
	conf := formValue(c, inputNewPasswordConf)
	vm := components.SelfcarePasswordVM{CSRFToken: web.CSRFToken(c), Login: cur.acct.Login, Required: cur.acct.MustChange}
	fail := func() error {
		return s.render(c, fiber.StatusUnprocessableEntity, components.SelfcarePasswordPage(s.page(c, "Choose your password"), vm))
	}
	add := func(key, msg string) { vm.Errors = append(vm.Errors, components.ErrorItemVM{Key: key, Message: msg}) }
	if oldPw == "" {
		add(inputOldPassword, "Enter your current password.")
	}
	if msg := checkNewPassword(newPw); msg != "" {
		add(inputNewPassword, msg)
	} else if newPw == oldPw {
		add(inputNewPassword, "Choose a password different from your current one.")
	}
	if conf != newPw {
		add(inputNewPasswordConf, "The two new passwords are not the same. Type the new password again.")
	}
	if len(vm.Errors) > 0 {
		return fail()
	}
	acct, err := s.d.Realm.ChangePassword(c.UserContext(), cur.acct, oldPw, newPw)
	switch {
	case errors.Is(err, ErrWrongPassword):
		add(inputOldPassword, "This is not your current password.")
		return fail()
	case errors.Is(err, ErrPasswordRejected):
		add(inputNewPassword, "This password was not accepted. Use 8 to 32 letters and digits.")
		return fail()
	case errors.Is(err, ErrSessionEnded):
		return s.sessionEnded(c, cur)
	case err != nil:
		return fmt.Errorf("change password: %w", err)
	}
	acct.MustChange = false
	cur.acct = acct
	if err := s.save(c, cur); err != nil {
		return err
	}
	return c.Redirect("/selfcare/?changed=1", fiber.StatusSeeOther)
}

// checkNewPassword returns what is wrong with a new password, or "".
func checkNewPassword(p string) string {
	if p == "" {
		return "Enter a new password."
	}
	if len(p) < 8 || len(p) > 32 {
		return "Use 8 to 32 characters."
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "Use only letters (A–Z, a–z) and digits (0–9)."
		}
	}
	return ""
}
