package portaswitch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults used when a Config field is zero.
const (
	// DefaultTimeout bounds one HTTP attempt.
	DefaultTimeout = 15 * time.Second
	// DefaultReadRetries is how often a read is repeated after a transport error.
	DefaultReadRetries = 2
	// DefaultRetryBackoff is the first wait before a retry; it doubles.
	DefaultRetryBackoff = 250 * time.Millisecond
	maxResponseBytes    = 16 << 20
)

// Config configures a Client. BaseURL selects the server and the realm: on a
// real PortaSwitch each realm has its own port (admin 443, reseller 8442,
// customer 8444, account 8445); on the simulator the admin realm is at the
// server's root and the account realm under the "/account" prefix.
type Config struct {
	// BaseURL is the realm's address without "/rest", e.g.
	// "https://pbx.example.com" or "http://127.0.0.1:8700/account".
	BaseURL string
	// Login and Password log in lazily: an admin/reseller API user, or in the
	// account realm the end user's web login.
	Login, Password string
	// Token, if set, logs in with login + API token instead of the password.
	Token string
	// AccessToken and RefreshToken resume an existing session (for example a
	// self-care session kept by the web server); they may be empty.
	AccessToken, RefreshToken string
	// Timeout bounds each HTTP attempt (default DefaultTimeout).
	Timeout time.Duration
	// ReadRetries is how often a read (get_*, ping, login) is repeated after a
	// TransportError (default DefaultReadRetries; negative disables).
	// Writes are never repeated automatically.
	ReadRetries int
	// RetryBackoff is the wait before the first retry, doubled each time
	// (default DefaultRetryBackoff).
	RetryBackoff time.Duration
	// HTTPClient sends the requests (default: a client with no overall timeout;
	// the per-call Timeout applies).
	HTTPClient *http.Client
	// Logger receives one debug line per call (service, method, outcome,
	// duration, redacted params); nil discards.
	Logger *slog.Logger
}

// Client calls one PortaSwitch realm as one user. It is safe for concurrent
// use; all goroutines share one session, which is refreshed or re-established
// at most once per call when the server says it expired.
type Client struct {
	base    string
	cfg     Config
	http    *http.Client
	log     *slog.Logger
	authMu  sync.Mutex // serialises login and refresh
	mu      sync.Mutex // guards the fields below
	access  string
	refresh string
	pass    string
}

// New returns a Client for cfg. It returns an error when BaseURL is not an
// absolute http or https URL; it does not contact the server (login is lazy).
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("portaswitch: BaseURL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ReadRetries == 0 {
		cfg.ReadRetries = DefaultReadRetries
	} else if cfg.ReadRetries < 0 {
		cfg.ReadRetries = 0
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Client{
		base:    strings.TrimRight(cfg.BaseURL, "/"),
		cfg:     cfg,
		http:    hc,
		log:     lg,
		access:  cfg.AccessToken,
		refresh: cfg.RefreshToken,
		pass:    cfg.Password,
	}, nil
}

// Tokens returns the current access and refresh tokens (empty before the
// first login), so a caller can keep a session and resume it with
// Config.AccessToken and Config.RefreshToken.
func (c *Client) Tokens() (access, refresh string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.access, c.refresh
}

func (c *Client) token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.access
}

func (c *Client) setTokens(access, refresh string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.access = access
	if refresh != "" {
		c.refresh = refresh
	}
}

// isRead reports whether a method only reads, so that repeating it after an
// unknown outcome is harmless.
func isRead(service, method string) bool {
	return strings.HasPrefix(method, "get_") || method == "ping" || (service == "Session" && method == "login")
}

// call performs Service/method with params and decodes the result into out.
// It logs in lazily, re-authenticates once on an expired session, and
// retries reads on transport errors.
func (c *Client) call(ctx context.Context, service, method string, params, out any) error {
	if params == nil {
		params = struct{}{}
	}
	body, err := json.Marshal(struct {
		Params any `json:"params"`
	}{params})
	if err != nil {
		return fmt.Errorf("portaswitch %s/%s: encode params: %w", service, method, err)
	}
	authed := service != "Session"
	reauthed := false
	read := isRead(service, method)
	retries := 0
	for {
		tok := ""
		if authed {
			if tok, err = c.ensureSession(ctx); err != nil {
				return err
			}
		}
		err = c.do(ctx, service, method, tok, body, out)
		switch {
		case err == nil:
			return nil
		case authed && !reauthed && IsSessionExpired(err):
			reauthed = true
			if rerr := c.reauth(ctx, tok); rerr != nil {
				return rerr
			}
			continue
		case read && IsTransport(err) && retries < c.cfg.ReadRetries && ctx.Err() == nil:
			wait := c.cfg.RetryBackoff << retries
			retries++
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
			continue
		}
		return err
	}
}

// do sends one HTTP request.
func (c *Client) do(ctx context.Context, service, method, token string, body []byte, out any) (err error) {
	start := time.Now()
	defer func() { c.logCall(ctx, service, method, body, start, err) }()
	terr := func(status int, e error) error {
		return &TransportError{Service: service, Method: method, StatusCode: status, Err: e}
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+"/rest/"+service+"/"+method, bytes.NewReader(body))
	if err != nil {
		return terr(0, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return terr(0, scrubURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return terr(resp.StatusCode, err)
	}
	return decodeResponse(service, method, resp.StatusCode, data, out)
}

// finisher is a result that completes itself once decoded, such as
// converting what it decoded; an error is the answer's, as a decoding
// error is.
type finisher interface {
	finish() error
}

// decodeResponse turns a status and body into the result or an error: 200 →
// out; 500 with faultcode → *Fault; anything else → *TransportError.
func decodeResponse(service, method string, status int, data []byte, out any) error {
	terr := func(e error) error {
		return &TransportError{Service: service, Method: method, StatusCode: status, Err: e}
	}
	switch status {
	case http.StatusOK:
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return terr(errors.New("response is not a JSON object"))
		}
		if out == nil {
			out = &struct{}{}
		}
		err := json.Unmarshal(trimmed, out)
		if err != nil && !json.Valid(trimmed) {
			return terr(errors.New("response is not valid JSON"))
		}
		if f, ok := out.(finisher); ok && err == nil {
			err = f.finish()
		}
		if err != nil {
			// Valid JSON of an unexpected shape: the call happened, but this
			// client cannot read the answer.
			return terr(fmt.Errorf("decode result: %s", RedactString(err.Error())))
		}
		return nil
	case http.StatusInternalServerError:
		var f struct {
			FaultCode   string `json:"faultcode"`
			FaultString string `json:"faultstring"`
		}
		if err := json.Unmarshal(data, &f); err != nil || f.FaultCode == "" {
			return terr(errors.New("HTTP 500 without a PortaSwitch fault"))
		}
		return &Fault{Service: service, Method: method, FaultCode: f.FaultCode, FaultString: RedactString(f.FaultString)}
	default:
		return terr(fmt.Errorf("unexpected HTTP status %d", status))
	}
}

func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL holds no secrets, but keep the message short and stable.
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func (c *Client) logCall(ctx context.Context, service, method string, body []byte, start time.Time, err error) {
	level := slog.LevelDebug
	outcome := "ok"
	var attrs []slog.Attr
	switch {
	case err == nil:
	case AsFault(err) != nil:
		outcome = "fault"
		attrs = append(attrs, slog.String("faultcode", FaultCode(err)))
	default:
		level = slog.LevelWarn
		outcome = "transport_error"
		attrs = append(attrs, slog.String("error", RedactString(err.Error())))
	}
	if !c.log.Enabled(ctx, level) {
		return
	}
	attrs = append(attrs,
		slog.String("method", service+"/"+method),
		slog.String("outcome", outcome),
		slog.Duration("duration", time.Since(start)),
		slog.String("params", RedactJSON(body)),
	)
	c.log.LogAttrs(ctx, level, "portaswitch call", attrs...)
}

// ensureSession returns a usable access token, logging in first if there is
// none.
func (c *Client) ensureSession(ctx context.Context) (string, error) {
	if tok := c.token(); tok != "" {
		return tok, nil
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if tok := c.token(); tok != "" {
		return tok, nil
	}
	if _, err := c.login(ctx); err != nil {
		return "", err
	}
	return c.token(), nil
}

// reauth replaces the expired token stale: by refresh token if there is one,
// else (or if that fails) by logging in again. If another goroutine already
// replaced stale, it does nothing.
func (c *Client) reauth(ctx context.Context, stale string) error {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if tok := c.token(); tok != "" && tok != stale {
		return nil
	}
	_, refresh := c.Tokens()
	if refresh != "" {
		if _, err := c.refreshToken(ctx, refresh); err == nil {
			return nil
		}
	}
	c.mu.Lock()
	canLogin := c.cfg.Login != "" && (c.pass != "" || c.cfg.Token != "")
	c.mu.Unlock()
	if !canLogin {
		return &Fault{Service: "Session", Method: "login", FaultCode: CodeSessionExpired, FaultString: "session expired and no credentials to log in again"}
	}
	_, err := c.login(ctx)
	return err
}
