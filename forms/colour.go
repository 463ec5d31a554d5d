package forms

import (
	"math"
	"strconv"
)

// RelativeLuminance returns the WCAG 2 relative luminance of a #rrggbb
// colour, from 0 (black) to 1 (white). c must be a valid #rrggbb colour
// (as the form's validation ensures).
func RelativeLuminance(c string) float64 {
	ch := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		f := float64(v) / 255
		if f <= 0.04045 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c[1:3]) + 0.7152*ch(c[3:5]) + 0.0722*ch(c[5:7])
}

// ContrastRatio returns the WCAG 2 contrast ratio of two #rrggbb colours,
// from 1 (none) to 21 (black on white).
func ContrastRatio(a, b string) float64 {
	la, lb := RelativeLuminance(a), RelativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}
