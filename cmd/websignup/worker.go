package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"websignup/internal/seal"
	"websignup/portaswitch"
	"websignup/provision"
	"websignup/provision/psport"
	"websignup/public"
	"websignup/storage"
)

// Seal purposes of the secrets serve keeps in the database.
const (
	credentialsPurpose = "credentials"
)

// sweepInterval is how often the sweeper deletes expired wizard sessions,
// holds, self-care sessions and unshown credentials.
const sweepInterval = time.Minute

// provisioning is the Sign up machinery of a serve process: the job store,
// the runner the Sign up request and the worker share, and the worker.
type provisioning struct {
	jobs   *storage.JobStore
	runner *provision.Runner
	worker *provision.Worker
	store  *storage.Store
	cfg    Config
	logger *slog.Logger
}

// newProvisioning wires the runner over PortaSwitch (the client ps) and the
// job store, and the worker that resumes and retries jobs.
func newProvisioning(cfg Config, store *storage.Store, ps *portaswitch.Client, secret []byte, logger *slog.Logger) (*provisioning, error) {
	sealer, err := seal.New(secret, credentialsPurpose)
	if err != nil {
		return nil, fmt.Errorf("credentials sealer: %w", err)
	}
	jobs := store.Jobs(sealer)
	log := logger.With("component", "provision")
	runner := &provision.Runner{PortaSwitch: psport.New(ps), Store: jobs, Logger: log}
	if cfg.TestCrashAt != "" {
		installCrashHook(runner, cfg.TestCrashAt, log)
	}
	return &provisioning{
		jobs:   jobs,
		runner: runner,
		worker: &provision.Worker{Store: jobs, Runner: runner, Interval: cfg.WorkerInterval, Lease: cfg.WorkerLease, Logger: log},
		store:  store,
		cfg:    cfg,
		logger: logger,
	}, nil
}

// signupDeps is what the public Sign up and done pages need from it.
func (p *provisioning) signupDeps() public.SignupDeps {
	return public.SignupDeps{Jobs: p.jobs, Runner: p.runner, Lease: p.cfg.WorkerLease}
}

// start runs the worker and the sweeper until ctx is done. The returned
// wait blocks until both have stopped; the worker first finishes the job it
// is running (it drains), so call wait before closing the store.
func (p *provisioning) start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := p.worker.Run(ctx); err != nil {
			p.logger.Error("provision worker stopped", "error", err)
		}
	}()
	go func() {
		defer wg.Done()
		p.sweep(ctx)
	}()
	return wg.Wait
}

// sweep deletes what has expired, every sweepInterval until ctx is done:
// wizard sessions and number holds, self-care sessions and throttle
// counters, and credentials never shown within public.CredentialsMaxAge.
func (p *provisioning) sweep(ctx context.Context) {
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		if s, h, err := p.store.Wizard().DeleteExpired(ctx, now, public.DefaultIdleTimeout); err != nil {
			p.logger.Error("sweep wizard sessions", "error", err)
		} else if s+h > 0 {
			p.logger.Info("swept wizard sessions", "sessions", s, "holds", h)
		}
		if _, err := p.jobs.EraseStaleCredentials(ctx, now, public.CredentialsMaxAge); err != nil {
			p.logger.Error("sweep credentials", "error", err)
		}
		if _, err := p.store.DeleteExpiredSelfcare(ctx, now, public.SelfcareIdle, public.LoginThrottleWindow); err != nil {
			p.logger.Error("sweep self-care sessions", "error", err)
		}
	}
}

// installCrashHook makes the runner kill the process at a named step: FOR
// TESTS ONLY (the crash-recovery test), enabled by WEBSIGNUP_TEST_HOOKS=1
// with WEBSIGNUP_TEST_CRASH_AT=<step> (exit just before the step's remote
// call, its intent recorded) or after:<step> (exit just after the call
// returned, before its result is recorded: the call happened but the job
// does not know). Steps are provision.Steps and provision.StepTerminate.
// The exit is immediate (status 137, as after SIGKILL): no deferred
// function, no flush, no graceful shutdown.
func installCrashHook(r *provision.Runner, at string, logger *slog.Logger) {
	step, after := strings.CutPrefix(at, "after:")
	crash := func(s string) {
		if s == step {
			logger.Warn("WEBSIGNUP_TEST_CRASH_AT: crashing on purpose", "step", s, "after_call", after)
			os.Exit(137)
		}
	}
	if after {
		r.AfterStep = crash
	} else {
		r.BeforeStep = crash
	}
	logger.Warn("test hooks are on: this process will crash at a provisioning step", "crash_at", at)
}
