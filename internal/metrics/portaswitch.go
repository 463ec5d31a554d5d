package metrics

import (
	"net/http"
	"strings"
	"time"
)

// Transport returns an http.RoundTripper that sends through base (a
// keep-alive transport sized for many concurrent signups when nil) and
// times every PortaSwitch call by its Service/method, read from the path
// /rest/{Service}/{method} (the account realm's /account/rest/... too).
// A 200 is ok, a 500 a fault (PortaSwitch's way to refuse), anything else
// or no answer an error. Give it to portaswitch.Config.HTTPClient.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = NewTransport()
	}
	return &transport{m: m, base: base}
}

// NewTransport returns a clone of http.DefaultTransport that keeps up to 64
// idle connections per host: the default keeps 2, so concurrent signups
// would open (and leave in TIME_WAIT) a connection per call.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	return t
}

type transport struct {
	m    *Metrics
	base http.RoundTripper
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	outcome := "error"
	switch {
	case err != nil:
	case resp.StatusCode == http.StatusOK:
		outcome = "ok"
	case resp.StatusCode == http.StatusInternalServerError:
		outcome = "fault"
	}
	t.m.psCalls.WithLabelValues(methodOf(r.URL.Path), outcome).Observe(time.Since(start).Seconds())
	return resp, err
}

// methodOf returns "Service/method" of a PortaSwitch API path, or "other".
func methodOf(path string) string {
	_, rest, ok := strings.Cut(path, "/rest/")
	if !ok {
		return "other"
	}
	service, method, ok := strings.Cut(rest, "/")
	if !ok || service == "" || method == "" || strings.Contains(method, "/") || len(rest) > 64 {
		return "other"
	}
	return service + "/" + method
}
