package public_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestWizardWithRealStoreAndSimulator walks the wizard through the real app
// over a real database (SQLite, and PostgreSQL when configured) and the
// PortaSwitch simulator over HTTP: the numbers listed are the simulator's,
// holds are rows that keep a number from a second prospect, and the answers
// survive in the database.
func TestWizardWithRealStoreAndSimulator(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newRealEnv(t, s)
		nums := e.freeNumbers(3)

		ada := e.browser()
		ada.number = nums[0]
		ada.walkTo(forms.StepSummary)
		p := ada.get("/s/demo/summary")
		if p.status() != 200 {
			t.Fatalf("summary %d", p.status())
		}
		if got := p.testid("summary-number").Text(); got != "+"+nums[0][:1]+" "+nums[0][1:4]+"-"+nums[0][4:7]+"-"+nums[0][7:] {
			t.Errorf("number shown as %q for %s", got, nums[0])
		}
		if got := p.testid("charge-total").Text(); got != "$73.90" {
			t.Errorf("total %q", got)
		}
		sess, err := s.Wizard().Session(ctx, ada.cookies["ws_session"].Value)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Progress.Answers["email"] != "ada@example.com" || sess.Progress.Number != nums[0] || sess.CardLast4 != "4242" || sess.VersionID == 0 {
			t.Errorf("stored session %+v", sess)
		}
		held, err := s.Wizard().HeldNumbers(ctx, nums, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !held[nums[0]] || held[nums[1]] {
			t.Errorf("holds %v", held)
		}

		// The phone page lists the simulator's free numbers, minus Ada's.
		bob := e.browser()
		bob.number = nums[1]
		bob.walkTo(forms.StepPhone)
		if n := bob.get("/s/demo/phone").testid("number-option").Length(); n != 12 {
			t.Errorf("%d numbers listed", n)
		}
		search := "/s/demo/phone?q=" + url.QueryEscape("+"+nums[0])
		if n := bob.get(search).testid("number-option").Length(); n != 0 {
			t.Errorf("Ada's number is listed to Bob")
		}
		if v := ada.get(search).testid("number-radio").AttrOr("value", ""); v != nums[0] {
			t.Errorf("Ada's own search shows %q", v)
		}
		// Bob cannot take Ada's number, but can take another.
		p = bob.post("/s/demo/phone", url.Values{"number": {nums[0]}, "device": {"byod"}})
		if p.status() != 422 || !strings.Contains(p.testid("field-error-number").Text(), "just taken") {
			t.Fatalf("taking a held number: %d %q", p.status(), p.testid("field-error-number").Text())
		}
		mustRedirect(t, bob.post("/s/demo/phone", url.Values{"number": {nums[1]}, "device": {"byod"}}), "/s/demo/payment")

		// Ada changing her number releases the old one.
		mustRedirect(t, ada.post("/s/demo/phone", url.Values{"number": {nums[2]}, "device": {"2"}}), "/s/demo/payment")
		held, err = s.Wizard().HeldNumbers(ctx, nums, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if held[nums[0]] || !held[nums[1]] || !held[nums[2]] {
			t.Errorf("holds after a new choice %v", held)
		}
		if p := ada.get("/s/demo/summary"); p.testid("summary-device").Text() != "Grandstream GRP2602" || p.testid("charge-total").Text() != "$93.90" {
			t.Errorf("summary after the change: %q %q", p.testid("summary-device").Text(), p.testid("charge-total").Text())
		}
	})
}
