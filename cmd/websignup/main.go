// Command websignup serves the signup wizard and manages its database.
//
//	websignup [serve] [--demo] [flags]   serve HTTP until SIGINT or SIGTERM (default)
//	websignup migrate [flags]            apply pending database migrations and exit
//	websignup seed-demo [flags]          add the demo form (slug "demo") if missing
//	websignup user add --email E --password-file F --role R [--tenant NAME]
//	                                     create an admin user (and its tenant)
//	websignup form export SLUG           write the published version's JSON to stdout
//	websignup form import SLUG FILE [--publish]
//	                                     make FILE the draft (and publish it)
//
// Configuration comes from environment variables and flags; see Config and
// the README's table. Logs go to standard error, command results to
// standard output.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"websignup/storage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "websignup:", err)
		os.Exit(1)
	}
}

const usageText = `usage: websignup [command] [flags]

commands:
  serve       serve HTTP until interrupted (default)
  migrate     apply pending database migrations and exit
  seed-demo   add the demo form (slug "demo") if it is missing, and exit
  user add    create an admin user: --email E --password-file F
              --role operator|admin|viewer [--tenant NAME]
  form export SLUG              write the published version's JSON to stdout
  form import SLUG FILE [--publish]
              make FILE the form's draft (and publish it), or print
              its problems and change nothing

Run "websignup <command> -h" for the flags. Every flag has an environment
variable; secrets are read from the environment (or NAME_FILE) only.
`

// Run runs the command named by args[0] (serve when args is empty or starts
// with a flag) with configuration from env and the remaining args. serve
// returns when ctx is cancelled, after a graceful shutdown. Run returns an
// error for a bad configuration, an unknown command, or a failure of the
// command; asking for help (-h) is not an error.
func Run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return run(ctx, args, env, stdout, stderr, hooks{})
}

// hooks let tests observe a running server.
type hooks struct {
	// listening, if set, receives the bound address once serve accepts
	// connections.
	listening func(net.Addr)
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer, h hooks) error {
	command := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	switch command {
	case "serve", "migrate", "seed-demo":
	case "help":
		fmt.Fprint(stdout, usageText)
		return nil
	case "user":
		return userCommand(ctx, args, env, stdout, stderr)
	case "form":
		return formCommand(ctx, args, env, os.Stdin, stdout, stderr)
	default:
		fmt.Fprint(stderr, usageText)
		return fmt.Errorf("unknown command %q", command)
	}
	cfg, err := LoadConfig(command, args, env, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	switch command {
	case "migrate":
		return migrate(ctx, cfg, logger, stdout)
	case "seed-demo":
		return seedDemo(ctx, cfg, logger, stdout)
	default:
		return serve(ctx, cfg, logger, stdout, h)
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (*storage.Store, error) {
	store, err := storage.Open(ctx, cfg.DSN(), logger)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactDSN(cfg.DSN()), err)
	}
	if _, err := store.Migrate(ctx); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("migrate database %s: %w", redactDSN(cfg.DSN()), err)
	}
	return store, nil
}

func migrate(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) error {
	store, err := storage.Open(ctx, cfg.DSN(), logger)
	if err != nil {
		return fmt.Errorf("open database %s: %w", redactDSN(cfg.DSN()), err)
	}
	defer store.Close()
	n, err := store.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate database %s: %w", redactDSN(cfg.DSN()), err)
	}
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s at schema version %d (%d migration(s) applied)\n", redactDSN(cfg.DSN()), v, n)
	return nil
}

func seedDemo(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) error {
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	created, err := store.SeedDemo(ctx)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	if created {
		fmt.Fprintln(stdout, "demo form created: /s/demo/")
	} else {
		fmt.Fprintln(stdout, "demo form exists already: /s/demo/")
	}
	return nil
}

// redactDSN hides a password in a database URL so that it can be logged.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
