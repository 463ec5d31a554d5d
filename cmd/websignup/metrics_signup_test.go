package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"websignup/provision"
	"websignup/storage/storagetest"
)

// TestMetricsAfterSignup signs a prospect up through a real server and
// scrapes /metrics: the signup counted as started and completed, and every
// provisioning step timed once with its outcome, including the steps whose
// result was written with the next step's intent (provision.Runner.call).
func TestMetricsAfterSignup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	e := newCrashEnv(t, storagetest.SQLiteDSN(t))
	p := e.start("WEBSIGNUP_METRICS_TOKEN=scrape-me")
	v := newVisitor(t, p.url)
	tok := v.toSummary(e.freeNumber(map[string]bool{}))
	resp, err := v.post("/s/demo/signup", url.Values{"card_token": {tok}, "accept_terms": {"yes"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Sign up: %v %v\n%s", resp, err, p.logs.String())
	}

	req, _ := http.NewRequest(http.MethodGet, p.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-me")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	want := []string{
		`websignup_signups_total{outcome="started"} 1`,
		`websignup_signups_total{outcome="completed"} 1`,
	}
	// The demo form's signup here brings its own phone: no device step.
	for _, step := range []string{provision.StepCustomer, provision.StepPaymentMethod, provision.StepCharge,
		provision.StepAssignNumber, provision.StepAccount, provision.StepNumberToAccount} {
		want = append(want, `websignup_provision_step_duration_seconds_count{outcome="ok",step="`+step+`"} 1`)
	}
	for _, w := range want {
		if !strings.Contains(string(body), w) {
			t.Errorf("/metrics lacks %s", w)
		}
	}
	p.stop(t)
}
