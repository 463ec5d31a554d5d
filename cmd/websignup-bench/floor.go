package main

import (
	"context"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gofiber/fiber/v2"

	"websignup/internal/web"
)

// floorServer is the floor measure's server, run as a process of its own
// ("websignup-bench floor-server"): websignup's Fiber app as web.New builds
// it (request ids, the request log at info level as JSON on stderr, panic
// recovery, security headers, trusted proxies from
// WEBSIGNUP_TRUSTED_PROXIES) with one route answering a constant string. So
// the floor pays what every websignup request pays before its handler runs.
func floorServer() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var proxies []string
	for p := range strings.SplitSeq(os.Getenv("WEBSIGNUP_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			proxies = append(proxies, p)
		}
	}
	app := web.New(web.Options{Logger: logger, TrustedProxies: proxies})
	app.Get("/floor", func(c *fiber.Ctx) error { return c.SendString("floor") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); _ = app.Shutdown() }()
	logger.Info("listening", "addr", ln.Addr().String())
	return app.Listener(ln)
}
