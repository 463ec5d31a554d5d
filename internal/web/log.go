package web

import (
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// RequestID returns the request's id, as logged and sent back in the
// X-Request-ID header.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// sanitizeRequestID drops an incoming X-Request-ID that is not a short token,
// so that a client cannot put arbitrary text into our logs through it; the
// requestid middleware then generates one.
func sanitizeRequestID(c *fiber.Ctx) error {
	if id := c.Get(fiber.HeaderXRequestID); id != "" && !validRequestID(id) {
		c.Request().Header.Del(fiber.HeaderXRequestID)
	}
	return c.Next()
}

func validRequestID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// requestLogger logs one line per request. Errors are handed to the error
// handler here, before logging, so the line has the final status. Only the
// path is logged: query strings may carry search terms or tokens. observe,
// if not nil, gets the request's route pattern, status and duration.
func requestLogger(logger *slog.Logger, observe func(method, route string, status int, d time.Duration)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				logger.Error("error handler failed", "request_id", RequestID(c), "err", herr)
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		if observe != nil {
			observe(c.Method(), c.Route().Path, status, time.Since(start))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		logger.LogAttrs(c.UserContext(), level, "request",
			slog.String("method", strings.Clone(c.Method())),
			slog.String("path", strings.Clone(c.Path())),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.String("request_id", RequestID(c)),
		)
		return nil
	}
}

func stack() string { return string(debug.Stack()) }
