package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"websignup/components"
	"websignup/internal/web"
)

var csrfSecret = bytes.Repeat([]byte{42}, 32)

// csrfApp is the real app with the CSRF middleware, a page that shows the
// token and a handler that accepts posts.
func csrfApp(t *testing.T, opts web.Options, cfg web.CSRFConfig) *fiber.App {
	t.Helper()
	app, _ := newApp(t, opts)
	if cfg.Secret == nil {
		cfg.Secret = csrfSecret
	}
	app.Use(web.CSRF(cfg))
	app.Get("/form", func(c *fiber.Ctx) error { return c.SendString(web.CSRFToken(c)) })
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		app.Add(m, "/form", func(c *fiber.Ctx) error {
			// A re-rendered form needs the token too.
			return c.SendString("accepted " + web.CSRFToken(c))
		})
	}
	return app
}

func csrfCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, ck := range resp.Cookies() {
		if ck.Name == web.DefaultCSRFCookie {
			return ck
		}
	}
	return nil
}

// visit GETs the form and returns the cookie and token a browser would hold.
func visit(t *testing.T, app *fiber.App) (*http.Cookie, string) {
	t.Helper()
	resp, token := get(t, app, "/form")
	ck := csrfCookie(t, resp)
	if ck == nil || token == "" {
		t.Fatalf("GET /form set no cookie (%v) or showed no token (%q)", resp.Header["Set-Cookie"], token)
	}
	return ck, token
}

func postForm(t *testing.T, app *fiber.App, method string, ck *http.Cookie, form url.Values, header string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, "/form", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if ck != nil {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	if header != "" {
		req.Header.Set(web.CSRFHeader, header)
	}
	return do(t, app, req)
}

func TestCSRFCookie(t *testing.T) {
	app := csrfApp(t, web.Options{}, web.CSRFConfig{})
	resp, token := get(t, app, "/form")
	ck := csrfCookie(t, resp)
	if ck == nil {
		t.Fatal("no CSRF cookie on the first GET")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", ck)
	}
	if len(ck.Value) < 43 || strings.Contains(token, ck.Value) || token == "" {
		t.Errorf("cookie value %q / token %q: want a 256-bit id and a token that is not the id", ck.Value, token)
	}

	// The next GET with the cookie keeps it and shows the same token.
	req := httptest.NewRequest(http.MethodGet, "/form", nil)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	resp2, token2 := do(t, app, req)
	if c := csrfCookie(t, resp2); c != nil {
		t.Errorf("a GET with a valid cookie set it again: %+v", c)
	}
	if token2 != token {
		t.Errorf("token changed between GETs: %q then %q", token, token2)
	}

	// Another browser gets another id and token.
	ck3, token3 := visit(t, app)
	if ck3.Value == ck.Value || token3 == token {
		t.Error("two browsers share an id or token")
	}

	// A malformed cookie is replaced.
	req = httptest.NewRequest(http.MethodGet, "/form", nil)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: "planted"})
	resp4, _ := do(t, app, req)
	if c := csrfCookie(t, resp4); c == nil || c.Value == "planted" {
		t.Errorf("a malformed cookie was kept: %+v", c)
	}
}

func TestCSRFCookieSecure(t *testing.T) {
	app := csrfApp(t, web.Options{TLS: true}, web.CSRFConfig{})
	resp, _ := get(t, app, "/form")
	if ck := csrfCookie(t, resp); ck == nil || !ck.Secure {
		t.Errorf("cookie over TLS is not Secure: %+v", ck)
	}
	app = csrfApp(t, web.Options{}, web.CSRFConfig{CookieName: "c", Path: "/s/", Secure: func(*fiber.Ctx) bool { return true }})
	resp, _ = get(t, app, "/form")
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "c" {
			ck = c
		}
	}
	if ck == nil || !ck.Secure || ck.Path != "/s/" {
		t.Errorf("configured cookie: %+v, want name c, path /s/, Secure", ck)
	}
}

func TestCSRFPosts(t *testing.T) {
	app := csrfApp(t, web.Options{}, web.CSRFConfig{})
	ck, token := visit(t, app)
	otherCk, otherToken := visit(t, app)
	foreign := csrfApp(t, web.Options{}, web.CSRFConfig{Secret: bytes.Repeat([]byte{1}, 32)})
	_, foreignToken := func() (*http.Cookie, string) {
		req := httptest.NewRequest(http.MethodGet, "/form", nil)
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		_, tok := do(t, foreign, req)
		return nil, tok
	}()
	field := func(tok string) url.Values { return url.Values{components.CSRFFieldName: {tok}, "name": {"Ann"}} }

	tests := []struct {
		name   string
		method string
		cookie *http.Cookie
		form   url.Values
		header string
		want   int
	}{
		{"form field", http.MethodPost, ck, field(token), "", 200},
		{"htmx header", http.MethodPost, ck, url.Values{"name": {"Ann"}}, token, 200},
		{"PUT", http.MethodPut, ck, field(token), "", 200},
		{"DELETE with header", http.MethodDelete, ck, nil, token, 200},
		{"no token", http.MethodPost, ck, url.Values{"name": {"Ann"}}, "", 403},
		{"empty token", http.MethodPost, ck, field(""), "", 403},
		{"no cookie", http.MethodPost, nil, field(token), "", 403},
		{"token of another browser", http.MethodPost, ck, field(otherToken), "", 403},
		{"attacker's own pair is bound to their cookie", http.MethodPost, otherCk, field(token), "", 403},
		{"the cookie id as token", http.MethodPost, ck, field(ck.Value), "", 403},
		{"token under another secret", http.MethodPost, ck, field(foreignToken), "", 403},
		{"truncated token", http.MethodPost, ck, field(token[:len(token)-1]), "", 403},
		{"wrong header beats a good field", http.MethodPost, ck, field(token), "x" + token, 403},
		{"PATCH without token", http.MethodPatch, ck, nil, "", 403},
		{"DELETE without token", http.MethodDelete, ck, nil, "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := postForm(t, app, tt.method, tt.cookie, tt.form, tt.header)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d; body %.200s", resp.StatusCode, tt.want, body)
			}
			if tt.want == 200 {
				if body != "accepted "+token {
					t.Errorf("body %q: the handler did not run or got no token", body)
				}
				return
			}
			doc := parse(t, body)
			if msg := doc.Find(`[data-testid="error-message"]`).Text(); msg != web.CSRFMessage {
				t.Errorf("error page says %q, want %q", msg, web.CSRFMessage)
			}
			if strings.Contains(body, "accepted") {
				t.Error("the handler ran")
			}
		})
	}
}

func TestCSRFTokenNotFromQuery(t *testing.T) {
	app := csrfApp(t, web.Options{}, web.CSRFConfig{})
	ck, token := visit(t, app)
	req := httptest.NewRequest(http.MethodPost, "/form?"+components.CSRFFieldName+"="+url.QueryEscape(token), nil)
	req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	if resp, _ := do(t, app, req); resp.StatusCode != 403 {
		t.Errorf("token in the query string: status %d, want 403", resp.StatusCode)
	}
}

func TestCSRFMultipart(t *testing.T) {
	app := csrfApp(t, web.Options{}, web.CSRFConfig{})
	ck, token := visit(t, app)
	for _, tc := range []struct {
		token string
		want  int
	}{{token, 200}, {"bad", 403}} {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField(components.CSRFFieldName, tc.token)
		_ = w.WriteField("name", "Ann")
		_ = w.Close()
		req := httptest.NewRequest(http.MethodPost, "/form", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		if resp, body := do(t, app, req); resp.StatusCode != tc.want {
			t.Errorf("multipart with token %.8q: status %d, want %d (%.100s)", tc.token, resp.StatusCode, tc.want, body)
		}
	}
}

func TestCSRFStatelessAcrossInstances(t *testing.T) {
	// Two instances with the same secret: a form served by one posts to the other.
	a := csrfApp(t, web.Options{}, web.CSRFConfig{})
	b := csrfApp(t, web.Options{}, web.CSRFConfig{})
	ck, token := visit(t, a)
	if resp, body := postForm(t, b, http.MethodPost, ck, url.Values{components.CSRFFieldName: {token}}, ""); resp.StatusCode != 200 {
		t.Errorf("instance b refused instance a's token: %d %.200s", resp.StatusCode, body)
	}
}

func TestCSRFCustomErrorHandler(t *testing.T) {
	app := csrfApp(t, web.Options{}, web.CSRFConfig{ErrorHandler: func(c *fiber.Ctx) error {
		return c.Status(http.StatusTeapot).SendString("custom")
	}})
	ck, _ := visit(t, app)
	if resp, body := postForm(t, app, http.MethodPost, ck, nil, ""); resp.StatusCode != http.StatusTeapot || body != "custom" {
		t.Errorf("custom handler: %d %q", resp.StatusCode, body)
	}
}

func TestCSRFPanicsOnBadSecret(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("CSRF with a short secret did not panic")
		}
	}()
	web.CSRF(web.CSRFConfig{Secret: []byte("short")})
}
