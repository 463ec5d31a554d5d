package web

import (
	"bytes"
	"fmt"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// Render renders comp with the given status as an HTML page. The component
// renders into a buffer first, so a failure half-way sends the error page,
// never half a page; the request's CSP nonce reaches the component through
// templ.WithNonce. It returns the component's error, wrapped.
func Render(c *fiber.Ctx, status int, comp templ.Component) error {
	ctx := templ.WithNonce(c.UserContext(), Nonce(c))
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// buf is not reused, so handing its bytes to the response is safe.
	return c.Send(buf.Bytes())
}
