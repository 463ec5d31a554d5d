package public_test

import (
	"strings"
	"testing"

	"websignup/forms"
)

// TestBrandFollowsPublish checks that the brand, made once per branding,
// is never stale: a new version's look shows on the next request, a session
// in flight keeps its own version's, and going back to the old branding
// brings its look back.
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
