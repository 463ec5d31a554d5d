package public

import (
	"fmt"
	"sync"
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

// otherNumbers are numbers of other countries and strings that are no
// possible number, which displayNumber gives back as they are.
var otherNumbers = map[string]string{
	"12065550134":      "+1 206-555-0134",
	"16045550100":      "+1 604-555-0100",
	"442079460958":     "+44 20 7946 0958",
	"33142685300":      "+33 1 42 68 53 00",
	"493012345678":     "+49 30 12345678",
	"4915123456789":    "+49 1512 3456789",
	"61291234567":      "+61 2 9123 4567",
	"81312345678":      "+81 3-1234-5678",
	"5511912345678":    "+55 11 91234-5678",
	"919876543210":     "+91 98765 43210",
	"8613912345678":    "+86 139 1234 5678",
	"79161234567":      "+7 916 123-45-67",
	"35312345678":      "+353 1 234 5678",
	"27211234567":      "+27 21 123 4567",
	"12":               "12",
	"1206":             "1206",
	"999999999999999":  "999999999999999",
	"1206555013412345": "1206555013412345",
	"":                 "",
	"abc":              "abc",
}

// TestListedDisplaySame checks that the cached display form of a number is
// displayNumber's, when formatted and when found in the cache, over every
// seeded number and the others.
func TestListedDisplaySame(t *testing.T) {
	want := map[string]string{}
	for _, n := range seededNumbers(t) {
		want[n] = displayNumber(n)
		if want[n] == n || want[n][:3] != "+1 " {
			t.Fatalf("seeded %s shown as %q", n, want[n])
		}
	}
	for n, d := range otherNumbers {
		if got := displayNumber(n); got != d {
			t.Errorf("displayNumber(%q) = %q, want %q", n, got, d)
		}
		want[n] = d
	}
	dc := newDisplayCache()
	for round := range 2 { // formatted, then from the cache
		for n, d := range want {
			if got := dc.of(n); got != d {
				t.Errorf("round %d: of(%q) = %q, want %q", round, n, got, d)
			}
		}
	}
	if dc.m.Len() != len(want) {
		t.Errorf("cache holds %d numbers, want %d", dc.m.Len(), len(want))
	}
}

// TestListedDisplayBounded checks that the cache never holds more than
// maxListedDisplays numbers and still answers right once it started afresh,
// with many goroutines at once (run with -race).
func TestListedDisplayBounded(t *testing.T) {
	dc := newDisplayCache()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range maxListedDisplays + 100 {
				n := fmt.Sprintf("1206%03d%04d", 200+g, i)
				want := fmt.Sprintf("+1 206-%03d-%04d", 200+g, i)
				if got := dc.of(n); got != want {
					t.Errorf("of(%q) = %q, want %q", n, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if dc.m.Len() > maxListedDisplays || dc.m.Len() == 0 {
		t.Errorf("cache holds %d numbers, bound %d", dc.m.Len(), maxListedDisplays)
	}
}

// BenchmarkDisplayNumber formats one page of the number list (12 numbers)
// as the phone step does, walking through the simulator's seeded numbers
// page after page as prospects do: the same numbers come round again.
func BenchmarkDisplayNumber(b *testing.B) {
	nums := seededNumbers(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		for range numberListSize {
			_ = listedDisplay.of(nums[i%len(nums)])
			i++
		}
	}
}

// BenchmarkDisplayNumberUncached is BenchmarkDisplayNumber formatting every
// number through phonenumbers, as the list did before listedDisplay.
func BenchmarkDisplayNumberUncached(b *testing.B) {
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
