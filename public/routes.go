package public

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"
)

// Register adds the public site's routes to r. The app must route strictly
// (web.New does), since "/s/:slug" redirects to "/s/:slug/".
func Register(r fiber.Router, d Deps) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handlers{Deps: d}

	r.Get("/s/:slug", h.wizardRoot)
	r.Get("/s/:slug/", h.welcome)
}

// handlers carries the dependencies of every public handler.
type handlers struct {
	Deps
}
