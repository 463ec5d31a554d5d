package storage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2/model"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestCasbinAdapterLoadsRoleAssignments changes a user's role and checks
// what the adapter loads: the user's one current g rule (the old one
// removed) and the role policies SyncPolicies wrote.
func TestCasbinAdapterLoadsRoleAssignments(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		a, err := s.CreateTenant(ctx, forms.Tenant{Name: "Alpha"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateTenant(ctx, forms.Tenant{Name: "Beta"})
		if err != nil {
			t.Fatal(err)
		}
		rules := [][]string{{"viewer", storage.AnyDomain, "forms", "read"}}
		if _, err := s.SyncPolicies(ctx, rules); err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, cli, storage.NewUser{Email: "ana@alpha.example", PasswordHash: fakeHash, Role: storage.RoleAdmin, TenantID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateUser(ctx, cli, storage.NewUser{Email: "bo@alpha.example", PasswordHash: fakeHash, Role: storage.RoleAdmin, TenantID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUser(ctx, cli, storage.AllTenants(), u.ID, storage.UserUpdate{Role: storage.RoleViewer, TenantID: b.ID}); err != nil {
			t.Fatal(err)
		}

		m, err := model.NewModelFromString("[request_definition]\nr = sub, dom, obj, act\n[policy_definition]\np = sub, dom, obj, act\n" +
			"[role_definition]\ng = _, _, _\n[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.sub == p.sub\n")
		if err != nil {
			t.Fatal(err)
		}
		ad, err := s.CasbinAdapter()
		if err != nil {
			t.Fatal(err)
		}
		if err := ad.LoadPolicy(m); err != nil {
			t.Fatal(err)
		}
		p, err := m.GetPolicy("p", "p")
		if err != nil || !slices.EqualFunc(p, rules, slices.Equal) {
			t.Errorf("p rules = %v, %v; want %v", p, err, rules)
		}
		g, err := m.GetPolicy("g", "g")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			{storage.UserSubject(other.ID), string(storage.RoleAdmin), storage.TenantDomain(a.ID)},
			{storage.UserSubject(u.ID), string(storage.RoleViewer), storage.TenantDomain(b.ID)},
		}
		slices.SortFunc(g, func(x, y []string) int { return slices.Compare(x, y) })
		slices.SortFunc(want, func(x, y []string) int { return slices.Compare(x, y) })
		if !slices.EqualFunc(g, want, slices.Equal) {
			t.Errorf("g rules = %v, want %v", g, want)
		}
	})
}
