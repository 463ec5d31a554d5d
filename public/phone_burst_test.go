package public_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"websignup/forms"
)

// In a burst of signups the first free numbers PortaSwitch lists can all be
// held by other prospects: the phone page must still offer free numbers
// from further down the pool, not show the pool as empty.
func TestPhoneListLooksPastHeldNumbers(t *testing.T) {
	e := newWizardEnv(t)
	seattlePool(e, 200)
	// Other prospects hold the first 60 numbers listed.
	for i := range 60 {
		h := forms.Hold{Number: fmt.Sprintf("1206555%04d", i), IDidNumber: int64(1000 + i),
			SessionID: fmt.Sprintf("other-%d", i), ExpiresAt: e.clock().Add(30 * time.Minute)}
		if err := e.sessions.HoldNumber(context.Background(), h, e.clock()); err != nil {
			t.Fatal(err)
		}
	}

	b := e.browser()
	b.walkTo(forms.StepPhone)
	p := b.get("/s/demo/phone?pool=1")
	if p.status() != 200 {
		t.Fatalf("status %d", p.status())
	}
	var offered []string
	p.testid("number-radio").Each(func(_ int, s *goquery.Selection) { offered = append(offered, s.AttrOr("value", "")) })
	if len(offered) != 12 {
		t.Fatalf("offered %d numbers, want a full list of 12: %v", len(offered), offered)
	}
	for _, n := range offered {
		var i int
		if _, err := fmt.Sscanf(n, "1206555%04d", &i); err != nil || i < 60 {
			t.Errorf("offered %s, held by another prospect", n)
		}
	}
	// And a number so offered can be taken.
	mustRedirect(t, b.post("/s/demo/phone", map[string][]string{"number": {offered[0]}, "device": {"byod"}}), "/s/demo/payment")
}

// Prospects on the phone step at the same moment are each offered their own
// share of the free numbers, so that they seldom pick the same one; a
// prospect who reloads the page sees the same share.
func TestPhoneOffersEachProspectAShare(t *testing.T) {
	e := newWizardEnv(t)
	seattlePool(e, 100)

	offered := func(b *browser) []string {
		t.Helper()
		p := b.get("/s/demo/phone?pool=1")
		if p.status() != 200 {
			t.Fatalf("status %d", p.status())
		}
		var ns []string
		p.testid("number-radio").Each(func(_ int, s *goquery.Selection) { ns = append(ns, s.AttrOr("value", "")) })
		// The page says there is more than it shows.
		if got := words(p.testid("number-count")); got != "Showing 12 free numbers. Search to see others." {
			t.Errorf("number count %q", got)
		}
		return ns
	}
	seen := map[string]int{}
	var shares [][]string
	for range 8 {
		b := e.browser()
		b.walkTo(forms.StepPhone)
		share := offered(b)
		if len(share) != 12 || !slices.IsSorted(share) {
			t.Fatalf("offered %v: want 12 numbers in the pool's order", share)
		}
		if again := offered(b); !slices.Equal(again, share) {
			t.Fatalf("a reload offers %v, the first load %v", again, share)
		}
		for _, n := range share {
			seen[n]++
		}
		shares = append(shares, share)
	}
	for i := range shares {
		for j := range i {
			if slices.Equal(shares[i], shares[j]) {
				t.Errorf("prospects %d and %d are offered the same numbers %v", j, i, shares[i])
			}
		}
	}
	// Eight prospects shown the same first twelve would cover twelve.
	if len(seen) < 30 {
		t.Errorf("eight prospects were offered %d different numbers in all, want them spread over the pool", len(seen))
	}
}

// seattlePool makes the fake's first pool n free numbers, 12065550000 up.
func seattlePool(e *wizardEnv, n int) {
	e.numbers.mu.Lock()
	defer e.numbers.mu.Unlock()
	e.numbers.free = nil
	for i := range n {
		e.numbers.free = append(e.numbers.free,
			forms.AvailableNumber{Number: fmt.Sprintf("1206555%04d", i), IDidNumber: int64(1000 + i), IDVBatch: 1})
	}
}
