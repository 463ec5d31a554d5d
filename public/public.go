// Package public holds the Fiber handlers of the site prospects see: the
// signup wizard (for now its welcome step) and, later, self-care.
package public

import (
	"context"
	"log/slog"

	"websignup/forms"
)

// FormSource gives the published version of a form by its slug. It returns
// an error with code forms.ENotFound when no form has that slug or the form
// has no published version. storage.Store satisfies it.
type FormSource interface {
	PublishedForm(ctx context.Context, slug string) (forms.Form, forms.Version, error)
}

// Deps is what the public handlers need.
type Deps struct {
	Forms  FormSource
	Logger *slog.Logger
}
