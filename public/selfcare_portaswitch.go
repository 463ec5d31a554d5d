package public

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"websignup/forms"
	"websignup/portaswitch"
)

// PortaSwitchRealm is the AccountRealm of a PortaSwitch server: the end
// user's calls go to the account realm at AccountURL (on a real server its
// own port, 8445; on the simulator Server.AccountURL) with the session's
// tokens; the names of the plan and the device, which the account realm
// does not offer, are read through Admin, the signup's admin-realm client.
type PortaSwitchRealm struct {
	AccountURL string
	Admin      *portaswitch.Client // nil: plan and device shown by id only
	HTTPClient *http.Client        // nil: the portaswitch client's default
	Logger     *slog.Logger
	Timeout    time.Duration // per call; 0: the client's default
}

var _ AccountRealm = (*PortaSwitchRealm)(nil)

func (r *PortaSwitchRealm) client(login, password string, s AccountSession) (*portaswitch.Client, error) {
	return portaswitch.New(portaswitch.Config{
		BaseURL: r.AccountURL, Login: login, Password: password,
		AccessToken: s.AccessToken, RefreshToken: s.RefreshToken,
		HTTPClient: r.HTTPClient, Logger: r.Logger, Timeout: r.Timeout,
	})
}

// classifyRealm maps the account realm's faults onto self-care's errors.
func classifyRealm(err error) error {
	switch {
	case err == nil:
		return nil
	case portaswitch.IsPasswordChangeRequired(err):
		return fmt.Errorf("%w: %w", ErrPasswordChange, err)
	case portaswitch.IsAuthFailed(err) || portaswitch.IsSessionExpired(err):
		return fmt.Errorf("%w: %w", ErrSessionEnded, err)
	}
	return err
}

// Login implements AccountRealm.
func (r *PortaSwitchRealm) Login(ctx context.Context, login, password string) (AccountSession, error) {
	c, err := r.client(login, password, AccountSession{})
	if err != nil {
		return AccountSession{}, err
	}
	res, err := c.Login(ctx)
	if portaswitch.IsAuthFailed(err) {
		return AccountSession{}, ErrBadLogin
	}
	if err != nil {
		return AccountSession{}, err
	}
	return AccountSession{Login: login, AccessToken: res.AccessToken, RefreshToken: res.RefreshToken,
		MustChange: res.MustChangePassword()}, nil
}

// ChangePassword implements AccountRealm with Account/change_password.
func (r *PortaSwitchRealm) ChangePassword(ctx context.Context, s AccountSession, oldPassword, newPassword string) (AccountSession, error) {
	c, err := r.client(s.Login, "", s)
	if err != nil {
		return s, err
	}
	err = c.ChangePassword(ctx, oldPassword, newPassword)
	switch code := portaswitch.FaultCode(err); {
	case err == nil:
	case code == "Server.Account.wrong_password":
		return s, ErrWrongPassword
	case code == "Client.Account.invalid_password":
		return s, ErrPasswordRejected
	default:
		return s, classifyRealm(err)
	}
	s.AccessToken, s.RefreshToken = c.Tokens()
	s.MustChange = false
	return s, nil
}

// Overview implements AccountRealm: the account realm's own account, and
// the plan's and device's names from the admin realm.
func (r *PortaSwitchRealm) Overview(ctx context.Context, s AccountSession) (AccountOverview, AccountSession, error) {
	c, err := r.client(s.Login, "", s)
	if err != nil {
		return AccountOverview{}, s, err
	}
	info, err := c.GetAccountInfo(ctx, portaswitch.GetAccountInfoRequest{})
	if err != nil {
		return AccountOverview{}, s, classifyRealm(err)
	}
	s.AccessToken, s.RefreshToken = c.Tokens()
	ov := AccountOverview{Number: info.ID, ActivationDate: displayDate(info.ActivationDate),
		Plan: fmt.Sprintf("Plan %d", info.IProduct)}
	if info.Balance != "" {
		if minor, err := portaswitch.ParseAmountRounded(info.Balance.String(), info.ISO4217); err == nil {
			ov.Balance = forms.Money{Amount: minor, Currency: info.ISO4217}.String()
		}
	}
	if r.Admin != nil {
		if products, err := r.Admin.GetProductList(ctx, portaswitch.GetProductListRequest{}); err == nil {
			for _, p := range products {
				if p.IProduct == info.IProduct {
					ov.Plan = p.Name
					if p.EndUserName != "" {
						ov.Plan = p.EndUserName
					}
				}
			}
		}
		ov.Device = r.deviceOf(ctx, info.IAccount)
	}
	return ov, s, nil
}

// deviceOf names the device on the account, "Your own phone" without one.
func (r *PortaSwitchRealm) deviceOf(ctx context.Context, iAccount int64) string {
	for off := 0; off < 10000; off += 100 {
		list, err := r.Admin.GetUAList(ctx, portaswitch.GetUAListRequest{Usage: "U", Limit: 100, Offset: off})
		if err != nil {
			return ""
		}
		for _, ua := range list {
			if ua.IAccount == iAccount {
				return ua.Name
			}
		}
		if len(list) < 100 {
			break
		}
	}
	return "Your own phone"
}

// Logout implements AccountRealm.
func (r *PortaSwitchRealm) Logout(ctx context.Context, s AccountSession) error {
	c, err := r.client(s.Login, "", s)
	if err != nil {
		return err
	}
	return c.Logout(ctx)
}

// displayDate turns PortaSwitch's YYYY-MM-DD into "2 January 2026".
func displayDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		if len(d) >= 10 {
			if t, err = time.Parse("2006-01-02", d[:10]); err == nil {
				return t.Format("2 January 2006")
			}
		}
		return d
	}
	return t.Format("2 January 2006")
}
