package admin_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"websignup/admin"
	"websignup/forms"
	"websignup/internal/seal"
	"websignup/internal/web"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// clock is a settable time source shared by the app and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testPassword = "correct horse battery staple"

var secret = []byte("0123456789abcdef0123456789abcdef")

// env is an admin app over a real database with two tenants (A, B) and a
// user of every role: an operator, and an admin and a viewer in each
// tenant.
type env struct {
	t        *testing.T
	app      *fiber.App
	store    *storage.Store
	enforcer *admin.Enforcer
	clock    *clock
	tenantA  forms.Tenant
	tenantB  forms.Tenant
	operator storage.User
	adminA   storage.User
	viewerA  storage.User
	adminB   storage.User
	viewerB  storage.User
	formA    forms.Form
	formB    forms.Form
}

// hash is computed once: argon2id is deliberately slow, more so under -race.
var hashOnce = sync.OnceValue(func() string { return admin.HashPassword(testPassword) })

func newEnv(t *testing.T, s *storage.Store, limits admin.Limits) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, store: s, clock: &clock{t: time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)}}
	var err error
	if e.tenantA, err = s.CreateTenant(ctx, forms.Tenant{Name: "Alpha Telecom"}); err != nil {
		t.Fatal(err)
	}
	if e.tenantB, err = s.CreateTenant(ctx, forms.Tenant{Name: "Beta Networks"}); err != nil {
		t.Fatal(err)
	}
	mk := func(email string, role storage.Role, tenant int64) storage.User {
		u, err := s.CreateUser(ctx, storage.Actor{Email: "test"}, storage.NewUser{Email: email, PasswordHash: hashOnce(), Role: role, TenantID: tenant})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	e.operator = mk("op@operator.example", storage.RoleOperator, 0)
	e.adminA = mk("admin@alpha.example", storage.RoleAdmin, e.tenantA.ID)
	e.viewerA = mk("viewer@alpha.example", storage.RoleViewer, e.tenantA.ID)
	e.adminB = mk("admin@beta.example", storage.RoleAdmin, e.tenantB.ID)
	e.viewerB = mk("viewer@beta.example", storage.RoleViewer, e.tenantB.ID)
	if e.formA, err = s.CreateForm(ctx, forms.Form{TenantID: e.tenantA.ID, Slug: "alpha", Name: "Alpha signup"}); err != nil {
		t.Fatal(err)
	}
	if e.formB, err = s.CreateForm(ctx, forms.Form{TenantID: e.tenantB.ID, Slug: "beta", Name: "Beta signup"}); err != nil {
		t.Fatal(err)
	}
	e.enforcer, err = admin.NewEnforcer(ctx, s, e.clock.Now, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	e.app = web.New(web.Options{})
	admin.Register(e.app, admin.Deps{Store: s, Enforcer: e.enforcer, Secret: secret, Now: e.clock.Now, Limits: limits})
	return e
}

func newSQLiteEnv(t *testing.T) *env {
	return newEnv(t, storagetest.Open(t, storagetest.SQLiteDSN(t)), admin.Limits{})
}

// client is a browser: it keeps cookies and sends the CSRF token.
type client struct {
	e       *env
	cookies map[string]string
	addr    string
}

func (e *env) client() *client {
	return &client{e: e, cookies: map[string]string{}, addr: "192.0.2.10"}
}

// signedIn returns a client holding a fresh session of u, made directly in
// the store (signing in through the form hashes a password every time).
func (e *env) signedIn(u storage.User) *client {
	e.t.Helper()
	c := e.client()
	var b [32]byte
	_, _ = rand.Read(b[:])
	raw := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(raw))
	now := e.clock.Now()
	if err := e.store.CreateSession(context.Background(), storage.Session{
		IDHash: hex.EncodeToString(sum[:]), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour),
	}, ""); err != nil {
		e.t.Fatal(err)
	}
	c.cookies["ws_admin"] = raw
	return c
}

// csrfToken returns the token for the client's CSRF cookie, first getting
// one from the login page if it has none.
func (c *client) csrfToken() string {
	if c.cookies["ws_admin_csrf"] == "" {
		c.do(http.MethodGet, "/admin/login", nil)
	}
	s, err := seal.New(secret, "csrf")
	if err != nil {
		c.e.t.Fatal(err)
	}
	return s.Sign(c.cookies["ws_admin_csrf"])
}

type response struct {
	status   int
	location string
	body     string
	header   http.Header
	cookies  []*http.Cookie
}

func (r response) doc(t *testing.T) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// do sends a request with the client's cookies; form, when not nil, is
// posted urlencoded as is (callers add _csrf, or use post).
func (c *client) do(method, path string, form url.Values) response {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = c.addr + ":1234"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.e.app.Test(req, -1)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header, cookies: resp.Cookies()}
}

// post sends form with the client's CSRF token.
func (c *client) post(path string, form url.Values) response {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", c.csrfToken())
	return c.do(http.MethodPost, path, form)
}

func (c *client) get(path string) response {
	c.e.t.Helper()
	return c.do(http.MethodGet, path, nil)
}

// login signs in through the form.
func (c *client) login(email, password string) response {
	c.e.t.Helper()
	return c.post("/admin/login", url.Values{"email": {email}, "password": {password}})
}

func text(t *testing.T, r response, sel string) string {
	t.Helper()
	return strings.TrimSpace(r.doc(t).Find(sel).Text())
}

// adminLimitsForMatrix lifts the sign-in limits: the matrix posts to
// /admin/login many times from one address.
func adminLimitsForMatrix() admin.Limits {
	l := admin.DefaultLimits
	l.PerAddress, l.PerEmail = 1000, 1000
	return l
}

func formNamed(e *env, name string) forms.Form {
	return forms.Form{TenantID: e.tenantA.ID, Slug: "xss", Name: name}
}
