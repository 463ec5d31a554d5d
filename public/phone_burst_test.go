package public_test

import (
	"context"
	"fmt"
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
	e.numbers.mu.Lock()
	e.numbers.free = nil
	for i := range 200 {
		e.numbers.free = append(e.numbers.free,
			forms.AvailableNumber{Number: fmt.Sprintf("1206555%04d", i), IDidNumber: int64(1000 + i), IDVBatch: 1})
	}
	e.numbers.mu.Unlock()
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
