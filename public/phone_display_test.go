package public

import (
	"testing"

	"websignup/portaswitch/sim"
)

// seededNumbers are the simulator's seeded numbers, as PortaSwitch lists
// them (the phone step's usual input).
func seededNumbers(tb testing.TB) []string {
	tb.Helper()
	s, err := sim.New(sim.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, n := range s.State().Numbers {
		out = append(out, n.Number)
	}
	if len(out) == 0 {
		tb.Fatal("the simulator seeded no numbers")
	}
	return out
}

// BenchmarkDisplayNumber formats one page of the number list (12 numbers),
// walking through the simulator's seeded numbers page after page as
// prospects do: the same numbers come round again.
func BenchmarkDisplayNumber(b *testing.B) {
	nums := seededNumbers(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		for range numberListSize {
			_ = displayNumber(nums[i%len(nums)])
			i++
		}
	}
}
