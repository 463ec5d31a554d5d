// Command portasim serves the PortaSwitch simulator (package
// websignup/portaswitch/sim) on its own.
//
//	go run ./cmd/portasim -addr 127.0.0.1:8700 -state ./data/portasim.json \
//	    -faults '[{"method":"Customer/make_transaction","drop":true,"count":1}]'
//
// It logs one line per call (method, realm, outcome, duration); secrets are
// never logged. SIGINT or SIGTERM shuts it down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"websignup/portaswitch/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "portasim:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done and shuts down. ready, if not
// nil, receives the listening address once serving.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("portasim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8700", "listen address")
	login := fs.String("login", "admin", "admin-realm API login")
	password := fs.String("password", "admin", "admin-realm API password")
	state := fs.String("state", "", "state file (loaded at start, saved after every change)")
	faults := fs.String("faults", "", `fault rules as JSON, e.g. [{"method":"Account/add_account","faultcode":"Server.Sim.injected_fault","count":2}]`)
	verbose := fs.Bool("v", false, "also log each call's params (redacted)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	rules, err := sim.ParseFaults(*faults)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	s, err := sim.New(sim.Options{Login: *login, Password: *password, StateFile: *state, Faults: rules, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	// The API user's credentials are printed on purpose: this is a local
	// simulator, and the operator needs them to try it by hand.
	fmt.Fprintf(stdout, "portasim listening on %s\n  admin realm:   %s/rest/{Service}/{method}  login %q password %q\n  account realm: %s%s/rest/...\n  state: %s\n",
		base, base, *login, *password, base, sim.AccountPrefix, stateName(*state))
	if len(rules) > 0 {
		fmt.Fprintf(stdout, "  injected faults: %d rule(s)\n", len(rules))
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("portasim shutting down")
	s.Close() // end injected delays so in-flight calls finish
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func stateName(path string) string {
	if path == "" {
		return "in memory (use -state FILE to keep it)"
	}
	return path
}
