package admin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"websignup/storage"
)

func findUser(t *testing.T, e *env, email string) (storage.User, bool) {
	t.Helper()
	list, err := e.store.Users(context.Background(), storage.AllTenants())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range list {
		if u.Email == email {
			return u, true
		}
	}
	return storage.User{}, false
}

func TestAddUserMassAssignment(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.signedIn(e.adminA)
	// Extra fields naming another tenant, an id and a creation date change
	// nothing: the user lands in the admin's own tenant.
	r := c.post("/admin/users", url.Values{
		"email": {"Extra@Alpha.example"}, "password": {testPassword}, "role": {"admin"},
		"tenant_id": {id(e.tenantB.ID)}, "id": {"1"}, "created_at": {"1999-01-01"}, "disabled": {"1"},
	})
	if r.status != 303 || r.location != "/admin/users?done=user-added" {
		t.Fatalf("add: %d %q\n%s", r.status, r.location, r.body)
	}
	u, ok := findUser(t, e, "extra@alpha.example")
	if !ok || u.TenantID != e.tenantA.ID || u.Role != storage.RoleAdmin || u.ID == 1 || u.Disabled {
		t.Fatalf("created %+v", u)
	}
	if r := c.get(r.location); text(t, r, `[data-testid="flash"]`) != "User added." {
		t.Errorf("flash %q", text(t, r, `[data-testid="flash"]`))
	}
	// A tenant admin cannot hand out the operator role.
	r = c.post("/admin/users", url.Values{"email": {"escalate@alpha.example"}, "password": {testPassword}, "role": {"operator"}})
	if r.status != 422 || text(t, r, `[data-testid="error-role"]`) == "" {
		t.Fatalf("operator by a tenant admin: %d", r.status)
	}
	if _, ok := findUser(t, e, "escalate@alpha.example"); ok {
		t.Fatal("an escalated user was created")
	}
	if got := r.doc(t).Find(`#field-email`).AttrOr("value", ""); got != "escalate@alpha.example" {
		t.Errorf("the address typed was lost: %q", got)
	}
	// Nor move a user of theirs to another tenant, or make them operator.
	r = c.post("/admin/users/"+id(e.viewerA.ID), url.Values{"role": {"admin"}, "tenant_id": {id(e.tenantB.ID)}})
	if r.status != 303 {
		t.Fatalf("update: %d\n%s", r.status, r.body)
	}
	u, _ = e.store.User(context.Background(), storage.AllTenants(), e.viewerA.ID)
	if u.TenantID != e.tenantA.ID || u.Role != storage.RoleAdmin {
		t.Errorf("after update: %+v", u)
	}
	r = c.post("/admin/users/"+id(e.viewerA.ID), url.Values{"role": {"operator"}})
	if r.status != 422 {
		t.Errorf("promote to operator: %d", r.status)
	}
	if u, _ = e.store.User(context.Background(), storage.AllTenants(), e.viewerA.ID); u.Role == storage.RoleOperator {
		t.Error("promoted to operator")
	}
}

func TestUserFormValidation(t *testing.T) {
	e := newSQLiteEnv(t)
	c := e.signedIn(e.operator)
	tests := []struct {
		name    string
		form    url.Values
		errKeys []string
	}{
		{"bad email and short password", url.Values{"email": {"not-an-address"}, "password": {"short"}, "role": {"viewer"}, "tenant_id": {id(e.tenantA.ID)}}, []string{"email", "password"}},
		{"no tenant for a viewer", url.Values{"email": {"v@x.example"}, "password": {testPassword}, "role": {"viewer"}}, []string{"tenant_id"}},
		{"unknown role", url.Values{"email": {"v@x.example"}, "password": {testPassword}, "role": {"root"}}, []string{"role"}},
		{"taken address", url.Values{"email": {"ADMIN@alpha.example"}, "password": {testPassword}, "role": {"viewer"}, "tenant_id": {id(e.tenantA.ID)}}, []string{"email"}},
		{"unknown tenant", url.Values{"email": {"v@x.example"}, "password": {testPassword}, "role": {"viewer"}, "tenant_id": {"9999"}}, []string{"role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.post("/admin/users", tt.form)
			if r.status != 422 {
				t.Fatalf("status %d", r.status)
			}
			d := r.doc(t)
			if d.Find(`[data-testid="error-summary"]`).Length() != 1 {
				t.Error("no error summary")
			}
			for _, k := range tt.errKeys {
				if d.Find(`[data-testid="error-`+k+`"]`).Length() != 1 {
					t.Errorf("no error on %s", k)
				}
			}
			if d.Find(`#field-password`).AttrOr("value", "") != "" {
				t.Error("the password was put back into the page")
			}
		})
	}
	// An operator adds an operator (no tenant) and an admin of Beta.
	if r := c.post("/admin/users", url.Values{"email": {"op2@operator.example"}, "password": {testPassword}, "role": {"operator"}, "tenant_id": {id(e.tenantB.ID)}}); r.status != 303 {
		t.Fatalf("add operator: %d", r.status)
	}
	if u, _ := findUser(t, e, "op2@operator.example"); u.TenantID != 0 || u.Role != storage.RoleOperator {
		t.Errorf("operator %+v", u)
	}
}

func TestUserChangesAndSelfProtection(t *testing.T) {
	e := newSQLiteEnv(t)
	ctx := context.Background()
	c := e.signedIn(e.adminA)
	victim := e.signedIn(e.viewerA)
	if r := victim.get("/admin/"); r.status != 200 {
		t.Fatal(r.status)
	}
	// Disabling a user signs them out at once.
	if r := c.post("/admin/users/"+id(e.viewerA.ID), url.Values{"role": {"viewer"}, "disabled": {"1"}}); r.status != 303 {
		t.Fatalf("disable: %d", r.status)
	}
	if r := victim.get("/admin/"); r.status != 303 {
		t.Errorf("a disabled user's session still works: %d", r.status)
	}
	// The change is in the audit log with before and after.
	entries, _, err := e.store.AuditLog(ctx, storage.TenantOnly(e.tenantA.ID), storage.AuditFilter{Action: "user.update"})
	if err != nil || len(entries) != 1 || entries[0].ActorEmail != "admin@alpha.example" ||
		!strings.Contains(string(entries[0].Before), `"disabled":false`) || !strings.Contains(string(entries[0].After), `"disabled":true`) {
		t.Fatalf("audit %+v %v", entries, err)
	}
	// Role changes take effect for the next request.
	viewer2 := e.signedIn(e.adminB)
	op := e.signedIn(e.operator)
	if r := op.post("/admin/users/"+id(e.adminB.ID), url.Values{"role": {"viewer"}, "tenant_id": {id(e.tenantB.ID)}}); r.status != 303 {
		t.Fatalf("demote: %d", r.status)
	}
	if r := viewer2.get("/admin/users"); r.status != 403 {
		t.Errorf("a demoted admin still lists users: %d", r.status)
	} else if got := text(t, r, ".site-header__secure-text"); got != "Secure admin" {
		// The refusal is an admin page, not a signup's.
		t.Errorf("the 403 page's header says %q, want Secure admin", got)
	}
	// Nobody changes their own role or disables themselves.
	r := c.post("/admin/users/"+id(e.adminA.ID), url.Values{"role": {"viewer"}, "disabled": {"1"}})
	if r.status != 403 {
		t.Errorf("self change: %d", r.status)
	}
	if r := c.get("/admin/users/" + id(e.adminA.ID)); r.doc(t).Find(`[data-testid="user-form"]`).Length() != 0 {
		t.Error("one's own page offers a form")
	}
	// A new password works and ends the user's sessions.
	e.clock.Add(time.Minute)
	if r := op.post("/admin/users/"+id(e.viewerB.ID), url.Values{"role": {"viewer"}, "tenant_id": {id(e.tenantB.ID)}, "password": {"a whole new passphrase"}}); r.status != 303 {
		t.Fatalf("new password: %d", r.status)
	}
	if r := e.client().login("viewer@beta.example", "a whole new passphrase"); r.status != 303 {
		t.Errorf("login with the new password: %d", r.status)
	}
}

func TestAdminTextIsEscaped(t *testing.T) {
	e := newSQLiteEnv(t)
	op := e.signedIn(e.operator)
	payload := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	if r := op.post("/admin/tenants", url.Values{"name": {payload}, "i_parent": {"3"}}); r.status != 303 {
		t.Fatalf("add tenant: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/admin/tenants", "/admin/audit", "/admin/users/new", "/admin/audit?actor=" + url.QueryEscape(payload)} {
		r := op.get(p)
		if r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
			t.Errorf("%s renders the payload unescaped", p)
		}
		if !strings.Contains(r.body, "&lt;script&gt;") {
			t.Errorf("%s does not show the payload as text", p)
		}
	}
	// A form named with the payload, on the dashboard.
	if _, err := e.store.CreateForm(context.Background(), formNamed(e, payload)); err != nil {
		t.Fatal(err)
	}
	if r := op.get("/admin/"); strings.Contains(r.body, "<script>alert") || !strings.Contains(r.body, "&lt;script&gt;") {
		t.Error("the dashboard renders a form name unescaped")
	}
	// Email addresses with markup are refused before they are stored.
	r := op.post("/admin/users", url.Values{"email": {`"><script>x</script>@a.example`}, "password": {testPassword}, "role": {"operator"}})
	if r.status != 422 || strings.Contains(r.body, "<script>x") {
		t.Errorf("markup in an address: %d", r.status)
	}
}

func TestTenantForms(t *testing.T) {
	e := newSQLiteEnv(t)
	op := e.signedIn(e.operator)
	r := op.post("/admin/tenants", url.Values{"name": {""}, "i_parent": {"-4"}, "hostname": {"not a host"}})
	if r.status != 422 {
		t.Fatalf("bad tenant: %d", r.status)
	}
	for _, k := range []string{"name", "i_parent", "hostname"} {
		if r.doc(t).Find(`[data-testid="error-`+k+`"]`).Length() != 1 {
			t.Errorf("no error on %s", k)
		}
	}
	if got := r.doc(t).Find(`#field-hostname`).AttrOr("value", ""); got != "not a host" {
		t.Errorf("hostname typed was lost: %q", got)
	}
	r = op.post("/admin/tenants", url.Values{"name": {"Beta Networks"}})
	if r.status != 422 || !strings.Contains(text(t, r, `[data-testid="error-name"]`), "Another tenant") {
		t.Errorf("duplicate name: %d", r.status)
	}
	r = op.post("/admin/tenants/"+id(e.tenantB.ID), url.Values{"name": {"Beta Renamed"}, "i_parent": {"55"}, "hostname": {"Signup.Beta.example"}, "id": {id(e.tenantA.ID)}})
	if r.status != 303 {
		t.Fatalf("edit: %d", r.status)
	}
	a, _ := e.store.Tenant(context.Background(), e.tenantA.ID)
	b, _ := e.store.Tenant(context.Background(), e.tenantB.ID)
	if a.Name != "Alpha Telecom" || b.Name != "Beta Renamed" || b.IParent != 55 || b.Hostname != "signup.beta.example" {
		t.Errorf("after edit: A %+v, B %+v", a, b)
	}
	if r := op.get("/admin/tenants/99999"); r.status != 404 {
		t.Errorf("unknown tenant: %d", r.status)
	}
	if r := op.get("/admin/tenants/abc"); r.status != 404 {
		t.Errorf("non-numeric id: %d", r.status)
	}
}

func TestAuditLogPageFiltersAndPages(t *testing.T) {
	e := newSQLiteEnv(t)
	op := e.signedIn(e.operator)
	for i := range 30 {
		if r := op.post("/admin/tenants/"+id(e.tenantB.ID), url.Values{"name": {"Beta " + id(int64(i))}}); r.status != 303 {
			t.Fatal(r.status)
		}
	}
	r := op.get("/admin/audit?action=tenant.update")
	d := r.doc(t)
	if n := d.Find(`[data-testid="audit-entry"]`).Length(); n != 25 {
		t.Fatalf("first page has %d entries", n)
	}
	changed := d.Find(`[data-testid="audit-entry"]`).First().Find(`.admin-diff__changed`)
	if changed.Length() != 1 || strings.TrimSpace(changed.Find("th").Text()) != "name" ||
		changed.Find(`.admin-diff__before`).Text() != "Beta 28" || changed.Find(`.admin-diff__after`).Text() != "Beta 29" {
		t.Errorf("the newest entry's change: %q", changed.Text())
	}
	if !strings.Contains(d.Find(`[data-testid="audit-entry"]`).First().Text(), "Beta 29") {
		t.Error("newest entry is not first")
	}
	next, _ := d.Find(`[data-testid="next-page"]`).Attr("href")
	r = op.get(next)
	if n := r.doc(t).Find(`[data-testid="audit-entry"]`).Length(); n != 5 || r.doc(t).Find(`[data-testid="prev-page"]`).Length() != 1 {
		t.Errorf("second page (%s): %d entries", next, n)
	}
	// Alpha's admin sees only entries about Alpha (the users created there).
	a := e.signedIn(e.adminA)
	r = a.get("/admin/audit")
	for _, s := range r.doc(t).Find(`[data-testid="audit-object"]`).EachIter() {
		if s.Text() == "tenant "+id(e.tenantB.ID) {
			t.Fatal("Alpha's admin sees Beta's changes")
		}
	}
	if r := a.get("/admin/audit?object=" + url.QueryEscape("tenant "+id(e.tenantB.ID))); r.doc(t).Find(`[data-testid="no-entries"]`).Length() != 1 {
		t.Error("filtering for Beta's tenant shows something to Alpha")
	}
	// Filter by actor.
	if r := op.get("/admin/audit?actor=nobody"); r.doc(t).Find(`[data-testid="no-entries"]`).Length() != 1 {
		t.Error("actor filter does not filter")
	}
}
