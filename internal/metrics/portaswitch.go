package metrics

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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

	// byPath holds the observers of each path's method, so that a call
	// neither builds its "Service/method" label nor looks its series up
	// by label values. The client calls a few dozen methods; past
	// maxObservedPaths paths (a misconfigured base URL) the series are
	// looked up per call.
	byPath sync.Map // string → *callObservers
	paths  atomic.Int64
}

// maxObservedPaths bounds transport.byPath.
const maxObservedPaths = 256

// Outcomes of a PortaSwitch call, as indexes of callObservers.
const (
	outcomeOK = iota
	outcomeFault
	outcomeError
)

var outcomeNames = [3]string{outcomeOK: "ok", outcomeFault: "fault", outcomeError: "error"}

// callObservers are the histogram series of one method, by outcome, each
// made when first observed (as WithLabelValues does), so that a scrape
// shows no series of an outcome that never happened.
type callObservers struct {
	method string
	series [3]atomic.Value // prometheus.Observer
}

func (o *callObservers) of(vec *prometheus.HistogramVec, outcome int) prometheus.Observer {
	if s := o.series[outcome].Load(); s != nil {
		return s.(prometheus.Observer)
	}
	s := vec.WithLabelValues(o.method, outcomeNames[outcome])
	o.series[outcome].Store(s) // the same series if two calls race here
	return s
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	outcome := outcomeError
	switch {
	case err != nil:
	case resp.StatusCode == http.StatusOK:
		outcome = outcomeOK
	case resp.StatusCode == http.StatusInternalServerError:
		outcome = outcomeFault
	}
	t.observers(r.URL.Path).of(t.m.psCalls, outcome).Observe(time.Since(start).Seconds())
	return resp, err
}

// observers returns the series of the method path names.
func (t *transport) observers(path string) *callObservers {
	if o, ok := t.byPath.Load(path); ok {
		return o.(*callObservers)
	}
	o := &callObservers{method: methodOf(path)}
	if t.paths.Load() < maxObservedPaths {
		// A copy: path may share the memory of the whole URL.
		if _, loaded := t.byPath.LoadOrStore(strings.Clone(path), o); !loaded {
			t.paths.Add(1)
		}
	}
	return o
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
