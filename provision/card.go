package provision

import (
	"fmt"
	"log/slog"
)

// Card is a payment card in clear, as the Sign up request unseals it. It
// lives only in memory for that request and is passed to
// PortaSwitch.AddPaymentMethod; it is never stored, logged or put in an
// error. Every fmt verb (%v, %+v, %#v, %s, %q, %x, ...), String, GoString
// and LogValue show only the brand and the last four digits. (Printing a
// struct that holds a Card in an unexported field bypasses this: don't.)
type Card struct {
	Number   string // digits only
	ExpMonth int    // 1-12
	ExpYear  int    // four digits
	CVV      string
	Name     string // card holder
	Brand    string // "VISA", "MasterCard", "American Express", "Discover"
}

// Last4 returns the last four digits of the card number.
func (c Card) Last4() string {
	if len(c.Number) < 4 {
		return ""
	}
	return c.Number[len(c.Number)-4:]
}

// String returns the brand and the last four digits, e.g. "VISA •••• 4242".
func (c Card) String() string {
	b := c.Brand
	if b == "" {
		b = "card"
	}
	return b + " •••• " + c.Last4()
}

// GoString is String.
func (c Card) GoString() string { return c.String() }

// Format makes every fmt verb print String, so that no verb reveals the
// number or the CVV.
func (c Card) Format(f fmt.State, verb rune) { _, _ = fmt.Fprint(f, c.String()) }

// LogValue returns the brand and the last four digits for slog.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(slog.String("brand", c.Brand), slog.String("last4", c.Last4()))
}
