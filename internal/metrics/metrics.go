// Package metrics is websignup's Prometheus instrumentation: request
// latency per route, the wizard's funnel, signups by outcome, PortaSwitch
// calls and provisioning steps, and gauges read from the database at scrape
// time (holds, queue depth). Each Metrics has its own registry, so that
// several apps (tests) in one process never share or collide.
//
// Names:
//
//	websignup_http_request_duration_seconds{method,route,code}  histogram
//	websignup_wizard_steps_total{step,outcome}                    viewed | completed | rejected
//	websignup_signups_total{outcome}                              started | completed | declined | card_needed | needs_review | failed
//	websignup_portaswitch_call_duration_seconds{method,outcome}   ok | fault | error
//	websignup_provision_step_duration_seconds{step,outcome}       the runner's steps
//	websignup_number_holds_active, websignup_jobs_queued, websignup_jobs_needs_review  gauges (database)
//
// plus the Go runtime's and the process's collectors.
package metrics

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds websignup's collectors and their registry.
type Metrics struct {
	// Registry is this Metrics' registry; Handler serves it.
	Registry *prometheus.Registry

	requests   *prometheus.HistogramVec
	steps      *prometheus.CounterVec
	signups    *prometheus.CounterVec
	psCalls    *prometheus.HistogramVec
	provSteps  *prometheus.HistogramVec
	gaugeLimit time.Duration
	logger     *slog.Logger
}

// Latency buckets: the pages aim at a p99 under 20 ms; PortaSwitch calls
// take longer.
var (
	pageBuckets = []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5}
	callBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

// New returns a Metrics with a fresh registry holding websignup's
// collectors and the Go and process collectors. logger receives the
// failures of gauge queries (nil discards).
func New(logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "websignup_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status code.",
			Buckets: pageBuckets,
		}, []string{"method", "route", "code"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "websignup_wizard_steps_total",
			Help: "Wizard steps: viewed (GET answered 200), completed (POST accepted) or rejected (POST with errors, 422).",
		}, []string{"step", "outcome"}),
		signups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "websignup_signups_total",
			Help: "Signups (provisioning jobs) started on this instance, and settled by outcome.",
		}, []string{"outcome"}),
		psCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "websignup_portaswitch_call_duration_seconds",
			Help:    "PortaSwitch API calls by Service/method and outcome: ok (200), fault (500 with a fault) or error (transport error or another status).",
			Buckets: callBuckets,
		}, []string{"method", "outcome"}),
		provSteps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "websignup_provision_step_duration_seconds",
			Help:    "Provisioning steps from recorded intent to recorded result, by step and outcome.",
			Buckets: callBuckets,
		}, []string{"step", "outcome"}),
		gaugeLimit: 3 * time.Second,
		logger:     logger,
	}
	reg.MustRegister(m.requests, m.steps, m.signups, m.psCalls, m.provSteps,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range []string{"started", "completed", "declined", "card_needed", "needs_review", "failed"} {
		m.signups.WithLabelValues(o) // present from the start, so rate() works at once
	}
	return m
}

// wizardSteps are the last path segments of the wizard's step routes.
var wizardSteps = map[string]string{
	"/s/:slug/": "welcome", "/s/:slug/address": "address", "/s/:slug/phone": "phone",
	"/s/:slug/payment": "payment", "/s/:slug/summary": "summary", "/s/:slug/signup": "signup",
	"/s/:slug/done": "done",
}

// Observe records one answered request: route is the matched route's
// pattern (e.g. /s/:slug/address), never the raw path, so that the number
// of series stays bounded. It also counts the wizard's steps. It is meant
// for web.Options.Observe.
func (m *Metrics) Observe(method, route string, status int, d time.Duration) {
	// method may live in a buffer Fiber reuses: use only constant strings
	// as label values, which the registry keeps.
	method = knownMethod(method)
	if route == "" || (route == "/" && status == http.StatusNotFound) {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
	if step, ok := wizardSteps[route]; ok {
		switch {
		case method == http.MethodGet && status == http.StatusOK:
			m.steps.WithLabelValues(step, "viewed").Inc()
		case method == http.MethodPost && status == http.StatusSeeOther:
			m.steps.WithLabelValues(step, "completed").Inc()
		case method == http.MethodPost && status == http.StatusUnprocessableEntity:
			m.steps.WithLabelValues(step, "rejected").Inc()
		}
	}
}

func knownMethod(m string) string {
	for _, k := range []string{http.MethodGet, http.MethodPost, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if m == k {
			return k
		}
	}
	return "OTHER"
}

// Gauge registers a gauge whose value read asks for at scrape time, e.g. a
// count in the database. A failing read is logged and reported as NaN, so
// a scrape never fails or hangs because of one gauge (read gets a context
// bounded to three seconds).
func (m *Metrics) Gauge(name, help string, read func(context.Context) (float64, error)) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), m.gaugeLimit)
		defer cancel()
		v, err := read(ctx)
		if err != nil {
			m.logger.Warn("metrics: gauge read failed", "gauge", name, "err", err)
			return nan()
		}
		return v
	}))
}

// Handler serves the registry in Prometheus' text format. With a token,
// requests must carry "Authorization: Bearer <token>" (compared in
// constant time) or get 401.
func (m *Metrics) Handler(token string) http.Handler {
	return m.Protect(promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}), token)
}

// Protect wraps h so that, with a token, requests must carry
// "Authorization: Bearer <token>" or get 401; without one it returns h.
func (m *Metrics) Protect(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(strings.TrimSpace(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
