// Package web builds websignup's Fiber application: the middleware every
// request goes through (request id, logging, panic recovery, security
// headers), static assets, health checks, and the one error handler that
// turns errors into statuses and error pages. The public and admin areas
// register their routes on the app it returns.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"websignup/components"
)

// Options configures the app New builds. The zero value works: a discarding
// logger, always ready, a 1 MiB body limit, no trusted proxies, no framing.
type Options struct {
	// Logger receives one line per request and every internal error.
	Logger *slog.Logger
	// Ready reports whether the app can serve (the database answers);
	// GET /readyz calls it. Nil means always ready.
	Ready func(context.Context) error
	// BodyLimit is the largest request body accepted, in bytes (default 1 MiB).
	BodyLimit int
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For and X-Forwarded-Proto headers are believed. With
	// none, the client address is the connection's and those headers are
	// ignored.
	TrustedProxies []string
	// FrameAncestors is the CSP frame-ancestors source list saying which
	// sites may embed the pages, e.g. "https://www.operator.example"
	// (default "'none'").
	FrameAncestors string
	// TLS says the site is served over HTTPS, directly or behind a
	// TLS-terminating proxy: HSTS is sent and Secure(c) is true on every
	// request, so handlers mark their cookies Secure.
	TLS bool
	// Observe, if set, is called once per answered request with the
	// method, the matched route's pattern (e.g. "/s/:slug/address", never
	// the raw path), the final status and the time taken: the metrics hook.
	Observe func(method, route string, status int, d time.Duration)
}

// Server timeouts: long enough for a slow mobile connection, short enough
// that idle or stalled clients do not pile up.
const (
	readTimeout  = 15 * time.Second
	writeTimeout = 30 * time.Second
	idleTimeout  = 90 * time.Second
	// writeBufferSize holds a whole wizard page with its headers (the
	// demo's address step, the largest with its 250 countries, is 17 kB),
	// so that each response goes out in one system call; with fasthttp's
	// default of 4 kB a page took two to four, and with 16 kB the address
	// step took two. Each open connection keeps one (idle ones close after
	// idleTimeout).
	writeBufferSize = 24 << 10

	defaultBodyLimit = 1 << 20
	readyTimeout     = 3 * time.Second
)

// New returns the app with its middleware, /static/, /healthz and /readyz in
// place, ready for the areas to register their routes on.
//
// Routing is strict: "/s/demo" and "/s/demo/" are different paths, so that
// the wizard can redirect the first to the second.
func New(opts Options) *fiber.App {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bodyLimit := opts.BodyLimit
	if bodyLimit <= 0 {
		bodyLimit = defaultBodyLimit
	}
	frameAncestors := strings.TrimSpace(opts.FrameAncestors)
	if frameAncestors == "" || strings.ContainsAny(frameAncestors, ";,\r\n") {
		if frameAncestors != "" {
			logger.Warn("ignoring invalid frame-ancestors; pages cannot be framed", "frame_ancestors", frameAncestors)
		}
		frameAncestors = "'none'"
	}

	cfg := fiber.Config{
		StrictRouting:         true,
		BodyLimit:             bodyLimit,
		ReadTimeout:           readTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		WriteBufferSize:       writeBufferSize,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(logger),
		// Always on: without it Fiber believes X-Forwarded-Proto and
		// X-Forwarded-Host from anyone. With no trusted proxies, nobody is.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          opts.TrustedProxies,
	}
	if len(opts.TrustedProxies) > 0 {
		// c.IP() reads this header only on requests from a trusted proxy.
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
	}
	app := fiber.New(cfg)

	app.Use(sanitizeRequestID)
	app.Use(requestid.New(requestid.Config{ContextKey: requestIDKey}))
	app.Use(requestLogger(logger, opts.Observe))
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			logger.Error("panic", "request_id", RequestID(c), "path", c.Path(), "panic", e, "stack", stack())
		},
	}))
	app.Use(securityHeaders(opts.TLS, frameAncestors))

	app.Use(components.StaticPrefix, staticCache, filesystem.New(filesystem.Config{
		Root:   http.FS(components.Static),
		MaxAge: int((365 * 24 * time.Hour).Seconds()),
	}))

	app.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	app.Get("/readyz", readyHandler(opts.Ready, logger))
	return app
}

// staticCache marks assets immutable: their URLs carry a content hash
// (components.Asset), so a changed file gets a new URL.
func staticCache(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	}
	return nil
}

func readyHandler(ready func(context.Context) error, logger *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		if ready != nil {
			ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
			defer cancel()
			if err := ready(ctx); err != nil {
				logger.Warn("not ready", "request_id", RequestID(c), "err", err)
				return c.Status(fiber.StatusServiceUnavailable).
					JSON(fiber.Map{"status": "unavailable", "error": "database"})
			}
		}
		return c.JSON(fiber.Map{"status": "ready"})
	}
}
