package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"websignup/internal/fasttransport"
	"websignup/internal/metrics"
	"websignup/portaswitch"
	"websignup/provision"
	"websignup/storage"
)

// operations is what a serve process offers its operators: metrics, the
// readiness check, and the rate limiters' shared counters.
type operations struct {
	cfg     Config
	logger  *slog.Logger
	metrics *metrics.Metrics
	// forms serves published forms from memory (see storage.FormCache).
	forms *storage.FormCache
	// limits keeps the rate limiters' counters; nil keeps them in memory.
	limits *storage.RateLimitStorage
}

func newOperations(cfg Config, store *storage.Store, logger *slog.Logger) *operations {
	o := &operations{cfg: cfg, logger: logger, metrics: metrics.New(logger.With("component", "metrics")),
		forms: storage.NewFormCache(store, 0, nil)}
	mode := cfg.RateLimitStore
	if mode == "" {
		mode = "memory"
		if store.Dialect() == storage.Postgres {
			mode = "database"
		}
	}
	if mode == "database" {
		o.limits = store.RateLimits(time.Minute)
	}
	m := o.metrics
	m.Gauge("websignup_number_holds_active", "Numbers held for prospects in the wizard now (every instance).",
		func(ctx context.Context) (float64, error) {
			n, err := store.ActiveHolds(ctx, time.Now())
			return float64(n), err
		})
	m.Gauge("websignup_jobs_queued", "Provisioning jobs not settled yet: pending, running or retrying (every instance).",
		func(ctx context.Context) (float64, error) {
			n, err := store.QueuedJobs(ctx)
			return float64(n), err
		})
	m.Gauge("websignup_jobs_needs_review", "Provisioning jobs waiting for an operator (needs_review, every instance).",
		func(ctx context.Context) (float64, error) {
			n, err := store.JobsWithStatus(ctx, provision.StatusNeedsReview)
			return float64(n), err
		})
	m.Gauge("websignup_form_cache_hits", "Published-form lookups answered from memory by this instance.",
		func(context.Context) (float64, error) { return float64(o.forms.Stats().Hits), nil })
	m.Gauge("websignup_form_cache_misses", "Published-form lookups read from the database by this instance.",
		func(context.Context) (float64, error) { return float64(o.forms.Stats().Misses), nil })
	return o
}

// limiterStorage is the rate limiters' storage for public.Deps: nil (in
// memory) unless the counters are shared.
func (o *operations) limiterStorage() fiber.Storage {
	if o.limits == nil {
		return nil
	}
	return o.limits
}

// close stops the limiter storage's expiry.
func (o *operations) close() {
	if o.limits != nil {
		_ = o.limits.Close()
	}
}

// psHTTPClient is the HTTP client of the PortaSwitch client at baseURL:
// keep-alive connections for concurrent signups, every call timed, over
// psTransport.
func (o *operations) psHTTPClient(baseURL string) *http.Client {
	return &http.Client{Transport: o.metrics.Transport(psTransport(baseURL, http.ProxyFromEnvironment))}
}

// psTransport is fasthttp's client under net/http's interface
// (fasttransport), or net/http's own transport (metrics.NewTransport) when
// proxy, the environment's HTTP_PROXY and HTTPS_PROXY, sends baseURL
// through a proxy, which fasttransport does not do.
func psTransport(baseURL string, proxy func(*http.Request) (*url.URL, error)) http.RoundTripper {
	if req, err := http.NewRequest(http.MethodPost, baseURL, nil); err == nil && baseURL != "" {
		if u, err := proxy(req); err != nil || u != nil {
			return metrics.NewTransport()
		}
	}
	return fasttransport.New()
}

// instrument counts signups and times provisioning steps.
func (o *operations) instrument(p *provisioning) {
	p.runner.Store = o.metrics.Jobs(p.runner.Store)
}

// ready is the readiness check: the database answers and, when configured,
// PortaSwitch too.
func (o *operations) ready(db func(context.Context) error, ps *portaswitch.Client) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := db(ctx); err != nil {
			return err
		}
		if o.cfg.ReadyCheckPortaSwitch {
			if _, err := ps.Ping(ctx); err != nil {
				return fmt.Errorf("portaswitch: %w", err)
			}
		}
		return nil
	}
}

// settle returns to the operating system the memory that starting took
// (migrations, the seed, the metadata libraries decode at init, the demo
// operator's argon2 hash): without it the runtime keeps those pages
// resident for minutes, and an idle instance shows twice the memory it
// uses.
//
// It runs on one P: FreeOSMemory's forced scavenge races the runtime's
// background scavenger on another P, and when they meet (5 starts of 24
// with two CPUs, measured) 1 to 3 MB of free heap pages stay resident for
// good; a second FreeOSMemory does not release them either (the same
// happens in a 30-line program that frees a 19 MB block). The GOMAXPROCS
// default (or the environment's value) is put back after.
func (o *operations) settle() {
	runtime.GOMAXPROCS(1)
	debug.FreeOSMemory()
	restoreGOMAXPROCS()
}

// restoreGOMAXPROCS puts back the GOMAXPROCS the process started with: the
// GOMAXPROCS environment variable's when it holds one (as the runtime
// reads it), else the runtime's default, which keeps following the CPU
// quota (setting it by hand would stop that).
func restoreGOMAXPROCS() {
	if n, err := strconv.Atoi(os.Getenv("GOMAXPROCS")); err == nil && n > 0 {
		runtime.GOMAXPROCS(n)
		return
	}
	runtime.SetDefaultGOMAXPROCS()
}

// serveMetrics serves GET /metrics: on its own listener at MetricsAddr, or
// on the app when only a token is configured; nowhere otherwise. stop shuts
// the own listener down.
func (o *operations) serveMetrics(app *fiber.App) (stop func(), err error) {
	h := o.metrics.Handler(o.cfg.MetricsToken)
	switch {
	case o.cfg.MetricsAddr != "":
		ln, err := net.Listen("tcp", o.cfg.MetricsAddr)
		if err != nil {
			return nil, fmt.Errorf("listen for metrics on %s: %w", o.cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", h)
		if o.cfg.Pprof {
			mux.Handle("GET /debug/pprof/", o.metrics.Protect(http.HandlerFunc(pprof.Index), o.cfg.MetricsToken))
			mux.Handle("GET /debug/pprof/profile", o.metrics.Protect(http.HandlerFunc(pprof.Profile), o.cfg.MetricsToken))
			// An execution trace: where goroutines wait (go tool trace).
			mux.Handle("GET /debug/pprof/trace", o.metrics.Protect(http.HandlerFunc(pprof.Trace), o.cfg.MetricsToken))
		}
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				o.logger.Error("metrics listener stopped", "err", err)
			}
		}()
		o.logger.Info("metrics listening", "addr", ln.Addr().String(), "token", o.cfg.MetricsToken != "")
		return func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
		}, nil
	case o.cfg.MetricsToken != "":
		app.Get("/metrics", adaptor.HTTPHandler(h))
		o.logger.Info("metrics served at /metrics with a bearer token")
	default:
		o.logger.Info("metrics not served: set WEBSIGNUP_METRICS_TOKEN or WEBSIGNUP_METRICS_ADDR")
	}
	return func() {}, nil
}
