package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"websignup/admin"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestLoginSucceedsAndSetsAHardenedCookie(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.client()
	r := c.get("/admin/login")
	if r.status != 200 || r.doc(t).Find(`[data-testid="login-form"] input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("login page: %d", r.status)
	}
	r = c.login("  Admin@Alpha.Example ", testPassword)
	if r.status != http.StatusSeeOther || r.location != "/admin/" {
		t.Fatalf("login: %d → %q\n%s", r.status, r.location, r.body)
	}
	var ck *http.Cookie
	for _, x := range r.cookies {
		if x.Name == "ws_admin" {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.Path != "/admin" || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
		t.Fatalf("session cookie %+v", ck)
	}
	r = c.get("/admin/")
	if r.status != 200 || text(t, r, `[data-testid="admin-user"]`) != "admin@alpha.example" ||
		text(t, r, `[data-testid="admin-tenant"]`) != "Tenant: Alpha Telecom" {
		t.Fatalf("dashboard %d: user %q tenant %q", r.status, text(t, r, `[data-testid="admin-user"]`), text(t, r, `[data-testid="admin-tenant"]`))
	}
	// Alpha's admin sees Alpha's form only.
	if names := r.doc(t).Find(`[data-testid="form-name"]`).Text(); names != "Alpha signup" {
		t.Errorf("forms shown: %q", names)
	}
	// A next path inside the admin area is honoured, another site is not.
	c2 := e.client()
	if r := c2.post("/admin/login", url.Values{"email": {"admin@alpha.example"}, "password": {testPassword}, "next": {"/admin/users"}}); r.location != "/admin/users" {
		t.Errorf("next: %q", r.location)
	}
	c3 := e.client()
	if r := c3.post("/admin/login", url.Values{"email": {"admin@alpha.example"}, "password": {testPassword}, "next": {"//evil.example/admin/"}}); r.location != "/admin/" {
		t.Errorf("next to another site: %q", r.location)
	}
}

func TestLoginFailuresGiveTheSameAnswer(t *testing.T) {
	e := newSQLiteEnv(t)
	ctx := context.Background()
	disabled, err := e.store.UpdateUser(ctx, storage.Actor{Email: "test"}, storage.AllTenants(), e.viewerB.ID,
		storage.UserUpdate{Role: storage.RoleViewer, TenantID: e.tenantB.ID, Disabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var answers []string
	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", "admin@alpha.example", "not the password at all"},
		{"unknown email", "nobody@alpha.example", testPassword},
		{"disabled user", disabled.Email, testPassword},
	} {
		c := e.client()
		r := c.login(tc.email, tc.password)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tc.name, r.status)
		}
		if _, ok := c.cookies["ws_admin"]; ok {
			t.Errorf("%s: got a session cookie", tc.name)
		}
		msg := text(t, r, `[data-testid="error-summary"] li`)
		answers = append(answers, msg)
		if got := r.doc(t).Find(`#field-email`).AttrOr("value", ""); got != tc.email {
			t.Errorf("%s: the address typed was not kept: %q", tc.name, got)
		}
		if strings.Contains(r.body, tc.password) {
			t.Errorf("%s: the password was echoed", tc.name)
		}
	}
	if answers[0] == "" || answers[0] != answers[1] || answers[1] != answers[2] {
		t.Errorf("answers differ: %q", answers)
	}
	// Empty fields are named.
	r := e.client().login("", "")
	if r.status != 422 || r.doc(t).Find(`[data-testid="error-email"]`).Length() != 1 || r.doc(t).Find(`[data-testid="error-password"]`).Length() != 1 {
		t.Errorf("empty login: %d", r.status)
	}
}

func TestLoginRateLimits(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		limits := admin.DefaultLimits
		limits.PerAddress = 8
		e := newEnv(t, s, limits)
		c := e.client()
		for i := 1; i <= 5; i++ {
			if r := c.login("admin@alpha.example", "wrong password "+string(rune('a'+i))); r.status != 422 {
				t.Fatalf("attempt %d: %d", i, r.status)
			}
		}
		// The sixth attempt is refused even with the right password.
		r := c.login("ADMIN@alpha.example", testPassword)
		if r.status != http.StatusTooManyRequests || !strings.Contains(text(t, r, `[data-testid="error-summary"]`), "Too many sign-in attempts") {
			t.Fatalf("sixth attempt: %d %s", r.status, text(t, r, `[data-testid="error-summary"]`))
		}
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// Another address from the same client still counts towards the
		// per-address limit (8): 2 more attempts pass, the third is refused.
		for i := range 2 {
			if r := c.login("viewer@alpha.example", testPassword); r.status != 303 {
				t.Fatalf("other address, attempt %d: %d", i, r.status)
			}
		}
		if r := c.login("viewer@alpha.example", testPassword); r.status != 429 {
			t.Fatalf("over the per-address limit: %d", r.status)
		}
		// From another client address the per-email limit still holds.
		other := e.client()
		other.addr = "198.51.100.7"
		if r := other.login("admin@alpha.example", testPassword); r.status != 429 {
			t.Fatalf("per-email limit from another address: %d", r.status)
		}
		// After the window, the right password works again.
		e.clock.Add(15*time.Minute + time.Second)
		if r := other.login("admin@alpha.example", testPassword); r.status != 303 {
			t.Fatalf("after the window: %d", r.status)
		}
	})
}

func TestSessionRotatesAtLogin(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.signedIn(e.viewerA)
	old := c.cookies["ws_admin"]
	if r := c.get("/admin/"); r.status != 200 {
		t.Fatalf("session before: %d", r.status)
	}
	if r := c.login("admin@alpha.example", testPassword); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	if c.cookies["ws_admin"] == old || c.cookies["ws_admin"] == "" {
		t.Fatal("the session id was not rotated")
	}
	// The session the browser held before is gone.
	replay := e.client()
	replay.cookies["ws_admin"] = old
	if r := replay.get("/admin/"); r.status != 303 || !strings.HasPrefix(r.location, "/admin/login") {
		t.Errorf("the old session still works: %d %q", r.status, r.location)
	}
	// A planted, well-formed id never becomes a signed-in session.
	planted := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	p := e.client()
	p.cookies["ws_admin"] = planted
	p.login("admin@alpha.example", testPassword)
	if p.cookies["ws_admin"] == planted {
		t.Error("the planted id was kept")
	}
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.signedIn(e.adminA)
	e.clock.Add(29 * time.Minute)
	if r := c.get("/admin/"); r.status != 200 {
		t.Fatalf("after 29 idle minutes: %d", r.status)
	}
	e.clock.Add(29 * time.Minute) // touched 29 min ago: still alive
	if r := c.get("/admin/"); r.status != 200 {
		t.Fatalf("after another 29 minutes: %d", r.status)
	}
	e.clock.Add(31 * time.Minute)
	if r := c.get("/admin/users"); r.status != 303 || r.location != "/admin/login?next=%2Fadmin%2Fusers" {
		t.Fatalf("after 31 idle minutes: %d %q", r.status, r.location)
	}

	// Active all along, the session still ends 12 hours after sign-in.
	c = e.signedIn(e.adminA)
	for range 35 { // 35 × 20 min = 11 h 40 min
		e.clock.Add(20 * time.Minute)
		if r := c.get("/admin/"); r.status != 200 {
			t.Fatalf("active session ended early at %v: %d", e.clock.Now(), r.status)
		}
	}
	e.clock.Add(20 * time.Minute)
	if r := c.get("/admin/"); r.status != 303 {
		t.Fatalf("after 12 hours: %d", r.status)
	}
}

func TestLogout(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.signedIn(e.adminA)
	raw := c.cookies["ws_admin"]
	r := c.post("/admin/logout", nil)
	if r.status != 303 || r.location != "/admin/login?signed_out=1" {
		t.Fatalf("logout: %d %q", r.status, r.location)
	}
	if _, ok := c.cookies["ws_admin"]; ok {
		t.Error("the cookie was not cleared")
	}
	replay := e.client()
	replay.cookies["ws_admin"] = raw
	if r := replay.get("/admin/"); r.status != 303 {
		t.Errorf("the session survived logout: %d", r.status)
	}
	if r := c.get("/admin/login?signed_out=1"); text(t, r, `[data-testid="notice"]`) != "You have signed out." {
		t.Errorf("notice %q", text(t, r, `[data-testid="notice"]`))
	}
	// Logging out is a POST: a GET is not a route.
	if r := c.get("/admin/logout"); r.status != 404 && r.status != 405 {
		t.Errorf("GET logout: %d", r.status)
	}
}

func TestCSRFIsRequiredOnEveryPost(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.signedIn(e.adminA)
	c.get("/admin/users/new")
	form := url.Values{"email": {"new@alpha.example"}, "password": {testPassword}, "role": {"viewer"}}
	for _, tc := range []struct {
		name  string
		token string
	}{{"no token", ""}, {"wrong token", "forged"}} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if tc.token != "" {
			f.Set("_csrf", tc.token)
		}
		if r := c.do(http.MethodPost, "/admin/users", f); r.status != 403 {
			t.Errorf("%s: %d", tc.name, r.status)
		}
	}
	if r := e.client().do(http.MethodPost, "/admin/login", url.Values{"email": {"admin@alpha.example"}, "password": {testPassword}}); r.status != 403 {
		t.Errorf("login without token: %d", r.status)
	}
	list, _ := e.store.Users(context.Background(), storage.AllTenants())
	for _, u := range list {
		if u.Email == "new@alpha.example" {
			t.Fatal("a forged post created a user")
		}
	}
	// Another browser's token does not fit this browser's cookie.
	other := e.client()
	f := url.Values{"email": {"new@alpha.example"}, "password": {testPassword}, "role": {"viewer"}, "_csrf": {other.csrfToken()}}
	if r := c.do(http.MethodPost, "/admin/users", f); r.status != 403 {
		t.Errorf("another browser's token: %d", r.status)
	}
}
