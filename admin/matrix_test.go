package admin_test

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"websignup/storage"
	"websignup/storage/storagetest"
)

// want is an expected answer: a status, and for redirects where to.
type want struct {
	status int
	to     string // prefix of Location; "" when not a redirect
}

var (
	ok        = want{status: 200}
	forbidden = want{status: 403}
	notFound  = want{status: 404}
	toLogin   = want{303, "/admin/login"}
	invalid   = want{status: 422}
)

func redirect(to string) want { return want{303, to} }

// roleWants are the answers for each role, on the object of the user's own
// tenant and on one of another tenant. Routes without an object use own.
type roleWants struct{ anon, viewer, admin, operator [2]want }

func same(w want) [2]want { return [2]want{w, w} }

// matrixCase is how to call one route: the path and form for the own (A)
// or foreign (B) object, and the answers per role.
type matrixCase struct {
	path func(e *env, foreign bool) string
	form func(e *env, foreign bool, n int) url.Values
	want roleWants
}

func fixed(p string) func(*env, bool) string { return func(*env, bool) string { return p } }

func id(v int64) string { return strconv.FormatInt(v, 10) }

// matrix lists every admin route. TestRouteMatrix fails for a registered
// route missing here, so a new page cannot ship without its answers.
var matrix = map[string]matrixCase{
	"GET /admin": {path: fixed("/admin"), want: roleWants{
		same(want{301, "/admin/"}), same(want{301, "/admin/"}), same(want{301, "/admin/"}), same(want{301, "/admin/"})}},
	"GET /admin/login": {path: fixed("/admin/login"), want: roleWants{
		same(ok), same(redirect("/admin/")), same(redirect("/admin/")), same(redirect("/admin/"))}},
	"POST /admin/login": {path: fixed("/admin/login"), want: roleWants{same(invalid), same(invalid), same(invalid), same(invalid)}},
	"POST /admin/logout": {path: fixed("/admin/logout"), want: roleWants{
		same(redirect("/admin/login")), same(redirect("/admin/login")), same(redirect("/admin/login")), same(redirect("/admin/login"))}},
	"GET /admin/": {path: fixed("/admin/"), want: roleWants{same(toLogin), same(ok), same(ok), same(ok)}},

	"GET /admin/users":     {path: fixed("/admin/users"), want: roleWants{same(toLogin), same(forbidden), same(ok), same(ok)}},
	"GET /admin/users/new": {path: fixed("/admin/users/new"), want: roleWants{same(toLogin), same(forbidden), same(ok), same(ok)}},
	"POST /admin/users": {
		path: fixed("/admin/users"),
		form: func(e *env, _ bool, n int) url.Values {
			return url.Values{"email": {fmt.Sprintf("new%d@alpha.example", n)}, "password": {testPassword},
				"role": {"viewer"}, "tenant_id": {id(e.tenantA.ID)}}
		},
		want: roleWants{same(toLogin), same(forbidden), same(redirect("/admin/users?done=")), same(redirect("/admin/users?done="))}},
	"GET /admin/users/:id": {
		path: func(e *env, foreign bool) string {
			if foreign {
				return "/admin/users/" + id(e.viewerB.ID)
			}
			return "/admin/users/" + id(e.viewerA.ID)
		},
		want: roleWants{same(toLogin), same(forbidden), [2]want{ok, notFound}, same(ok)}},
	"POST /admin/users/:id": {
		path: func(e *env, foreign bool) string {
			if foreign {
				return "/admin/users/" + id(e.viewerB.ID)
			}
			return "/admin/users/" + id(e.viewerA.ID)
		},
		form: func(e *env, foreign bool, _ int) url.Values {
			t := e.tenantA.ID
			if foreign {
				t = e.tenantB.ID
			}
			return url.Values{"role": {"viewer"}, "tenant_id": {id(t)}}
		},
		want: roleWants{same(toLogin), same(forbidden), [2]want{redirect("/admin/users?done="), notFound}, same(redirect("/admin/users?done="))}},

	"GET /admin/tenants":     {path: fixed("/admin/tenants"), want: roleWants{same(toLogin), same(forbidden), same(forbidden), same(ok)}},
	"GET /admin/tenants/new": {path: fixed("/admin/tenants/new"), want: roleWants{same(toLogin), same(forbidden), same(forbidden), same(ok)}},
	"POST /admin/tenants": {
		path: fixed("/admin/tenants"),
		form: func(_ *env, _ bool, n int) url.Values {
			return url.Values{"name": {fmt.Sprintf("Reseller %d", n)}, "i_parent": {"7"}}
		},
		want: roleWants{same(toLogin), same(forbidden), same(forbidden), same(redirect("/admin/tenants?done="))}},
	"GET /admin/tenants/:id": {
		path: func(e *env, foreign bool) string {
			if foreign {
				return "/admin/tenants/" + id(e.tenantB.ID)
			}
			return "/admin/tenants/" + id(e.tenantA.ID)
		},
		want: roleWants{same(toLogin), same(forbidden), same(forbidden), same(ok)}},
	"POST /admin/tenants/:id": {
		path: func(e *env, foreign bool) string {
			if foreign {
				return "/admin/tenants/" + id(e.tenantB.ID)
			}
			return "/admin/tenants/" + id(e.tenantA.ID)
		},
		form: func(e *env, foreign bool, _ int) url.Values {
			if foreign {
				return url.Values{"name": {"Beta Networks"}, "i_parent": {"2"}}
			}
			return url.Values{"name": {"Alpha Telecom"}, "i_parent": {"1"}}
		},
		want: roleWants{same(toLogin), same(forbidden), same(forbidden), same(redirect("/admin/tenants?done="))}},

	"GET /admin/audit": {path: fixed("/admin/audit"), want: roleWants{same(toLogin), same(forbidden), same(ok), same(ok)}},
}

// TestRouteMatrix calls every registered admin route as every role (and
// anonymously), on an object of the caller's own tenant and of another,
// and checks the answer; it fails for a route the matrix does not list.
func TestRouteMatrix(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		e := newEnv(t, s, adminLimitsForMatrix())
		var keys []string
		seen := map[string]bool{}
		for _, r := range e.app.GetRoutes(true) {
			if (r.Method != "GET" && r.Method != "POST") || !(r.Path == "/admin" || strings.HasPrefix(r.Path, "/admin/")) {
				continue
			}
			k := r.Method + " " + r.Path
			if seen[k] {
				continue
			}
			seen[k] = true
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) < len(matrix) {
			t.Errorf("the app registers %d admin routes, the matrix lists %d: a route is gone", len(keys), len(matrix))
		}
		n := 0
		for _, k := range keys {
			mc, listed := matrix[k]
			if !listed {
				t.Errorf("route %s has no entry in the route matrix: add its expected answers", k)
				continue
			}
			method, _, _ := strings.Cut(k, " ")
			roles := []struct {
				name string
				user *storage.User
				want [2]want
			}{
				{"anonymous", nil, mc.want.anon},
				{"viewer", &e.viewerA, mc.want.viewer},
				{"admin", &e.adminA, mc.want.admin},
				{"operator", &e.operator, mc.want.operator},
			}
			for _, role := range roles {
				for i, foreign := range []bool{false, true} {
					n++
					c := e.client()
					if role.user != nil {
						c = e.signedIn(*role.user)
					}
					path := mc.path(e, foreign)
					var r response
					if method == "GET" {
						r = c.get(path)
					} else {
						var form url.Values
						if mc.form != nil {
							form = mc.form(e, foreign, n)
						}
						r = c.post(path, form)
					}
					w := role.want[i]
					where := "own"
					if foreign {
						where = "foreign"
					}
					if r.status != w.status || (w.to != "" && !strings.HasPrefix(r.location, w.to)) {
						t.Errorf("%s %s as %s (%s tenant): got %d %q, want %d %q", method, path, role.name, where, r.status, r.location, w.status, w.to)
					}
					if r.status == 404 && strings.Contains(r.body, e.viewerB.Email) {
						t.Errorf("%s %s as %s: the 404 page shows the foreign user", method, path, role.name)
					}
				}
			}
		}
	})
}
