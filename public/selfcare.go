package public

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/seal"
	"websignup/internal/token"
	"websignup/internal/web"
)

// Self-care: a new subscriber logs in with the web login and password from
// the done page, in PortaSwitch's account realm; PortaSwitch demands a new
// password at the first login; then an overview of the account.
//
// The self-care session is its own cookie (SelfcareCookie: a random id,
// HttpOnly, SameSite=Lax, Secure over TLS, path /selfcare/, a new id at
// every login). Its server side, the account realm's tokens sealed under
// the purpose "selfcare" and bound to the id, lives in the database, so
// any instance serves any request. It ends after SelfcareIdle without a
// request and SelfcareLifetime after the login, however active.

// SelfcareCookie names the self-care session cookie.
const SelfcareCookie = "ws_selfcare"

// SelfcareCSRFCookie names self-care's CSRF cookie.
const SelfcareCSRFCookie = "ws_selfcare_csrf"

// Self-care session and throttle defaults.
const (
	SelfcareIdle     = 30 * time.Minute
	SelfcareLifetime = 8 * time.Hour
	// LoginThrottleWindow is the window in which failed logins count.
	LoginThrottleWindow = 15 * time.Minute
	// DefaultLoginFailuresPerLogin and DefaultLoginFailuresPerAddress are
	// how many failed logins a login, and a client address, may have in
	// LoginThrottleWindow before further attempts are refused.
	DefaultLoginFailuresPerLogin   = 5
	DefaultLoginFailuresPerAddress = 20
)

// selfcarePurpose is the seal purpose of self-care session state.
const selfcarePurpose = "selfcare"

// SelfcareStore keeps self-care sessions and the failed-login counters.
// storage.Store satisfies it.
type SelfcareStore interface {
	// CreateSelfcareSession stores a session's sealed state under its id.
	CreateSelfcareSession(ctx context.Context, id, state string, now, expires time.Time) error
	// SelfcareSession returns a live session's state and marks it seen;
	// ENotFound for an unknown, idle or expired one.
	SelfcareSession(ctx context.Context, id string, now time.Time, idle time.Duration) (string, error)
	// UpdateSelfcareSession replaces a session's state.
	UpdateSelfcareSession(ctx context.Context, id, state string) error
	// DeleteSelfcareSession ends a session.
	DeleteSelfcareSession(ctx context.Context, id string) error
	// ThrottleCount, ThrottleHit and ThrottleReset count failures per key
	// in a fixed window, shared by every instance.
	ThrottleCount(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	ThrottleHit(ctx context.Context, key string, window time.Duration, now time.Time) (int, error)
	ThrottleReset(ctx context.Context, key string) error
}

// AccountSession is a login in the account realm: what the self-care
// session keeps (sealed). It holds tokens, never the password.
type AccountSession struct {
	Login        string `json:"login"`
	AccessToken  string `json:"access"`
	RefreshToken string `json:"refresh,omitempty"`
	// MustChange is true while PortaSwitch demands a new password.
	MustChange bool `json:"must_change,omitempty"`
}

// AccountOverview is what the overview page shows, formatted for display.
type AccountOverview struct {
	Number, Plan, Device, Balance, ActivationDate string
}

// Errors of an AccountRealm, told apart with errors.Is.
var (
	// ErrBadLogin: unknown login or wrong password (never said which).
	ErrBadLogin = errors.New("selfcare: login refused")
	// ErrSessionEnded: the account realm no longer accepts the tokens.
	ErrSessionEnded = errors.New("selfcare: account session ended")
	// ErrPasswordChange: the realm refuses everything until the password
	// is changed.
	ErrPasswordChange = errors.New("selfcare: password change required")
	// ErrWrongPassword: change_password with a wrong old password.
	ErrWrongPassword = errors.New("selfcare: wrong old password")
	// ErrPasswordRejected: the realm refused the new password.
	ErrPasswordRejected = errors.New("selfcare: new password rejected")
)

// AccountRealm is PortaSwitch's account realm as self-care needs it.
// PortaSwitchRealm implements it over the portaswitch client. Each method
// returns the session with possibly refreshed tokens.
type AccountRealm interface {
	// Login logs in; ErrBadLogin for an unknown login or a wrong password.
	Login(ctx context.Context, login, password string) (AccountSession, error)
	// ChangePassword changes the web password; ErrWrongPassword,
	// ErrPasswordRejected, ErrSessionEnded.
	ChangePassword(ctx context.Context, s AccountSession, oldPassword, newPassword string) (AccountSession, error)
	// Overview reads the account; ErrPasswordChange, ErrSessionEnded.
	Overview(ctx context.Context, s AccountSession) (AccountOverview, AccountSession, error)
	// Logout ends the realm's session (best effort).
	Logout(ctx context.Context, s AccountSession) error
}

// SelfcareDeps is what self-care needs. Store and Realm are required for
// its routes to be registered; the rest have defaults.
type SelfcareDeps struct {
	Store SelfcareStore
	Realm AccountRealm
	// Brand is the look of self-care's pages; zero: components.NeutralBrand().
	Brand components.BrandVM
	// FailuresPerLogin and FailuresPerAddress limit failed logins in
	// LoginThrottleWindow (defaults DefaultLoginFailuresPerLogin and
	// DefaultLoginFailuresPerAddress).
	FailuresPerLogin, FailuresPerAddress int
}

// selfcare is the self-care area's handlers.
type selfcare struct {
	*handlers
	d      SelfcareDeps
	sealer *seal.Sealer
	csrf   fiber.Handler
}

// registerSelfcare adds self-care's routes.
func registerSelfcare(r fiber.Router, h *handlers) {
	d := h.Selfcare
	if d.Brand == (components.BrandVM{}) {
		d.Brand = components.NeutralBrand()
	}
	if d.Brand.Badge == "" {
		d.Brand = d.Brand.WithBadge(selfcareBadge)
	}
	if d.FailuresPerLogin <= 0 {
		d.FailuresPerLogin = DefaultLoginFailuresPerLogin
	}
	if d.FailuresPerAddress <= 0 {
		d.FailuresPerAddress = DefaultLoginFailuresPerAddress
	}
	sealer, err := seal.New(h.Secret, selfcarePurpose)
	if err != nil {
		panic(fmt.Sprintf("public.Register: %v", err))
	}
	s := &selfcare{handlers: h, d: d, sealer: sealer,
		csrf: web.CSRF(web.CSRFConfig{Secret: h.Secret, CookieName: SelfcareCSRFCookie, Path: "/selfcare/"})}
	r.Get("/selfcare", func(c *fiber.Ctx) error { return c.Redirect("/selfcare/", fiber.StatusMovedPermanently) })
	r.Get("/selfcare/login", s.csrf, s.loginPage)
	r.Post("/selfcare/login", s.csrf, s.loginPost)
	r.Get("/selfcare/password", s.csrf, s.require(false), s.passwordPage)
	r.Post("/selfcare/password", s.csrf, s.require(false), s.passwordPost)
	r.Get("/selfcare/", s.csrf, s.require(true), s.overview)
	r.Post("/selfcare/logout", s.csrf, s.logout)
}

const selfcareSessionKey = "public.selfcare-session"

// current is the request's self-care session (set by require).
type current struct {
	id   string
	acct AccountSession
}

func currentSession(c *fiber.Ctx) *current {
	cur, _ := c.Locals(selfcareSessionKey).(*current)
	return cur
}

// require loads the self-care session: without a live one it sends the
// browser to the login page. While PortaSwitch demands a password change,
// every page but the password page (gate false) redirects to it.
func (s *selfcare) require(gate bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cur, err := s.load(c)
		if err != nil {
			return err
		}
		if cur == nil {
			return s.toLogin(c)
		}
		if gate && cur.acct.MustChange {
			return c.Redirect("/selfcare/password", fiber.StatusSeeOther)
		}
		c.Locals(selfcareSessionKey, cur)
		return c.Next()
	}
}

// load returns the live session of the request's cookie, or nil.
func (s *selfcare) load(c *fiber.Ctx) (*current, error) {
	id := strings.Clone(c.Cookies(SelfcareCookie))
	if !token.PlausibleSessionID(id) {
		return nil, nil
	}
	state, err := s.d.Store.SelfcareSession(c.UserContext(), id, s.Now(), SelfcareIdle)
	if forms.ErrorCode(err) == forms.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("self-care session: %w", err)
	}
	acct, ok := s.open(id, state)
	if !ok {
		_ = s.d.Store.DeleteSelfcareSession(c.UserContext(), id)
		return nil, nil
	}
	return &current{id: id, acct: acct}, nil
}

func (s *selfcare) seal(id string, acct AccountSession) (string, error) {
	b, err := json.Marshal(acct)
	if err != nil {
		return "", fmt.Errorf("encode self-care state: %w", err)
	}
	tok, err := s.sealer.Seal(b, id, s.Now().Add(SelfcareLifetime))
	if err != nil {
		return "", fmt.Errorf("seal self-care state: %w", err)
	}
	return tok, nil
}

func (s *selfcare) open(id, state string) (AccountSession, bool) {
	b, err := s.sealer.Open(state, id, s.Now())
	if err != nil {
		return AccountSession{}, false
	}
	var acct AccountSession
	if json.Unmarshal(b, &acct) != nil {
		return AccountSession{}, false
	}
	return acct, true
}

// save stores the session's (possibly refreshed) account state.
func (s *selfcare) save(c *fiber.Ctx, cur *current) error {
	state, err := s.seal(cur.id, cur.acct)
	if err != nil {
		return err
	}
	if err := s.d.Store.UpdateSelfcareSession(c.UserContext(), cur.id, state); err != nil {
		return fmt.Errorf("save self-care session: %w", err)
	}
	return nil
}

// end deletes the session and its cookie.
func (s *selfcare) end(c *fiber.Ctx, id string) error {
	if id != "" {
		if err := s.d.Store.DeleteSelfcareSession(c.UserContext(), id); err != nil {
			return err
		}
	}
	c.Cookie(&fiber.Cookie{Name: SelfcareCookie, Value: "", Path: "/selfcare/", MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, Secure: web.Secure(c), SameSite: fiber.CookieSameSiteLaxMode})
	return nil
}

func (s *selfcare) toLogin(c *fiber.Ctx) error {
	noStore(c)
	return c.Redirect("/selfcare/login", fiber.StatusSeeOther)
}

// sessionEnded handles a realm session that PortaSwitch no longer accepts:
// log in again.
func (s *selfcare) sessionEnded(c *fiber.Ctx, cur *current) error {
	if err := s.end(c, cur.id); err != nil {
		return err
	}
	return c.Redirect("/selfcare/login?ended=1", fiber.StatusSeeOther)
}

// SelfcareFormCookie remembers the signup form a subscriber came to
// self-care from (the done page's link names it: SelfcareFormParam), so
// that self-care wears that operator's or reseller's brand rather than a
// neutral one. It holds a form's slug, nothing secret.
const SelfcareFormCookie = "ws_selfcare_form"

// SelfcareFormParam is the login page's query parameter naming the form.
const SelfcareFormParam = "form"

// selfcareFormMaxAge is how long SelfcareFormCookie is kept.
const selfcareFormMaxAge = 90 * 24 * time.Hour

// SelfcareLoginURL is self-care's login page for subscribers of the form
// slug, on the site at baseURL.
func SelfcareLoginURL(baseURL, slug string) string {
	return baseURL + SelfcareLoginPath + "?" + SelfcareFormParam + "=" + url.QueryEscape(slug)
}

// rememberForm keeps the form the login page was opened for (?form=), if
// it names a published form: its brand is then self-care's, from this page
// on.
func (s *selfcare) rememberForm(c *fiber.Ctx) {
	slug := strings.Clone(c.Query(SelfcareFormParam))
	b, ok := s.formBrand(c, slug)
	if !ok {
		return
	}
	c.Cookie(&fiber.Cookie{Name: SelfcareFormCookie, Value: slug, Path: "/selfcare/", HTTPOnly: true,
		Secure: web.Secure(c), SameSite: fiber.CookieSameSiteLaxMode, Expires: s.Now().Add(selfcareFormMaxAge)})
	c.Locals(selfcareBrandKey, b)
}

const selfcareBrandKey = "public.selfcare-brand"

// formBrand is the brand of the published form slug, its title linking to
// self-care's start, and false when slug names no published form.
func (s *selfcare) formBrand(c *fiber.Ctx, slug string) (components.BrandVM, bool) {
	if !validSlug(slug) || s.Forms == nil {
		return components.BrandVM{}, false
	}
	_, v, err := s.Forms.PublishedForm(c.UserContext(), slug)
	if err != nil {
		if forms.ErrorCode(err) != forms.ENotFound {
			s.Logger.Warn("self-care: brand of form", "request_id", web.RequestID(c), "form", slug, "err", err)
		}
		return components.BrandVM{}, false
	}
	return components.NewBrand(v.Config.Branding, "/selfcare/").WithBadge(selfcareBadge), true
}

// selfcareBadge is the words by the lock in self-care's header.
const selfcareBadge = "Secure self-care"

// page is a self-care page: the brand of the form the subscriber came from
// (SelfcareFormCookie), or self-care's own (SelfcareDeps.Brand).
func (s *selfcare) page(c *fiber.Ctx, title string) components.Page {
	b, ok := c.Locals(selfcareBrandKey).(components.BrandVM)
	if !ok {
		if b, ok = s.formBrand(c, strings.Clone(c.Cookies(SelfcareFormCookie))); !ok {
			b = s.d.Brand
		}
	}
	web.SetBrand(c, b)
	return components.Page{Title: title, Brand: b}
}

func (s *selfcare) render(c *fiber.Ctx, status int, comp templ.Component) error {
	noStore(c)
	return web.Render(c, status, comp)
}
