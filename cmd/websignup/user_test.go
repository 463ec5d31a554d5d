package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"websignup/admin"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestUserAdd(t *testing.T) {
	for name, mk := range storagetest.DSNs() {
		t.Run(name, func(t *testing.T) {
			dsn := mk(t)
			env := envOf(map[string]string{"WEBSIGNUP_DATABASE_URL": dsn, "WEBSIGNUP_DATA_DIR": t.TempDir()})
			pw := writeFile(t, "a long enough passphrase\nsecond line ignored\n")
			run := func(args ...string) (string, error) {
				var out, logs bytes.Buffer
				err := Run(context.Background(), append([]string{"user"}, args...), env, &out, &logs)
				return out.String(), err
			}
			out, err := run("add", "--email", "Ana@Acme.example", "--password-file", pw, "--role", "admin", "--tenant", "Acme")
			if err != nil || !strings.Contains(out, `created admin ana@acme.example in tenant "Acme" (new tenant)`) {
				t.Fatalf("add admin: %q, %v", out, err)
			}
			out, err = run("add", "--email", "bo@acme.example", "--password-file", pw, "--role", "viewer", "--tenant", "Acme")
			if err != nil || strings.Contains(out, "new tenant") {
				t.Fatalf("add viewer to the existing tenant: %q, %v", out, err)
			}
			if out, err = run("add", "--email", "ops@example.com", "--password-file", pw, "--role", "operator"); err != nil || !strings.Contains(out, "created operator ops@example.com") {
				t.Fatalf("add operator: %q, %v", out, err)
			}

			for _, tc := range []struct {
				name string
				args []string
				want string
			}{
				{"no subcommand", nil, "missing subcommand"},
				{"unknown subcommand", []string{"remove"}, `unknown subcommand "remove"`},
				{"bad email", []string{"add", "--email", "nope", "--password-file", pw, "--role", "operator"}, "--email"},
				{"bad role", []string{"add", "--email", "x@y.example", "--password-file", pw, "--role", "root"}, "--role: want operator, admin or viewer"},
				{"admin without tenant", []string{"add", "--email", "x@y.example", "--password-file", pw, "--role", "admin"}, "--tenant: an admin belongs to a tenant"},
				{"operator with tenant", []string{"add", "--email", "x@y.example", "--password-file", pw, "--role", "operator", "--tenant", "Acme"}, "an operator belongs to no tenant"},
				{"missing password file", []string{"add", "--email", "x@y.example", "--role", "operator"}, "--password-file: required"},
				{"unreadable password file", []string{"add", "--email", "x@y.example", "--password-file", "/nonexistent/pw", "--role", "operator"}, "--password-file"},
				{"short password", []string{"add", "--email", "x@y.example", "--password-file", writeFile(t, "short\n"), "--role", "operator"}, "at least 12 characters"},
				{"taken address", []string{"add", "--email", "ANA@acme.example", "--password-file", pw, "--role", "operator"}, "already exists"},
			} {
				_, err := run(tc.args...)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
				}
				if err != nil && strings.Contains(err.Error(), "a long enough passphrase") {
					t.Errorf("%s: the password is in the error", tc.name)
				}
			}

			// The users sign in with the password from the file (first line).
			s := storagetest.Open(t, dsn)
			u, hash, err := s.UserCredentials(context.Background(), "ana@acme.example")
			if err != nil || u.Role != storage.RoleAdmin || u.TenantName != "Acme" || !admin.CheckPassword(hash, "a long enough passphrase") {
				t.Fatalf("stored user %+v, %v", u, err)
			}
			if n, _ := s.CountUsers(context.Background()); n != 3 {
				t.Errorf("%d users, want 3", n)
			}
		})
	}
}

func TestBootstrapAdmins(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	ctx := context.Background()

	t.Run("no user and nothing configured creates nobody", func(t *testing.T) {
		s := storagetest.Open(t, storagetest.SQLiteDSN(t))
		var out bytes.Buffer
		if err := bootstrapAdmins(ctx, DefaultConfig(), s, logger, &out); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountUsers(ctx); n != 0 || out.Len() != 0 {
			t.Errorf("%d users, output %q", n, out.String())
		}
	})

	t.Run("first operator from the environment, once", func(t *testing.T) {
		s := storagetest.Open(t, storagetest.SQLiteDSN(t))
		cfg := DefaultConfig()
		cfg.AdminEmail, cfg.AdminPassword, cfg.Demo = "Boss@Example.com", "first operator password", true
		for range 2 {
			var out bytes.Buffer
			if err := bootstrapAdmins(ctx, cfg, s, logger, &out); err != nil {
				t.Fatal(err)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q", out.String())
			}
		}
		u, hash, err := s.UserCredentials(ctx, "boss@example.com")
		if err != nil || u.Role != storage.RoleOperator || !admin.CheckPassword(hash, "first operator password") {
			t.Fatalf("%+v %v", u, err)
		}
		if n, _ := s.CountUsers(ctx); n != 1 {
			t.Errorf("%d users: the demo operator was created beside a configured one", n)
		}
	})

	t.Run("demo operator printed once", func(t *testing.T) {
		s := storagetest.Open(t, storagetest.SQLiteDSN(t))
		cfg := DefaultConfig()
		cfg.Demo = true
		var out bytes.Buffer
		if err := bootstrapAdmins(ctx, cfg, s, logger, &out); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		if !strings.Contains(text, "DEMO LOGIN") || !strings.Contains(text, DemoAdminEmail) || !strings.Contains(text, "http://localhost:8080/admin/") {
			t.Fatalf("output %q", text)
		}
		var password string
		for line := range strings.SplitSeq(text, "\n") {
			if _, after, ok := strings.Cut(line, "password: "); ok {
				password = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(after), "|"))
			}
		}
		_, hash, err := s.UserCredentials(ctx, DemoAdminEmail)
		if err != nil || len(password) < 20 || !admin.CheckPassword(hash, password) {
			t.Fatalf("the printed password %q does not sign in: %v", password, err)
		}
		out.Reset()
		if err := bootstrapAdmins(ctx, cfg, s, logger, &out); err != nil || out.Len() != 0 {
			t.Errorf("second start printed %q, %v", out.String(), err)
		}
	})
}

func TestAdminConfig(t *testing.T) {
	pw := writeFile(t, "a long enough passphrase\n")
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // "" for no error
	}{
		{"both", map[string]string{"WEBSIGNUP_ADMIN_EMAIL": "a@b.example", "WEBSIGNUP_ADMIN_PASSWORD_FILE": pw}, ""},
		{"email only", map[string]string{"WEBSIGNUP_ADMIN_EMAIL": "a@b.example"}, "set WEBSIGNUP_ADMIN_PASSWORD"},
		{"password only", map[string]string{"WEBSIGNUP_ADMIN_PASSWORD": "a long enough passphrase"}, "set WEBSIGNUP_ADMIN_EMAIL"},
		{"bad email", map[string]string{"WEBSIGNUP_ADMIN_EMAIL": "nope", "WEBSIGNUP_ADMIN_PASSWORD": "a long enough passphrase"}, "WEBSIGNUP_ADMIN_EMAIL"},
		{"short password", map[string]string{"WEBSIGNUP_ADMIN_EMAIL": "a@b.example", "WEBSIGNUP_ADMIN_PASSWORD": "short"}, "at least 12"},
	} {
		cfg, err := LoadConfig("serve", nil, envOf(tc.env), io.Discard)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want == "" && cfg.AdminPassword != "a long enough passphrase":
			t.Errorf("%s: password from the file %q", tc.name, cfg.AdminPassword)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "short") && tc.name == "short password" && strings.Contains(err.Error(), `"short"`):
			t.Errorf("%s: the password is echoed", tc.name)
		}
	}
}
