package public_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"websignup/forms"
)

// TestBrandFollowsPublish checks that the brand, made once per version, is
// never stale: a new version's look shows on the next request, a session in
// flight keeps its own version's, and going back to the old branding brings
// its look back.
func TestBrandFollowsPublish(t *testing.T) {
	e := newWizardEnv(t)
	ada := e.browser()
	ada.walkTo(forms.StepAddress)
	look := func(b *browser, path string) (title, css string) {
		t.Helper()
		p := b.get(path)
		return p.testid("company-title").Text(), p.testid("brand-style").Text()
	}
	if title, css := look(e.browser(), "/s/demo/"); title != "Northwind Telecom" || !strings.Contains(css, "--brand:#0b5fff;") {
		t.Fatalf("before: %q %q", title, css)
	}

	old := forms.DemoConfig()
	cfg := forms.DemoConfig()
	cfg.Branding.CompanyTitle = "Southwind Mobile"
	cfg.Branding.PrimaryColor = "#FFD500"
	e.publish(cfg)
	if title, css := look(e.browser(), "/s/demo/"); title != "Southwind Mobile" || !strings.Contains(css, "--brand:#ffd500;") {
		t.Errorf("after publish: %q %q", title, css)
	}
	if title, css := look(ada, "/s/demo/address"); title != "Northwind Telecom" || !strings.Contains(css, "--brand:#0b5fff;") {
		t.Errorf("a session in flight: %q %q", title, css)
	}

	e.publish(old)
	if title, css := look(e.browser(), "/s/demo/"); title != "Northwind Telecom" || !strings.Contains(css, "--brand:#0b5fff;") {
		t.Errorf("after going back: %q %q", title, css)
	}
}

// TestPlansFollowVersion checks that the plans, made once per version, show
// a new version's prices and the prospect's choice, even if a version id
// came back with other content.
func TestPlansFollowVersion(t *testing.T) {
	e := newWizardEnv(t)
	prices := func(b *browser) (string, string) {
		t.Helper()
		p := b.get("/s/demo/")
		return strings.Join(p.testid("plan-recurring").Map(func(_ int, s *goquery.Selection) string { return s.Text() }), " "),
			p.doc.Find(`input[name="product"][checked]`).AttrOr("value", "")
	}
	if got, checked := prices(e.browser()); got != "$14.95 $24.95 $39.95" || checked != "" {
		t.Fatalf("before: %q, checked %q", got, checked)
	}

	cfg := forms.DemoConfig()
	cfg.Products[1].RecurringFee = 2995
	e.publish(cfg)
	ada := e.browser()
	ada.walkTo(forms.StepAddress) // chooses plan 1
	if got, checked := prices(ada); got != "$14.95 $29.95 $39.95" || checked != "1" {
		t.Errorf("after publish: %q, checked %q", got, checked)
	}
	if got, checked := prices(e.browser()); got != "$14.95 $29.95 $39.95" || checked != "" {
		t.Errorf("another prospect: %q, checked %q (a choice leaked between prospects)", got, checked)
	}

	// The same id with other products (a store that reuses ids).
	e.mu.Lock()
	e.published.Config.Products = forms.DemoConfig().Products[:1]
	e.mu.Unlock()
	if got, _ := prices(e.browser()); got != "$14.95" {
		t.Errorf("same id, other products: %q", got)
	}
}
