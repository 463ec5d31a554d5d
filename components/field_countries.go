package components

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"

	"websignup/forms"
)

// countryOptions is the country list as option view models, built once and
// shared by every country field NewField makes. It is clipped, so that an
// append to a field's Options copies it rather than writing into it.
var countryOptions = sync.OnceValue(func() []OptionVM {
	var opts []OptionVM
	for _, o := range forms.Countries() {
		opts = append(opts, OptionVM(o))
	}
	return slices.Clip(opts)
})

// isCountryList reports whether opts is the shared country list NewField
// gives a country field (not a copy, not a list of the form's own).
func isCountryList(opts []OptionVM) bool {
	c := countryOptions()
	return len(opts) == len(c) && len(c) > 0 && &opts[0] == &c[0]
}

// countryMarkup is the country list's options rendered once by selectOption,
// so that a page with a country select writes three strings instead of
// rendering some 250 options.
type countryMarkup struct {
	all      string         // every option, none selected
	offsets  []int          // where option i starts in all; offsets[len] == len(all)
	selected []string       // option i, selected
	index    map[string]int // option value → i
}

var countryHTML = sync.OnceValue(func() *countryMarkup {
	opts := countryOptions()
	m := &countryMarkup{index: make(map[string]int, len(opts))}
	var all strings.Builder
	for i, o := range opts {
		m.offsets = append(m.offsets, all.Len())
		if err := selectOption(o, false).Render(context.Background(), &all); err != nil {
			panic(err) // static data: cannot fail
		}
		var sel strings.Builder
		if err := selectOption(o, true).Render(context.Background(), &sel); err != nil {
			panic(err)
		}
		m.selected = append(m.selected, sel.String())
		if _, dup := m.index[o.Value]; !dup {
			m.index[o.Value] = i
		}
	}
	m.offsets = append(m.offsets, all.Len())
	m.all = all.String()
	return m
})

// countryOptionsFor writes the cached country options with value's option,
// if any, selected: the same markup as rendering each with selectOption.
type countryOptionsFor string

// Render implements templ.Component.
func (v countryOptionsFor) Render(_ context.Context, w io.Writer) error {
	m := countryHTML()
	i, ok := m.index[string(v)]
	if !ok {
		_, err := io.WriteString(w, m.all)
		return err
	}
	if _, err := io.WriteString(w, m.all[:m.offsets[i]]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, m.selected[i]); err != nil {
		return err
	}
	_, err := io.WriteString(w, m.all[m.offsets[i+1]:])
	return err
}
