package portaswitch

import (
	"context"
	"errors"
)

// LoginRequest is Session/login's params: login with password or API token.
type LoginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password,omitempty"`
	Token    string `json:"token,omitempty"`
}

// LoginResult is Session/login's result.
type LoginResult struct {
	SessionID    string `json:"session_id"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	// ExpiresAt is "YYYY-MM-DD HH:MM:SS" UTC.
	ExpiresAt string `json:"expires_at"`
	// ExpiresIn is seconds until expiry (the simulator sends it; 0 if absent).
	ExpiresIn int64 `json:"expires_in,omitempty"`
	// PasswordChangeRequired is "Y" in the account realm while the web
	// password is a generated one that must be changed (see ChangePassword).
	PasswordChangeRequired string `json:"password_change_required,omitempty"`
}

// MustChangePassword reports whether the account realm demands a password
// change before any other call.
func (r *LoginResult) MustChangePassword() bool { return r.PasswordChangeRequired == "Y" }

// RefreshResult is Session/refresh_access_token's result.
type RefreshResult struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresAt    string `json:"expires_at"`
	ExpiresIn    int64  `json:"expires_in,omitempty"`
}

// PingResult is Session/ping's result; UserID > 0 while the token is valid.
type PingResult struct {
	UserID int64 `json:"user_id"`
}

// Login logs in now with the configured credentials and keeps the session.
// Other methods log in lazily, so Login is only needed to see the result
// (e.g. PasswordChangeRequired in the account realm). A wrong password gives
// a *Fault for which IsAuthFailed is true.
func (c *Client) Login(ctx context.Context) (*LoginResult, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	return c.login(ctx)
}

func (c *Client) login(ctx context.Context) (*LoginResult, error) {
	c.mu.Lock()
	req := LoginRequest{Login: c.cfg.Login, Password: c.pass, Token: c.cfg.Token}
	c.mu.Unlock()
	if req.Login == "" {
		return nil, errors.New("portaswitch: no login configured")
	}
	if req.Token != "" {
		req.Password = ""
	}
	var res LoginResult
	if err := c.call(ctx, "Session", "login", req, &res); err != nil {
		return nil, err
	}
	if res.AccessToken == "" {
		return nil, &TransportError{Service: "Session", Method: "login", StatusCode: 200, Err: errors.New("login result has no access_token")}
	}
	c.setTokens(res.AccessToken, res.RefreshToken)
	return &res, nil
}

// RefreshAccessToken exchanges the kept refresh token for a new access token.
// The client does this by itself when a call finds the session expired.
func (c *Client) RefreshAccessToken(ctx context.Context) (*RefreshResult, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	_, refresh := c.Tokens()
	if refresh == "" {
		return nil, errors.New("portaswitch: no refresh token (not logged in)")
	}
	return c.refreshToken(ctx, refresh)
}

func (c *Client) refreshToken(ctx context.Context, refresh string) (*RefreshResult, error) {
	var res RefreshResult
	if err := c.call(ctx, "Session", "refresh_access_token", struct {
		RefreshToken string `json:"refresh_token"`
	}{refresh}, &res); err != nil {
		return nil, err
	}
	if res.AccessToken == "" {
		return nil, &TransportError{Service: "Session", Method: "refresh_access_token", StatusCode: 200, Err: errors.New("result has no access_token")}
	}
	c.setTokens(res.AccessToken, res.RefreshToken)
	return &res, nil
}

// Ping asks whether the current access token is valid (logging in first if
// there is none). UserID is 0 when it is not.
func (c *Client) Ping(ctx context.Context) (*PingResult, error) {
	tok, err := c.ensureSession(ctx)
	if err != nil {
		return nil, err
	}
	var res PingResult
	if err := c.call(ctx, "Session", "ping", accessTokenParams{tok}, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Logout ends the current session; the next call logs in again. Without a
// session it does nothing.
func (c *Client) Logout(ctx context.Context) error {
	tok := c.token()
	if tok == "" {
		return nil
	}
	var res struct {
		Success int `json:"success"`
	}
	if err := c.call(ctx, "Session", "logout", accessTokenParams{tok}, &res); err != nil {
		return err
	}
	c.mu.Lock()
	if c.access == tok {
		c.access, c.refresh = "", ""
	}
	c.mu.Unlock()
	return nil
}
