package metrics_test

import (
	"net/http"
	"testing"

	"websignup/internal/metrics"
)

// okTransport answers every request 200 with no body, at once.
type okTransport struct{ resp http.Response }

func (t *okTransport) RoundTrip(*http.Request) (*http.Response, error) { return &t.resp, nil }

// BenchmarkTransport is the metrics transport's own cost on one PortaSwitch
// call: finding Service/method in the path and observing the duration.
func BenchmarkTransport(b *testing.B) {
	m := metrics.New(nil)
	rt := m.Transport(&okTransport{resp: http.Response{StatusCode: http.StatusOK, Body: http.NoBody}})
	req, err := http.NewRequest(http.MethodPost, "http://portaswitch.test/rest/DID/get_number_list", http.NoBody)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}
