package forms

import (
	"strconv"
	"strings"
)

// Money is an amount in the minor unit of its ISO 4217 currency (cents for
// USD). There are no floats anywhere near money.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// currencyExponents lists the ISO 4217 currencies whose minor unit is not
// 1/100 of the major unit. Every other currency has two decimals.
var currencyExponents = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// CurrencyExponent returns the number of decimals of the currency's minor unit.
func CurrencyExponent(currency string) int {
	if e, ok := currencyExponents[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
}

var currencySymbols = map[string]string{
	"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF ",
}

// ValidCurrency reports whether c looks like an ISO 4217 code: three upper-case letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Decimal returns the amount in major units as exact decimal text, e.g. "14.95".
func (m Money) Decimal() string {
	exp := CurrencyExponent(m.Currency)
	neg := m.Amount < 0
	a := uint64(m.Amount)
	if neg {
		a = -a // two's complement: also right for math.MinInt64
	}
	s := strconv.FormatUint(a, 10)
	if exp > 0 {
		for len(s) <= exp {
			s = "0" + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String formats the amount for people, e.g. "$14.95" or "KWD 1.250".
func (m Money) String() string {
	d := m.Decimal()
	if sym, ok := currencySymbols[m.Currency]; ok {
		if rest, neg := strings.CutPrefix(d, "-"); neg {
			return "-" + sym + rest
		}
		return sym + d
	}
	return m.Currency + " " + d
}

// ParseMoney parses decimal text in major units ("14.95", "15", "0.5") into
// Money of the given currency. It returns an EInvalid error for text that is
// not a plain decimal or has more decimals than the currency allows, and for
// a currency that is not three capital letters.
func ParseMoney(text, currency string) (Money, error) {
	if !ValidCurrency(currency) {
		return Money{}, Errorf(EInvalid, "Use a three-letter currency code, like USD")
	}
	text = strings.TrimSpace(text)
	exp := CurrencyExponent(currency)
	neg := strings.HasPrefix(text, "-")
	if neg {
		text = text[1:]
	}
	whole, frac, hasDot := strings.Cut(text, ".")
	if whole == "" && (!hasDot || frac == "") {
		return Money{}, Errorf(EInvalid, "Enter an amount such as 14.95")
	}
	if len(frac) > exp {
		return Money{}, Errorf(EInvalid, "Use at most %d decimals for %s", exp, currency)
	}
	for len(frac) < exp {
		frac += "0"
	}
	digits := whole + frac
	if digits == "" {
		digits = "0"
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return Money{}, Errorf(EInvalid, "Enter an amount such as 14.95")
		}
	}
	if len(digits) > 15 {
		return Money{}, Errorf(EInvalid, "That amount is too large")
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Money{}, Errorf(EInvalid, "Enter an amount such as 14.95")
	}
	if neg {
		n = -n
	}
	return Money{Amount: n, Currency: currency}, nil
}
