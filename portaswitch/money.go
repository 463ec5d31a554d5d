package portaswitch

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrInexactAmount is returned by ParseAmount when the decimal text has more
// significant fraction digits than the currency has minor units (for example
// "0.125" USD): converting it would lose money, so the client refuses instead
// of rounding silently.
var ErrInexactAmount = errors.New("portaswitch: amount has more decimals than the currency allows")

// ErrBadAmount is returned by ParseAmount for text that is not a decimal number
// or that does not fit in int64 minor units.
var ErrBadAmount = errors.New("portaswitch: malformed amount")

// currencyExponents lists the ISO 4217 currencies whose minor unit is not 2
// digits. Every other code (including unknown ones) uses 2, which is what
// PortaBilling installations overwhelmingly bill in.
var currencyExponents = map[string]int{
	// zero decimals
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	// three decimals
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// four decimals
	"CLF": 4, "UYW": 4,
}

// CurrencyExponent returns the number of minor-unit digits of the ISO 4217
// currency code iso4217 (JPY 0, USD 2, BHD 3). Unknown codes and the empty
// string give 2.
func CurrencyExponent(iso4217 string) int {
	if e, ok := currencyExponents[strings.ToUpper(iso4217)]; ok {
		return e
	}
	return 2
}

// ParseAmount converts PortaSwitch's decimal major-unit text (a JSON number
// such as "5.00", "14.95", "1e2") to int64 minor units of iso4217, exactly:
// the text is read digit by digit, never through float64. Fraction digits
// beyond the currency's exponent must be zeros, otherwise ErrInexactAmount is
// returned; text that is not a number, or that overflows int64, gives
// ErrBadAmount.
func ParseAmount(text, iso4217 string) (int64, error) {
	return parseAmount(text, iso4217, false)
}

// ParseAmountRounded is ParseAmount but rounds extra fraction digits half away
// from zero instead of failing. The client uses it only for balances, which
// PortaBilling may carry with sub-cent precision from per-minute rating.
func ParseAmountRounded(text, iso4217 string) (int64, error) {
	return parseAmount(text, iso4217, true)
}

func parseAmount(text, iso4217 string, round bool) (int64, error) {
	s := text
	if s == "" || len(s) > 400 {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, clip(text))
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mant, expText, hasExp = strings.Cut(s, "E")
	}
	e10 := 0
	if hasExp {
		v, err := strconv.Atoi(expText)
		if err != nil || v > 100 || v < -100 {
			return 0, fmt.Errorf("%w: %q", ErrBadAmount, clip(text))
		}
		e10 = v
	}
	intPart, fracPart, hasDot := strings.Cut(mant, ".")
	if intPart == "" || (hasDot && fracPart == "") || !allDigits(intPart) || !allDigits(fracPart) {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, clip(text))
	}
	digits := strings.TrimLeft(intPart+fracPart, "0")
	// value = digits × 10^(e10 - len(fracPart)); minor = value × 10^exp
	shift := CurrencyExponent(iso4217) + e10 - len(fracPart)
	roundUp := false
	if shift >= 0 {
		if digits != "" {
			digits += strings.Repeat("0", shift)
		}
	} else {
		cut := -shift
		if cut > len(digits) {
			digits = strings.Repeat("0", cut-len(digits)) + digits
		}
		kept, dropped := digits[:len(digits)-cut], digits[len(digits)-cut:]
		if strings.Trim(dropped, "0") != "" {
			if !round {
				return 0, fmt.Errorf("%w: %q in %s", ErrInexactAmount, clip(text), iso4217)
			}
			roundUp = dropped[0] >= '5'
		}
		digits = strings.TrimLeft(kept, "0")
	}
	if digits == "" {
		digits = "0"
	}
	if len(digits) > 19 {
		return 0, fmt.Errorf("%w: %q out of range", ErrBadAmount, clip(text))
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q out of range", ErrBadAmount, clip(text))
	}
	if roundUp {
		u++
	}
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("%w: %q out of range", ErrBadAmount, clip(text))
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// FormatAmount renders minor units of iso4217 as PortaSwitch's decimal
// major-unit text with exactly the currency's number of decimals
// (1495 USD → "14.95", 1500 JPY → "1500", 1234 BHD → "1.234").
func FormatAmount(minor int64, iso4217 string) string {
	exp := CurrencyExponent(iso4217)
	var u uint64
	sign := ""
	if minor < 0 {
		sign = "-"
		u = uint64(-(minor + 1)) + 1 // safe for math.MinInt64
	} else {
		u = uint64(minor)
	}
	s := strconv.FormatUint(u, 10)
	if exp == 0 {
		return sign + s
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
