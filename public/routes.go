package public

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/seal"
	"websignup/internal/web"
)

// CSRFCookie is the cookie of the wizard's CSRF protection (web.CSRF).
const CSRFCookie = "ws_csrf"

// Register adds the public site's routes to r. The app must route strictly
// (web.New does), since "/s/:slug" redirects to "/s/:slug/". It panics when
// d.Secret is set but is not a 32-byte key, a misconfiguration at start.
//
// Every wizard page goes through the CSRF middleware (it sets the cookie on
// GET and checks the token on POST); step POSTs and number searches are
// rate limited per client address.
func Register(r fiber.Router, d Deps) {
	h := newHandlers(d)

	r.Get("/s/:slug", h.wizardRoot)
	r.Get("/s/:slug/", h.csrf, h.welcome)
	r.Post("/s/:slug/", h.stepLimit, h.csrf, h.welcomePost)
	r.Get("/s/:slug/address", h.csrf, h.address)
	r.Post("/s/:slug/address", h.stepLimit, h.csrf, h.addressPost)
	r.Get("/s/:slug/phone", h.searchLimit, h.csrf, h.phone)
	r.Get("/s/:slug/phone/numbers", h.searchLimit, h.csrf, h.phoneNumbers)
	r.Post("/s/:slug/phone", h.stepLimit, h.csrf, h.phonePost)
	r.Get("/s/:slug/payment", h.csrf, h.payment)
	r.Post("/s/:slug/payment", h.stepLimit, h.csrf, h.paymentPost)
	r.Get("/s/:slug/summary", h.csrf, h.summary)
	if d.Signup.Jobs != nil && d.Signup.Runner != nil {
		r.Post("/s/:slug/signup", h.stepLimit, h.csrf, h.signup)
		r.Get("/s/:slug/done", h.csrf, h.done)
		r.Get("/s/:slug/done/status", h.doneStatus)
	}
	if d.Selfcare.Store != nil && d.Selfcare.Realm != nil {
		registerSelfcare(r, h)
	}
}

// handlers carries the dependencies of every public handler.
type handlers struct {
	Deps
	// cards seals a card for its trip from the payment step to Sign up.
	cards *seal.Sealer
	// csrf, stepLimit and searchLimit are the wizard's middleware.
	csrf, stepLimit, searchLimit fiber.Handler
	// views are the view models of the versions shown, made once each.
	views versionViews
}

// newHandlers fills in the defaults of d and builds the middleware.
func newHandlers(d Deps) *handlers {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.IdleTimeout <= 0 {
		d.IdleTimeout = DefaultIdleTimeout
	}
	if d.SessionLifetime <= 0 {
		d.SessionLifetime = DefaultSessionLifetime
	}
	if d.SearchLimit <= 0 {
		d.SearchLimit = DefaultSearchLimit
	}
	if d.StepLimit <= 0 {
		d.StepLimit = DefaultStepLimit
	}
	if d.Secret == nil {
		d.Secret = make([]byte, seal.KeySize)
		_, _ = rand.Read(d.Secret) // never fails (crypto/rand)
	}
	cards, err := seal.New(d.Secret, cardPurpose)
	if err != nil {
		panic(fmt.Sprintf("public.Register: %v", err))
	}
	return &handlers{
		Deps:        d,
		cards:       cards,
		csrf:        web.CSRF(web.CSRFConfig{Secret: d.Secret, CookieName: CSRFCookie, Path: "/s/", Start: wizardStart}),
		stepLimit:   rateLimit("step", d.StepLimit, d.LimiterStorage),
		searchLimit: rateLimit("search", d.SearchLimit, d.LimiterStorage),
	}
}

// rateLimit allows max requests per minute per client address. c.IP() is
// the connection's address, or X-Forwarded-For's only from a trusted proxy
// (web.New). The counters are in store (nil: this process's memory), under
// keys prefixed with name, so limiters sharing a store count apart.
func rateLimit(name string, max int, store fiber.Storage) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: time.Minute,
		Storage:    store,
		KeyGenerator: func(c *fiber.Ctx) string {
			return name + ":" + c.IP()
		},
		LimitReached: func(*fiber.Ctx) error {
			return fiber.ErrTooManyRequests
		},
	})
}

// wizardStart is the welcome page of the wizard a request is for: where a
// refused post links back to when its Referer does not say which page the
// form was on.
func wizardStart(c *fiber.Ctx) string {
	slug := c.Params("slug")
	if !validSlug(slug) {
		return "/"
	}
	return components.WizardURL(slug, forms.StepWelcome)
}
