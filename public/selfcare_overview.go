package public

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/internal/web"
)

// overview shows the account: number, plan, device, balance, activation
// date.
func (s *selfcare) overview(c *fiber.Ctx) error {
	cur := currentSession(c)
	ov, acct, err := s.d.Realm.Overview(c.UserContext(), cur.acct)
	switch {
	case errors.Is(err, ErrPasswordChange):
		cur.acct.MustChange = true
		if err := s.save(c, cur); err != nil {
			return err
		}
		return c.Redirect("/selfcare/password", fiber.StatusSeeOther)
	case errors.Is(err, ErrSessionEnded):
		return s.sessionEnded(c, cur)
	case err != nil:
		return fmt.Errorf("self-care overview: %w", err)
	}
	if acct != cur.acct {
		cur.acct = acct
		if err := s.save(c, cur); err != nil {
			return err
		}
	}
	vm := components.SelfcareOverviewVM{
		CSRFToken: web.CSRFToken(c), Number: listedDisplay.of(ov.Number), Plan: ov.Plan, Device: ov.Device,
		Balance: ov.Balance, ActivationDate: ov.ActivationDate,
	}
	if c.Query("changed") == "1" {
		vm.Notice = "Your new password is saved. Use it the next time you log in."
	}
	return s.render(c, fiber.StatusOK, components.SelfcareOverviewPage(s.page(c, "Your account"), vm))
}
