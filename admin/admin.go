// Package admin holds the Fiber handlers of the admin area, where operators
// and their resellers manage forms, submissions, users and tenants: sign-in
// with server-side sessions, Casbin RBAC with tenants as domains, and an
// audit log of every change.
//
// Every page is guarded twice: by route (require(obj, act) asks Casbin
// whether the signed-in user's role may do that in their tenant) and by
// query (every store call takes tenantScope(c), the tenant of the
// server-side session, so an object of another tenant is not found).
package admin

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"websignup/internal/web"
	"websignup/storage"
)

// Deps is what the admin handlers need.
type Deps struct {
	// Store is the database. The admin area uses many of its methods, so
	// it takes the store itself rather than an interface per handler.
	Store *storage.Store
	// Enforcer decides permissions (NewEnforcer).
	Enforcer *Enforcer
	// Secret is the server's 32-byte key; the admin CSRF tokens derive
	// from it.
	Secret []byte
	Logger *slog.Logger
	// Now is the clock (time.Now when nil); tests move it to expire
	// sessions and rate-limit windows.
	Now func() time.Time
	// Limits overrides the sign-in limits; the zero value means
	// DefaultLimits.
	Limits Limits
	// Catalog reads PortaSwitch's products, DID batches and phone types
	// for the form builder's pickers (NewPortaSwitchCatalog); nil shows
	// only what the forms already have.
	Catalog Catalog
}

// Limits are the session lifetimes and sign-in rate limits.
type Limits struct {
	Idle          time.Duration // a session unused this long ends (30 min)
	Absolute      time.Duration // a session ends this long after sign-in (12 h)
	Window        time.Duration // the fixed window of the attempt counters (15 min)
	PerEmail      int           // sign-in attempts per address per window (5)
	PerAddress    int           // sign-in attempts per client address per window (20)
	TouchInterval time.Duration // last_seen_at is written at most this often (1 min)
}

// DefaultLimits are the limits of a production server.
var DefaultLimits = Limits{
	Idle:          30 * time.Minute,
	Absolute:      12 * time.Hour,
	Window:        15 * time.Minute,
	PerEmail:      5,
	PerAddress:    20,
	TouchInterval: time.Minute,
}

// handlers carries the dependencies of every admin handler.
type handlers struct {
	Deps
	csrf fiber.Handler
}

// Register adds the admin area's routes (routes.go) to r. It panics when
// Store, Enforcer or a 32-byte Secret is missing: a wiring mistake that
// must stop the server at start.
func Register(r fiber.Router, d Deps) {
	if d.Store == nil || d.Enforcer == nil {
		panic("admin.Register: Store and Enforcer are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Limits == (Limits{}) {
		d.Limits = DefaultLimits
	}
	h := &handlers{Deps: d}
	h.csrf = web.CSRF(web.CSRFConfig{
		Secret:     d.Secret,
		CookieName: csrfCookie,
		Path:       cookiePath,
		Secure:     web.Secure,
	})
	for _, rt := range h.routes() {
		r.Add(rt.Method, rt.Path, h.chain(rt)...)
	}
}

// chain is the handlers of one route: the admin look for error pages,
// CSRF, the session, then sign-in and permission guards as the route
// declares, then the route's handler.
func (h *handlers) chain(rt route) []fiber.Handler {
	c := []fiber.Handler{h.adminBrand, h.csrf, h.loadSession}
	if !rt.Public {
		c = append(c, h.requireAuth)
		if rt.Obj != "" {
			c = append(c, h.require(rt.Obj, rt.Act))
		}
	}
	return append(c, rt.Handler)
}
