package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/forms"
	"websignup/internal/web"
)

// logBuffer collects log output; Fiber's test server may log from another
// goroutine, hence the lock.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newApp(t *testing.T, opts web.Options) (*fiber.App, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return web.New(opts), logs
}

func do(t *testing.T, app *fiber.App, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func get(t *testing.T, app *fiber.App, path string) (*http.Response, string) {
	t.Helper()
	return do(t, app, httptest.NewRequest(http.MethodGet, path, nil))
}

func parse(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestHealthz(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	resp, body := get(t, app, "/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

func TestReadyz(t *testing.T) {
	tests := []struct {
		name       string
		ready      func(context.Context) error
		wantStatus int
		wantBody   string
	}{
		{"no check", nil, 200, `{"status":"ready"}`},
		{"database up", func(context.Context) error { return nil }, 200, `{"status":"ready"}`},
		{"database down", func(context.Context) error { return errors.New("dial tcp 10.0.0.5:5432: connection refused") },
			503, `{"error":"database","status":"unavailable"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, logs := newApp(t, web.Options{Ready: tt.ready})
			resp, body := get(t, app, "/readyz")
			if resp.StatusCode != tt.wantStatus || strings.TrimSpace(body) != tt.wantBody {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus == 503 && !strings.Contains(logs.String(), "connection refused") {
				t.Errorf("the cause is not logged: %s", logs)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	resp, _ := get(t, app, "/healthz")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self' 'nonce-", "style-src 'self' 'nonce-"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe sources: %q", csp)
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
	}
	for h, v := range want {
		if got := resp.Header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if h := resp.Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS sent over plain HTTP: %q", h)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}

	// A fresh nonce per request.
	resp2, _ := get(t, app, "/healthz")
	if resp2.Header.Get("Content-Security-Policy") == csp {
		t.Error("the CSP nonce is the same on two requests")
	}
}

func TestFrameAncestors(t *testing.T) {
	tests := []struct{ option, want string }{
		{"https://www.operator.example", "frame-ancestors https://www.operator.example"},
		{"'self'; script-src *", "frame-ancestors 'none'"}, // an injection attempt is refused
	}
	for _, tt := range tests {
		app, _ := newApp(t, web.Options{FrameAncestors: tt.option})
		resp, _ := get(t, app, "/healthz")
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.HasSuffix(csp, tt.want) || strings.Contains(csp, "script-src *") {
			t.Errorf("FrameAncestors %q: CSP %q, want it to end in %q", tt.option, csp, tt.want)
		}
		if tt.option == "https://www.operator.example" && resp.Header.Get("X-Frame-Options") != "" {
			t.Error("X-Frame-Options DENY contradicts the allowed frame ancestors")
		}
	}
}

func TestHSTSAndSecure(t *testing.T) {
	tests := []struct {
		name       string
		opts       web.Options
		forwarded  string
		wantSecure bool
	}{
		{"plain HTTP", web.Options{}, "", false},
		{"TLS option", web.Options{TLS: true}, "", true},
		{"untrusted X-Forwarded-Proto", web.Options{}, "https", false},
		{"trusted proxy says https", web.Options{TrustedProxies: []string{"0.0.0.0/0"}}, "https", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, _ := newApp(t, tt.opts)
			app.Get("/secure", func(c *fiber.Ctx) error { return c.SendString(fmt.Sprint(web.Secure(c))) })
			req := httptest.NewRequest(http.MethodGet, "/secure", nil)
			if tt.forwarded != "" {
				req.Header.Set("X-Forwarded-Proto", tt.forwarded)
			}
			resp, body := do(t, app, req)
			if body != fmt.Sprint(tt.wantSecure) {
				t.Errorf("Secure = %s, want %v", body, tt.wantSecure)
			}
			hsts := resp.Header.Get("Strict-Transport-Security")
			if (hsts != "") != tt.wantSecure {
				t.Errorf("HSTS = %q with secure = %v", hsts, tt.wantSecure)
			}
		})
	}
}

func TestErrorHandler(t *testing.T) {
	const secret = "pq: password authentication failed for user websignup at 10.0.0.5"
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantMessage string // contained in the page's message; "=text": the message is text
	}{
		{"invalid", forms.Errorf(forms.EInvalid, "Choose a plan"), 400, "Choose a plan"},
		{"not found", fmt.Errorf("load: %w", forms.Errorf(forms.ENotFound, "No such form")), 404, "No such form."},
		// Domain errors are written as Go errors are; the page makes them sentences.
		{"lower case", forms.Errorf(forms.ENotFound, "form not found"), 404, "=Form not found."},
		{"sentence kept", forms.Errorf(forms.EInvalid, "Choose a plan!"), 400, "=Choose a plan!"},
		{"conflict", forms.Errorf(forms.EConflict, "That number was just taken"), 409, "That number was just taken"},
		{"forbidden", forms.Errorf(forms.EForbidden, "Not yours"), 403, "Not yours"},
		{"internal domain error", forms.Errorf(forms.EInternal, secret), 500, "Something went wrong on our side"},
		{"plain error", fmt.Errorf("query forms: %w", errors.New(secret)), 500, "Something went wrong on our side"},
		{"fiber error", fiber.ErrTooManyRequests, 429, "Please wait a minute"},
		{"fiber 5xx", fiber.NewError(503, secret), 503, "Something went wrong on our side"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, logs := newApp(t, web.Options{})
			app.Get("/fail", func(c *fiber.Ctx) error { return tt.err })
			resp, body := get(t, app, "/fail")
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			doc := parse(t, body)
			if doc.Find(`[data-testid="error-page"]`).Length() != 1 {
				t.Fatalf("no error page in %s", body)
			}
			msg := strings.TrimSpace(doc.Find(`[data-testid="error-message"]`).Text())
			if exact, ok := strings.CutPrefix(tt.wantMessage, "="); ok && msg != exact {
				t.Errorf("message %q, want %q", msg, exact)
			} else if !ok && !strings.Contains(msg, tt.wantMessage) {
				t.Errorf("message %q, want it to contain %q", msg, tt.wantMessage)
			}
			if strings.Contains(body, "password authentication") || strings.Contains(body, "10.0.0.5") {
				t.Errorf("internal error text reached the page: %s", body)
			}
			if doc.Find(`link[rel="stylesheet"][href^="/static/css/site.css"]`).Length() != 1 {
				t.Error("the error page is not in the site's look")
			}
			if tt.wantStatus >= 500 {
				id := resp.Header.Get("X-Request-Id")
				if got := doc.Find(`[data-testid="request-id"]`).Text(); got != id {
					t.Errorf("reference %q, want the request id %q", got, id)
				}
				if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "password authentication") {
					t.Errorf("internal error not logged with its request id: %s", logs)
				}
			}
		})
	}
}

func TestNotFoundRoute(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	resp, body := get(t, app, "/no/such/page")
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parse(t, body)
	if doc.Find(`[data-testid="error-title"]`).Text() != "Page not found" {
		t.Errorf("not our 404 page: %s", body)
	}
	if strings.Contains(body, "Cannot GET") {
		t.Error("Fiber's default text leaked")
	}
}

func TestBrandedErrorPage(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	app.Get("/s/demo/oops", func(c *fiber.Ctx) error {
		web.SetBrand(c, components.NewBrand(forms.DemoConfig().Branding, "/s/demo/"))
		return forms.Errorf(forms.EConflict, "That number was just taken")
	})
	resp, body := get(t, app, "/s/demo/oops")
	doc := parse(t, body)
	if resp.StatusCode != 409 || doc.Find(`[data-testid="company-title"]`).Text() != "Northwind Telecom" {
		t.Fatalf("status %d; brand not applied: %s", resp.StatusCode, body)
	}
	if href, _ := doc.Find(`.error-page a.button`).Attr("href"); href != "/s/demo/" {
		t.Errorf("back link %q", href)
	}
	nonce := doc.Find(`style[data-testid="brand-style"]`).AttrOr("nonce", "")
	if nonce == "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "'nonce-"+nonce+"'") {
		t.Errorf("style nonce %q does not match the CSP", nonce)
	}
}

func TestPanicRecovered(t *testing.T) {
	app, logs := newApp(t, web.Options{})
	app.Get("/panic", func(c *fiber.Ctx) error { panic("secret state 42") })
	resp, body := get(t, app, "/panic")
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(body, "secret state") {
		t.Error("panic value reached the page")
	}
	if !strings.Contains(logs.String(), "secret state 42") {
		t.Error("panic not logged")
	}
}

func TestRender(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	app.Get("/ok", func(c *fiber.Ctx) error {
		return web.Render(c, 201, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			_, err := fmt.Fprintf(w, "<p>nonce=%s</p>", templ.GetNonce(ctx))
			return err
		}))
	})
	app.Get("/half", func(c *fiber.Ctx) error {
		return web.Render(c, 200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			_, _ = io.WriteString(w, "<p>half a page with private data")
			return errors.New("template blew up")
		}))
	})

	resp, body := get(t, app, "/ok")
	if resp.StatusCode != 201 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	nonce := strings.TrimSuffix(strings.TrimPrefix(body, "<p>nonce="), "</p>")
	if nonce == "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "'nonce-"+nonce+"'") {
		t.Errorf("component saw nonce %q, CSP is %q", nonce, resp.Header.Get("Content-Security-Policy"))
	}

	resp, body = get(t, app, "/half")
	if resp.StatusCode != 500 || strings.Contains(body, "half a page") || strings.Contains(body, "blew up") {
		t.Errorf("a failed render leaked: %d %s", resp.StatusCode, body)
	}
	if parse(t, body).Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Errorf("a failed render did not give the error page: %s", body)
	}
}

func TestStatic(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	resp, body := get(t, app, components.Asset("css/site.css"))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "--brand") {
		t.Error("not our stylesheet")
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control %q", cc)
	}
	resp, body = get(t, app, "/static/nope.css")
	if resp.StatusCode != 404 || parse(t, body).Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Errorf("missing asset: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Error("a 404 is cached as immutable")
	}
}

func TestRequestLog(t *testing.T) {
	app, logs := newApp(t, web.Options{})
	get(t, app, "/healthz?token=hunter2")
	line := logs.String()
	for _, want := range []string{"method=GET", "path=/healthz", "status=200", "duration=", "request_id="} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "hunter2") {
		t.Error("the query string was logged")
	}
}

func TestRequestIDFromClient(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	tests := []struct {
		sent     string
		keepSent bool
	}{
		{"abc-123_X.y", true},
		{"evil\" injected=1", false},
		{strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-Id", tt.sent)
		resp, _ := do(t, app, req)
		got := resp.Header.Get("X-Request-Id")
		if (got == tt.sent) != tt.keepSent || got == "" {
			t.Errorf("sent %q, got %q", tt.sent, got)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	app, _ := newApp(t, web.Options{BodyLimit: 1024})
	app.Post("/post", func(c *fiber.Ctx) error { return c.SendString("ok") })
	req := httptest.NewRequest(http.MethodPost, "/post", strings.NewReader(strings.Repeat("a", 4096)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := app.Test(req, -1)
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", resp.StatusCode)
		}
	}
	// fasthttp may also just close the connection on an oversized body;
	// either way the handler never saw it.
}

func TestStatus(t *testing.T) {
	if got := web.Status(fmt.Errorf("x: %w", forms.Errorf(forms.ENotFound, "gone"))); got != 404 {
		t.Errorf("wrapped not found → %d", got)
	}
	if got := web.Status(errors.New("boom")); got != 500 {
		t.Errorf("plain error → %d", got)
	}
}
