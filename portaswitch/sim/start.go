package sim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a Sim served over HTTP on a loopback listener by Start.
type Server struct {
	// URL is the admin realm's base URL, e.g. "http://127.0.0.1:38211": give
	// it to portaswitch.Config.BaseURL.
	URL string
	// AccountURL is the account realm's base URL (URL + AccountPrefix), for
	// the self-care client.
	AccountURL string
	// Sim is the simulator itself (State, SetFaults, Reset, ...).
	Sim *Sim

	srv  *http.Server
	once sync.Once
	err  error
}

func serve(ctx context.Context, s *Sim) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	srv := &Server{URL: url, AccountURL: url + AccountPrefix, Sim: s,
		srv: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := srv.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("portasim: serve", "error", err)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = srv.Close()
		case <-s.done:
		}
	}()
	return srv, nil
}

// Close stops the listener, waits up to 5 seconds for calls in flight and
// ends pending injected delays. It is safe to call more than once.
func (srv *Server) Close() error {
	srv.once.Do(func() {
		srv.Sim.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.err = srv.srv.Shutdown(ctx)
	})
	return srv.err
}
