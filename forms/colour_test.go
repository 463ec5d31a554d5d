package forms_test

import (
	"math"
	"testing"

	"websignup/forms"
)

func TestContrastRatio(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#000000", 21}, // order does not matter
		{"#0b5fff", "#0b5fff", 1},
		{"#777777", "#ffffff", 4.48}, // the classic "just fails AA" grey
		{"#767676", "#FFFFFF", 4.54}, // upper-case hex; the lightest grey that passes
	} {
		if got := forms.ContrastRatio(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("ContrastRatio(%s, %s) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
	if l := forms.RelativeLuminance("#ffffff"); l != 1 {
		t.Errorf("RelativeLuminance(white) = %v, want 1", l)
	}
	if l := forms.RelativeLuminance("#000000"); l != 0 {
		t.Errorf("RelativeLuminance(black) = %v, want 0", l)
	}
}
