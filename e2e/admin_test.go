package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The admin users TestBrowserAdmin signs in as: the first operator, from
// the environment, and a reseller's admin made with `websignup user add`.
const (
	operatorEmail    = "ops@northwind.example"
	operatorPassword = "operator correct horse battery"
	resellerEmail    = "admin@reseller.example"
	resellerPassword = "reseller staple paper clip"
	resellerTenant   = "Reseller Co"
)

// startAdminServer starts websignup on a database that already holds a
// reseller's admin (added with `websignup user add` before the start) and
// whose first operator comes from WEBSIGNUP_ADMIN_EMAIL/PASSWORD.
func startAdminServer(t *testing.T) *server {
	t.Helper()
	dataDir := t.TempDir()
	pwFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pwFile, []byte(resellerPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The operator first: the environment's operator is created only in a
	// database without users, so add it the same way.
	opFile := filepath.Join(t.TempDir(), "operator")
	if err := os.WriteFile(opFile, []byte(operatorPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runCommand(t, ctx, dataDir, nil, "user", "add", "--email", operatorEmail, "--password-file", opFile, "--role", "operator")
	if !strings.Contains(out, operatorEmail) {
		t.Fatalf("user add (operator) said %q", out)
	}
	out = runCommand(t, ctx, dataDir, nil, "user", "add", "--email", resellerEmail, "--password-file", pwFile, "--role", "admin", "--tenant", resellerTenant)
	if !strings.Contains(out, resellerEmail) {
		t.Fatalf("user add (reseller admin) said %q", out)
	}
	return startServer(t, serverOptions{DataDir: dataDir})
}

// adminLogin signs in at /admin/login and lands on the dashboard.
func (b *browser) adminLogin(email, password string) {
	b.t.Helper()
	b.open("/admin/login")
	b.wantPath("/admin/login")
	b.fill("#field-email", email)
	b.fill("#field-password", password)
	b.clickNav(`[data-testid="login-submit"]`)
	b.wantPath("/admin/")
	if got := b.text(`[data-testid="admin-user"]`); got != email {
		b.t.Fatalf("signed in as %q, want %s", got, email)
	}
}

// adminLogout signs out with the admin bar's button.
func (b *browser) adminLogout() {
	b.t.Helper()
	b.clickNav(`[data-testid="logout"]`)
	if p := b.path(); !strings.HasPrefix(p, "/admin/login") {
		b.t.Fatalf("after signing out, on %s, want the login page", p)
	}
}

// TestBrowserAdmin signs in to the admin area in Chromium as the operator
// and as a reseller's admin: a failed sign-in, the main pages (axe-core
// clean, screenshotted), and the reseller kept out of the operator's pages.
func TestBrowserAdmin(t *testing.T) {
	s := startAdminServer(t)
	b := newBrowser(t, s.URL)

	// A wrong password: the same page again with an error, the email kept.
	b.open("/admin/")
	if p := b.path(); !strings.HasPrefix(p, "/admin/login") {
		t.Fatalf("/admin/ without a session went to %s, want the login page", p)
	}
	b.checkPhone("admin-login")
	b.fill("#field-email", operatorEmail)
	b.fill("#field-password", "not the password")
	b.clickNav(`[data-testid="login-submit"]`)
	b.wantPath("/admin/login")
	if b.count(`[data-testid="error-summary"], .field__error`) == 0 {
		t.Errorf("a wrong password shows no error: %s", b.text("main"))
	}
	if got := b.value("#field-email"); got != operatorEmail {
		t.Errorf("after a failed sign-in the email field holds %q, want %q", got, operatorEmail)
	}
	b.check("admin-login-error")

	// The operator: the main pages.
	b.adminLogin(operatorEmail, operatorPassword)
	b.checkPhone("admin-dashboard")
	for _, p := range []struct{ nav, path, step string }{
		{"users", "/admin/users", "admin-users"},
		{"tenants", "/admin/tenants", "admin-tenants"},
		{"audit", "/admin/audit", "admin-audit"},
	} {
		b.clickNav(`[data-testid="nav-` + p.nav + `"]`)
		b.wantPath(p.path)
		b.check(p.step)
	}
	if got := b.text("main"); !strings.Contains(got, resellerTenant) {
		t.Errorf("the operator's audit log does not mention the tenant %q that user add created:\n%s", resellerTenant, got)
	}
	b.adminLogout()

	// The reseller's admin: their own dashboard, not the operator's pages.
	b.adminLogin(resellerEmail, resellerPassword)
	if got := b.text(`[data-testid="admin-tenant"]`); !strings.Contains(got, resellerTenant) {
		t.Errorf("reseller's admin bar names the tenant %q, want %q", got, resellerTenant)
	}
	b.check("admin-reseller-dashboard")
	if n := b.count(`[data-testid="nav-tenants"]`); n != 0 {
		t.Errorf("the reseller's admin sees a Tenants link")
	}
	resp := b.openStatus("/admin/tenants")
	if resp != 403 && resp != 404 {
		t.Errorf("the reseller's admin opening /admin/tenants got %d, want 403 or 404", resp)
	}
	b.check("admin-reseller-refused")
}
