package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"websignup/internal/metrics"
	"websignup/provision"
)

func scrape(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func TestObserveAndHandler(t *testing.T) {
	m := metrics.New(nil)
	m.Observe("GET", "/s/:slug/address", 200, 3*time.Millisecond)
	m.Observe("POST", "/s/:slug/address", 303, 4*time.Millisecond)
	m.Observe("POST", "/s/:slug/address", 422, 4*time.Millisecond)
	m.Observe("GET", "/", 404, time.Millisecond)
	m.Observe("BREW", "/healthz", 200, time.Millisecond)
	m.Gauge("websignup_test_gauge", "A test gauge.", func(context.Context) (float64, error) { return 42, nil })
	m.Gauge("websignup_test_broken", "A gauge whose read fails.", func(context.Context) (float64, error) { return 0, errors.New("db down") })

	code, body := scrape(t, m.Handler(""), "")
	if code != 200 {
		t.Fatalf("scrape: %d", code)
	}
	for _, want := range []string{
		`websignup_http_request_duration_seconds_count{code="200",method="GET",route="/s/:slug/address"} 1`,
		`websignup_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
		`websignup_http_request_duration_seconds_count{code="200",method="OTHER",route="/healthz"} 1`,
		`websignup_wizard_steps_total{outcome="viewed",step="address"} 1`,
		`websignup_wizard_steps_total{outcome="completed",step="address"} 1`,
		`websignup_wizard_steps_total{outcome="rejected",step="address"} 1`,
		`websignup_signups_total{outcome="needs_review"} 0`,
		`websignup_test_gauge 42`,
		`websignup_test_broken NaN`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}

	h := m.Handler("s3cret")
	for _, auth := range []string{"", "Bearer nope", "s3cret", "Bearer s3cret2"} {
		if code, body := scrape(t, h, auth); code != http.StatusUnauthorized || strings.Contains(body, "websignup_") {
			t.Errorf("auth %q: %d", auth, code)
		}
	}
	if code, _ := scrape(t, h, "Bearer s3cret"); code != 200 {
		t.Errorf("right token: %d", code)
	}
	// Two Metrics in one process do not collide.
	_ = metrics.New(nil)
}

func TestTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/add_customer"):
			w.WriteHeader(500)
		case strings.HasSuffix(r.URL.Path, "/teapot"):
			w.WriteHeader(418)
		}
	}))
	defer srv.Close()
	m := metrics.New(nil)
	c := &http.Client{Transport: m.Transport(nil)}
	// login twice: the second call finds its series kept.
	for _, p := range []string{"/rest/Session/login", "/rest/Customer/add_customer", "/account/rest/Account/get_account_info", "/rest/Sim/teapot", "/junk", "/rest/Session/login"} {
		resp, err := c.Post(srv.URL+p, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	_, body := scrape(t, m.Handler(""), "")
	for _, want := range []string{
		`websignup_portaswitch_call_duration_seconds_count{method="Session/login",outcome="ok"} 2`,
		`websignup_portaswitch_call_duration_seconds_count{method="Customer/add_customer",outcome="fault"} 1`,
		`websignup_portaswitch_call_duration_seconds_count{method="Account/get_account_info",outcome="ok"} 1`,
		`websignup_portaswitch_call_duration_seconds_count{method="Sim/teapot",outcome="error"} 1`,
		`websignup_portaswitch_call_duration_seconds_count{method="other",outcome="ok"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	// Only the outcomes that happened have series.
	for _, unwanted := range []string{`method="Session/login",outcome="fault"`, `method="Session/login",outcome="error"`} {
		if strings.Contains(body, unwanted) {
			t.Errorf("scrape has %s", unwanted)
		}
	}
}

// fakeStore is a provision.Store that keeps nothing.
type fakeStore struct{ err error }

func (f fakeStore) RecordIntent(context.Context, *provision.Job, string) error { return f.err }
func (f fakeStore) RecordResult(context.Context, *provision.Job, string) error { return f.err }
func (f fakeStore) Update(context.Context, *provision.Job) error               { return f.err }

var _ provision.Store = fakeStore{}

func TestJobs(t *testing.T) {
	m := metrics.New(nil)
	s := m.Jobs(fakeStore{})
	ctx := context.Background()
	t0 := time.Now()
	job := &provision.Job{ID: 7, Status: provision.StatusRunning}
	// A call that failed: its result is written at once.
	job.Steps = append(job.Steps, provision.StepRecord{Name: provision.StepCustomer, Intent: t0})
	_ = s.RecordIntent(ctx, job, provision.StepCustomer)
	job.Steps[0].Done, job.Steps[0].Outcome = t0.Add(20*time.Millisecond), provision.OutcomeFault
	_ = s.RecordResult(ctx, job, provision.StepCustomer)
	// Calls that succeeded: each result comes with the next write, the
	// last with the update that settles the job.
	job.Steps = append(job.Steps, provision.StepRecord{Name: provision.StepCustomer, Intent: t0})
	_ = s.RecordIntent(ctx, job, provision.StepCustomer)
	job.Steps[1].Done, job.Steps[1].Outcome = t0.Add(30*time.Millisecond), provision.OutcomeOK
	job.Steps = append(job.Steps, provision.StepRecord{Name: provision.StepCharge, Intent: t0})
	_ = s.RecordIntent(ctx, job, provision.StepCharge) // not a second start
	job.Steps[2].Done, job.Steps[2].Outcome = t0.Add(40*time.Millisecond), provision.OutcomeOK
	job.Status = provision.StatusCompleted
	_ = s.Update(ctx, job)
	_ = s.Update(ctx, job) // counted once

	// A job resumed on this instance after another's crash: its earlier
	// records are not timed again; a lookup's resolution is.
	resumed := &provision.Job{ID: 10, Status: provision.StatusRunning, Steps: []provision.StepRecord{
		{Name: provision.StepCustomer, Intent: t0, Done: t0.Add(time.Millisecond), Outcome: provision.OutcomeOK},
		{Name: provision.StepCharge, Intent: t0}}}
	_ = s.Update(ctx, resumed)
	resumed.Steps[1].Done, resumed.Steps[1].Outcome = t0.Add(time.Second), provision.OutcomeFound
	_ = s.RecordResult(ctx, resumed, provision.StepCharge)

	// A run's first write is an Update that carries its first intent
	// (provision.Runner.record): the signup starts, and the step is timed
	// when the next write carries its result. A repeatable step's record
	// (the payment method) is first written whole, with the next intent,
	// and timed then, once.
	first := &provision.Job{ID: 11, Status: provision.StatusRunning,
		Steps: []provision.StepRecord{{Name: provision.StepCustomer, Intent: t0}}}
	_ = s.Update(ctx, first)
	first.Steps[0].Done, first.Steps[0].Outcome = t0.Add(5*time.Millisecond), provision.OutcomeOK
	first.Steps = append(first.Steps, provision.StepRecord{Name: provision.StepPaymentMethod, Intent: t0,
		Done: t0.Add(2 * time.Millisecond), Outcome: provision.OutcomeOK})
	first.Steps = append(first.Steps, provision.StepRecord{Name: provision.StepCharge, Intent: t0})
	_ = s.RecordIntent(ctx, first, provision.StepCharge)
	first.Steps[2].Done, first.Steps[2].Outcome = t0.Add(9*time.Millisecond), provision.OutcomeOK
	first.Steps = append(first.Steps, provision.StepRecord{Name: provision.StepAccount, Intent: t0})
	_ = s.RecordIntent(ctx, first, provision.StepAccount)

	other := &provision.Job{ID: 8, Status: provision.StatusNeedsReview}
	_ = s.Update(ctx, other)
	failing := m.Jobs(fakeStore{err: errors.New("db down")})
	_ = failing.Update(ctx, &provision.Job{ID: 9, Status: provision.StatusFailed})

	_, body := scrape(t, m.Handler(""), "")
	for _, want := range []string{
		`websignup_signups_total{outcome="started"} 2`,
		`websignup_signups_total{outcome="completed"} 1`,
		`websignup_signups_total{outcome="needs_review"} 1`,
		`websignup_signups_total{outcome="failed"} 0`,
		`websignup_provision_step_duration_seconds_count{outcome="fault",step="` + provision.StepCustomer + `"} 1`,
		`websignup_provision_step_duration_seconds_count{outcome="ok",step="` + provision.StepCustomer + `"} 2`,
		`websignup_provision_step_duration_seconds_count{outcome="ok",step="` + provision.StepCharge + `"} 2`,
		`websignup_provision_step_duration_seconds_count{outcome="ok",step="` + provision.StepPaymentMethod + `"} 1`,
		`websignup_provision_step_duration_seconds_count{outcome="found",step="` + provision.StepCharge + `"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

// TestTransportManyPaths checks that calls are still counted once the
// transport stops keeping the series of new paths.
func TestTransportManyPaths(t *testing.T) {
	m := metrics.New(nil)
	rt := m.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
	}))
	call := func(path string) {
		req, err := http.NewRequest(http.MethodPost, "http://portaswitch.test"+path, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 300 {
		call("/rest/Many/m" + strconv.Itoa(i))
	}
	call("/rest/Over/flow")
	call("/rest/Over/flow")
	call("/rest/Many/m0")
	_, body := scrape(t, m.Handler(""), "")
	for _, want := range []string{
		`websignup_portaswitch_call_duration_seconds_count{method="Over/flow",outcome="ok"} 2`,
		`websignup_portaswitch_call_duration_seconds_count{method="Many/m0",outcome="ok"} 2`,
		`websignup_portaswitch_call_duration_seconds_count{method="Many/m299",outcome="ok"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
