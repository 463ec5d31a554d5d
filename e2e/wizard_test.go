package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The demo form's choices the walk makes (forms.DemoConfig): Home
// Unlimited ($9.95 activation, $24.95 a month) and a Grandstream GRP2602
// ($69.00), so $103.90 today.
const (
	demoPlan        = "Home Unlimited"
	demoPlanValue   = "2"
	demoDevice      = "Grandstream GRP2602"
	demoDeviceValue = "2"
	demoTotal       = "$103.90"

	testCard = "4242424242424242"
	testCVV  = "123"
)

// prospect is what the walk types on the address page.
var prospect = []struct{ key, value string }{
	{"firstname", "Ada"},
	{"lastname", "Lovelace"},
	{"email", "ada.lovelace.example.com"}, // no @: fixed after the error
	{"phone1", "+1 206 555 0199"},
	{"baddr1", "12 Analytical Way"},
	{"city", "Seattle"},
	{"state", "WA"},
	{"zip", "98101"},
}

const (
	badEmail  = "ada.lovelace.example.com"
	goodEmail = "ada@example.com"
)

// walkedWizard is what the walk chose, for the steps after the summary.
type walkedWizard struct {
	number        string // as posted, e.g. 12065550100
	numberDisplay string // as shown
}

// TestBrowserWizard walks the demo form in Chromium from the welcome page
// to the summary: the plan chosen with the keyboard alone, one validation
// error on the address page, one step back, a card, and a summary that
// shows what was chosen. Every page passes axe-core and is screenshotted.
func TestBrowserWizard(t *testing.T) {
	s := startServer(t, serverOptions{})
	b := newBrowser(t, s.URL)
	w := walkToSummary(t, b)
	signUpAndSelfcare(t, b, w)
	assertNoCardAtRest(t, s)
}

// TestBrowserSignupFinishing signs up while PortaSwitch refuses, once,
// to create the account after the card was charged: the done page says
// the signup is being finished (a worker retries later) and passes
// axe-core like every other page.
func TestBrowserSignupFinishing(t *testing.T) {
	s := startServer(t, serverOptions{Env: []string{
		"WEBSIGNUP_ADMIN_EMAIL=" + operatorEmail, "WEBSIGNUP_ADMIN_PASSWORD=" + operatorPassword,
	}})
	b := newBrowser(t, s.URL)
	b.quiet = true // TestBrowserWizard checks these pages
	walkToSummary(t, b)
	b.quiet = false
	s.injectFaults(t, `[{"method":"Account/add_account","faultcode":"Server.Sim.unavailable","faultstring":"try again later","count":1}]`)
	b.click(`label[for="field-accept_terms"]`)
	b.clickNav(`[data-testid="summary-form"] [data-testid="signup"]`)
	b.wantPath("/s/demo/done")
	if b.count(`[data-testid="done-working"]`) == 0 {
		t.Fatalf("with the account creation failing after the charge, the done page shows:\n%s", b.text("main"))
	}
	// The page asks for the outcome every few seconds; the job is retried
	// only after a backoff of 30 s, so it stays as it is while checked.
	b.checkPhone("done-working")

	// The operator (from WEBSIGNUP_ADMIN_EMAIL) finds the signup among the
	// form's submissions, with the failed step in its timeline.
	b.adminLogin(operatorEmail, operatorPassword)
	b.open("/admin/submissions")
	b.check("admin-submissions-hub")
	b.clickNav(`[data-testid="hub-row"] [data-testid="hub-form"]`)
	b.check("admin-submissions")
	if n := b.count(`[data-testid="submission-row"]`); n != 1 {
		t.Fatalf("the demo form lists %d submissions, want 1:\n%s", n, b.text("main"))
	}
	if got := b.text(`[data-testid="submission-row"] [data-testid="submission-name"]`); !strings.Contains(got, "Lovelace") {
		t.Errorf("the submission is listed as %q, want the prospect's name", got)
	}
	b.clickNav(`[data-testid="submission-row"] [data-testid="submission-name"]`)
	b.check("admin-submission")
	if b.count(`[data-testid="timeline-step"]`) == 0 {
		t.Errorf("the submission's page shows no provisioning timeline:\n%s", b.text("main"))
	}
	if got := b.text("main"); !strings.Contains(got, "4242") || strings.Contains(got, testCard) {
		t.Errorf("the submission's page should show the card's last four digits only:\n%s", got)
	}
	b.clickNav(`[data-testid="tab-funnel"]`)
	b.check("admin-funnel")
	assertNoCardAtRest(t, s)
}

// walkToSummary walks the demo wizard from the welcome page to the summary
// and returns what it chose.
func walkToSummary(t *testing.T, b *browser) walkedWizard {
	t.Helper()
	var w walkedWizard

	// Welcome, with the keyboard only: Tab to the plans, Space selects the
	// first, the arrow key moves to the second, Tab to Continue, Enter.
	b.open("/s/demo/")
	b.checkPhone("welcome")
	if got := b.text(`[data-testid="progress"] [aria-current="step"]`); !strings.Contains(got, "Plan") {
		t.Errorf("progress marks %q as the current step, want the plan step", got)
	}
	b.tabTo("a plan", 20, func(f focused) bool { return f.Name == "product" })
	b.press(" ")
	b.press(kb.ArrowDown)
	if f := b.activeElement(); f.Name != "product" || f.Value != demoPlanValue {
		t.Fatalf("after Space and ArrowDown the focus is on %s, want the plan %s (value %s)", f, demoPlan, demoPlanValue)
	}
	if !b.checked(`input[name="product"][value="` + demoPlanValue + `"]`) {
		t.Fatalf("the arrow key did not select %s", demoPlan)
	}
	b.tabTo("Continue", 5, func(f focused) bool { return f.TestID == "continue" })
	b.pressNav(kb.Enter)
	b.wantPath("/s/demo/address")

	// Address: everything but a valid email.
	b.checkPhone("address")
	if got := b.text(`[data-testid="progress"] [aria-current="step"]`); !strings.Contains(got, "details") {
		t.Errorf("progress marks %q as the current step on the address page", got)
	}
	for _, f := range prospect {
		b.fill("#field-"+f.key, f.value)
	}
	b.selectOption("#field-country", "US")
	b.clickNav(`[data-testid="address-form"] [data-testid="continue"]`)
	b.wantPath("/s/demo/address")
	b.check("address-error")

	summary := b.text(`[data-testid="error-summary"]`)
	if !strings.Contains(strings.ToLower(summary), "email") {
		t.Errorf("error summary %q does not mention the email", summary)
	}
	if n := b.count(`[data-testid="error-summary"] a`); n != 1 {
		t.Errorf("error summary has %d links, want 1 (only the email is wrong): %q", n, summary)
	}
	if href := eval[string](b, `document.querySelector('[data-testid="error-summary"] a').getAttribute("href")`); href != "#field-email" {
		t.Errorf("error summary link goes to %q, want #field-email", href)
	}
	fieldErr := b.text(`[data-testid="field-error-email"]`)
	if fieldErr == "" {
		t.Errorf("no error next to the email field")
	}
	if inv := eval[string](b, `document.querySelector("#field-email").getAttribute("aria-invalid") || ""`); inv != "true" {
		t.Errorf("email input aria-invalid=%q, want true", inv)
	}
	describedBy := eval[string](b, `document.querySelector("#field-email").getAttribute("aria-describedby") || ""`)
	errID := eval[string](b, `document.querySelector('[data-testid="field-error-email"]').id`)
	if errID == "" || !strings.Contains(" "+describedBy+" ", " "+errID+" ") {
		t.Errorf("email input aria-describedby=%q does not name its error %q", describedBy, errID)
	}
	for _, f := range prospect {
		got, want := b.value("#field-"+f.key), f.value
		if f.key == "phone1" {
			// The server keeps a phone number in its international form.
			got, want = digits(got), digits(want)
		}
		if got != want {
			t.Errorf("after the error, %s holds %q, want what was typed: %q", f.key, got, f.value)
		}
	}
	if got := b.value("#field-country"); got != "US" {
		t.Errorf("after the error, the country is %q, want US", got)
	}
	// The summary's link takes the keyboard focus to the field.
	b.click(`[data-testid="error-summary"] a`)
	if f := b.activeElement(); f.ID != "field-email" {
		t.Errorf("following the error summary's link focused %s, want the email input", f)
	}

	b.fill("#field-email", goodEmail)
	b.clickNav(`[data-testid="address-form"] [data-testid="continue"]`)
	b.wantPath("/s/demo/phone")

	// Phone: the second number on offer and a device.
	b.checkPhone("phone")
	if n := b.count(`[data-testid="number-radio"]`); n < 2 {
		t.Fatalf("the phone step offers %d numbers, want several; list: %q", n, b.text(`[data-testid="number-list"]`))
	}
	// Search for the digits that end the fifth number: with htmx the list
	// changes in place (no page load) to numbers holding those digits.
	fifth := b.value(`[data-testid="number-option"]:nth-child(5) [data-testid="number-radio"]`)
	query := fifth[len(fifth)-4:]
	if !eval[bool](b, `typeof window.htmx === "object"`) {
		t.Fatalf("htmx is not loaded on the phone step (run make deps: it vendors htmx.min.js before the build)")
	}
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.e2eSamePage = true`))
	b.fill("#field-q", query)
	b.click(`[data-testid="number-search-button"]`)
	b.do("wait for the number list to update", chromedp.Poll[chromedp.Void](fmt.Sprintf(`(() => {
		const shown = [...document.querySelectorAll('[data-testid="number-radio"]')].map(r => r.value);
		return shown.length > 0 && shown.every(v => v.includes(%s));
	})()`, jsString(query)), chromedp.WithPollingTimeout(10*time.Second)))
	if !eval[bool](b, `window.e2eSamePage === true`) {
		t.Errorf("the number search loaded a new page; with JavaScript it should update the list in place")
	}
	if b.count(`[data-testid="number-radio"][value="`+fifth+`"]`) != 1 {
		t.Fatalf("searching %q does not list %s: %q", query, fifth, b.text(`[data-testid="number-list"]`))
	}
	b.check("phone-search")
	numID := eval[string](b, `document.querySelector('[data-testid="number-radio"][value="`+fifth+`"]').id`)
	w.number = b.value("#" + numID)
	w.numberDisplay = b.text(`label[for="` + numID + `"] [data-testid="number-display"]`)
	b.click(`label[for="` + numID + `"]`)
	devID := eval[string](b, `document.querySelector('[data-testid="device-radio"][value="`+demoDeviceValue+`"]').id`)
	b.click(`label[for="` + devID + `"]`)
	if !b.checked("#"+numID) || !b.checked("#"+devID) {
		t.Fatalf("clicking the number and the device did not select them")
	}
	b.clickNav(`[data-testid="phone-form"] [data-testid="continue"]`)
	b.wantPath("/s/demo/payment")
	b.checkPhone("payment")
	if got := b.text(`[data-testid="charge-total"]`); got != demoTotal {
		t.Errorf("payment step total %q, want %s (activation + first month + phone)", got, demoTotal)
	}

	// One step back: the number and the device are still chosen.
	b.clickNav(`[data-testid="payment-form"] [data-testid="back"]`)
	b.wantPath("/s/demo/phone")
	if !b.checked(`[data-testid="number-radio"][value="` + w.number + `"]`) {
		t.Errorf("back on the phone step, the number %s is no longer chosen", w.numberDisplay)
	}
	if !b.checked(`[data-testid="device-radio"][value="` + demoDeviceValue + `"]`) {
		t.Errorf("back on the phone step, the %s is no longer chosen", demoDevice)
	}
	b.check("phone-back")
	b.clickNav(`[data-testid="phone-form"] [data-testid="continue"]`)
	b.wantPath("/s/demo/payment")

	// Payment.
	b.fill("#field-card_name", "Ada Lovelace")
	b.fill("#field-card_number", "4242 4242 4242 4242")
	b.fill("#field-card_exp_month", "12")
	b.fill("#field-card_exp_year", strconv.Itoa(time.Now().Year()+2))
	b.fill("#field-card_cvv", testCVV)
	b.shot("payment-filled")
	b.clickNav(`[data-testid="payment-form"] [data-testid="continue"]`)
	b.wantPath("/s/demo/summary")

	// Summary.
	b.checkPhone("summary")
	for _, c := range []struct{ sel, want string }{
		{`[data-testid="summary-plan-name"]`, demoPlan},
		{`[data-testid="summary-number"]`, w.numberDisplay},
		{`[data-testid="summary-device"]`, demoDevice},
		{`[data-testid="summary-payment"] [data-testid="charge-total"]`, demoTotal},
		{`[data-testid="summary-email"]`, goodEmail},
		{`[data-testid="summary-firstname"]`, "Ada"},
	} {
		if got := b.text(c.sel); !strings.Contains(got, c.want) {
			t.Errorf("summary %s shows %q, want %q", c.sel, got, c.want)
		}
	}
	card := b.text(`[data-testid="summary-card"]`)
	if !strings.Contains(card, "•••• 4242") || !strings.Contains(strings.ToLower(card), "visa") {
		t.Errorf("summary shows the card as %q, want Visa •••• 4242", card)
	}
	if strings.Contains(eval[string](b, `document.documentElement.outerHTML`), testCard) {
		t.Errorf("the summary page holds the full card number")
	}

	// The details' Edit link shows what was entered; the browser's Back
	// button returns to the summary.
	b.clickNav(`[data-testid="summary-details"] [data-testid="edit-link"]`)
	b.wantPath("/s/demo/address")
	if got := b.value("#field-email"); got != goodEmail {
		t.Errorf("the address step from the summary's Edit link shows the email %q, want %q", got, goodEmail)
	}
	if got := b.value("#field-city"); got != "Seattle" {
		t.Errorf("the address step from the summary's Edit link shows the city %q, want Seattle", got)
	}
	b.back()
	b.wantPath("/s/demo/summary")
	if got := b.text(`[data-testid="summary-card"]`); !strings.Contains(got, "4242") {
		t.Errorf("back on the summary with the browser's Back button, the card reads %q", got)
	}
	return w
}

// newSelfcarePassword is the password the walk chooses at the first
// self-care login (letters and digits, 8 to 32).
const newSelfcarePassword = "Lovelace1843"

// signUpAndSelfcare goes on from the summary: Sign up without the terms
// (refused), with them, the done page with the new number and credentials,
// and self-care: login, the forced password change, the overview.
func signUpAndSelfcare(t *testing.T, b *browser, w walkedWizard) {
	t.Helper()
	b.clickNav(`[data-testid="summary-form"] [data-testid="signup"]`)
	b.wantPath("/s/demo/signup") // the summary again, as the POST's answer
	if got := b.text(`[data-testid="field-error-accept_terms"]`); !strings.Contains(strings.ToLower(got), "terms") {
		t.Errorf("Sign up without the terms: error %q, want one about the terms", got)
	}
	b.check("summary-terms-error")
	b.click(`label[for="field-accept_terms"]`)
	if !b.checked("#field-accept_terms") {
		t.Fatalf("clicking the terms label did not tick the box")
	}
	b.clickNav(`[data-testid="summary-form"] [data-testid="signup"]`)

	// The job may still run: the page then says so and offers to check
	// again (it also refreshes itself). Never reload the finished page:
	// it shows the credentials once.
	deadline := time.Now().Add(30 * time.Second)
	for b.count(`[data-testid="done-completed"]`) == 0 {
		b.wantPath("/s/demo/done")
		if b.count(`[data-testid="done-problem"]`) > 0 {
			t.Fatalf("signup ended in a problem: %s", b.text("main"))
		}
		if time.Now().After(deadline) {
			t.Fatalf("signup not completed within 30s: %s", b.text("main"))
		}
		time.Sleep(300 * time.Millisecond)
		if b.count(`[data-testid="done-refresh"]`) > 0 {
			b.clickNav(`[data-testid="done-refresh"]`)
		}
	}
	b.wantPath("/s/demo/done")
	b.checkPhone("done")
	number := b.text(`[data-testid="phone-number"]`)
	login := b.text(`[data-testid="selfcare-login"]`)
	password := b.text(`[data-testid="selfcare-password"]`)
	if digits(number) != w.number {
		t.Errorf("done page shows the number %q, want the chosen %s (%s)", number, w.numberDisplay, w.number)
	}
	if login == "" || len(password) < 12 {
		t.Fatalf("done page shows login %q and a password of %d characters, want both (12+ characters)", login, len(password))
	}
	if got := b.text(`[data-testid="charged"]`); got != demoTotal {
		t.Errorf("done page says %q was charged, want %s", got, demoTotal)
	}

	// Self-care: the done page's button, the login, the forced change, in
	// the operator's brand.
	b.clickNav(`[data-testid="selfcare-link"]`)
	b.wantPath("/selfcare/login?form=demo")
	if got := b.text(".site-header .brand"); !strings.Contains(got, "Northwind Telecom") {
		t.Errorf("self-care's header says %q, want the operator's brand", got)
	}
	b.check("selfcare-login")
	b.fill("#field-login", login)
	b.fill("#field-password", password)
	b.clickNav(`[data-testid="selfcare-login-submit"]`)
	b.wantPath("/selfcare/password")
	b.check("selfcare-password")
	b.fill("#field-old_password", password)
	b.fill("#field-new_password", newSelfcarePassword)
	b.fill("#field-new_password_confirm", newSelfcarePassword)
	b.clickNav(`[data-testid="selfcare-password-submit"]`)
	b.wantPath("/selfcare/?changed=1")
	if got := b.text(`[data-testid="notice"]`); !strings.Contains(got, "password") {
		t.Errorf("after the password change self-care says %q, want a word about the new password", got)
	}
	b.checkPhone("selfcare-overview")
	for _, c := range []struct{ sel, want string }{
		{`[data-testid="overview-plan"]`, demoPlan},
		{`[data-testid="overview-device"]`, demoDevice},
	} {
		if got := b.text(c.sel); !strings.Contains(got, c.want) {
			t.Errorf("self-care %s shows %q, want %q", c.sel, got, c.want)
		}
	}
	if got := b.text(`[data-testid="overview-number"]`); digits(got) != w.number {
		t.Errorf("self-care shows the number %q, want %s", got, w.numberDisplay)
	}
}

// selectOption picks the option with value in the select sel, as choosing
// it with the mouse would (with input and change events).
func (b *browser) selectOption(sel, value string) {
	b.t.Helper()
	ok := eval[bool](b, fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		if (!s || ![...s.options].some(o => o.value === %s)) return false;
		s.value = %s;
		s.dispatchEvent(new Event("input", {bubbles: true}));
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, jsString(sel), jsString(value), jsString(value)))
	if !ok {
		b.t.Fatalf("no option %q in %s on %s", value, sel, b.where())
	}
}

// assertNoCardAtRest fails the test if the test card number appears in the
// server's log or its database files (the WAL included). The CVV is too
// short to look for meaningfully; the handler tests cover it.
func assertNoCardAtRest(t *testing.T, s *server) {
	t.Helper()
	if strings.Contains(s.Log(), testCard) {
		t.Errorf("the server log holds the card number")
	}
	files, _ := filepath.Glob(filepath.Join(s.DataDir, "websignup.db*"))
	if len(files) == 0 {
		t.Errorf("no database file in %s", s.DataDir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Error(err)
			continue
		}
		if strings.Contains(string(b), testCard) {
			t.Errorf("%s holds the card number", filepath.Base(f))
		}
	}
}

// digits keeps the digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
