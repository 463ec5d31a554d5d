package components

import (
	"context"
	"io"
	"strings"
	"sync"

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

// renderedOnce returns c rendered on first use, and its markup after that:
// for components that depend on nothing, not even the request's nonce.
func renderedOnce(c templ.Component) func() templ.Component {
	return sync.OnceValue(func() templ.Component {
		var sb strings.Builder
		if err := c.Render(context.Background(), &sb); err != nil {
			panic(err) // constant markup: cannot fail
		}
		return templ.Raw(sb.String())
	})
}

var honeypotOnce = renderedOnce(honeypot())

// Honeypot is a text input people never see or reach with the keyboard; a
// bot that fills every field fills it too, and is refused. Its markup is
// the same on every page, so it is rendered once.
func Honeypot() templ.Component { return honeypotOnce() }

var htmxMetaOnce = renderedOnce(htmxMeta())
