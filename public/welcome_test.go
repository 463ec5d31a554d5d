package public_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"websignup/forms"
	"websignup/internal/web"
	"websignup/public"
)

// fakeForms is a FormSource whose answer each test decides.
type fakeForms struct {
	PublishedFormFn func(ctx context.Context, slug string) (forms.Form, forms.Version, error)
}

var _ public.FormSource = (*fakeForms)(nil)

func (f *fakeForms) PublishedForm(ctx context.Context, slug string) (forms.Form, forms.Version, error) {
	return f.PublishedFormFn(ctx, slug)
}

// demoForms serves the demo configuration under the slug "demo" and
// reports every other slug as not found, as storage does.
func demoForms() *fakeForms {
	return &fakeForms{PublishedFormFn: func(_ context.Context, slug string) (forms.Form, forms.Version, error) {
		if slug != forms.DemoSlug {
			return forms.Form{}, forms.Version{}, forms.Errorf(forms.ENotFound, "form %q not found", slug)
		}
		return forms.Form{ID: 1, Slug: slug, Name: "Demo"},
			forms.Version{ID: 1, FormID: 1, Number: 1, Status: forms.StatusPublished, Config: forms.DemoConfig()}, nil
	}}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newApp(t *testing.T, src public.FormSource) (*fiber.App, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	app := web.New(web.Options{Logger: logger})
	public.Register(app, public.Deps{Forms: src, Logger: logger})
	return app, logs
}

func get(t *testing.T, app *fiber.App, path string) (*http.Response, *goquery.Document, string) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest(http.MethodGet, path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc, string(b)
}

func TestWelcomeScenarios(t *testing.T) {
	tests := []struct {
		name         string
		path         string
		wantStatus   int
		wantLocation string
		wantContains []string
	}{
		{name: "welcome", path: "/s/demo/", wantStatus: 200,
			wantContains: []string{"Northwind Telecom", "Choose your plan", "Crystal-clear calling"}},
		{name: "no trailing slash", path: "/s/demo", wantStatus: 301, wantLocation: "/s/demo/"},
		{name: "no trailing slash keeps the query", path: "/s/demo?utm_source=mail", wantStatus: 301, wantLocation: "/s/demo/?utm_source=mail"},
		{name: "unknown slug", path: "/s/nope/", wantStatus: 404, wantContains: []string{"Page not found", "couldn't find this signup page"}},
		{name: "unknown slug without slash", path: "/s/nope", wantStatus: 301, wantLocation: "/s/nope/"},
		{name: "slug that cannot be a form", path: "/s/a.b/", wantStatus: 404, wantContains: []string{"Page not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newApp(t, demoForms())
			resp, doc, _ := get(t, app, tt.path)
			text := doc.Text()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if loc := resp.Header.Get("Location"); loc != tt.wantLocation {
				t.Errorf("Location %q, want %q", loc, tt.wantLocation)
			}
			for _, s := range tt.wantContains {
				if !strings.Contains(text, s) {
					t.Errorf("page text lacks %q", s)
				}
			}
		})
	}
}

func TestWelcomeShowsBrandingAndPlans(t *testing.T) {
	app, _ := newApp(t, demoForms())
	resp, doc, _ := get(t, app, "/s/demo/")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := doc.Find(`[data-testid="company-title"]`).Text(); got != "Northwind Telecom" {
		t.Errorf("company title %q", got)
	}
	if got := doc.Find(`[data-testid="subscription-text"]`).Text(); !strings.HasPrefix(got, "Crystal-clear calling") {
		t.Errorf("subscription text %q", got)
	}

	form := doc.Find(`form[data-testid="welcome-form"]`)
	if form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != "/s/demo/" {
		t.Errorf("form method %q action %q", form.AttrOr("method", ""), form.AttrOr("action", ""))
	}
	if got := form.Find("fieldset > legend").First().Text(); got != "Choose your plan" {
		t.Errorf("legend %q", got)
	}

	want := []struct{ value, name, recurring, activation string }{
		{"1", "Home Basic", "$14.95", "$9.95"},
		{"2", "Home Unlimited", "$24.95", "$9.95"},
		{"3", "Business Pro", "$39.95", "$19.95"},
	}
	plans := form.Find(`[data-testid="plan"]`)
	if plans.Length() != len(want) {
		t.Fatalf("%d plans, want %d", plans.Length(), len(want))
	}
	plans.Each(func(i int, p *goquery.Selection) {
		w := want[i]
		radio := p.Find(`input[data-testid="plan-radio"]`)
		if radio.AttrOr("type", "") != "radio" || radio.AttrOr("name", "") != "product" || radio.AttrOr("value", "") != w.value {
			t.Errorf("plan %d radio: type %q name %q value %q", i, radio.AttrOr("type", ""), radio.AttrOr("name", ""), radio.AttrOr("value", ""))
		}
		if label := doc.Find(`label[for="` + radio.AttrOr("id", "-") + `"]`); label.Length() != 1 {
			t.Errorf("plan %d radio has no label", i)
		}
		if got := p.Find(`[data-testid="plan-name"]`).Text(); got != w.name {
			t.Errorf("plan %d name %q", i, got)
		}
		if got := p.Find(`[data-testid="plan-recurring"]`).Text(); got != w.recurring {
			t.Errorf("plan %d recurring %q, want %q", i, got, w.recurring)
		}
		if got := p.Find(`[data-testid="plan-activation"]`).Text(); !strings.Contains(got, w.activation) {
			t.Errorf("plan %d activation %q, want %q", i, got, w.activation)
		}
		if !strings.Contains(p.Text(), "month") {
			t.Errorf("plan %d has no period", i)
		}
	})
	if doc.Find(`button[type="submit"][data-testid="continue"]`).Length() != 1 {
		t.Error("no Continue button")
	}
	if cur := doc.Find(`[aria-current="step"]`); cur.Length() != 1 || !strings.Contains(cur.Text(), "Plan") {
		t.Errorf("progress current step %q", cur.Text())
	}
}

var nonceRE = regexp.MustCompile(`'nonce-([^']+)'`)

func TestWelcomeSecurityHeadersAndNonce(t *testing.T) {
	app, _ := newApp(t, demoForms())
	resp, doc, _ := get(t, app, "/s/demo/")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "same-origin" {
		t.Error("nosniff or referrer policy missing")
	}
	m := nonceRE.FindStringSubmatch(csp)
	if m == nil {
		t.Fatalf("no nonce in CSP %q", csp)
	}
	tags := doc.Find("style, script")
	if tags.Length() == 0 {
		t.Fatal("no style element: the brand colours are missing")
	}
	tags.Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("nonce", "") != m[1] {
			t.Errorf("<%s> nonce %q, CSP nonce %q", goquery.NodeName(s), s.AttrOr("nonce", ""), m[1])
		}
	})
	if doc.Find("[style]").Length() != 0 {
		t.Error("inline style attributes are blocked by the CSP")
	}
	if !strings.Contains(doc.Find("style").Text(), "--brand:#0b5fff") {
		t.Error("brand colour not applied")
	}
}

func TestUnknownSlugPageHasOurLook(t *testing.T) {
	app, _ := newApp(t, demoForms())
	resp, doc, body := get(t, app, "/s/nope/")
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if doc.Find(`[data-testid="error-page"]`).Length() != 1 || doc.Find(`link[rel="stylesheet"]`).Length() != 1 {
		t.Errorf("not our 404 page: %s", body)
	}
	if strings.Contains(body, "Northwind") || strings.Contains(body, `"nope"`) {
		t.Error("the 404 page shows a brand or the store's message")
	}
}

func TestStoreFailureNeverShowsItsText(t *testing.T) {
	const secret = "dial tcp 10.1.2.3:5432: password authentication failed"
	app, logs := newApp(t, &fakeForms{PublishedFormFn: func(context.Context, string) (forms.Form, forms.Version, error) {
		return forms.Form{}, forms.Version{}, errors.New(secret)
	}})
	resp, doc, body := get(t, app, "/s/demo/")
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(body, "10.1.2.3") || strings.Contains(body, "password") {
		t.Errorf("internal error text on the page: %s", body)
	}
	if doc.Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Error("no error page")
	}
	id := resp.Header.Get("X-Request-Id")
	if !strings.Contains(logs.String(), secret) || !strings.Contains(logs.String(), id) {
		t.Errorf("failure not logged with request id %s: %s", id, logs)
	}
}
