package forms

import (
	"errors"
	"fmt"
)

// Error codes shared by every package. They map to HTTP statuses in one
// place (the Fiber error handler), never by matching error text.
const (
	EInvalid   = "invalid"
	ENotFound  = "not_found"
	EConflict  = "conflict"
	EForbidden = "forbidden"
	EInternal  = "internal"
)

// Error is a domain error: a code that says what kind of failure it is and a
// message that is safe to show to the person who caused it.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns a domain error with the given code and a formatted, safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first domain error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the safe message of the first domain error in err's
// chain, or a generic message for any other error, so that internal details
// never reach a browser.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again in a moment."
}
