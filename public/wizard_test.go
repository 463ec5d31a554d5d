package public_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"websignup/forms"
	"websignup/internal/web"
	"websignup/public"
)

func TestWizardWalkToSummary(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()

	// Welcome: choosing a plan starts a session in a cookie.
	b.get("/s/demo/")
	p := b.post("/s/demo/", planForm)
	mustRedirect(t, p, "/s/demo/address")
	ck := p.cookie(public.SessionCookie)
	if ck == nil || len(ck.Value) < 22 || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/s/demo/" || ck.Secure {
		t.Fatalf("session cookie %+v", ck)
	}
	s, err := e.sessions.only()
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != ck.Value || s.FormID != 1 || s.VersionID != 1 || s.Progress.Product != 1 {
		t.Errorf("session %+v", s)
	}
	if !s.ExpiresAt.Equal(e.clock().Add(24 * time.Hour)) {
		t.Errorf("absolute expiry %v", s.ExpiresAt)
	}

	// Address: the configured fields, in order, named by key.
	p = b.get("/s/demo/address")
	if p.status() != 200 {
		t.Fatalf("address %d", p.status())
	}
	var names []string
	p.doc.Find(`form[data-testid="address-form"]  input, form[data-testid="address-form"] select, form[data-testid="address-form"] textarea`).Each(func(_ int, s *goquery.Selection) {
		if n := s.AttrOr("name", ""); n != "_csrf" && n != forms.InputHoneypot {
			names = append(names, n)
		}
	})
	if got := strings.Join(names, ","); got != "firstname,lastname,companyname,email,phone1,baddr1,city,state,zip,country" {
		t.Errorf("address inputs %s", got)
	}
	if cur := p.doc.Find(`[aria-current="step"]`).Text(); !strings.Contains(cur, "Your details") {
		t.Errorf("current step %q", cur)
	}
	mustRedirect(t, b.post("/s/demo/address", addressForm), "/s/demo/phone")

	// Phone: numbers of the first pool, devices and bring your own.
	p = b.get("/s/demo/phone")
	if p.status() != 200 {
		t.Fatalf("phone %d", p.status())
	}
	if n := p.testid("number-option").Length(); n != 12 {
		t.Errorf("%d numbers listed, want 12", n)
	}
	// Twelve of the pool's fifteen, in the pool's order, each shown as
	// people write it.
	prev := ""
	p.testid("number-option").Each(func(_ int, o *goquery.Selection) {
		v := o.Find(`[data-testid="number-radio"]`).AttrOr("value", "")
		if !strings.HasPrefix(v, "120655501") || v <= prev {
			t.Errorf("number %q offered after %q: want the pool's numbers in order", v, prev)
		}
		if got, want := o.Find(`[data-testid="number-display"]`).Text(), "+1 206-555-"+v[7:]; got != want {
			t.Errorf("number %s shown as %q, want %q", v, got, want)
		}
		prev = v
	})
	devices := p.testid("device-option")
	if devices.Length() != 4 {
		t.Fatalf("%d devices, want 3 and bring your own", devices.Length())
	}
	first := devices.First()
	if first.Find(`[data-testid="device-name"]`).Text() != "Yealink T31P" || first.Find(`[data-testid="device-price"]`).Text() != "$49.00" ||
		first.Find("img").AttrOr("src", "") == "" || !strings.Contains(first.Text(), "Two-line desk phone") {
		t.Errorf("first device card: %q", first.Text())
	}
	if v := devices.Last().Find("input").AttrOr("value", ""); v != forms.DeviceBYOD {
		t.Errorf("last device value %q", v)
	}
	p.doc.Find(`fieldset`).Each(func(_ int, fs *goquery.Selection) {
		if fs.ChildrenFiltered("legend").Length() != 1 {
			t.Errorf("fieldset without legend: %q", fs.Text())
		}
	})
	mustRedirect(t, b.post("/s/demo/phone", phoneForm), "/s/demo/payment")
	if s, _ := e.sessions.only(); s.Progress.Number != "12065550103" || s.Progress.Device != "1" {
		t.Errorf("progress after phone %+v", s.Progress)
	}
	if h := e.sessions.holds["12065550103"]; h.SessionID != s.ID || h.IDidNumber != 103 || !h.ExpiresAt.Equal(e.clock().Add(30*time.Minute)) {
		t.Errorf("hold %+v", h)
	}

	// Payment: the charges from the version, the card fields.
	p = b.get("/s/demo/payment")
	if p.status() != 200 || p.resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("payment %d, Cache-Control %q", p.status(), p.resp.Header.Get("Cache-Control"))
	}
	wantLines := []string{"Activation fee $9.95", "Home Basic, first month $14.95", "Yealink T31P $49.00"}
	p.testid("charge-line").Each(func(i int, s *goquery.Selection) {
		if got := words(s); i >= len(wantLines) || got != wantLines[i] {
			t.Errorf("charge line %d %q", i, got)
		}
	})
	if got := p.testid("charge-total").Text(); got != "$73.90" {
		t.Errorf("total %q", got)
	}
	for key, ac := range map[string]string{"card_name": "cc-name", "card_number": "cc-number", "card_exp_month": "cc-exp-month", "card_exp_year": "cc-exp-year", "card_cvv": "cc-csc"} {
		in := p.doc.Find(`input[name="` + key + `"]`)
		if in.AttrOr("autocomplete", "") != ac {
			t.Errorf("%s autocomplete %q", key, in.AttrOr("autocomplete", ""))
		}
		if key != "card_name" && in.AttrOr("inputmode", "") != "numeric" {
			t.Errorf("%s inputmode %q", key, in.AttrOr("inputmode", ""))
		}
		if p.doc.Find(`label[for="`+in.AttrOr("id", "-")+`"]`).Length() != 1 {
			t.Errorf("%s has no label", key)
		}
	}
	p = b.post("/s/demo/payment", paymentForm)
	mustRedirect(t, p, "/s/demo/summary")
	card := p.cookie(public.CardCookie)
	if card == nil || !card.HttpOnly || card.MaxAge != 1200 || card.Path != "/s/demo/" || strings.Contains(card.Value, "4242") {
		t.Fatalf("card cookie %+v", card)
	}
	if s, _ := e.sessions.only(); !s.Progress.CardSealed || s.CardBrand != forms.BrandVisa || s.CardLast4 != "4242" {
		t.Errorf("session after payment %+v", s)
	}

	// Summary: everything, with the sealed card in the form.
	p = b.get("/s/demo/summary")
	if p.status() != 200 || p.resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("summary %d %q", p.status(), p.resp.Header.Get("Cache-Control"))
	}
	for id, want := range map[string]string{
		"summary-firstname": "First name Ada", "summary-country": "Country United States",
		"summary-plan-name": "Home Basic", "summary-number": "+1 206-555-0103",
		"summary-device": "Yealink T31P", "charge-total": "$73.90",
	} {
		if got := words(p.testid(id)); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if got := words(p.testid("summary-card")); !strings.HasPrefix(got, "VISA •••• 4242") {
		t.Errorf("card shown as %q", got)
	}
	if strings.Contains(p.body, "4242424242424242") || strings.Contains(p.body, "4242 4242") || strings.Contains(p.body, `value="123"`) {
		t.Error("the card number or CVV is on the summary page")
	}
	if p.testid("summary-companyname").Length() != 0 {
		t.Error("an empty optional answer is listed")
	}
	if n := p.testid("edit-link").Length(); n != 4 {
		t.Errorf("%d edit links, want 4", n)
	}
	form := p.testid("summary-form")
	if form.AttrOr("action", "") != "/s/demo/signup" || form.AttrOr("method", "") != "post" {
		t.Errorf("summary form posts to %q", form.AttrOr("action", ""))
	}
	if tok := form.Find(`input[name="card_token"]`).AttrOr("value", ""); tok != card.Value {
		t.Error("the summary form does not carry the sealed card")
	}
	if form.Find(`input[type="checkbox"][name="accept_terms"][required]`).Length() != 1 ||
		p.testid("summary-terms-link").AttrOr("href", "") != "https://example.com/northwind/terms" {
		t.Error("no terms box or terms link")
	}
	if form.Find(`input[name="_csrf"]`).AttrOr("value", "") == "" {
		t.Error("no CSRF token in the Sign up form")
	}
	for _, secret := range []string{"4242424242424242", "4242 4242 4242 4242", "card_cvv"} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
}

func TestWizardNoWriteOnGet(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepSummary)
	before := e.sessions.writeCount()
	for _, path := range []string{"/s/demo/", "/s/demo/address", "/s/demo/phone", "/s/demo/phone?q=206&pool=2", "/s/demo/phone/numbers?q=1", "/s/demo/payment", "/s/demo/summary"} {
		if p := b.get(path); p.status() != 200 {
			t.Errorf("GET %s: %d", path, p.status())
		}
	}
	if n := e.sessions.writeCount() - before; n != 0 {
		t.Errorf("%d writes on GET", n)
	}
}

func TestWizardGating(t *testing.T) {
	tests := []struct {
		name   string
		done   forms.Step // walk up to this step
		method string
		path   string
		want   string
	}{
		{"no session, address", forms.StepWelcome, "GET", "/s/demo/address", "/s/demo/"},
		{"no session, summary", forms.StepWelcome, "GET", "/s/demo/summary", "/s/demo/"},
		{"no session, phone post", forms.StepWelcome, "POST", "/s/demo/phone", "/s/demo/"},
		{"plan only, payment", forms.StepAddress, "GET", "/s/demo/payment", "/s/demo/address"},
		{"plan only, phone post", forms.StepAddress, "POST", "/s/demo/phone", "/s/demo/address"},
		{"details, summary", forms.StepPhone, "GET", "/s/demo/summary", "/s/demo/phone"},
		{"details, numbers fragment", forms.StepAddress, "GET", "/s/demo/phone/numbers", "/s/demo/address"},
		{"number, summary", forms.StepPayment, "GET", "/s/demo/summary", "/s/demo/payment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newWizardEnv(t)
			b := e.browser()
			b.walkTo(tt.done)
			var p page
			if tt.method == "POST" {
				b.get("/s/demo/")
				p = b.post(tt.path, phoneForm)
			} else {
				p = b.get(tt.path)
			}
			mustRedirect(t, p, tt.want)
		})
	}
}

func TestWizardBackShowsWhatWasEntered(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepSummary)

	p := b.get("/s/demo/")
	if v := p.doc.Find(`input[name="product"]:checked`).AttrOr("value", ""); v != "1" {
		t.Errorf("welcome: plan %q checked", v)
	}
	if cur := p.doc.Find(`[aria-current="step"]`).Text(); !strings.Contains(cur, "Plan") {
		t.Errorf("welcome: current step %q", cur)
	}
	p = b.get("/s/demo/address")
	// Steps done after this one still link, so the prospect can go back.
	var links []string
	p.testid("progress").Find("a").Each(func(_ int, a *goquery.Selection) { links = append(links, a.AttrOr("href", "")) })
	if got := strings.Join(links, " "); got != "/s/demo/ /s/demo/phone /s/demo/payment" {
		t.Errorf("progress links %q", got)
	}
	for key, want := range map[string]string{"firstname": "Ada", "email": "ada@example.com", "phone1": "+12065550199", "zip": "98101"} {
		if got := p.doc.Find(`input[name="`+key+`"]`).AttrOr("value", ""); got != want {
			t.Errorf("address %s = %q, want %q", key, got, want)
		}
	}
	if got := p.doc.Find(`select[name="country"] option[selected]`).AttrOr("value", ""); got != "US" {
		t.Errorf("country %q", got)
	}
	p = b.get("/s/demo/phone")
	if got := p.doc.Find(`input[name="number"]:checked`).AttrOr("value", ""); got != "12065550103" {
		t.Errorf("number checked %q", got)
	}
	if got := p.doc.Find(`input[name="device"]:checked`).AttrOr("value", ""); got != "1" {
		t.Errorf("device checked %q", got)
	}
	if p.testid("number-display").First().Text() != "+1 206-555-0103" {
		t.Error("the held number is not offered first")
	}

	// Changing the plan keeps everything else.
	mustRedirect(t, b.post("/s/demo/", url.Values{"product": {"3"}}), "/s/demo/address")
	s, _ := e.sessions.only()
	if s.Progress.Product != 3 || s.Progress.Number != "12065550103" || s.Progress.Answers["firstname"] != "Ada" || !s.Progress.CardSealed {
		t.Errorf("progress after changing the plan: %+v", s.Progress)
	}
	p = b.get("/s/demo/summary")
	if got := p.testid("charge-total").Text(); got != "$108.90" { // 19.95 + 39.95 + 49.00
		t.Errorf("total after changing the plan %q", got)
	}
}

func TestWizardValidationErrors(t *testing.T) {
	type check struct {
		key, message string
	}
	with := func(base url.Values, kv ...string) url.Values {
		v := cloneValues(base)
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name     string
		step     forms.Step
		path     string
		form     url.Values
		errs     []check
		kept     map[string]string // input name → value shown again
		notShown []string          // values that must not be on the page
	}{
		{name: "no plan", step: forms.StepWelcome, path: "/s/demo/", form: url.Values{},
			errs: []check{{"product", "Choose a plan"}}},
		{name: "unknown plan", step: forms.StepWelcome, path: "/s/demo/", form: url.Values{"product": {"99"}},
			errs: []check{{"product", "no longer on offer"}}},
		{name: "required and format", step: forms.StepAddress, path: "/s/demo/address",
			form: with(addressForm, "firstname", "", "email", "ada@", "zip", "!!"),
			errs: []check{{"firstname", "Enter your first name"}, {"email", "Enter an email address in the correct format"}, {"zip", "Enter a valid postcode"}},
			kept: map[string]string{"lastname": "Lovelace", "email": "ada@", "zip": "!!", "city": "Seattle"}},
		{name: "too long and bad phone", step: forms.StepAddress, path: "/s/demo/address",
			form: with(addressForm, "firstname", strings.Repeat("a", 41), "phone1", "12"),
			errs: []check{{"firstname", "40 characters or fewer"}, {"phone1", "Enter a phone number"}},
			kept: map[string]string{"phone1": "12"}},
		{name: "unknown country", step: forms.StepAddress, path: "/s/demo/address",
			form: with(addressForm, "country", "XX"),
			errs: []check{{"country", "Choose one of the options"}}},
		{name: "nothing chosen", step: forms.StepPhone, path: "/s/demo/phone", form: url.Values{},
			errs: []check{{"number", "Choose a phone number"}, {"device", "Choose a phone, or bring your own"}}},
		{name: "number not in a pool", step: forms.StepPhone, path: "/s/demo/phone",
			form: url.Values{"number": {"19995550100"}, "device": {"byod"}},
			errs: []check{{"number", "no longer available"}}},
		{name: "device not offered", step: forms.StepPhone, path: "/s/demo/phone",
			form: url.Values{"number": {"12065550103"}, "device": {"42"}},
			errs: []check{{"device", "no longer on offer"}}},
		{name: "card refused", step: forms.StepPayment, path: "/s/demo/payment",
			form:     with(paymentForm, "card_number", "4242 4242 4242 4241", "card_cvv", "12"),
			errs:     []check{{"card_number", "Enter a valid card number"}, {"card_cvv", "3-digit security code"}},
			kept:     map[string]string{"card_name": "Ada Lovelace", "card_exp_month": "12", "card_exp_year": "2030", "card_number": "", "card_cvv": ""},
			notShown: []string{"4242 4242 4242 4241", `value="12"` + " " + `id="field-card_cvv"`}},
		{name: "card expired and no name", step: forms.StepPayment, path: "/s/demo/payment",
			form: with(paymentForm, "card_name", " ", "card_exp_year", "2025"),
			errs: []check{{"card_name", "Enter the name on the card"}, {"card_exp_year", "The card has expired"}},
			kept: map[string]string{"card_exp_year": "2025", "card_number": ""}, notShown: []string{"4242 4242"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newWizardEnv(t)
			b := e.browser()
			b.walkTo(tt.step)
			b.get(tt.path)
			before, _ := e.sessions.only()
			p := b.post(tt.path, tt.form)
			if p.status() != 422 {
				t.Fatalf("status %d, want 422; %.300s", p.status(), p.body)
			}
			summary := p.testid("error-summary")
			if summary.Length() != 1 {
				t.Fatal("no error summary")
			}
			links := summary.Find("a")
			if links.Length() != len(tt.errs) {
				t.Errorf("summary lists %d errors, want %d: %q", links.Length(), len(tt.errs), summary.Text())
			}
			for i, c := range tt.errs {
				msg := p.testid("field-error-" + c.key).Text()
				if !strings.Contains(msg, c.message) {
					t.Errorf("error next to %s: %q, want %q", c.key, msg, c.message)
				}
				if i < links.Length() {
					l := links.Eq(i)
					if l.AttrOr("href", "") != "#field-"+c.key || !strings.Contains(l.Text(), c.message) {
						t.Errorf("summary link %d: %q %q", i, l.AttrOr("href", ""), l.Text())
					}
					if p.doc.Find("#field-"+c.key).Length() != 1 {
						t.Errorf("summary link %d points nowhere", i)
					}
				}
			}
			for name, want := range tt.kept {
				if got := p.doc.Find(`[name="`+name+`"]`).AttrOr("value", ""); got != want {
					t.Errorf("input %s shows %q, want %q", name, got, want)
				}
			}
			for _, s := range tt.notShown {
				if strings.Contains(p.body, s) {
					t.Errorf("page shows %q", s)
				}
			}
			if tt.step == forms.StepPayment && !strings.Contains(p.testid("notice").Text(), "cleared the card number") {
				t.Error("no notice that the card number was cleared")
			}
			after, _ := e.sessions.only()
			if after.UpdatedAt != before.UpdatedAt || after.Progress.FirstIncomplete() != before.Progress.FirstIncomplete() {
				t.Error("a refused step was stored")
			}
		})
	}
}

func TestWizardSessionExpiry(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		expired bool
	}{
		{"active", 29 * time.Minute, false},
		{"idle", 30 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newWizardEnv(t)
			b := e.browser()
			b.walkTo(forms.StepPhone)
			e.advance(tt.advance)
			p := b.get("/s/demo/phone")
			if !tt.expired {
				if p.status() != 200 {
					t.Fatalf("phone %d", p.status())
				}
				return
			}
			mustRedirect(t, p, "/s/demo/")
			p = b.get("/s/demo/")
			if p.status() != 200 || !strings.Contains(p.testid("notice").Text(), "Your session expired, so we started again") {
				t.Fatalf("welcome %d, notice %q", p.status(), p.testid("notice").Text())
			}
			if c := p.cookie(public.SessionCookie); c == nil || c.MaxAge >= 0 && c.Value != "" {
				t.Errorf("the dead session's cookie is kept: %+v", c)
			}
			if p.doc.Find(`input[name="product"]:checked`).Length() != 0 {
				t.Error("the expired session's plan is still chosen")
			}
			// Once: the notice is not shown again, and a new walk starts.
			if p = b.get("/s/demo/"); p.testid("notice").Length() != 0 {
				t.Error("notice shown twice")
			}
			mustRedirect(t, b.post("/s/demo/", planForm), "/s/demo/address")
			if len(e.sessions.sessions) != 2 {
				t.Errorf("%d sessions, want a new one", len(e.sessions.sessions))
			}
		})
	}
}

func TestWizardAbsoluteExpiryAndPostAfterExpiry(t *testing.T) {
	e := newWizardEnv(t, func(d *public.Deps) { d.IdleTimeout = 48 * time.Hour })
	b := e.browser()
	b.walkTo(forms.StepAddress)
	b.get("/s/demo/address")
	e.advance(24 * time.Hour)
	mustRedirect(t, b.post("/s/demo/address", addressForm), "/s/demo/")
	if p := b.get("/s/demo/"); p.testid("notice").Length() != 1 {
		t.Error("no expiry notice after the absolute lifetime")
	}
}

func TestWizardUnknownSessionCookie(t *testing.T) {
	e := newWizardEnv(t)
	for _, v := range []string{"nonsense", strings.Repeat("A", 43)} {
		b := e.browser()
		b.cookies[public.SessionCookie] = &http.Cookie{Name: public.SessionCookie, Value: v}
		mustRedirect(t, b.get("/s/demo/address"), "/s/demo/")
		p := b.get("/s/demo/")
		if p.status() != 200 || p.testid("notice").Length() != 0 {
			t.Errorf("welcome %d with notice %q", p.status(), p.testid("notice").Text())
		}
		if _, ok := b.cookies[public.SessionCookie]; ok {
			t.Error("the unknown cookie is kept")
		}
	}
}

func TestWizardCSRF(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepAddress)
	for _, tok := range []string{"", "forged"} {
		form := cloneValues(addressForm)
		form.Set("_csrf", tok)
		p := b.post("/s/demo/address", form)
		if p.status() != 403 || p.testid("error-page").Length() != 1 {
			t.Errorf("token %q: %d", tok, p.status())
		}
	}
	// Another browser's token does not do either.
	other := e.browser()
	other.get("/s/demo/")
	form := cloneValues(addressForm)
	form.Set("_csrf", other.csrf)
	if p := b.post("/s/demo/address", form); p.status() != 403 {
		t.Errorf("another browser's token: %d", p.status())
	}
	if s, _ := e.sessions.only(); s.Progress.Answers != nil {
		t.Error("a forged post was stored")
	}
}

func TestWizardHoneypot(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	p := b.get("/s/demo/")
	hp := p.doc.Find(`input[name="hp_url"]`)
	if hp.AttrOr("tabindex", "") != "-1" || hp.AttrOr("autocomplete", "") != "off" || hp.Closest(`[aria-hidden="true"]`).Length() != 1 {
		t.Errorf("honeypot not hidden from people: %v", hp.Nodes)
	}
	form := cloneValues(planForm)
	form.Set("hp_url", "http://spam.example")
	p = b.post("/s/demo/", form)
	if p.status() != 422 || p.cookie(public.SessionCookie) != nil {
		t.Fatalf("honeypot: %d, cookie %v", p.status(), p.cookie(public.SessionCookie))
	}
	if len(e.sessions.sessions) != 0 || e.sessions.writeCount() != 0 {
		t.Error("a bot's post was stored")
	}
	if strings.Contains(p.body, "honeypot") || strings.Contains(p.body, "spam.example") {
		t.Error("the page tells the bot why")
	}

	// On a later step too.
	b.walkTo(forms.StepAddress)
	before := e.sessions.writeCount()
	form = cloneValues(addressForm)
	form.Set("hp_url", "x")
	if p := b.post("/s/demo/address", form); p.status() != 422 || e.sessions.writeCount() != before {
		t.Errorf("address honeypot: %d", p.status())
	}
}

func TestWizardPricesComeFromTheServer(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	forged := func(v url.Values) url.Values {
		v = cloneValues(v)
		v.Set("price", "0")
		v.Set("total", "1")
		v.Set("activation_fee", "0")
		v.Set("amount", "0.01")
		v.Set("version", "99")
		return v
	}
	b.get("/s/demo/")
	mustRedirect(t, b.post("/s/demo/", forged(planForm)), "/s/demo/address")
	mustRedirect(t, b.post("/s/demo/address", forged(addressForm)), "/s/demo/phone")
	b.get("/s/demo/phone")
	mustRedirect(t, b.post("/s/demo/phone", forged(phoneForm)), "/s/demo/payment")
	b.get("/s/demo/payment")
	mustRedirect(t, b.post("/s/demo/payment", forged(paymentForm)), "/s/demo/summary")
	p := b.get("/s/demo/summary")
	if got := p.testid("charge-total").Text(); got != "$73.90" {
		t.Errorf("total %q", got)
	}
	if s, _ := e.sessions.only(); len(s.Progress.Answers) != 10 {
		t.Errorf("unknown keys kept as answers: %v", s.Progress.Answers)
	}
}

func TestWizardVersionInFlight(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepPayment)
	cfg := forms.DemoConfig()
	cfg.Products[0].ActivationFee = 5000
	cfg.Products[0].Name = "Home Basic 2"
	cfg.Fields = cfg.Fields[:2]
	e.publish(cfg)

	p := b.get("/s/demo/payment")
	if got := p.testid("charge-total").Text(); got != "$73.90" {
		t.Errorf("a session in flight sees the new prices: %q", got)
	}
	if p := b.get("/s/demo/address"); p.doc.Find(`input[name="zip"]`).Length() != 1 {
		t.Error("a session in flight sees the new fields")
	}
	// A new prospect gets the new version.
	nb := e.browser()
	nb.walkTo(forms.StepPayment)
	p = nb.get("/s/demo/payment")
	if got := p.testid("charge-total").Text(); got != "$113.95" {
		t.Errorf("a new session's total %q", got)
	}
}

func TestWizardNumberTakenByAnotherSession(t *testing.T) {
	e := newWizardEnv(t)
	ada, bob := e.browser(), e.browser()
	ada.walkTo(forms.StepPhone)
	bob.walkTo(forms.StepPhone)
	ada.get("/s/demo/phone")
	bob.get("/s/demo/phone")

	mustRedirect(t, ada.post("/s/demo/phone", phoneForm), "/s/demo/payment")
	p := bob.post("/s/demo/phone", url.Values{"number": {"12065550103"}, "device": {"2"}, "q": {"20655501"}, "pool": {"1"}})
	if p.status() != 422 {
		t.Fatalf("status %d", p.status())
	}
	if msg := p.testid("field-error-number").Text(); !strings.Contains(msg, "just taken") {
		t.Errorf("number error %q", msg)
	}
	if !strings.Contains(p.testid("error-summary").Text(), "just taken") {
		t.Error("not in the error summary")
	}
	p.testid("number-radio").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("value", "") == "12065550103" {
			t.Error("the taken number is still offered")
		}
	})
	if p.testid("number-option").Length() == 0 || p.doc.Find(`input[name="q"][form="number-search"]`).AttrOr("value", "") != "20655501" {
		t.Error("the list is not refreshed with the same search")
	}
	if got := p.doc.Find(`input[name="device"]:checked`).AttrOr("value", ""); got != "2" {
		t.Errorf("device choice lost: %q", got)
	}
	// Bob's page no longer lists it either.
	if strings.Contains(bob.get("/s/demo/phone").body, `value="12065550103"`) {
		t.Error("the held number is listed to another prospect")
	}
	// Once Ada's hold has lapsed, Bob can have it.
	e.advance(31 * time.Minute)
	bob.get("/s/demo/")
	bob.walkTo(forms.StepPhone)
	bob.get("/s/demo/phone")
	mustRedirect(t, bob.post("/s/demo/phone", phoneForm), "/s/demo/payment")
}

func TestWizardNumberSearch(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepPhone)

	p := b.get("/s/demo/phone?q=312+555-0110&pool=2")
	if p.status() != 200 {
		t.Fatalf("status %d", p.status())
	}
	if n := p.testid("number-option").Length(); n != 1 || p.testid("number-radio").AttrOr("value", "") != "13125550110" {
		t.Errorf("search found %d: %q", n, p.testid("number-list").Text())
	}
	if p.doc.Find(`select[name="pool"] option[selected]`).AttrOr("value", "") != "2" {
		t.Error("pool choice not kept")
	}
	search := p.testid("number-search")
	if search.AttrOr("method", "") != "get" || search.AttrOr("hx-get", "") != "/s/demo/phone/numbers" || search.AttrOr("hx-target", "") != "#number-list" {
		t.Errorf("search form %v", search.Nodes[0].Attr)
	}

	// "+" searches from the start of the number; letters are not searched.
	if p := b.get("/s/demo/phone?q=%2B1+312-555-010&pool=2"); p.testid("number-option").Length() != 10 ||
		p.doc.Find(`input[name="q"][form="number-search"]`).AttrOr("value", "") != "+1 312-555-010" {
		t.Errorf("prefix search found %d", p.testid("number-option").Length())
	}
	if p := b.get("/s/demo/phone?q=%3Cscript%3E"); p.testid("number-option").Length() != 12 || strings.Contains(p.body, "<script>") {
		t.Errorf("junk search found %d", p.testid("number-option").Length())
	}

	// The fragment is the list alone.
	p = b.get("/s/demo/phone/numbers?q=2065550111")
	if p.status() != 200 || p.doc.Find("html body > *").Length() != 1 || p.doc.Find(`#number-list`).Length() != 1 || strings.Contains(p.body, "<html") {
		t.Fatalf("fragment %d: %.300s", p.status(), p.body)
	}
	if n := p.testid("number-option").Length(); n != 1 || !strings.Contains(p.testid("number-count").Text(), "1 number available") {
		t.Errorf("fragment lists %d: %q", n, p.testid("number-count").Text())
	}
	if p.resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("fragment cacheable")
	}

	// Nothing found, and PortaSwitch failing, are said on the page.
	if p = b.get("/s/demo/phone?q=999"); !strings.Contains(p.testid("number-count").Text(), "No free numbers match 999") {
		t.Errorf("no match: %q", p.testid("number-count").Text())
	}
	e.numbers.mu.Lock()
	e.numbers.Fail = forms.Errorf(forms.EInternal, "portaswitch down")
	e.numbers.mu.Unlock()
	p = b.get("/s/demo/phone")
	if p.status() != 200 || !strings.Contains(p.testid("number-count").Text(), "couldn't load") || strings.Contains(p.body, "portaswitch down") {
		t.Errorf("failure: %d %q", p.status(), p.testid("number-count").Text())
	}

	// htmx asking for the fragment out of order is sent to the right step.
	nb := e.browser()
	nb.walkTo(forms.StepAddress)
	req, _ := http.NewRequest(http.MethodGet, "/s/demo/phone/numbers", nil)
	req.Header.Set("HX-Request", "true")
	if p := nb.do(req); p.status() != 204 || p.resp.Header.Get("HX-Redirect") != "/s/demo/address" {
		t.Errorf("htmx gating: %d %q", p.status(), p.resp.Header.Get("HX-Redirect"))
	}
}

func TestWizardCardToken(t *testing.T) {
	tests := []struct {
		name    string
		mangle  func(b *browser, e *wizardEnv)
		reason  string
		message string
	}{
		{"missing", func(b *browser, _ *wizardEnv) { delete(b.cookies, public.CardCookie) }, "missing", "enter your card details again"},
		{"tampered", func(b *browser, _ *wizardEnv) {
			c := b.cookies[public.CardCookie]
			v := []byte(c.Value)
			v[len(v)-3] ^= 1
			c.Value = string(v)
		}, "invalid", "couldn't read your card"},
		{"expired", func(_ *browser, e *wizardEnv) { e.advance(21 * time.Minute) }, "expired", "kept for 20 minutes"},
		{"another session's", func(b *browser, e *wizardEnv) {
			other := e.browser()
			other.walkTo(forms.StepSummary)
			b.cookies[public.CardCookie] = other.cookies[public.CardCookie]
		}, "invalid", "couldn't read your card"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newWizardEnv(t)
			b := e.browser()
			b.walkTo(forms.StepSummary)
			tt.mangle(b, e)
			p := b.get("/s/demo/summary")
			mustRedirect(t, p, "/s/demo/payment?card="+tt.reason)
			p = b.get(p.location())
			if p.status() != 200 || !strings.Contains(p.testid("notice").Text(), tt.message) {
				t.Errorf("payment %d, notice %q", p.status(), p.testid("notice").Text())
			}
			// Entering the card again leads back to the summary.
			mustRedirect(t, b.post("/s/demo/payment", paymentForm), "/s/demo/summary")
			if p := b.get("/s/demo/summary"); p.status() != 200 {
				t.Errorf("summary after a new card: %d", p.status())
			}
		})
	}
}

func TestWizardRateLimits(t *testing.T) {
	e := newWizardEnv(t, func(d *public.Deps) { d.StepLimit = 3; d.SearchLimit = 2 })
	b := e.browser()
	b.get("/s/demo/")
	for i := range 3 {
		if p := b.post("/s/demo/", url.Values{}); p.status() != 422 {
			t.Fatalf("post %d: %d", i, p.status())
		}
	}
	if p := b.post("/s/demo/", planForm); p.status() != 429 {
		t.Errorf("4th post in a minute: %d", p.status())
	}
	if p := b.get("/s/demo/"); p.status() != 200 {
		t.Errorf("pages are not limited: %d", p.status())
	}
	e.advance(0) // the limiter's window is real time; a new env resets it
	e2 := newWizardEnv(t, func(d *public.Deps) { d.SearchLimit = 2 })
	b2 := e2.browser()
	b2.walkTo(forms.StepPhone)
	b2.get("/s/demo/phone")
	b2.get("/s/demo/phone/numbers?q=1")
	if p := b2.get("/s/demo/phone/numbers?q=2"); p.status() != 429 {
		t.Errorf("3rd search in a minute: %d", p.status())
	}
}

func TestWizardConditionalFields(t *testing.T) {
	e := newWizardEnv(t)
	cfg := forms.DemoConfig()
	cfg.Fields = []forms.Field{
		{Key: "firstname", Kind: forms.KindText, Label: "First name", Required: true},
		{Key: "business", Kind: forms.KindCheckbox, Label: "This is for a business"},
		{Key: "companyname", Kind: forms.KindText, Label: "Company", Required: true,
			ShowWhen: &forms.Condition{Field: "business", Equals: forms.CheckboxChecked}},
	}
	e.publish(cfg)
	b := e.browser()
	b.walkTo(forms.StepAddress)

	p := b.get("/s/demo/address")
	box := p.testid("conditional-companyname")
	if _, hidden := box.Attr("hidden"); !hidden || box.AttrOr("data-show-when", "") != "business" || box.AttrOr("data-show-equals", "") != "yes" {
		t.Fatalf("conditional field not hidden: %v", box.Nodes)
	}
	// Without the condition, a hidden required field is not required.
	mustRedirect(t, b.post("/s/demo/address", url.Values{"firstname": {"Ada"}, "companyname": {"ignored"}}), "/s/demo/phone")
	if s, _ := e.sessions.only(); s.Progress.Answers["companyname"] != "" {
		t.Errorf("a hidden field's value was kept: %v", s.Progress.Answers)
	}
	// With it, the field is shown and required.
	p = b.post("/s/demo/address", url.Values{"firstname": {"Ada"}, "business": {"yes"}})
	if p.status() != 422 || p.testid("field-error-companyname").Length() != 1 {
		t.Fatalf("status %d", p.status())
	}
	if _, hidden := p.testid("conditional-companyname").Attr("hidden"); hidden {
		t.Error("the field with the error is hidden")
	}
	if p.doc.Find(`input[name="business"]:checked`).Length() != 1 {
		t.Error("checkbox not kept")
	}
}

func TestWizardStoreFailure(t *testing.T) {
	e := newWizardEnv(t)
	b := e.browser()
	b.walkTo(forms.StepAddress)
	e.sessions.mu.Lock()
	e.sessions.Fail = forms.Errorf(forms.EInternal, "disk on fire at 10.0.0.7")
	e.sessions.mu.Unlock()
	p := b.get("/s/demo/address")
	if p.status() != 500 || strings.Contains(p.body, "10.0.0.7") || p.testid("error-page").Length() != 1 {
		t.Errorf("store failure: %d", p.status())
	}
}

func TestWizardCookiesSecureOverTLS(t *testing.T) {
	e := newWizardEnv(t)
	e.app = web.New(web.Options{TLS: true})
	public.Register(e.app, public.Deps{
		Forms: &fakeForms{PublishedFormFn: e.publishedForm}, Versions: e.versions,
		Sessions: e.sessions, Numbers: e.numbers, Secret: testSecret, Now: e.clock,
	})
	b := e.browser()
	b.get("/s/demo/")
	p := b.post("/s/demo/", planForm)
	for _, name := range []string{public.SessionCookie, public.CSRFCookie} {
		c := b.cookies[name]
		if c == nil || !c.Secure || !c.HttpOnly {
			t.Errorf("%s cookie over TLS: %+v", name, c)
		}
	}
	mustRedirect(t, p, "/s/demo/address")
	b.walkTo(forms.StepSummary)
	if c := b.cookies[public.CardCookie]; c == nil || !c.Secure {
		t.Errorf("card cookie over TLS: %+v", c)
	}
	if p := b.get("/s/demo/summary"); p.resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS")
	}
}
