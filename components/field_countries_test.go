package components_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"websignup/components"
	"websignup/forms"
)

// TestCountrySelectCached: the country select, written from cached markup,
// lists every country once with exactly the prospect's country selected, and
// each render stands on its own.
func TestCountrySelectCached(t *testing.T) {
	field := forms.Field{Key: "country", Kind: forms.KindCountry, Label: "Country", Required: true}
	for _, tc := range []struct{ value, want string }{{"GB", "GB"}, {"ZW", "ZW"}, {"", ""}, {"gb", ""}, {"<x>", ""}} {
		var b bytes.Buffer
		if err := components.Field(components.NewField(field, tc.value, "")).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		opts := doc.Find(`[data-testid="field-country"] select option`)
		if got, want := opts.Length(), len(forms.Countries())+1; got != want {
			t.Errorf("value %q: %d options, want %d", tc.value, got, want)
		}
		sel := doc.Find("option[selected]")
		if tc.want == "" && tc.value != "" {
			if sel.Length() != 0 {
				t.Errorf("value %q: %d options selected, want none", tc.value, sel.Length())
			}
			continue
		}
		if sel.Length() != 1 || sel.AttrOr("value", "?") != tc.want {
			t.Errorf("value %q: selected %d options, value %q; want one, %q", tc.value, sel.Length(), sel.AttrOr("value", "?"), tc.want)
		}
		if tc.want != "" && strings.TrimSpace(sel.Text()) != forms.CountryName(tc.want) {
			t.Errorf("value %q: selected %q", tc.value, sel.Text())
		}
	}
	// A handler adding to one field's options leaves the next field's alone.
	vm := components.NewField(field, "", "")
	vm.Options = append(vm.Options, components.OptionVM{Value: "XX", Label: "Nowhere"})
	vm.Options[0].Label = "changed"
	var b bytes.Buffer
	if err := components.Field(components.NewField(field, "", "")).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Nowhere") || strings.Contains(b.String(), "changed") {
		t.Error("one field's options leaked into another's")
	}
}
