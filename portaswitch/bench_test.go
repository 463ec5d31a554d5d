package portaswitch_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"websignup/portaswitch"
	"websignup/portaswitch/sim"
)

// replayTransport answers from the simulator, in process, until replay is
// set; then it answers every path with the last answer the simulator gave
// for it. The benchmarks use it to measure the client alone: building the
// request, the session token, decoding the answer, but no network and no
// simulator.
type replayTransport struct {
	sim    http.Handler
	mu     sync.Mutex
	replay bool
	bodies map[string][]byte
	status map[string]int
}

func (t *replayTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	replay := t.replay
	body, status := t.bodies[r.URL.Path], t.status[r.URL.Path]
	t.mu.Unlock()
	if !replay {
		rec := httptest.NewRecorder()
		t.sim.ServeHTTP(rec, r)
		body, status = rec.Body.Bytes(), rec.Code
		t.mu.Lock()
		t.bodies[r.URL.Path], t.status[r.URL.Path] = body, status
		t.mu.Unlock()
	} else if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:    io.NopCloser(bytes.NewReader(body)),
		Request: r, ContentLength: int64(len(body)),
	}, nil
}

// replayClient is a client of the seeded simulator through a replayTransport
// that has seen warm run once.
func replayClient(b *testing.B, warm func(*portaswitch.Client) error) (*portaswitch.Client, *replayTransport) {
	b.Helper()
	s, err := sim.New(sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rt := &replayTransport{sim: s, bodies: map[string][]byte{}, status: map[string]int{}}
	c, err := portaswitch.New(portaswitch.Config{BaseURL: "http://portaswitch.test", Login: "admin", Password: "admin",
		HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		b.Fatal(err)
	}
	if err := warm(c); err != nil {
		b.Fatal(err)
	}
	rt.mu.Lock()
	rt.replay = true
	rt.mu.Unlock()
	return c, rt
}

// numberListReq is what the phone page asks first (psnumbers.FreeNumbers,
// twice the 12 numbers shown).
var numberListReq = portaswitch.GetNumberListRequest{Usage: portaswitch.UsageIdle, IDVBatch: 1, Number: "1206%", Limit: 24}

// BenchmarkGetNumberList is one DID/get_number_list call of 24 numbers
// through the client, with the answer replayed from memory.
func BenchmarkGetNumberList(b *testing.B) {
	ctx := context.Background()
	c, _ := replayClient(b, func(c *portaswitch.Client) error {
		_, err := c.GetNumberList(ctx, numberListReq)
		return err
	})
	b.ReportAllocs()
	for b.Loop() {
		list, err := c.GetNumberList(ctx, numberListReq)
		if err != nil || len(list) != 24 {
			b.Fatalf("%d numbers, %v", len(list), err)
		}
	}
}

// BenchmarkAssignDIDToCustomer is a small write through the client (params
// in a map, {"success":1} back), with the answer replayed from memory.
func BenchmarkAssignDIDToCustomer(b *testing.B) {
	ctx := context.Background()
	c, _ := replayClient(b, func(c *portaswitch.Client) error {
		return c.AssignDIDToCustomer(ctx, sim.SeedResellerID, 1)
	})
	b.ReportAllocs()
	for b.Loop() {
		if err := c.AssignDIDToCustomer(ctx, sim.SeedResellerID, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetNumberListDecode decodes a DID/get_number_list answer of 100
// numbers as the simulator sends it, as GetNumberList does.
func BenchmarkGetNumberListDecode(b *testing.B) {
	ctx := context.Background()
	req := portaswitch.GetNumberListRequest{Usage: portaswitch.UsageIdle, IDVBatch: 1, Limit: 100}
	_, rt := replayClient(b, func(c *portaswitch.Client) error {
		_, err := c.GetNumberList(ctx, req)
		return err
	})
	body := rt.bodies["/rest/DID/get_number_list"]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		list, err := portaswitch.DecodeNumberList(200, body)
		if err != nil || len(list) != 100 {
			b.Fatalf("%d numbers, %v", len(list), err)
		}
	}
}
