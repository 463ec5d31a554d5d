package public_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/internal/psnumbers"
	"websignup/internal/seal"
	"websignup/internal/web"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
	"websignup/provision"
	"websignup/provision/psport"
	"websignup/public"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// realEnv is the real app over a real database, the PortaSwitch simulator
// over HTTP, and the real provisioning runner.
type realEnv struct {
	*wizardEnv
	store  *storage.Store
	jobs   *storage.JobStore
	runner *provision.Runner
	sim    *sim.Server
	client *portaswitch.Client
	logs   *syncBuffer
}

func newRealEnv(t *testing.T, s *storage.Store) *realEnv {
	t.Helper()
	return newRealEnvLease(t, s, time.Minute)
}

// newRealEnvLease is newRealEnv whose Sign up requests lease their jobs for
// lease (and so run them for at most half of it).
func newRealEnvLease(t *testing.T, s *storage.Store, lease time.Duration) *realEnv {
	t.Helper()
	ctx := context.Background()
	srv, err := sim.Start(t.Context(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin",
		Timeout: 2 * time.Second, RetryBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(testSecret, "credentials")
	if err != nil {
		t.Fatal(err)
	}
	jobs := s.Jobs(sealer)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	runner := &provision.Runner{PortaSwitch: psport.New(client), Store: jobs, Logger: logger,
		RetryDelay: -1, BackoffBase: time.Millisecond, BackoffMax: time.Millisecond}
	app := web.New(web.Options{Logger: logger})
	public.Register(app, public.Deps{
		Forms: s, Versions: s, Sessions: s.Wizard(), Numbers: psnumbers.New(client),
		Logger: logger, Secret: testSecret,
		StepLimit: 1000, SearchLimit: 1000,
		Signup:   public.SignupDeps{Jobs: jobs, Runner: runner, Lease: lease},
		Selfcare: public.SelfcareDeps{Store: s, Realm: &public.PortaSwitchRealm{AccountURL: srv.AccountURL, Admin: client}},
	})
	return &realEnv{wizardEnv: &wizardEnv{t: t, app: app, logs: logs}, store: s, jobs: jobs, runner: runner,
		sim: srv, client: client, logs: logs}
}

// freeNumbers returns n free numbers of the simulator's first pool.
func (e *realEnv) freeNumbers(n int) []string {
	e.t.Helper()
	var out []string
	for _, num := range e.sim.Sim.State().Numbers {
		if num.IDVBatch == 1 && num.ICustomer == 0 && num.IAccount == 0 && num.Frozen != "Y" {
			out = append(out, num.Number)
			if len(out) == n {
				return out
			}
		}
	}
	e.t.Fatalf("only %d free numbers", len(out))
	return nil
}

// prospect is a browser that has walked to the summary with a real number
// and device type 1 (the simulator has 6 of each type).
func (e *realEnv) prospect(number string, card string) *browser {
	e.t.Helper()
	return e.prospectWith(number, "1", card)
}

// prospectWith is prospect with a device choice ("byod" or a type).
func (e *realEnv) prospectWith(number, device, card string) *browser {
	e.t.Helper()
	b := e.browser()
	b.number = number
	pay := paymentForm
	if card != "" {
		pay = cloneValues(paymentForm)
		pay.Set("card_number", card)
	}
	for _, s := range []struct {
		path string
		form url.Values
		next string
	}{
		{"/s/demo/", planForm, "/s/demo/address"},
		{"/s/demo/address", addressForm, "/s/demo/phone"},
		{"/s/demo/phone", url.Values{"number": {number}, "device": {device}}, "/s/demo/payment"},
		{"/s/demo/payment", pay, "/s/demo/summary"},
	} {
		b.get(s.path)
		mustRedirect(e.t, b.post(s.path, s.form), s.next)
	}
	p := b.get("/s/demo/summary")
	if p.status() != http.StatusOK {
		e.t.Fatalf("summary: %d %.300s", p.status(), p.body)
	}
	return b
}

func signupForm(b *browser, p page) url.Values {
	tok, _ := p.testid("card-token").Attr("value")
	return url.Values{"card_token": {tok}, "accept_terms": {forms.CheckboxChecked}}
}

// open counts the simulator's open customers (besides the seeded reseller)
// and accounts, and its completed E-Commerce payments.
func simCounts(st sim.State) (customers, accounts, charges int) {
	for _, c := range st.Customers {
		if c.BillStatus == "O" && strings.HasPrefix(c.Name, "ws-") {
			customers++
		}
	}
	for _, a := range st.Accounts {
		if a.BillStatus == "O" {
			accounts++
		}
	}
	for _, t := range st.Transactions {
		if strings.EqualFold(t.Action, "E-Commerce Payment") && t.Status == "completed" {
			charges++
		}
	}
	return
}

// Self-care opened without a form, or for one that is not published, wears
// the neutral brand and remembers nothing.
func TestSelfcareNeutralBrand(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		for _, path := range []string{"/selfcare/login", "/selfcare/login?form=nope", "/selfcare/login?form=%3Cb%3E"} {
			p := e.browser().get(path)
			if p.status() != http.StatusOK {
				t.Fatalf("%s: %d", path, p.status())
			}
			if got := words(p.doc.Find(".site-header .brand")); strings.Contains(got, "Northwind") {
				t.Errorf("%s: header %q, want the neutral brand", path, got)
			}
			if badge := words(p.doc.Find(".site-header__secure-text")); badge != "Secure self-care" {
				t.Errorf("%s: header badge %q, want Secure self-care", path, badge)
			}
			if fc := p.cookie(public.SelfcareFormCookie); fc != nil {
				t.Errorf("%s: remembered form %q", path, fc.Value)
			}
		}
	})
}

func TestSignupToSelfcare(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		number := e.freeNumbers(1)[0]
		b := e.prospect(number, "")
		sum := b.get("/s/demo/summary")
		form := signupForm(b, sum)

		// The terms must be accepted; the page keeps the card.
		noTerms := cloneValues(form)
		noTerms.Del("accept_terms")
		p := b.post("/s/demo/signup", noTerms)
		if p.status() != http.StatusUnprocessableEntity || p.testid("field-error-accept_terms").Length() == 0 {
			t.Fatalf("Sign up without terms: %d %.300s", p.status(), p.body)
		}
		if tok, _ := p.testid("card-token").Attr("value"); tok == "" {
			t.Fatal("the summary lost the card after the terms error")
		}

		mustRedirect(t, b.post("/s/demo/signup", form), "/s/demo/done")
		done := b.get("/s/demo/done")
		if done.status() != http.StatusOK || !strings.Contains(done.resp.Header.Get("Cache-Control"), "no-store") {
			t.Fatalf("done: %d, Cache-Control %q", done.status(), done.resp.Header.Get("Cache-Control"))
		}
		shown := done.testid("phone-number").Text()
		login := strings.TrimSpace(done.testid("selfcare-login").Text())
		password := strings.TrimSpace(done.testid("selfcare-password").Text())
		if !strings.Contains(digits(shown), number) || login != number || len(password) < 12 {
			t.Fatalf("done page: number %q login %q password %d chars; want %s", shown, login, len(password), number)
		}
		if done.testid("sip-password").Text() == "" || done.testid("charged").Text() == "" {
			t.Errorf("done page lacks SIP password or charge: %.500s", done.body)
		}
		// The ws_card cookie is gone.
		if _, ok := b.cookies[public.CardCookie]; ok {
			t.Error("the card cookie outlived Sign up")
		}
		// Shown once: a reload says so and no longer has the password.
		again := b.get("/s/demo/done")
		if again.testid("selfcare-password").Length() != 0 || again.testid("done-credentials-shown").Length() == 0 {
			t.Fatalf("second done page still shows credentials: %.500s", again.body)
		}
		customers, accounts, charges := simCounts(e.sim.Sim.State())
		if customers != 1 || accounts != 1 || charges != 1 {
			t.Fatalf("simulator: %d customers, %d accounts, %d charges; want 1 each", customers, accounts, charges)
		}
		// The hold went into the account.
		if _, held, _ := s.Wizard().SessionHold(context.Background(), sessionIDOf(b), time.Now()); held {
			t.Error("the number is still held after the signup completed")
		}
		// A second Sign up shows the same outcome.
		if p := b.post("/s/demo/signup", form); p.status() != http.StatusSeeOther || p.location() != "/s/demo/done" {
			t.Fatalf("second Sign up: %d %q", p.status(), p.location())
		}

		// Self-care, through the done page's link, wears the form's brand,
		// its title leading to self-care's start.
		link, _ := done.testid("selfcare-link").Attr("href")
		u, err := url.Parse(link)
		if err != nil || u.Path != "/selfcare/login" || u.Query().Get("form") != "demo" {
			t.Fatalf("done page's self-care link %q, want /selfcare/login?form=demo", link)
		}
		lp := b.get(u.RequestURI())
		if got := words(lp.doc.Find(".site-header .brand")); got != "N Northwind Telecom" && got != "Northwind Telecom" {
			t.Errorf("self-care login page header %q, want the form's brand Northwind Telecom", got)
		}
		if badge := words(lp.doc.Find(".site-header__secure-text")); badge != "Secure self-care" {
			t.Errorf("self-care's header badge %q, want Secure self-care", badge)
		}
		if badge := words(done.doc.Find(".site-header__secure-text")); badge != "Secure signup" {
			t.Errorf("the done page's header badge %q, want Secure signup", badge)
		}
		if home, _ := lp.doc.Find(".site-header a.brand").Attr("href"); home != "/selfcare/" {
			t.Errorf("self-care's brand links to %q, want /selfcare/", home)
		}
		if fc := lp.cookie(public.SelfcareFormCookie); fc == nil || fc.Value != "demo" || fc.Path != "/selfcare/" {
			t.Errorf("form cookie = %+v", fc)
		}

		// A wrong password and an unknown login read the same.
		bad1 := b.post("/selfcare/login", url.Values{"login": {login}, "password": {"wrongpassword1"}})
		bad2 := b.post("/selfcare/login", url.Values{"login": {"19999999999"}, "password": {"wrongpassword1"}})
		if bad1.status() != http.StatusUnprocessableEntity || bad1.status() != bad2.status() ||
			words(bad1.doc.Find(".error-summary")) != words(bad2.doc.Find(".error-summary")) {
			t.Fatalf("login failures differ: %d %q / %d %q", bad1.status(), words(bad1.doc.Find(".error-summary")),
				bad2.status(), words(bad2.doc.Find(".error-summary")))
		}
		b.get("/selfcare/login")
		p = b.post("/selfcare/login", url.Values{"login": {login}, "password": {password}})
		mustRedirect(t, p, "/selfcare/password")
		sc := p.cookie(public.SelfcareCookie)
		if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode {
			t.Fatalf("self-care cookie = %+v", sc)
		}
		mustRedirect(t, b.get("/selfcare/"), "/selfcare/password")
		pw := b.get("/selfcare/password")
		if !strings.Contains(pw.testid("password-rules").Text(), "8 to 32") {
			t.Errorf("password rules not shown up front")
		}
		p = b.post("/selfcare/password", url.Values{"old_password": {password}, "new_password": {"short"}, "new_password_confirm": {"other"}})
		if p.status() != http.StatusUnprocessableEntity || p.testid("field-error-new_password").Length() == 0 ||
			p.testid("field-error-new_password_confirm").Length() == 0 {
			t.Fatalf("bad new password: %d %.400s", p.status(), p.body)
		}
		p = b.post("/selfcare/password", url.Values{"old_password": {"Wrong1234567"}, "new_password": {"NewPassw0rd99"}, "new_password_confirm": {"NewPassw0rd99"}})
		if p.status() != http.StatusUnprocessableEntity || p.testid("field-error-old_password").Length() == 0 {
			t.Fatalf("wrong old password: %d %.400s", p.status(), p.body)
		}
		mustRedirect(t, b.post("/selfcare/password", url.Values{"old_password": {password}, "new_password": {"NewPassw0rd99"},
			"new_password_confirm": {"NewPassw0rd99"}}), "/selfcare/?changed=1")
		ov := b.get("/selfcare/")
		if ov.status() != http.StatusOK || ov.testid("overview-plan").Text() == "" || ov.testid("overview-balance").Text() == "" {
			t.Fatalf("overview: %d %.600s", ov.status(), ov.body)
		}
		if got := words(ov.doc.Find(".site-header .brand")); !strings.Contains(got, "Northwind Telecom") {
			t.Errorf("overview header %q, want the form's brand", got)
		}
		if got := digits(ov.testid("overview-number").Text()); got != number {
			t.Errorf("overview number %q, want %s", got, number)
		}
		if dev := ov.testid("overview-device").Text(); !strings.Contains(dev, "") || dev == "Your own phone" {
			t.Errorf("overview device %q, want the ordered phone", dev)
		}
		mustRedirect(t, b.post("/selfcare/logout", url.Values{}), "/selfcare/login?out=1")
		mustRedirect(t, b.get("/selfcare/"), "/selfcare/login")
		// The new password works, the old one no longer does.
		b.get("/selfcare/login")
		mustRedirect(t, b.post("/selfcare/login", url.Values{"login": {login}, "password": {"NewPassw0rd99"}}), "/selfcare/")
	})
}

// sessionIDOf is the browser's wizard session id.
func sessionIDOf(b *browser) string {
	if c, ok := b.cookies[public.SessionCookie]; ok {
		return c.Value
	}
	return ""
}

func TestSignupConcurrentPostsMakeOneSubscriber(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		b := e.prospect(e.freeNumbers(1)[0], "")
		form := signupForm(b, b.get("/s/demo/summary"))
		form.Set("_csrf", b.csrf)
		const n = 50
		var wg sync.WaitGroup
		statuses := make(chan int, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, "/s/demo/signup", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, c := range b.cookies {
					req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
				}
				resp, err := e.app.Test(req, -1)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		for st := range statuses {
			if st != http.StatusSeeOther {
				t.Errorf("a Sign up POST answered %d", st)
			}
		}
		// Whatever a POST saw, the job ends; let a worker pass finish it.
		e.drain()
		customers, accounts, charges := simCounts(e.sim.Sim.State())
		if customers != 1 || accounts != 1 || charges != 1 {
			t.Fatalf("simulator: %d customers, %d accounts, %d charges; want exactly 1 each", customers, accounts, charges)
		}
		page, err := e.jobs.ListJobs(context.Background(), storage.JobFilter{})
		if err != nil || page.Total != 1 || page.Jobs[0].Status != provision.StatusCompleted {
			t.Fatalf("jobs: %+v, %v; want one completed", page, err)
		}
	})
}

// drain runs every job that is or becomes due, as the server's worker
// would, until none is left unsettled (the test's runner backs off for a
// millisecond only).
func (e *realEnv) drain() {
	e.t.Helper()
	ctx := context.Background()
	for range 200 {
		job, err := e.jobs.ClaimDue(ctx, "test-worker", time.Minute, time.Now().Add(time.Hour))
		if err != nil {
			e.t.Fatal(err)
		}
		if job == nil {
			page, err := e.jobs.ListJobs(ctx, storage.JobFilter{Statuses: []provision.Status{
				provision.StatusPending, provision.StatusRunning, provision.StatusRetrying}})
			if err != nil {
				e.t.Fatal(err)
			}
			if page.Total == 0 {
				return
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if err := e.runner.Run(ctx, job, nil); err != nil {
			e.t.Fatal(err)
		}
		if err := e.jobs.Release(ctx, job); err != nil {
			e.t.Fatal(err)
		}
	}
	e.t.Fatal("jobs did not settle")
}

func TestSignupDeclinedCardBackToPayment(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newRealEnv(t, s)
		number := e.freeNumbers(1)[0]
		b := e.prospect(number, "4000000000000002")
		// POST → 303 → GET: the payment step explains, and reloading it
		// shows the same without posting Sign up again.
		mustRedirect(t, b.post("/s/demo/signup", signupForm(b, b.get("/s/demo/summary"))), "/s/demo/payment?signup=declined")
		for range 2 {
			p := b.get("/s/demo/payment?signup=declined")
			if p.status() != http.StatusOK || !strings.Contains(words(p.testid("notice")), "declined") ||
				p.doc.Find(`input[name="card_number"]`).Length() == 0 {
				t.Fatalf("payment step after a decline: %d %.600s", p.status(), p.body)
			}
			if p.resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("payment step cached: %q", p.resp.Header.Get("Cache-Control"))
			}
		}
		// The done page of a declined signup sends back there too.
		mustRedirect(t, b.get("/s/demo/done"), "/s/demo/payment?signup=declined")
		// The words never come from the URL: an unknown outcome, or one the
		// job did not have, shows nothing.
		for _, q := range []string{"?signup=%3Cb%3Ehi", "?signup=failed", "?signup=" + url.QueryEscape("Your card was declined")} {
			if p := b.get("/s/demo/payment" + q); p.testid("notice").Length() != 0 {
				t.Errorf("payment%s shows a notice: %q", q, words(p.testid("notice")))
			}
		}
		customers, accounts, charges := simCounts(e.sim.Sim.State())
		if customers != 0 || accounts != 0 || charges != 0 {
			t.Fatalf("after a decline the simulator has %d customers, %d accounts, %d charges; want none", customers, accounts, charges)
		}
		if hold, held, err := s.Wizard().SessionHold(context.Background(), sessionIDOf(b), time.Now()); err != nil || !held || hold.Number != number {
			t.Fatalf("number hold after a decline: %+v %v %v", hold, held, err)
		}
		// The payment step is open again, answers kept; a good card signs up.
		if pay := b.get("/s/demo/payment"); pay.status() != http.StatusOK {
			t.Fatalf("payment step after a decline: %d %q", pay.status(), pay.location())
		}
		mustRedirect(t, b.post("/s/demo/payment", paymentForm), "/s/demo/summary")
		mustRedirect(t, b.post("/s/demo/signup", signupForm(b, b.get("/s/demo/summary"))), "/s/demo/done")
		if got := b.get("/s/demo/done").testid("selfcare-login").Text(); got != number {
			t.Fatalf("done after retry: login %q", got)
		}
		customers, accounts, charges = simCounts(e.sim.Sim.State())
		if customers != 1 || accounts != 1 || charges != 1 {
			t.Fatalf("after the second attempt: %d customers, %d accounts, %d charges; want 1 each", customers, accounts, charges)
		}
	})
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// newPort is a psport over a fresh admin client with the given timeout.
func newPort(t testing.TB, url string, timeout time.Duration) provision.PortaSwitch {
	t.Helper()
	c, err := portaswitch.New(portaswitch.Config{BaseURL: url, Login: "admin", Password: "admin",
		Timeout: timeout, RetryBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return psport.New(c)
}
