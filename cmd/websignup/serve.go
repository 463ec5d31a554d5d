package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"websignup/admin"
	"websignup/internal/psnumbers"
	"websignup/internal/web"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
	"websignup/public"
)

// shutdownTimeout bounds the wait for requests in flight at shutdown.
const shutdownTimeout = 15 * time.Second

// numberListTTL is how long the phone step reuses a pool's list of free
// numbers from PortaSwitch (psnumbers.Cached): long enough that a burst of
// prospects shares one DID/get_number_list call, short enough that a
// number taken meanwhile is rarely offered (and then refused on choosing).
const numberListTTL = 2 * time.Second

// serve runs the HTTP server until ctx is done, then shuts it down.
func serve(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer, h hooks) error {
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	logger.Info("database ready", "dialect", store.Dialect(), "database", redactDSN(cfg.DSN()))
	ops := newOperations(cfg, store, logger)
	defer ops.close()

	if cfg.Demo {
		empty, err := store.IsEmpty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if _, err := store.SeedDemo(ctx); err != nil {
				return fmt.Errorf("seed demo: %w", err)
			}
		}
	}

	secretKey := cfg.SecretKey
	if secretKey == nil {
		secretKey, err = devSecretKey(cfg.DataDir, logger)
		if err != nil {
			return err
		}
	}

	ps, accountURL, stopPS, err := portaSwitch(ctx, cfg, logger, ops.psHTTPClient(cfg.PortaSwitchURL))
	if err != nil {
		return err
	}
	defer stopPS()
	prov, err := newProvisioning(cfg, store, ps, secretKey, logger)
	if err != nil {
		return err
	}
	ops.instrument(prov)
	// The worker and sweeper stop with ctx; stopProvisioning waits for
	// them (the worker finishes its job) before the store closes.
	provCtx, cancelProvisioning := context.WithCancel(ctx)
	waitProvisioning := prov.start(provCtx)
	defer func() {
		cancelProvisioning()
		waitProvisioning()
	}()

	app := web.New(web.Options{
		Logger:         logger,
		Ready:          ops.ready(store.Ping, ps),
		Observe:        ops.metrics.Observe,
		TrustedProxies: cfg.TrustedProxies,
		FrameAncestors: cfg.FrameAncestors,
		TLS:            cfg.TLS,
	})
	// The first operator is created before the enforcer loads the
	// policies: otherwise its role would reach the enforcer only at the
	// next periodic reload, and it would be refused for seconds.
	if err := bootstrapAdmins(ctx, cfg, store, logger, stdout); err != nil {
		return err
	}
	enforcer, err := admin.NewEnforcer(ctx, store, nil, 0)
	if err != nil {
		return fmt.Errorf("admin permissions: %w", err)
	}
	admin.Register(app, admin.Deps{Store: store, Enforcer: enforcer, Secret: secretKey, Logger: logger,
		Catalog: admin.NewPortaSwitchCatalog(ps)})
	public.RegisterMedia(app, store)
	public.Register(app, public.Deps{
		Forms: ops.forms, Versions: ops.forms, Sessions: store.Wizard(), Numbers: psnumbers.Cached(ps, numberListTTL),
		LimiterStorage: ops.limiterStorage(),
		Logger:         logger, Secret: secretKey,
		Signup: prov.signupDeps(),
		Selfcare: public.SelfcareDeps{Store: store, Realm: &public.PortaSwitchRealm{
			AccountURL: accountURL, Admin: ps, Logger: logger.With("component", "selfcare")}},
	})

	stopMetrics, err := ops.serveMetrics(app)
	if err != nil {
		return err
	}
	defer stopMetrics()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	ops.settle()
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "url", "http://"+browsable(ln.Addr()))
	if h.listening != nil {
		h.listening(ln.Addr())
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	if err := app.ShutdownWithTimeout(shutdownTimeout); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// portaSwitch returns the PortaSwitch client: at PORTASWITCH_URL, or at an
// in-process simulator (keeping its state in the data folder) when none is
// configured. accountURL is the account realm's base URL (self-care's):
// PortaSwitchAccountURL, or the simulator's. stop ends the simulator.
func portaSwitch(ctx context.Context, cfg Config, logger *slog.Logger, hc *http.Client) (client *portaswitch.Client, accountURL string, stop func(), err error) {
	pcfg := portaswitch.Config{
		BaseURL:    cfg.PortaSwitchURL,
		Login:      cfg.PortaSwitchLogin,
		Password:   cfg.PortaSwitchPassword,
		Logger:     logger.With("component", "portaswitch"),
		HTTPClient: hc,
	}
	stop = func() {}
	accountURL = cfg.PortaSwitchAccountURL
	if cfg.PortaSwitchURL == "" {
		// The simulator's API user is whoever is configured, admin/admin
		// by default, and the client logs in as that user.
		if pcfg.Login == "" {
			pcfg.Login = "admin"
		}
		if pcfg.Password == "" {
			pcfg.Password = "admin"
		}
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, "", nil, fmt.Errorf("create data folder: %w", err)
		}
		srv, err := sim.Start(ctx, sim.Options{
			Login:     pcfg.Login,
			Password:  pcfg.Password,
			StateFile: filepath.Join(cfg.DataDir, "portasim.json"),
			Logger:    logger.With("component", "portasim"),
		})
		if err != nil {
			return nil, "", nil, fmt.Errorf("start the PortaSwitch simulator: %w", err)
		}
		stop = func() { _ = srv.Close() }
		pcfg.BaseURL = srv.URL
		accountURL = srv.AccountURL
		logger.Warn("PORTASWITCH_URL is not set: using the in-process PortaSwitch simulator", "url", srv.URL)
	}
	client, err = portaswitch.New(pcfg)
	if err != nil {
		stop()
		return nil, "", nil, err
	}
	return client, accountURL, stop, nil
}

// devSecretKey returns the key kept in dataDir/secret.key, creating it with
// 32 random bytes the first time, so a development server keeps its cookies
// valid across restarts.
func devSecretKey(dataDir string, logger *slog.Logger) ([]byte, error) {
	path := filepath.Join(dataDir, "secret.key")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := parseSecretKey(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		logger.Warn("WEBSIGNUP_SECRET_KEY is not set: using the development key kept in the data folder", "path", path)
		return k, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read development secret key: %w", err)
	}
	k := make([]byte, SecretKeySize)
	_, _ = rand.Read(k) // never fails (crypto/rand)
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	// O_EXCL: if another process created it meanwhile, fail rather than
	// overwrite a key already in use.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write development secret key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write development secret key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write development secret key: %w", err)
	}
	logger.Warn("WEBSIGNUP_SECRET_KEY is not set: generated a development key in the data folder; set the variable in production", "path", path)
	return k, nil
}

// browsable turns a listen address such as [::]:8080 into localhost:8080.
func browsable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
