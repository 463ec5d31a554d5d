package forms

import "testing"

// TestMatchPatternCached: a pattern gives the same answers from the cache as
// when first compiled, anchored to the whole value, and one that does not
// compile keeps matching everything.
func TestMatchPatternCached(t *testing.T) {
	for range 2 {
		if !matchPattern(`[0-9]{5}`, "12345") {
			t.Error("12345 does not match [0-9]{5}")
		}
		if matchPattern(`[0-9]{5}`, "123456") || matchPattern(`[0-9]{5}`, "x12345") {
			t.Error("pattern not anchored to the whole value")
		}
		if !matchPattern(`[a-`, "anything") || !matchPattern(`)|.*(`, "anything") {
			t.Error("a broken pattern blocks the prospect")
		}
	}
}
