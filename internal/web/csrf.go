package web

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/seal"
)

// CSRFHeader is the request header that may carry the CSRF token instead of
// the form field, for htmx requests (hx-headers).
const CSRFHeader = "X-CSRF-Token"

// CSRFMessage is what a prospect reads when a form post is refused because
// its CSRF token does not verify: most often the page was open for a long
// time, or cookies were cleared in the meantime.
const CSRFMessage = "This form has expired. Please go back, reload the page and try again."

// DefaultCSRFCookie is the cookie CSRF uses when CSRFConfig.CookieName is empty.
const DefaultCSRFCookie = "websignup_csrf"

const (
	csrfTokenKey = "web.csrf-token"
	csrfPurpose  = "csrf"
	csrfIDBytes  = 32
)

var csrfIDLen = base64.RawURLEncoding.EncodedLen(csrfIDBytes)

// CSRFConfig configures CSRF.
type CSRFConfig struct {
	// Secret is the server's 32-byte secret key (WEBSIGNUP_SECRET_KEY); the
	// token key is derived from it for the purpose "csrf" only.
	Secret []byte
	// CookieName names the cookie holding the random id (default
	// DefaultCSRFCookie).
	CookieName string
	// Path is the cookie's path (default "/").
	Path string
	// Secure says whether the cookie gets the Secure flag on this request
	// (default web.Secure: over TLS or behind a trusted TLS proxy).
	Secure func(*fiber.Ctx) bool
	// ErrorHandler answers a refused request. The default returns a
	// forms.EForbidden error with CSRFMessage, which the app's error handler
	// renders as a 403 "This page has expired" page linking back to the page
	// the form was on (the Referer's path, when it is a page of this site),
	// or else to Start.
	ErrorHandler fiber.Handler
	// Start returns where that page links when the Referer does not say
	// where the form was: the start of the area the middleware protects,
	// e.g. the wizard's welcome page. Default: the brand's home page
	// (SetBrand), else Path.
	Start func(*fiber.Ctx) string
}

// TitleCSRF is the title of the page refusing a post whose CSRF token does
// not verify.
const TitleCSRF = "This page has expired"

// csrfError is the default refusal: a forms.EForbidden error with
// CSRFMessage (Status maps it to 403) that the error handler recognises by
// its type, to title the page for an expired form and link back to it.
type csrfError struct {
	// back is the same-origin path the form was posted from, or the area's
	// start; fromForm says which.
	back     string
	fromForm bool
}

func (e *csrfError) Error() string { return "csrf token refused" }

// Unwrap gives the error's code and safe message.
func (e *csrfError) Unwrap() error { return forms.Errorf(forms.EForbidden, CSRFMessage) }

// csrfBack is where the page refusing a post links: the path of the
// Referer when it is a page of this site (scheme and host as the request's),
// else start.
func csrfBack(c *fiber.Ctx, start string) *csrfError {
	ref := c.Get(fiber.HeaderReferer)
	u, err := url.Parse(ref)
	if ref != "" && err == nil && u.Scheme+"://"+u.Host == c.BaseURL() && u.User == nil && localPath(u.Path) {
		return &csrfError{back: u.EscapedPath(), fromForm: true}
	}
	return &csrfError{back: start}
}

// localPath reports whether p is a path on this site that a link can use as
// is: absolute, and neither "//host" nor "/\host", which browsers read as
// another site.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\x00")
}

// CSRF returns a middleware protecting every request whose method is not
// GET, HEAD, OPTIONS or TRACE against cross-site request forgery, by a
// stateless signed double submit:
//
//   - A random 256-bit id lives in an HttpOnly, SameSite=Lax cookie, set on
//     the first safe request that lacks a well-formed one.
//   - The token is HMAC-SHA256(key, id), where the key is derived from
//     Secret; CSRFToken(c) gives it to templates, which send it back in the
//     hidden form field components.CSRFFieldName ("_csrf"), or htmx in the
//     CSRFHeader header.
//   - An unsafe request passes only with the cookie and a token that
//     verifies against it (in constant time). The field is read from the
//     request body only, never from the query string, where tokens would
//     leak into logs and Referer headers.
//
// A cross-site page can make the browser send the cookie, but can neither
// read it nor compute its HMAC, so it cannot send a matching token.
//
// Why not Fiber's csrf middleware: its tokens live in per-process storage
// (memory by default), so with several instances a form served by one is
// refused by another; sharing them would need a database write on every
// GET that shows a form. This middleware keeps no state at all: any instance
// with the same Secret verifies any token, and a GET writes nothing but a
// cookie.
//
// It panics when Secret is not 32 bytes, as a misconfiguration at start.
func CSRF(cfg CSRFConfig) fiber.Handler {
	sealer, err := seal.New(cfg.Secret, csrfPurpose)
	if err != nil {
		panic(fmt.Sprintf("web.CSRF: %v", err))
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCSRFCookie
	}
	if cfg.Path == "" {
		cfg.Path = "/"
	}
	if cfg.Secure == nil {
		cfg.Secure = Secure
	}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c *fiber.Ctx) error {
			start := cfg.Path
			if cfg.Start != nil {
				start = cfg.Start(c)
			} else if b, ok := c.Locals(brandKey).(components.BrandVM); ok && b.HomeURL != "" {
				start = b.HomeURL
			}
			return csrfBack(c, start)
		}
	}

	return func(c *fiber.Ctx) error {
		id := c.Cookies(cfg.CookieName)
		valid := validCSRFID(id)
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
			if !valid {
				id = newCSRFID()
				c.Cookie(&fiber.Cookie{
					Name:     cfg.CookieName,
					Value:    id,
					Path:     cfg.Path,
					HTTPOnly: true,
					Secure:   cfg.Secure(c),
					SameSite: fiber.CookieSameSiteLaxMode,
				})
			}
		default:
			if !valid || !sealer.Verify(id, submittedCSRFToken(c)) {
				return cfg.ErrorHandler(c)
			}
		}
		// The token is a fresh string: nothing kept in Locals points into
		// the request's buffers, which Fiber reuses.
		c.Locals(csrfTokenKey, sealer.Sign(id))
		return c.Next()
	}
}

// CSRFToken returns the token that pages must send back in the
// components.CSRFFieldName form field (or the CSRFHeader header) for the
// CSRF middleware to let a post through; "" when the middleware did not run.
func CSRFToken(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfTokenKey).(string)
	return t
}

// submittedCSRFToken is the token of an unsafe request: the header when
// set, else the form field from a urlencoded or multipart body.
func submittedCSRFToken(c *fiber.Ctx) string {
	if h := c.Get(CSRFHeader); h != "" {
		return h
	}
	req := c.Request()
	if v := req.PostArgs().Peek(components.CSRFFieldName); len(v) > 0 {
		return string(v)
	}
	if bytes.HasPrefix(bytes.ToLower(req.Header.ContentType()), []byte(fiber.MIMEMultipartForm)) {
		if form, err := c.MultipartForm(); err == nil {
			if v := form.Value[components.CSRFFieldName]; len(v) > 0 {
				return v[0]
			}
		}
	}
	return ""
}

func newCSRFID() string {
	var b [csrfIDBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validCSRFID reports whether id looks like an id newCSRFID made; anything
// else (empty, truncated, planted junk) is replaced on the next GET.
func validCSRFID(id string) bool {
	if len(id) != csrfIDLen {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}
