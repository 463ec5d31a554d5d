package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
)

// SetBrand makes error pages of this request wear a form's brand (and offer
// a way back to its start) instead of the neutral look. Wizard handlers call
// it once they have loaded the form.
func SetBrand(c *fiber.Ctx, b components.BrandVM) { c.Locals(brandKey, b) }

// Status returns the HTTP status for err: the status of a *fiber.Error, or
// the one its forms error code maps to (invalid 400, not found 404, conflict
// 409, forbidden 403, anything else 500).
func Status(err error) int {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	switch forms.ErrorCode(err) {
	case forms.EInvalid:
		return fiber.StatusBadRequest
	case forms.ENotFound:
		return fiber.StatusNotFound
	case forms.EConflict:
		return fiber.StatusConflict
	case forms.EForbidden:
		return fiber.StatusForbidden
	}
	return fiber.StatusInternalServerError
}

// errorHandler is the app's one place where errors become responses: the
// status from Status, a page in the site's look with a message that is safe
// to show. A server error is logged with the request id, and the person sees
// a generic message and that id, never err.Error().
func errorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status := Status(err)
		vm := components.ErrorVM{Status: status, Title: statusTitle(status)}
		var fe *fiber.Error
		switch {
		case status >= 500:
			logger.Error("internal error", "request_id", RequestID(c), "method", c.Method(), "path", c.Path(), "err", err)
			vm.Message = forms.ErrorMessage(errors.New("internal"))
			vm.RequestID = RequestID(c)
		case errors.As(err, &fe):
			// Fiber's own messages ("Cannot GET /x") are not for people.
			vm.Message = statusMessage(status)
		default:
			vm.Message = sentence(forms.ErrorMessage(err))
		}

		brand := components.NeutralBrand()
		if b, ok := c.Locals(brandKey).(components.BrandVM); ok {
			brand = b
			vm.BackURL = b.HomeURL
		}
		var ce *csrfError
		if errors.As(err, &ce) {
			// Not a lack of permission: the form was open too long, or
			// cookies were cleared. Offer the way back to it.
			vm.Title = TitleCSRF
			vm.BackURL = ce.back
			if ce.fromForm {
				vm.BackLabel = "Back to the form"
			}
		}
		page := components.Page{Title: vm.Title, Brand: brand}
		c.Set(fiber.HeaderCacheControl, "no-store")
		if rerr := Render(c, status, components.ErrorPage(page, vm)); rerr != nil {
			logger.Error("render error page", "request_id", RequestID(c), "err", rerr)
			c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
			return c.Status(status).SendString(statusTitle(status))
		}
		return nil
	}
}

func statusTitle(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return "Please check your request"
	case fiber.StatusForbidden:
		return "You can't open this page"
	case fiber.StatusNotFound:
		return "Page not found"
	case fiber.StatusMethodNotAllowed:
		return "That didn't work"
	case fiber.StatusConflict:
		return "Something changed in the meantime"
	case fiber.StatusRequestEntityTooLarge:
		return "That was too much to send"
	case fiber.StatusTooManyRequests:
		return "Too many attempts"
	}
	if status >= 500 {
		return "Sorry, something went wrong"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Something went wrong"
}

func statusMessage(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "We couldn't find the page you asked for. Check the address, or start again from the link you were given."
	case fiber.StatusMethodNotAllowed:
		return "This page can't handle that kind of request. Go back and try again."
	case fiber.StatusRequestEntityTooLarge:
		return "What you sent is larger than we accept. Please send less and try again."
	case fiber.StatusTooManyRequests:
		return "You've tried that a lot in a short time. Please wait a minute and try again."
	case fiber.StatusForbidden:
		return "You don't have permission to do that. If you think this is wrong, start again from the link you were given."
	}
	return "We couldn't handle that request. Go back and try again."
}

// sentence makes a domain error's message ("form not found", written as Go
// errors are) read as a sentence on the error page: "Form not found."
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	r, size := utf8.DecodeRuneInString(msg)
	msg = string(unicode.ToUpper(r)) + msg[size:]
	if !strings.ContainsAny(msg[len(msg)-1:], ".!?") {
		msg += "."
	}
	return msg
}
