package main

import (
	"bytes"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig("serve", nil, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.DataDir != "./data" || cfg.LogLevel != slog.LevelInfo ||
		cfg.LogFormat != "text" || cfg.Demo || cfg.SecretKey != nil || cfg.PortaSwitchURL != "" {
		t.Fatalf("defaults = %+v", cfg)
	}
	if got := cfg.DSN(); got != filepath.Join("data", "websignup.db") {
		t.Errorf("DSN = %q", got)
	}
}

func TestLoadConfigPrecedence(t *testing.T) {
	env := envOf(map[string]string{
		"WEBSIGNUP_ADDR":            "127.0.0.1:9000",
		"WEBSIGNUP_DATA_DIR":        "/var/lib/websignup",
		"WEBSIGNUP_LOG_LEVEL":       "debug",
		"WEBSIGNUP_LOG_FORMAT":      "json",
		"WEBSIGNUP_DEMO":            "true",
		"WEBSIGNUP_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
		"WEBSIGNUP_SECRET_KEY":      strings.Repeat("ab", 32),
	})
	cfg, err := LoadConfig("serve", []string{"--addr", ":9100", "--log-level", "warn"}, env, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9100" || cfg.LogLevel != slog.LevelWarn {
		t.Errorf("flags did not win over the environment: %+v", cfg)
	}
	if cfg.DataDir != "/var/lib/websignup" || cfg.LogFormat != "json" || !cfg.Demo ||
		len(cfg.TrustedProxies) != 2 || cfg.TrustedProxies[1] != "127.0.0.1" || len(cfg.SecretKey) != 32 {
		t.Errorf("environment not applied: %+v", cfg)
	}
	if cfg.DSN() != "/var/lib/websignup/websignup.db" {
		t.Errorf("DSN = %q", cfg.DSN())
	}
}

func TestLoadConfigErrors(t *testing.T) {
	hexKey := strings.Repeat("0f", 32)
	keyFile := writeFile(t, hexKey+"\n")
	pwFile := writeFile(t, "s3cret-password\n")
	ps := map[string]string{"PORTASWITCH_URL": "https://pbx.example.com", "PORTASWITCH_LOGIN": "api"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		command string
		env     map[string]string
		args    []string
		wantErr string // "" means valid
		check   func(t *testing.T, cfg Config)
	}{
		{name: "addr without port", env: with(nil, "WEBSIGNUP_ADDR", "8080"), wantErr: "WEBSIGNUP_ADDR=\"8080\": want host:port"},
		{name: "addr with a named port", args: []string{"--addr", ":http-alt"}, wantErr: "port must be a number"},
		{name: "addr out of range", env: with(nil, "WEBSIGNUP_ADDR", ":70000"), wantErr: "port must be a number"},
		{name: "addr port zero", env: with(nil, "WEBSIGNUP_ADDR", "127.0.0.1:0")},
		{name: "key too short", env: with(nil, "WEBSIGNUP_SECRET_KEY", strings.Repeat("ab", 16)), wantErr: "the key is 24 bytes, want 32"},
		{name: "key not encoded", env: with(nil, "WEBSIGNUP_SECRET_KEY", "not a key!"), wantErr: "WEBSIGNUP_SECRET_KEY: want 32 bytes"},
		{name: "key hex", env: with(nil, "WEBSIGNUP_SECRET_KEY", hexKey), check: func(t *testing.T, c Config) {
			if c.SecretKey[0] != 0x0f || len(c.SecretKey) != 32 {
				t.Errorf("key = %x", c.SecretKey)
			}
		}},
		{name: "key base64", env: with(nil, "WEBSIGNUP_SECRET_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")},
		{name: "key base64 url unpadded", env: with(nil, "WEBSIGNUP_SECRET_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")},
		{name: "key from file", env: with(nil, "WEBSIGNUP_SECRET_KEY_FILE", keyFile), check: func(t *testing.T, c Config) {
			if len(c.SecretKey) != 32 || c.SecretKey[31] != 0x0f {
				t.Errorf("key = %x", c.SecretKey)
			}
		}},
		{name: "key and key file", env: with(nil, "WEBSIGNUP_SECRET_KEY", hexKey, "WEBSIGNUP_SECRET_KEY_FILE", keyFile),
			wantErr: "set WEBSIGNUP_SECRET_KEY or WEBSIGNUP_SECRET_KEY_FILE, not both"},
		{name: "key file missing", env: with(nil, "WEBSIGNUP_SECRET_KEY_FILE", "/nonexistent/key"), wantErr: "WEBSIGNUP_SECRET_KEY_FILE: open /nonexistent/key"},
		{name: "password file", env: with(ps, "PORTASWITCH_PASSWORD_FILE", pwFile, "WEBSIGNUP_SECRET_KEY", hexKey),
			check: func(t *testing.T, c Config) {
				if c.PortaSwitchPassword != "s3cret-password" {
					t.Errorf("password = %q", c.PortaSwitchPassword)
				}
			}},
		{name: "password and password file", env: with(ps, "PORTASWITCH_PASSWORD", "pw", "PORTASWITCH_PASSWORD_FILE", pwFile, "WEBSIGNUP_SECRET_KEY", hexKey),
			wantErr: "set PORTASWITCH_PASSWORD or PORTASWITCH_PASSWORD_FILE, not both"},
		{name: "portaswitch without password", env: with(ps, "WEBSIGNUP_SECRET_KEY", hexKey), wantErr: "set PORTASWITCH_LOGIN and PORTASWITCH_PASSWORD"},
		{name: "portaswitch needs a key to serve", env: with(ps, "PORTASWITCH_PASSWORD", "pw"), wantErr: "set WEBSIGNUP_SECRET_KEY"},
		{name: "portaswitch key not needed to migrate", command: "migrate", env: with(ps, "PORTASWITCH_PASSWORD", "pw")},
		{name: "portaswitch bad url", env: with(ps, "PORTASWITCH_URL", "pbx.example.com", "PORTASWITCH_PASSWORD", "pw", "WEBSIGNUP_SECRET_KEY", hexKey), wantErr: "PORTASWITCH_URL=\"pbx.example.com\": want an http(s) URL"},
		{name: "database url mysql", env: with(nil, "WEBSIGNUP_DATABASE_URL", "mysql://u:pw@h/db"), wantErr: "WEBSIGNUP_DATABASE_URL: want a postgres:// URL"},
		{name: "database url postgres", env: with(nil, "WEBSIGNUP_DATABASE_URL", "postgres://u:pw@h/db"), check: func(t *testing.T, c Config) {
			if c.DSN() != "postgres://u:pw@h/db" {
				t.Errorf("DSN = %q", c.DSN())
			}
		}},
		{name: "log level", env: with(nil, "WEBSIGNUP_LOG_LEVEL", "loud"), wantErr: "WEBSIGNUP_LOG_LEVEL=\"loud\""},
		{name: "log format", args: []string{"--log-format", "xml"}, wantErr: "WEBSIGNUP_LOG_FORMAT=\"xml\""},
		{name: "demo not a bool", env: with(nil, "WEBSIGNUP_DEMO", "sure"), wantErr: "WEBSIGNUP_DEMO=\"sure\": want true or false"},
		{name: "demo flag", args: []string{"--demo"}, check: func(t *testing.T, c Config) {
			if !c.Demo {
				t.Error("--demo not applied")
			}
		}},
		{name: "stray argument", args: []string{"extra"}, wantErr: "unexpected arguments: extra"},
		{name: "every problem at once", env: with(nil, "WEBSIGNUP_ADDR", "x", "WEBSIGNUP_LOG_FORMAT", "xml"), wantErr: "WEBSIGNUP_LOG_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			command := tt.command
			if command == "" {
				command = "serve"
			}
			cfg, err := LoadConfig(command, tt.args, envOf(tt.env), &bytes.Buffer{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tt.check != nil {
					tt.check(t, cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			for _, secret := range []string{hexKey, "s3cret-password", ":pw@"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error reveals a secret: %v", err)
				}
			}
		})
	}
}

func TestLoadConfigHelp(t *testing.T) {
	var usage bytes.Buffer
	_, err := LoadConfig("serve", []string{"-h"}, envOf(nil), &usage)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(usage.String(), "-demo") {
		t.Fatalf("err = %v, usage = %q", err, usage.String())
	}
}
