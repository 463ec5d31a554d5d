package forms

import (
	"errors"
	"fmt"
	"strings"
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

// ValidationError is one problem with a configuration, at a path such as
// "fields[3].pattern" or "products[1].currency" ("" for the document as a
// whole), with a message an admin understands.
type ValidationError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String formats the problem as "path: message".
func (e ValidationError) String() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// ValidationErrors lists every problem found in a configuration, in document
// order. It is an error whose code is EInvalid: ErrorCode reports EInvalid
// and ErrorMessage a safe summary, because it unwraps to a *Error. Use
// errors.As(err, &ValidationErrors{}) to get at the list.
type ValidationErrors []ValidationError

// Error joins the problems into one line.
func (v ValidationErrors) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.String()
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}

// Unwrap returns the *Error with code EInvalid that stands for the whole
// list, so that ErrorCode and ErrorMessage need no special case.
func (v ValidationErrors) Unwrap() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return Errorf(EInvalid, "The configuration has a problem: %s", v[0])
	default:
		return Errorf(EInvalid, "The configuration has %d problems; the first: %s", len(v), v[0])
	}
}

// Get returns the message of the first problem at path, or "".
func (v ValidationErrors) Get(path string) string {
	for _, e := range v {
		if e.Path == path {
			return e.Message
		}
	}
	return ""
}

// Err returns v as an error, or a nil error (not an interface holding an
// empty list) when there is no problem.
func (v ValidationErrors) Err() error {
	if len(v) == 0 {
		return nil
	}
	return v
}

// FieldError is a problem with one answer: the field's key and a message for
// the prospect, shown next to the field.
type FieldError struct {
	Key     string `json:"key"`
	Message string `json:"message"`
}

// FieldErrors lists the problems with a page's answers, at most one per
// field, in the fields' order. It is an error whose code is EInvalid, like
// ValidationErrors, so that it can also travel as an error.
type FieldErrors []FieldError

// Len returns the number of fields with a problem.
func (f FieldErrors) Len() int { return len(f) }

// Get returns the message for the field with the given key, or "".
func (f FieldErrors) Get(key string) string {
	for _, e := range f {
		if e.Key == key {
			return e.Message
		}
	}
	return ""
}

// Error joins the problems into one line. The messages may quote nothing a
// prospect typed, so the text is safe to log.
func (f FieldErrors) Error() string {
	parts := make([]string, len(f))
	for i, e := range f {
		parts[i] = e.Key + ": " + e.Message
	}
	return "invalid answers: " + strings.Join(parts, "; ")
}

// Err returns f as an error, or a nil error when there is no problem. Test a
// FieldErrors with Len, never by comparing it, as an error, with nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// Unwrap returns a *Error with code EInvalid standing for the whole list.
func (f FieldErrors) Unwrap() error {
	if len(f) == 0 {
		return nil
	}
	return Errorf(EInvalid, "Check the highlighted fields: %s", f[0].Message)
}
