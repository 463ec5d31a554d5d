package components

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// text is s as HTML text: @text(s) writes s escaped as { s } does
// (templ.EscapeString), but without the two allocations templ makes for
// every { s } (fmt.Sprint of s, boxed): the hot pages (welcome, address,
// the layout and progress of every step) write their view models' text
// with it.
//
// templ keeps the whitespace around a component call less than around
// { s }: it drops a space between an element and @text, and the space it
// writes after { s } at the end of a line. Where such a space matters
// ("Error: message", a label followed by "(optional)"), { s } stays.
type text string

// Render implements templ.Component.
func (t text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}
