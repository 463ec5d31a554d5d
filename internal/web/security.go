package web

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"
)

// Keys of the values this package keeps in c.Locals.
const (
	nonceKey     = "web.csp-nonce"
	secureKey    = "web.secure"
	requestIDKey = "web.request-id"
	brandKey     = "web.brand"
)

// Nonce returns the request's CSP nonce: the value every <script> and
// <style> element of the page must carry. Render passes it to components
// through templ.WithNonce.
func Nonce(c *fiber.Ctx) string {
	n, _ := c.Locals(nonceKey).(string)
	return n
}

// Secure reports whether the request came over HTTPS: Options.TLS is set, or
// the connection is TLS, or a trusted proxy said so in X-Forwarded-Proto.
// Handlers set the Secure flag on their cookies when it is true.
func Secure(c *fiber.Ctx) bool {
	s, _ := c.Locals(secureKey).(bool)
	return s
}

func newNonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawStdEncoding.EncodeToString(b[:])
}

// securityHeaders sets the headers every response carries, including error
// pages and static files: a CSP with a fresh nonce, nosniff, a referrer
// policy that keeps CSRF origin checks working, and HSTS over TLS.
func securityHeaders(tls bool, frameAncestors string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		nonce := newNonce()
		c.Locals(nonceKey, nonce)
		// c.Protocol() believes X-Forwarded-Proto only from trusted proxies.
		secure := tls || c.Protocol() == "https"
		c.Locals(secureKey, secure)

		c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'self'; "+
			"script-src 'self' 'nonce-"+nonce+"'; "+
			"style-src 'self' 'nonce-"+nonce+"'; "+
			// Operators' logos may live on their own https site.
			"img-src 'self' https: data:; "+
			"font-src 'self'; connect-src 'self'; form-action 'self'; "+
			"object-src 'none'; base-uri 'none'; "+
			"frame-ancestors "+frameAncestors)
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		// same-origin, not helmet's no-referrer: the CSRF middleware rejects
		// HTTPS posts that carry no Referer.
		c.Set(fiber.HeaderReferrerPolicy, "same-origin")
		c.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Set(fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if frameAncestors == "'none'" {
			c.Set(fiber.HeaderXFrameOptions, "DENY")
		}
		if secure {
			c.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
		}
		return c.Next()
	}
}
