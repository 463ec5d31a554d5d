package web

import (
	"fmt"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// Render renders comp with the given status as an HTML page. The component
// renders straight into the response body, fasthttp's pooled buffer, which
// is sent only once the handler returns: a failure half-way empties it again
// and returns the error, so the error page is sent, never half a page. The
// request's CSP nonce reaches the component through templ.WithNonce. It
// returns the component's error, wrapped.
func Render(c *fiber.Ctx, status int, comp templ.Component) error {
	ctx := templ.WithNonce(c.UserContext(), Nonce(c))
	resp := c.Response()
	// Whatever was in the body is replaced, as c.Send would.
	resp.ResetBody()
	if err := comp.Render(ctx, resp.BodyWriter()); err != nil {
		resp.ResetBody()
		return fmt.Errorf("render: %w", err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return nil
}
