package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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

// TestProfilerBehindToken: with WEBSIGNUP_PPROF, the metrics listener also
// serves Go's profiles and an execution trace, to a holder of the metrics
// token only.
func TestProfilerBehindToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	e := newCrashEnv(t, storagetest.SQLiteDSN(t))
	p := e.start("WEBSIGNUP_METRICS_ADDR=127.0.0.1:0", "WEBSIGNUP_PPROF=true", "WEBSIGNUP_METRICS_TOKEN=scrape-me")
	addr := ""
	re := regexp.MustCompile(`"msg":"metrics listening","addr":"([^"]+)"`)
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(p.logs.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no metrics listener:\n%s", p.logs.String())
	}
	get := func(path, token string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	for _, path := range []string{"/debug/pprof/heap", "/debug/pprof/profile?seconds=1", "/debug/pprof/trace?seconds=0.2"} {
		if code, _ := get(path, ""); code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d, want 401", path, code)
		}
		if code, body := get(path, "scrape-me"); code != http.StatusOK || len(body) == 0 {
			t.Errorf("%s with the token: %d, %d bytes", path, code, len(body))
		}
	}
	p.stop(t)
}
