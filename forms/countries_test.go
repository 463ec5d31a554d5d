package forms

import (
	"strings"
	"testing"
)

func TestCountries(t *testing.T) {
	cs := Countries()
	if len(cs) != 249 {
		t.Errorf("%d countries, want the 249 of ISO 3166-1", len(cs))
	}
	fold := strings.NewReplacer("Å", "A", "é", "e", "ç", "c", "ô", "o", "ã", "a", "í", "i", "ü", "u")
	seen := map[string]bool{}
	for i, c := range cs {
		if len(c.Value) != 2 || strings.ToUpper(c.Value) != c.Value || c.Label == "" {
			t.Errorf("bad entry %v", c)
		}
		if seen[c.Value] {
			t.Errorf("duplicate %s", c.Value)
		}
		seen[c.Value] = true
		if i > 0 && strings.ToLower(fold.Replace(cs[i-1].Label)) > strings.ToLower(fold.Replace(c.Label)) {
			t.Errorf("not sorted by name: %q before %q", cs[i-1].Label, c.Label)
		}
	}
	cs[0].Label = "changed"
	if Countries()[0].Label == "changed" {
		t.Error("Countries must return a copy")
	}
	for code, name := range map[string]string{"US": "United States", "ca": "Canada", "GB": "United Kingdom", "AX": "Åland Islands", "XK": "", "UK": "", "": ""} {
		if got := CountryName(code); got != name {
			t.Errorf("CountryName(%q) = %q, want %q", code, got, name)
		}
		if ValidCountry(code) != (name != "") {
			t.Errorf("ValidCountry(%q) = %v", code, !(name != ""))
		}
	}
}
