package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"websignup/admin"
	"websignup/forms"
	"websignup/storage"
)

// DemoAdminEmail is the demo operator serve --demo creates in a database
// without admin users.
const DemoAdminEmail = "demo@websignup.local"

// validateAdmin checks WEBSIGNUP_ADMIN_EMAIL and WEBSIGNUP_ADMIN_PASSWORD:
// both or neither, a plain address, a password long enough. The password
// is never echoed.
func (c Config) validateAdmin() error {
	switch {
	case c.AdminEmail == "" && c.AdminPassword == "":
		return nil
	case c.AdminEmail == "":
		return errors.New("WEBSIGNUP_ADMIN_PASSWORD is set: set WEBSIGNUP_ADMIN_EMAIL too (the first operator's address)")
	case c.AdminPassword == "":
		return errors.New("WEBSIGNUP_ADMIN_EMAIL is set: set WEBSIGNUP_ADMIN_PASSWORD or WEBSIGNUP_ADMIN_PASSWORD_FILE too")
	}
	var errs []error
	if !storage.ValidEmail(storage.NormalizeEmail(c.AdminEmail)) {
		errs = append(errs, fmt.Errorf("WEBSIGNUP_ADMIN_EMAIL=%q: want an address such as ops@example.com", c.AdminEmail))
	}
	if err := admin.ValidatePassword(c.AdminPassword); err != nil {
		errs = append(errs, fmt.Errorf("WEBSIGNUP_ADMIN_PASSWORD: %s", forms.ErrorMessage(err)))
	}
	return errors.Join(errs...)
}

// bootstrapAdmins creates, in a database without admin users, the operator
// named by WEBSIGNUP_ADMIN_EMAIL; else, with --demo, a demo operator with
// a random password, printed once to stdout in a box. There is never a
// built-in account, and neither happens once any user exists.
func bootstrapAdmins(ctx context.Context, cfg Config, store *storage.Store, logger *slog.Logger, stdout io.Writer) error {
	n, err := store.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	boot := storage.Actor{Email: "bootstrap"}
	if cfg.AdminEmail != "" {
		u, err := store.CreateUser(ctx, boot, storage.NewUser{
			Email: cfg.AdminEmail, PasswordHash: admin.HashPassword(cfg.AdminPassword), Role: storage.RoleOperator,
		})
		if err != nil {
			return fmt.Errorf("create the first operator from WEBSIGNUP_ADMIN_EMAIL: %w", err)
		}
		logger.Info("created the first operator from WEBSIGNUP_ADMIN_EMAIL", "email", u.Email)
		return nil
	}
	if !cfg.Demo {
		logger.Warn("no admin user exists: set WEBSIGNUP_ADMIN_EMAIL and WEBSIGNUP_ADMIN_PASSWORD, or run `websignup user add`, to sign in at /admin/")
		return nil
	}
	password := randomPassword()
	if _, err := store.CreateUser(ctx, boot, storage.NewUser{
		Email: DemoAdminEmail, PasswordHash: admin.HashPassword(password), Role: storage.RoleOperator,
	}); err != nil {
		return fmt.Errorf("create the demo operator: %w", err)
	}
	url := "http://" + displayAddr(cfg.Addr) + "/admin/"
	lines := []string{
		"DEMO LOGIN (shown once; for trying websignup out only)",
		"",
		"admin:    " + url,
		"email:    " + DemoAdminEmail,
		"password: " + password,
		"",
		"Change it or add your own operator before real use.",
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l))
	}
	var b strings.Builder
	b.WriteString("\n+" + strings.Repeat("-", width+2) + "+\n")
	for _, l := range lines {
		b.WriteString("| " + l + strings.Repeat(" ", width-len(l)) + " |\n")
	}
	b.WriteString("+" + strings.Repeat("-", width+2) + "+\n\n")
	_, err = io.WriteString(stdout, b.String())
	logger.Warn("created the demo operator; its password was printed to standard output once", "email", DemoAdminEmail)
	return err
}

// randomPassword returns 18 random bytes as 24 URL-safe characters.
func randomPassword() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// displayAddr turns a listen address such as :8080 into localhost:8080.
func displayAddr(addr string) string {
	if strings.HasPrefix(addr, ":") || strings.HasPrefix(addr, "0.0.0.0:") || strings.HasPrefix(addr, "[::]:") {
		return "localhost" + addr[strings.LastIndex(addr, ":"):]
	}
	return addr
}

const userUsage = `usage: websignup user add --email E --password-file F --role operator|admin|viewer [--tenant NAME] [flags]

Creates an admin user. Admins and viewers belong to a tenant (created if it
does not exist yet); operators belong to none. The password is read from the
file (its first line), never from the command line.
`

// userCommand runs "websignup user add ...".
func userCommand(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprint(stderr, userUsage)
		if len(args) == 0 {
			return errors.New("user: missing subcommand (add)")
		}
		return fmt.Errorf("user: unknown subcommand %q (want add)", args[0])
	}
	fs := flag.NewFlagSet("websignup user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, userUsage); fs.PrintDefaults() }
	email := fs.String("email", "", "the user's email address (required)")
	passwordFile := fs.String("password-file", "", "a file whose first line is the password (required)")
	role := fs.String("role", "", "operator, admin or viewer (required)")
	tenant := fs.String("tenant", "", "the tenant's name, for admin and viewer (created if new)")
	dbURL := fs.String("database-url", "", "postgres:// URL or SQLite file (WEBSIGNUP_DATABASE_URL)")
	dataDir := fs.String("data-dir", "", "data folder (WEBSIGNUP_DATA_DIR)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var problems []error
	bad := func(format string, a ...any) { problems = append(problems, fmt.Errorf(format, a...)) }
	if fs.NArg() > 0 {
		bad("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	addr := storage.NormalizeEmail(*email)
	if !storage.ValidEmail(addr) {
		bad("--email: want an address such as ana@example.com")
	}
	r := storage.Role(strings.ToLower(strings.TrimSpace(*role)))
	tenantName := strings.TrimSpace(*tenant)
	switch {
	case !r.Valid():
		bad("--role: want operator, admin or viewer")
	case r == storage.RoleOperator && tenantName != "":
		bad("--tenant: an operator belongs to no tenant; leave --tenant out")
	case r != storage.RoleOperator && tenantName == "":
		bad("--tenant: an %s belongs to a tenant; name it (it is created if new)", r)
	}
	password, err := readPasswordFile(*passwordFile)
	if err != nil {
		problems = append(problems, err)
	} else if err := admin.ValidatePassword(password); err != nil {
		bad("--password-file: %s", forms.ErrorMessage(err))
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("user add:\n%w", err)
	}

	var cfgArgs []string
	if *dbURL != "" {
		cfgArgs = append(cfgArgs, "--database-url", *dbURL)
	}
	if *dataDir != "" {
		cfgArgs = append(cfgArgs, "--data-dir", *dataDir)
	}
	cfg, err := LoadConfig("user", cfgArgs, env, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()

	cli := storage.Actor{Email: "cli"}
	nu := storage.NewUser{Email: addr, PasswordHash: admin.HashPassword(password), Role: r}
	created := ""
	if r != storage.RoleOperator {
		t, err := store.TenantByName(ctx, tenantName)
		if forms.ErrorCode(err) == forms.ENotFound {
			t, err = store.AddTenant(ctx, cli, forms.Tenant{Name: tenantName})
			created = " (new tenant)"
		}
		if err != nil {
			return fmt.Errorf("user add: tenant %q: %s", tenantName, userError(err))
		}
		nu.TenantID = t.ID
	}
	u, err := store.CreateUser(ctx, cli, nu)
	if err != nil {
		return fmt.Errorf("user add: %s", userError(err))
	}
	if u.Role == storage.RoleOperator {
		fmt.Fprintf(stdout, "created operator %s\n", u.Email)
	} else {
		fmt.Fprintf(stdout, "created %s %s in tenant %q%s\n", u.Role, u.Email, u.TenantName, created)
	}
	return nil
}

// userError is the safe message of a domain error, or the error itself.
func userError(err error) string {
	var fe *forms.Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	return err.Error()
}

// readPasswordFile returns the first line of the file, without its line
// ending. Errors never contain the password.
func readPasswordFile(path string) (string, error) {
	if strings.TrimSpace(path) == "" {
		return "", errors.New("--password-file: required (a file whose first line is the password)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--password-file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("--password-file: %s has no password on its first line", path)
	}
	return line, nil
}
