package public

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"websignup/forms"
	"websignup/storage"
)

// MediaSource gives an uploaded picture (a logo, a device picture) by id.
// It returns an error with code forms.ENotFound for an unknown id.
// storage.Store satisfies it.
type MediaSource interface {
	Media(ctx context.Context, id int64) (storage.Media, error)
}

// RegisterMedia adds GET /media/:id, which serves the pictures admins
// upload in the form builder. A picture never changes under its id, so it
// is cached for a year; its bytes were checked to be PNG, JPEG or WebP when
// it was stored, and nosniff (set on every response) keeps browsers from
// guessing otherwise.
func RegisterMedia(r fiber.Router, src MediaSource) {
	r.Get("/media/:id", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil || id <= 0 {
			return forms.Errorf(forms.ENotFound, "There is no picture at this address.")
		}
		m, err := src.Media(c.UserContext(), id)
		if err != nil {
			return err
		}
		etag := `"` + m.SHA256 + `"`
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, m.ContentType)
		c.Set(fiber.HeaderContentDisposition, "inline")
		return c.Send(m.Data)
	})
}
