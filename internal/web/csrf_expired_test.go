package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"websignup/internal/web"
)

// TestCSRFRefusalIsAnExpiredPage: a post refused for its CSRF token is,
// for the person, a form that has expired, not a page they may not open.
// The page says so and links back to the page the form was on, when the
// Referer is a page of this site, or else to the area's start.
func TestCSRFRefusalIsAnExpiredPage(t *testing.T) {
	start := func(*fiber.Ctx) string { return "/area/" }
	tests := []struct {
		name      string
		cfg       web.CSRFConfig
		referer   string
		wantBack  string
		wantLabel string
	}{
		{"same-origin referer", web.CSRFConfig{Start: start}, "http://example.com/s/demo/phone?q=206", "/s/demo/phone", "Back to the form"},
		{"no referer", web.CSRFConfig{Start: start}, "", "/area/", "Back to the start"},
		{"another site", web.CSRFConfig{Start: start}, "https://evil.example/s/demo/phone", "/area/", "Back to the start"},
		{"another scheme", web.CSRFConfig{Start: start}, "https://example.com/s/demo/phone", "/area/", "Back to the start"},
		{"protocol-relative path", web.CSRFConfig{Start: start}, "http://example.com//evil.example/x", "/area/", "Back to the start"},
		{"encoded slash", web.CSRFConfig{Start: start}, "http://example.com/%2Fevil.example/x", "/area/", "Back to the start"},
		{"backslash", web.CSRFConfig{Start: start}, `http://example.com/\evil.example`, "/area/", "Back to the start"},
		{"not a URL", web.CSRFConfig{Start: start}, "::", "/area/", "Back to the start"},
		{"default start is the cookie path", web.CSRFConfig{Path: "/selfcare/"}, "", "/selfcare/", "Back to the start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := csrfApp(t, web.Options{}, tt.cfg)
			ck, _ := visit(t, app)
			req := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader(url.Values{"_csrf": {"stale"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
			if tt.referer != "" {
				req.Header.Set("Referer", tt.referer)
			}
			resp, body := do(t, app, req)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d; want 403", resp.StatusCode)
			}
			doc := parse(t, body)
			if got := doc.Find(`[data-testid="error-title"]`).Text(); got != web.TitleCSRF {
				t.Errorf("title %q; want %q", got, web.TitleCSRF)
			}
			if got := doc.Find("title").Text(); !strings.HasPrefix(got, web.TitleCSRF) {
				t.Errorf("document title %q", got)
			}
			if got := doc.Find(`[data-testid="error-message"]`).Text(); got != web.CSRFMessage {
				t.Errorf("message %q", got)
			}
			back := doc.Find(`[data-testid="error-back"]`)
			if got := back.AttrOr("href", ""); got != tt.wantBack || strings.TrimSpace(back.Text()) != tt.wantLabel {
				t.Errorf("back link %q %q; want %q %q", got, strings.TrimSpace(back.Text()), tt.wantBack, tt.wantLabel)
			}
		})
	}
}

// TestForbiddenKeepsItsTitle: other refusals still say the page can't be
// opened.
func TestForbiddenKeepsItsTitle(t *testing.T) {
	app, _ := newApp(t, web.Options{})
	app.Get("/private", func(*fiber.Ctx) error { return fiber.ErrForbidden })
	_, body := get(t, app, "/private")
	if got := parse(t, body).Find(`[data-testid="error-title"]`).Text(); got != "You can't open this page" {
		t.Errorf("title %q", got)
	}
}
