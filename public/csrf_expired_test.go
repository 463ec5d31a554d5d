package public_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"websignup/forms"
)

// TestWizardCSRFExpiredPage: a step post refused for its token says the
// page has expired and links back to the step it came from, or to the
// wizard's welcome page when the browser sent no Referer.
func TestWizardCSRFExpiredPage(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepAddress)
	form := cloneValues(addressForm)
	form.Set("_csrf", "stale")
	for referer, want := range map[string]string{"": "/s/demo/", "http://example.com/s/demo/address": "/s/demo/address"} {
		req := httptest.NewRequest(http.MethodPost, "/s/demo/address", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		p := b.do(req)
		if p.status() != http.StatusForbidden || words(p.testid("error-title")) != "This page has expired" {
			t.Errorf("referer %q: %d %q", referer, p.status(), words(p.testid("error-title")))
		}
		if got := p.testid("error-back").AttrOr("href", ""); got != want {
			t.Errorf("referer %q: back link %q; want %q", referer, got, want)
		}
	}
}
