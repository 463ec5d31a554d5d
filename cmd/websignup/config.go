package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is websignup's configuration. Defaults come from DefaultConfig;
// the environment overrides them, and command-line flags override the
// environment. Secrets are read only from the environment or from a file
// named by the variable with a _FILE suffix, never from flags (which other
// users of the machine can see).
type Config struct {
	// Addr is the HTTP listen address (WEBSIGNUP_ADDR, --addr).
	Addr string
	// DatabaseURL is a postgres:// URL or a SQLite file path; empty means
	// DataDir/websignup.db (WEBSIGNUP_DATABASE_URL[_FILE], --database-url).
	DatabaseURL string
	// DataDir holds the SQLite database and, in development, the generated
	// secret key and the simulator's state (WEBSIGNUP_DATA_DIR, --data-dir).
	DataDir string
	// SecretKey is the 32-byte key sealing cards and cookies
	// (WEBSIGNUP_SECRET_KEY[_FILE]); nil means "generate or reuse one in
	// DataDir", which serve allows only with the in-process simulator.
	SecretKey []byte
	// PortaSwitchURL is the PortaSwitch API base URL; empty starts the
	// simulator in-process (PORTASWITCH_URL, --portaswitch-url).
	PortaSwitchURL string
	// PortaSwitchLogin and PortaSwitchPassword are the API user's
	// credentials (PORTASWITCH_LOGIN[_FILE], PORTASWITCH_PASSWORD[_FILE]).
	PortaSwitchLogin, PortaSwitchPassword string
	// LogLevel is debug, info, warn or error (WEBSIGNUP_LOG_LEVEL, --log-level).
	LogLevel slog.Level
	// LogFormat is text or json (WEBSIGNUP_LOG_FORMAT, --log-format).
	LogFormat string
	// Demo seeds the demo form into an empty database at serve
	// (WEBSIGNUP_DEMO, --demo).
	Demo bool
	// TLS says the site is reached over HTTPS, directly or through a
	// TLS-terminating proxy: cookies are Secure and HSTS is sent
	// (WEBSIGNUP_TLS, --tls).
	TLS bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-* headers are
	// believed, comma-separated addresses or CIDRs (WEBSIGNUP_TRUSTED_PROXIES).
	TrustedProxies []string
	// FrameAncestors is the CSP frame-ancestors list of sites allowed to
	// embed the wizard (WEBSIGNUP_FRAME_ANCESTORS); empty forbids framing.
	FrameAncestors string
	// AdminEmail and AdminPassword create the first operator at serve when
	// the database has no admin user yet (WEBSIGNUP_ADMIN_EMAIL,
	// WEBSIGNUP_ADMIN_PASSWORD[_FILE]); ignored once any user exists.
	AdminEmail, AdminPassword string
	// PortaSwitchAccountURL is the account realm's base URL, where
	// self-care logs subscribers in (PORTASWITCH_ACCOUNT_URL); default: the
	// host of PortaSwitchURL on port 8445, PortaSwitch's account realm
	// port, or the in-process simulator's account realm.
	PortaSwitchAccountURL string
	// WorkerInterval is how often the provisioning worker looks for due
	// jobs when idle (WEBSIGNUP_WORKER_INTERVAL, default 2s).
	WorkerInterval time.Duration
	// WorkerLease is how long a claim on a job lasts, by a worker or a Sign
	// up request; a crashed instance's job is resumed after it
	// (WEBSIGNUP_WORKER_LEASE, default 2m).
	WorkerLease time.Duration
	// MetricsAddr, if set, serves GET /metrics on its own listener, e.g.
	// 127.0.0.1:9090, away from the public site (WEBSIGNUP_METRICS_ADDR).
	MetricsAddr string
	// MetricsToken, if set, is the bearer token GET /metrics requires
	// (WEBSIGNUP_METRICS_TOKEN[_FILE]). With a token and no MetricsAddr,
	// /metrics is served on the site's address; with neither, nowhere.
	MetricsToken string
	// ReadyCheckPortaSwitch makes GET /readyz also ping PortaSwitch
	// (WEBSIGNUP_READY_CHECK_PORTASWITCH, default false).
	ReadyCheckPortaSwitch bool
	// RateLimitStore is where the rate limiters count: "database" (shared
	// by every instance) or "memory" (this process's); empty means database
	// on PostgreSQL and memory on SQLite (WEBSIGNUP_RATE_LIMIT_STORE).
	RateLimitStore string
	// Pprof adds Go's profiler (/debug/pprof/) to the metrics listener
	// at MetricsAddr, behind the same token (WEBSIGNUP_PPROF, default
	// false; ignored without MetricsAddr).
	Pprof bool
	// TestCrashAt makes the process exit at a provisioning step; FOR TESTS
	// ONLY, read from WEBSIGNUP_TEST_CRASH_AT only when
	// WEBSIGNUP_TEST_HOOKS=1 (see installCrashHook).
	TestCrashAt string
}

// DefaultConfig returns the configuration used when nothing is set: a
// complete local demo.
func DefaultConfig() Config {
	return Config{
		Addr:           ":8080",
		DataDir:        "./data",
		WorkerInterval: 2 * time.Second,
		WorkerLease:    2 * time.Minute,
		LogLevel:       slog.LevelInfo,
		LogFormat:      "text",
	}
}

// DSN returns the database to open: DatabaseURL, or the SQLite file in DataDir.
func (c Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "websignup.db")
}

// SecretKeySize is the length of WEBSIGNUP_SECRET_KEY in bytes (AES-256).
const SecretKeySize = 32

// secretVars are the variables that also have a _FILE variant.
var secretVars = []string{"WEBSIGNUP_DATABASE_URL", "WEBSIGNUP_SECRET_KEY", "PORTASWITCH_LOGIN", "PORTASWITCH_PASSWORD", "WEBSIGNUP_ADMIN_PASSWORD", "WEBSIGNUP_METRICS_TOKEN"}

// LoadConfig builds the configuration of command from the defaults, env and
// args (the command's flags), and validates it. It returns every problem at
// once, each naming the variable or flag to fix; flag.ErrHelp when args ask
// for help (the usage is written to usage).
func LoadConfig(command string, args []string, env func(string) string, usage io.Writer) (Config, error) {
	cfg := DefaultConfig()
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	get := func(name string) string { return strings.TrimSpace(env(name)) }
	secret := func(name string) string {
		v, err := readSecret(env, name)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	if v := get("WEBSIGNUP_ADDR"); v != "" {
		cfg.Addr = v
	}
	cfg.DatabaseURL = secret("WEBSIGNUP_DATABASE_URL")
	if v := get("WEBSIGNUP_DATA_DIR"); v != "" {
		cfg.DataDir = v
	}
	if key := secret("WEBSIGNUP_SECRET_KEY"); key != "" {
		k, err := parseSecretKey(key)
		if err != nil {
			bad("WEBSIGNUP_SECRET_KEY: %v", err)
		}
		cfg.SecretKey = k
	}
	cfg.PortaSwitchURL = get("PORTASWITCH_URL")
	cfg.PortaSwitchLogin = secret("PORTASWITCH_LOGIN")
	cfg.PortaSwitchPassword = secret("PORTASWITCH_PASSWORD")
	logLevel := get("WEBSIGNUP_LOG_LEVEL")
	if v := get("WEBSIGNUP_LOG_FORMAT"); v != "" {
		cfg.LogFormat = v
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"WEBSIGNUP_DEMO", &cfg.Demo}, {"WEBSIGNUP_TLS", &cfg.TLS}, {"WEBSIGNUP_READY_CHECK_PORTASWITCH", &cfg.ReadyCheckPortaSwitch}, {"WEBSIGNUP_PPROF", &cfg.Pprof}} {
		if v := get(b.name); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				bad("%s=%q: want true or false", b.name, v)
			}
			*b.dst = x
		}
	}
	if v := get("WEBSIGNUP_TRUSTED_PROXIES"); v != "" {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.TrustedProxies = append(cfg.TrustedProxies, p)
			}
		}
	}
	cfg.FrameAncestors = get("WEBSIGNUP_FRAME_ANCESTORS")
	cfg.AdminEmail = get("WEBSIGNUP_ADMIN_EMAIL")
	cfg.PortaSwitchAccountURL = get("PORTASWITCH_ACCOUNT_URL")
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"WEBSIGNUP_WORKER_INTERVAL", &cfg.WorkerInterval}, {"WEBSIGNUP_WORKER_LEASE", &cfg.WorkerLease}} {
		if v := get(d.name); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x <= 0 {
				bad("%s=%q: want a positive duration such as 2s or 5m", d.name, v)
			}
			*d.dst = x
		}
	}
	if get("WEBSIGNUP_TEST_HOOKS") == "1" {
		cfg.TestCrashAt = get("WEBSIGNUP_TEST_CRASH_AT")
	}
	cfg.AdminPassword = secret("WEBSIGNUP_ADMIN_PASSWORD")
	cfg.MetricsAddr = get("WEBSIGNUP_METRICS_ADDR")
	cfg.MetricsToken = secret("WEBSIGNUP_METRICS_TOKEN")
	cfg.RateLimitStore = get("WEBSIGNUP_RATE_LIMIT_STORE")

	fs := flag.NewFlagSet("websignup "+command, flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "HTTP listen address (WEBSIGNUP_ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "postgres:// URL or SQLite file (WEBSIGNUP_DATABASE_URL); default <data-dir>/websignup.db")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data folder (WEBSIGNUP_DATA_DIR)")
	fs.StringVar(&cfg.PortaSwitchURL, "portaswitch-url", cfg.PortaSwitchURL, "PortaSwitch API URL; empty runs the simulator in-process (PORTASWITCH_URL)")
	fs.StringVar(&logLevel, "log-level", logLevel, "debug, info, warn or error (WEBSIGNUP_LOG_LEVEL)")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "text or json (WEBSIGNUP_LOG_FORMAT)")
	fs.BoolVar(&cfg.Demo, "demo", cfg.Demo, "seed the demo form into an empty database (WEBSIGNUP_DEMO)")
	fs.BoolVar(&cfg.TLS, "tls", cfg.TLS, "the site is reached over HTTPS (WEBSIGNUP_TLS)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		bad("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	if logLevel != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
			bad("WEBSIGNUP_LOG_LEVEL=%q: want debug, info, warn or error", logLevel)
		}
	}
	if cfg.PortaSwitchAccountURL == "" && cfg.PortaSwitchURL != "" {
		cfg.PortaSwitchAccountURL = defaultAccountURL(cfg.PortaSwitchURL)
	}
	if err := cfg.validate(command); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("configuration:\n%w", err)
	}
	return cfg, nil
}

// validate checks the values that parsing alone does not.
func (c Config) validate(command string) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := checkAddr(c.Addr); err != nil {
		bad("WEBSIGNUP_ADDR=%q: %v", c.Addr, err)
	}
	if c.DataDir == "" {
		bad("WEBSIGNUP_DATA_DIR must not be empty")
	}
	if strings.Contains(c.DatabaseURL, "://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		// Not echoed: the URL may hold a password.
		bad("WEBSIGNUP_DATABASE_URL: want a postgres:// URL or a SQLite file path")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("WEBSIGNUP_LOG_FORMAT=%q: want text or json", c.LogFormat)
	}
	if c.PortaSwitchURL != "" {
		u, err := url.Parse(c.PortaSwitchURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("PORTASWITCH_URL=%q: want an http(s) URL such as https://pbx.example.com", c.PortaSwitchURL)
		} else if u.User != nil {
			bad("PORTASWITCH_URL: put the credentials in PORTASWITCH_LOGIN and PORTASWITCH_PASSWORD, not in the URL")
		}
		if c.PortaSwitchLogin == "" || c.PortaSwitchPassword == "" {
			bad("PORTASWITCH_URL is set: set PORTASWITCH_LOGIN and PORTASWITCH_PASSWORD (or their _FILE variants) too")
		}
		if command == "serve" && c.SecretKey == nil {
			bad("PORTASWITCH_URL is set: set WEBSIGNUP_SECRET_KEY (or WEBSIGNUP_SECRET_KEY_FILE) to 32 random bytes, e.g. the output of `openssl rand -hex 32`; a key is generated only for the in-process simulator")
		}
	}
	if c.PortaSwitchAccountURL != "" {
		u, err := url.Parse(c.PortaSwitchAccountURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			bad("PORTASWITCH_ACCOUNT_URL=%q: want an http(s) URL such as https://pbx.example.com:8445", c.PortaSwitchAccountURL)
		}
	}
	if c.MetricsAddr != "" {
		if err := checkAddr(c.MetricsAddr); err != nil {
			bad("WEBSIGNUP_METRICS_ADDR=%q: %v", c.MetricsAddr, err)
		}
	}
	if c.RateLimitStore != "" && c.RateLimitStore != "memory" && c.RateLimitStore != "database" {
		bad("WEBSIGNUP_RATE_LIMIT_STORE=%q: want memory or database", c.RateLimitStore)
	}
	if err := c.validateAdmin(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkAddr accepts host:port with a numeric port (0 picks a free one).
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port, e.g. :8080 or 127.0.0.1:8080")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return errors.New("the port must be a number from 0 to 65535")
	}
	return nil
}

// readSecret returns the value of name, or the content of the file named by
// name_FILE (without trailing white space). Setting both is an error, as is
// a file that cannot be read. Errors never contain the secret.
func readSecret(env func(string) string, name string) (string, error) {
	v, file := strings.TrimSpace(env(name)), strings.TrimSpace(env(name+"_FILE"))
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("set %s or %s_FILE, not both", name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %w", name, err)
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", fmt.Errorf("%s_FILE: %s is empty", name, file)
		}
		return s, nil
	}
	return v, nil
}

// parseSecretKey decodes a 32-byte key given as hex or base64 (standard or
// URL alphabet, padded or not).
func parseSecretKey(s string) ([]byte, error) {
	if len(s) == hex.EncodedLen(SecretKeySize) {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != SecretKeySize {
				return nil, fmt.Errorf("the key is %d bytes, want %d (64 hex characters or 44 base64); generate one with `openssl rand -hex 32`", len(k), SecretKeySize)
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("want %d bytes as hex (64 characters) or base64; generate one with `openssl rand -hex 32`", SecretKeySize)
}

// defaultAccountURL is the account realm of the PortaSwitch at base: the
// same host on port 8445 (PortaSwitch's account realm port), or "" when
// base is not a URL (validate reports that).
func defaultAccountURL(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + net.JoinHostPort(u.Hostname(), "8445")
}
