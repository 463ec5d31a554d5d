package public_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"websignup/forms"
	"websignup/internal/web"
	"websignup/public"
)

// wizardEnv is the real app with the public routes over fakes, a clock the
// test moves, and one browser (a cookie jar) walking through it.
type wizardEnv struct {
	t        testing.TB
	app      *fiber.App
	sessions *fakeSessions
	numbers  *fakeNumbers
	versions *fakeVersions
	logs     *syncBuffer

	mu        sync.Mutex
	now       time.Time
	published forms.Version
	browsers  int
}

// browser is one prospect's cookies and the CSRF token of their last page.
type browser struct {
	env     *wizardEnv
	cookies map[string]*http.Cookie
	csrf    string
	// number is the number walkTo picks: the first browser of an env takes
	// phoneForm's, the others the next ones, so that they do not collide.
	number string
}

type envOption func(*public.Deps)

var testSecret = bytes.Repeat([]byte{7}, 32)

func newWizardEnv(t testing.TB, opts ...envOption) *wizardEnv {
	t.Helper()
	cfg := forms.DemoConfig()
	e := &wizardEnv{
		t:         t,
		sessions:  newFakeSessions(),
		numbers:   demoNumbers(),
		logs:      &syncBuffer{},
		now:       time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC),
		published: forms.Version{ID: 1, FormID: 1, Number: 1, Status: forms.StatusPublished, Config: cfg},
	}
	e.versions = &fakeVersions{versions: map[int64]forms.Version{1: e.published}}
	logger := slog.New(slog.NewTextHandler(e.logs, nil))
	e.app = web.New(web.Options{Logger: logger})
	d := public.Deps{
		Forms:    &fakeForms{PublishedFormFn: e.publishedForm},
		Versions: e.versions,
		Sessions: e.sessions,
		Numbers:  e.numbers,
		Logger:   logger,
		Secret:   testSecret,
		Now:      e.clock,
	}
	for _, o := range opts {
		o(&d)
	}
	public.Register(e.app, d)
	return e
}

func (e *wizardEnv) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *wizardEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func (e *wizardEnv) publishedForm(_ context.Context, slug string) (forms.Form, forms.Version, error) {
	if slug != forms.DemoSlug {
		return forms.Form{}, forms.Version{}, forms.Errorf(forms.ENotFound, "form %q not found", slug)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return forms.Form{ID: 1, Slug: slug, Name: "Demo"}, e.published, nil
}

// publish makes cfg the published version, keeping the old one reachable
// by id, as storage does.
func (e *wizardEnv) publish(cfg forms.Config) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v := forms.Version{ID: e.published.ID + 1, FormID: 1, Number: e.published.Number + 1, Status: forms.StatusPublished, Config: cfg}
	e.published = v
	e.versions.mu.Lock()
	e.versions.versions[v.ID] = v
	e.versions.mu.Unlock()
}

func (e *wizardEnv) browser() *browser {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := fmt.Sprintf("120655501%02d", 3+e.browsers)
	e.browsers++
	return &browser{env: e, cookies: map[string]*http.Cookie{}, number: n}
}

// page is one response, read.
type page struct {
	resp *http.Response
	doc  *goquery.Document
	body string
}

func (p page) status() int      { return p.resp.StatusCode }
func (p page) location() string { return p.resp.Header.Get("Location") }

// words is the text of s with every element's text apart, the way a
// person reads it: "First name Ada" rather than "First nameAda".
func words(s *goquery.Selection) string {
	var parts []string
	s.Contents().Each(func(_ int, c *goquery.Selection) {
		if goquery.NodeName(c) == "#text" {
			parts = append(parts, c.Text())
		} else {
			parts = append(parts, words(c))
		}
	})
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// testid selects by data-testid.
func (p page) testid(id string) *goquery.Selection {
	return p.doc.Find(`[data-testid="` + id + `"]`)
}

func (p page) cookie(name string) *http.Cookie {
	for _, c := range p.resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (b *browser) do(req *http.Request) page {
	t := b.env.t
	t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := b.env.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		b.csrf = tok
	}
	return page{resp: resp, doc: doc, body: string(raw)}
}

func (b *browser) get(path string) page {
	b.env.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form the way a browser does, with the CSRF token of the last
// page unless the form has its own _csrf.
func (b *browser) post(path string, form url.Values) page {
	b.env.t.Helper()
	if b.csrf == "" {
		b.get(path) // a browser posts from a page it has shown
	}
	if _, ok := form["_csrf"]; !ok {
		form = cloneValues(form)
		form.Set("_csrf", b.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Valid input for every step of the demo form.
var (
	planForm    = url.Values{"product": {"1"}}
	addressForm = url.Values{
		"firstname": {"Ada"}, "lastname": {"Lovelace"}, "email": {"ada@example.com"},
		"phone1": {"+1 206 555 0199"}, "baddr1": {"1 Analytical Way"}, "city": {"Seattle"},
		"state": {"WA"}, "zip": {"98101"}, "country": {"US"},
	}
	phoneForm   = url.Values{"number": {"12065550103"}, "device": {"1"}}
	paymentForm = url.Values{
		"card_name": {"Ada Lovelace"}, "card_number": {"4242 4242 4242 4242"},
		"card_exp_month": {"12"}, "card_exp_year": {"2030"}, "card_cvv": {"123"},
	}
)

// mustRedirect checks that p is a 303 to want.
func mustRedirect(t testing.TB, p page, want string) {
	t.Helper()
	if p.status() != fiber.StatusSeeOther || p.location() != want {
		t.Fatalf("got %d to %q, want 303 to %q; body: %.400s", p.status(), p.location(), want, p.body)
	}
}

// walkTo posts every step before step with valid input.
func (b *browser) walkTo(step forms.Step) {
	t := b.env.t
	t.Helper()
	steps := []struct {
		step forms.Step
		path string
		form url.Values
		next string
	}{
		{forms.StepWelcome, "/s/demo/", planForm, "/s/demo/address"},
		{forms.StepAddress, "/s/demo/address", addressForm, "/s/demo/phone"},
		{forms.StepPhone, "/s/demo/phone", url.Values{"number": {b.number}, "device": {"1"}}, "/s/demo/payment"},
		{forms.StepPayment, "/s/demo/payment", paymentForm, "/s/demo/summary"},
	}
	for _, s := range steps {
		if s.step == step {
			return
		}
		b.get(s.path)
		mustRedirect(t, b.post(s.path, s.form), s.next)
	}
}
