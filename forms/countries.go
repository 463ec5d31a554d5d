package forms

import (
	"slices"
	"strings"
)

// countryIndex maps a country code to its position in countries.
var countryIndex = func() map[string]int {
	m := make(map[string]int, len(countries))
	for i, c := range countries {
		m[c.Value] = i
	}
	return m
}()

// Countries returns the ISO 3166-1 alpha-2 countries as options (Value is the
// upper-case code, Label the English name), sorted by name. The slice is a
// copy the caller may change. It returns no error.
func Countries() []Option { return slices.Clone(countries) }

// CountryName returns the English name of an ISO 3166-1 alpha-2 code (in any
// case), or "" when the code is not a country.
func CountryName(code string) string {
	if i, ok := countryIndex[strings.ToUpper(code)]; ok {
		return countries[i].Label
	}
	return ""
}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code, in any case.
func ValidCountry(code string) bool {
	_, ok := countryIndex[strings.ToUpper(code)]
	return ok
}
