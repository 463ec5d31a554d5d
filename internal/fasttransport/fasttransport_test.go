package fasttransport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"websignup/internal/fasttransport"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
)

// TestRoundTrip: method, path, query, headers and body reach the server;
// status, headers and body come back; connections are kept alive.
func TestRoundTrip(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo", r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write(append([]byte("got "), body...))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c := &http.Client{Transport: fasttransport.New()}
	for i := range 20 {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/rest/Customer/add_customer?x=1", strings.NewReader(`{"params":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot || string(body) != `got {"params":{}}` ||
			resp.Header.Get("X-Echo") != "POST /rest/Customer/add_customer?x=1 Bearer tok application/json" {
			t.Fatalf("request %d: %d %q %q", i, resp.StatusCode, body, resp.Header.Get("X-Echo"))
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 requests one after the other opened %d connections, want 1", n)
	}
}

// TestDeadlineAndFailures: a request past its context's deadline fails as
// context.DeadlineExceeded; a cancelled context, a refused connection and
// a body over MaxResponseBytes fail too.
func TestDeadlineAndFailures(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			<-release
		case "/huge":
			_, _ = w.Write(make([]byte, fasttransport.MaxResponseBytes+1))
		}
	}))
	defer srv.Close()
	defer close(release)
	c := &http.Client{Transport: fasttransport.New()}
	get := func(ctx context.Context, url string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := get(ctx, srv.URL+"/slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: %v, want context.DeadlineExceeded", err)
	}
	done, stop := context.WithCancel(context.Background())
	stop()
	if err := get(done, srv.URL+"/"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before: %v, want context.Canceled", err)
	}
	if err := get(context.Background(), srv.URL+"/huge"); err == nil {
		t.Error("a body over MaxResponseBytes was read")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	if err := get(context.Background(), "http://"+addr+"/"); err == nil {
		t.Error("a refused connection gave no error")
	}
}

// TestPortaSwitchClient: the PortaSwitch client works over it against the
// simulator, faults included.
func TestPortaSwitchClient(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := sim.Start(ctx, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	c, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin",
		HTTPClient: &http.Client{Transport: fasttransport.New()}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.GetNumberList(ctx, portaswitch.GetNumberListRequest{Usage: portaswitch.UsageIdle, IDVBatch: 1, Limit: 5})
	if err != nil || len(list) != 5 {
		t.Fatalf("GetNumberList: %d numbers, %v", len(list), err)
	}
	if err := c.AssignDIDToCustomer(ctx, 1, -1); portaswitch.AsFault(err) == nil {
		t.Errorf("assigning no number: %v, want a fault", err)
	}
}
