package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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
	if b.count(`[data-testid="logout"]`) == 0 {
		b.open("/admin/")
	}
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

	// The operator adds a required field to the demo form, moves it up
	// under the street address, publishes, and the public page asks for it.
	formURL := buildDemoField(t, b)
	b.adminLogout()
	askedOnPublicPage(t, b)

	// The reseller's admin: their own dashboard, not the operator's pages.
	b.adminLogin(resellerEmail, resellerPassword)
	if got := b.text(`[data-testid="admin-tenant"]`); !strings.Contains(got, resellerTenant) {
		t.Errorf("reseller's admin bar names the tenant %q, want %q", got, resellerTenant)
	}
	b.check("admin-reseller-dashboard")
	if n := b.count(`[data-testid="nav-tenants"]`); n != 0 {
		t.Errorf("the reseller's admin sees a Tenants link")
	}
	if got := b.text("main"); strings.Contains(got, "Demo signup") {
		t.Errorf("the reseller's dashboard lists the operator's demo form:\n%s", got)
	}
	resp := b.openStatus("/admin/tenants")
	if resp != 403 && resp != 404 {
		t.Errorf("the reseller's admin opening /admin/tenants got %d, want 403 or 404", resp)
	}
	b.check("admin-reseller-refused")
	for _, path := range []string{formURL, formURL + "/edit/fields", formURL + "/versions"} {
		if got := b.openStatus(path); got != 404 {
			t.Errorf("the reseller's admin opening the operator's form at %s got %d, want 404", path, got)
		}
		if strings.Contains(b.text("body"), "Demo signup") {
			t.Errorf("the answer to %s names the operator's form", path)
		}
	}
	b.check("admin-reseller-form-404")
}

// The field the operator adds: PortaSwitch's second address line, required,
// moved up to follow the street address (baddr1).
const (
	newFieldKey   = "address_line_2"
	newFieldLabel = "Apartment, suite or unit"
	newFieldAfter = "baddr1"
)

var formPath = regexp.MustCompile(`^/admin/forms/[0-9]+`)

// buildDemoField adds the new field to the demo form's draft, reorders it
// with the keyboard alternative to drag and drop, and publishes. It returns
// the form's admin URL path (/admin/forms/{id}).
func buildDemoField(t *testing.T, b *browser) string {
	t.Helper()
	b.open("/admin/forms")
	b.check("admin-forms")
	b.clickNav(`[data-testid="form-row"] a[data-testid="form-name"]`)
	formURL := formPath.FindString(b.path())
	if formURL == "" {
		t.Fatalf("the demo form's link led to %s, want /admin/forms/{id}", b.path())
	}
	b.check("admin-form")
	b.open(formURL + "/edit/fields")
	b.check("admin-fields")
	before := b.fieldKeys()
	if len(before) == 0 || slices.Contains(before, newFieldKey) {
		t.Fatalf("the demo form's fields are %v: want some, without %s", before, newFieldKey)
	}

	b.clickNav(`[data-testid="add-field"]`)
	b.check("admin-field-new")
	b.selectOption("#field-key_choice", newFieldKey)
	b.selectOption("#field-kind", "text")
	b.fill("#field-label", newFieldLabel)
	if !b.checked("#field-required") {
		b.click(`label[for="field-required"], #field-required`)
	}
	if !b.checked("#field-required") {
		t.Fatalf("could not tick Required")
	}
	b.clickNav(`[data-testid="field-form"] [data-testid="save"]`)
	if p := b.path(); !strings.HasPrefix(p, formURL+"/edit/fields") {
		t.Fatalf("saving the field led to %s; page:\n%s", p, b.text("main"))
	}
	keys := b.fieldKeys()
	if len(keys) != len(before)+1 || keys[len(keys)-1] != newFieldKey {
		t.Fatalf("after adding %s the fields are %v, want it last after %v", newFieldKey, keys, before)
	}

	// Move it up with the keyboard: focus its ↑ button, press Enter, until
	// it follows the street address.
	want := slices.Index(before, newFieldAfter) + 1
	if want == 0 {
		t.Fatalf("the demo form has no %s field: %v", newFieldAfter, before)
	}
	for moves := 0; slices.Index(keys, newFieldKey) > want; moves++ {
		if moves > len(before) {
			t.Fatalf("moving %s up never got it under %s: %v", newFieldKey, newFieldAfter, keys)
		}
		i := slices.Index(keys, newFieldKey)
		b.do("focus move up", chromedp.Focus(chromedp.CSS(fmt.Sprintf(`[data-testid="field-row"]:nth-of-type(%d) [data-testid="move-up"]`, i+1))))
		b.pressNav(kb.Enter)
		next := b.fieldKeys()
		if slices.Index(next, newFieldKey) != i-1 {
			t.Fatalf("moving %s up from place %d gave %v", newFieldKey, i+1, next)
		}
		keys = next
	}
	b.check("admin-fields-reordered")

	b.clickNav(`[data-testid="publish"]`)
	if p := b.path(); !strings.HasPrefix(p, formURL) {
		t.Fatalf("publishing led to %s; page:\n%s", p, b.text("main"))
	}
	b.check("admin-published")

	// The builder's other sections, and the preview, as an admin sees them.
	for _, sec := range []string{"plans", "pools", "devices", "settings"} {
		b.open(formURL + "/edit/" + sec)
		b.wantPath(formURL + "/edit/" + sec)
		b.check("admin-" + sec)
	}
	b.open(formURL + "/preview/")
	b.wantPath(formURL + "/preview/")
	if b.count(`[data-testid="plan"]`) == 0 {
		t.Errorf("the preview shows no plans: %s", b.text("main"))
	}
	b.check("admin-preview")
	return formURL
}

// fieldKeys are the keys of the address page's fields, in order, as the
// admin's field list shows them.
func (b *browser) fieldKeys() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('[data-testid="field-row"] [data-testid="field-key"]')].map(e => e.textContent.trim())`)
}

// askedOnPublicPage walks a new prospect to the demo form's address page
// and checks that it asks for the new field, required, in its new place.
func askedOnPublicPage(t *testing.T, b *browser) {
	t.Helper()
	b.open("/s/demo/")
	b.click(`label[for="` + eval[string](b, `document.querySelector('[data-testid="plan-radio"]').id`) + `"]`)
	b.clickNav(`[data-testid="welcome-form"] [data-testid="continue"]`)
	b.wantPath("/s/demo/address")
	order := eval[[]string](b, `[...document.querySelectorAll('[data-testid="address-form"] :is(input:not([type=hidden]), select, textarea)')].filter(e => !e.closest(".hp")).map(e => e.name)`)
	at := slices.Index(order, newFieldKey)
	if at < 0 {
		t.Fatalf("the public address page does not ask for %s; its inputs: %v", newFieldKey, order)
	}
	if at == 0 || order[at-1] != newFieldAfter {
		t.Errorf("the public address page asks for %s after %v, want right after %s", newFieldKey, order[:at], newFieldAfter)
	}
	if got := b.text(`label[for="field-` + newFieldKey + `"]`); !strings.Contains(got, newFieldLabel) || strings.Contains(got, "optional") {
		t.Errorf("the new field's label reads %q, want %q and not optional", got, newFieldLabel)
	}
	b.clickNav(`[data-testid="address-form"] [data-testid="continue"]`)
	if n := b.count(`[data-testid="field-error-` + newFieldKey + `"]`); n != 1 {
		t.Errorf("submitting the address page empty shows no error for the new required field")
	}
	b.check("public-address-new-field")
}
