package forms

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The payment step's input names, which are also the keys of the
// FieldErrors ValidateCard returns.
const (
	InputCardName     = "card_name"
	InputCardNumber   = "card_number"
	InputCardExpMonth = "card_exp_month"
	InputCardExpYear  = "card_exp_year"
	InputCardCVV      = "card_cvv"
)

// Card brands websignup accepts, spelled as PortaSwitch's payment_method
// values (Customer/update_payment_method).
const (
	BrandVisa       = "VISA"
	BrandMasterCard = "MasterCard"
	BrandAmex       = "American Express"
	BrandDiscover   = "Discover"
)

// Card limits.
const (
	minCardDigits = 12
	maxCardDigits = 19
	// maxCardInput caps what ValidateCard looks at, so that a huge post
	// costs nothing.
	maxCardInput   = 64
	maxCardName    = 100
	maxCardYearsOn = 25
)

// Messages ValidateCard gives, for tests and pages that need to recognise them.
const (
	MsgCardNumberMissing = "Enter the card number"
	MsgCardNumberInvalid = "Enter a valid card number"
	MsgCardBrand         = "We accept Visa, MasterCard, American Express and Discover"
	MsgCardExpired       = "The card has expired"
	MsgCardCVV           = "Enter the 3-digit security code on the back of the card"
	MsgCardCVVAmex       = "Enter the 4-digit security code on the front of the card"
	MsgCardNameMissing   = "Enter the name on the card"
)

// CardInput is the payment step's form as the prospect typed it. Its
// formatting and logging methods never show the number or the security code.
type CardInput struct {
	Name, Number, ExpMonth, ExpYear, CVV string
}

// String returns a fixed text that hides the card.
func (in CardInput) String() string { return "forms.CardInput{redacted}" }

// GoString hides the card from %#v.
func (in CardInput) GoString() string { return in.String() }

// Format hides the card from every fmt verb.
func (in CardInput) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(in.String())) }

// LogValue hides the card from log/slog.
func (in CardInput) LogValue() slog.Value { return slog.StringValue(in.String()) }

// MarshalJSON hides the card from encoding/json.
func (in CardInput) MarshalJSON() ([]byte, error) { return json.Marshal(in.String()) }

// Card is a card that passed ValidateCard. It lives only in memory and,
// sealed, in the prospect's browser: it is never stored, logged or put in an
// error. String, GoString, Format, LogValue and MarshalJSON show only its
// brand and last four digits; Encode is the only way to the full card.
type Card struct {
	Name     string
	Number   string // digits only
	ExpMonth int    // 1–12
	ExpYear  int    // four digits
	CVV      string
	Brand    string // one of the Brand constants
}

// Last4 returns the card number's last four digits.
func (c Card) Last4() string {
	if len(c.Number) < 4 {
		return ""
	}
	return c.Number[len(c.Number)-4:]
}

// ExpDate returns the last day of the expiry month as YYYY-MM-DD, the form
// PortaSwitch's exp_date takes.
func (c Card) ExpDate() string {
	last := time.Date(c.ExpYear, time.Month(c.ExpMonth)+1, 0, 0, 0, 0, 0, time.UTC)
	return last.Format(time.DateOnly)
}

// String returns the brand and last four digits, e.g. "VISA ending 4242".
func (c Card) String() string { return c.Brand + " ending " + c.Last4() }

// GoString hides the number and security code from %#v.
func (c Card) GoString() string { return "forms.Card{" + c.String() + "}" }

// Format hides the number and security code from every fmt verb.
func (c Card) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(c.GoString()))
		return
	}
	_, _ = f.Write([]byte(c.String()))
}

// LogValue logs the brand and last four digits only.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(slog.String("brand", c.Brand), slog.String("last4", c.Last4()))
}

// MarshalJSON gives the brand and last four digits only, so a card that
// ends up in JSON by mistake shows nothing secret. Use Encode to seal it.
func (c Card) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Brand string `json:"brand"`
		Last4 string `json:"last4"`
	}{c.Brand, c.Last4()})
}

// cardWire is the full card as Encode writes it.
type cardWire struct {
	Name     string `json:"n"`
	Number   string `json:"d"`
	ExpMonth int    `json:"m"`
	ExpYear  int    `json:"y"`
	CVV      string `json:"c"`
}

// Encode returns the whole card, number and security code included, as bytes
// meant only for sealing (see internal/seal). Clear the slice after use.
func (c Card) Encode() []byte {
	b, _ := json.Marshal(cardWire{c.Name, c.Number, c.ExpMonth, c.ExpYear, c.CVV}) // cannot fail
	return b
}

// DecodeCard is the inverse of Encode. It checks the card's shape again
// (digits, Luhn, brand, security code) but not its expiry, which the seal's
// own expiry covers. It returns an EInvalid error that quotes nothing of the
// card.
func DecodeCard(b []byte) (Card, error) {
	var w cardWire
	if err := json.Unmarshal(b, &w); err != nil {
		return Card{}, Errorf(EInvalid, "The card details could not be read")
	}
	brand := cardBrand(w.Number)
	if !allDigits(w.Number) || !validCardLength(brand, len(w.Number)) || !luhn(w.Number) ||
		brand == "" || w.ExpMonth < 1 || w.ExpMonth > 12 || w.ExpYear < 2000 || w.ExpYear > 9999 ||
		!validCVV(brand, w.CVV) || strings.TrimSpace(w.Name) == "" {
		return Card{}, Errorf(EInvalid, "The card details could not be read")
	}
	return Card{Name: w.Name, Number: w.Number, ExpMonth: w.ExpMonth, ExpYear: w.ExpYear, CVV: w.CVV, Brand: brand}, nil
}

// ValidateCard checks the payment step's form at now and returns the card,
// or the problems keyed by the Input constants (at most one per field, in
// the form's order: name, number, month, year, security code). Messages
// never quote what was typed.
//
// The number may contain spaces and dashes; it must then be 12–19 digits,
// pass the Luhn check and belong to an accepted brand with that brand's
// length. The card is valid through the last day of its expiry month
// (judged 12 hours behind UTC, so no time zone finds a valid card expired).
// The year may have 2 or 4 digits. The security code is 3 digits, 4 for
// American Express.
func ValidateCard(in CardInput, now time.Time) (Card, FieldErrors) {
	var errs FieldErrors
	add := func(key, msg string) { errs = append(errs, FieldError{Key: key, Message: msg}) }
	var c Card

	// Holder name.
	c.Name = strings.Join(strings.Fields(in.Name), " ")
	switch {
	case c.Name == "":
		add(InputCardName, MsgCardNameMissing)
	case utf8.RuneCountInString(c.Name) > maxCardName || !utf8.ValidString(c.Name) || strings.IndexFunc(c.Name, unicode.IsControl) >= 0:
		add(InputCardName, "Enter the name as it is printed on the card")
	}

	// Number.
	number := strings.TrimSpace(in.Number)
	switch {
	case number == "":
		add(InputCardNumber, MsgCardNumberMissing)
	case len(number) > maxCardInput:
		add(InputCardNumber, MsgCardNumberInvalid)
	default:
		digits := cardSeparators.Replace(number)
		brand := cardBrand(digits)
		switch {
		case !allDigits(digits) || len(digits) < minCardDigits || len(digits) > maxCardDigits || !luhn(digits):
			add(InputCardNumber, MsgCardNumberInvalid)
		case brand == "":
			add(InputCardNumber, MsgCardBrand)
		case !validCardLength(brand, len(digits)):
			add(InputCardNumber, MsgCardNumberInvalid)
		default:
			c.Number, c.Brand = digits, brand
		}
	}

	// Expiry.
	month, monthOK := parseSmallInt(in.ExpMonth, 2)
	switch {
	case strings.TrimSpace(in.ExpMonth) == "":
		add(InputCardExpMonth, "Enter the expiry month")
	case !monthOK || month < 1 || month > 12:
		add(InputCardExpMonth, "Enter the expiry month as a number from 1 to 12")
	}
	year, yearOK := parseSmallInt(in.ExpYear, 4)
	yearText := strings.TrimSpace(in.ExpYear)
	switch {
	case yearText == "":
		add(InputCardExpYear, "Enter the expiry year")
	case !yearOK || (len(yearText) != 2 && len(yearText) != 4):
		add(InputCardExpYear, "Enter the expiry year as it is printed on the card, like 28 or 2028")
	default:
		if len(yearText) == 2 {
			year += 2000
		}
		// The card's own time zone may be up to 12 hours behind UTC.
		today := now.UTC().Add(-12 * time.Hour)
		cy, cm := today.Year(), int(today.Month())
		switch {
		case year < cy:
			add(InputCardExpYear, MsgCardExpired)
		case year > cy+maxCardYearsOn:
			add(InputCardExpYear, "Enter the expiry year as it is printed on the card, like 28 or 2028")
		case year == cy && monthOK && month >= 1 && month <= 12 && month < cm:
			// The month is the field that is wrong; the error goes there.
			add(InputCardExpMonth, MsgCardExpired)
		}
	}
	c.ExpMonth, c.ExpYear = month, year

	// Security code.
	cvv := strings.TrimSpace(in.CVV)
	if !validCVV(c.Brand, cvv) {
		msg := MsgCardCVV
		if c.Brand == BrandAmex {
			msg = MsgCardCVVAmex
		}
		add(InputCardCVV, msg)
	}
	c.CVV = cvv

	if len(errs) > 0 {
		return Card{}, errs
	}
	return c, nil
}

// parseSmallInt parses a trimmed string of 1 to maxLen ASCII digits.
func parseSmallInt(s string, maxLen int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxLen || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// luhn reports whether the digits pass the Luhn check.
func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardBrand names the brand of a card number by its leading digits (IIN
// ranges), or "" for a brand websignup does not accept.
func cardBrand(digits string) string {
	prefix := func(n int) int {
		if len(digits) < n || !allDigits(digits[:n]) {
			return -1
		}
		v, _ := strconv.Atoi(digits[:n])
		return v
	}
	switch p2, p3, p4, p6 := prefix(2), prefix(3), prefix(4), prefix(6); {
	case strings.HasPrefix(digits, "4"):
		return BrandVisa
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return BrandMasterCard
	case p2 == 34, p2 == 37:
		return BrandAmex
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p6 >= 622126 && p6 <= 622925:
		return BrandDiscover
	}
	return ""
}

// validCardLength reports whether a brand issues numbers of n digits.
func validCardLength(brand string, n int) bool {
	switch brand {
	case BrandVisa:
		return n == 13 || n == 16 || n == 19
	case BrandMasterCard:
		return n == 16
	case BrandAmex:
		return n == 15
	case BrandDiscover:
		return n >= 16 && n <= 19
	}
	return false
}

// validCVV reports whether cvv is the security code's length for brand: 4
// digits for American Express, 3 for the others, either while the brand is
// unknown (the number itself is then in error).
func validCVV(brand, cvv string) bool {
	if !allDigits(cvv) {
		return false
	}
	switch brand {
	case BrandAmex:
		return len(cvv) == 4
	case "":
		return len(cvv) == 3 || len(cvv) == 4
	}
	return len(cvv) == 3
}

// cardSeparators drops the spaces and dashes people type in a card number
// (made once: a Replacer builds its tables on first use).
var cardSeparators = strings.NewReplacer(" ", "", "-", "")
