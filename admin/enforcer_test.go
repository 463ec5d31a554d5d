package admin_test

import (
	"context"
	"testing"
	"time"

	"websignup/admin"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// TestEnforcerDomains checks the Casbin model: operators everywhere,
// admins and viewers in their own tenant only.
func TestEnforcerDomains(t *testing.T) {
	e := newSQLiteEnv(t)
	ctx := context.Background()
	a, b := storage.TenantDomain(e.tenantA.ID), storage.TenantDomain(e.tenantB.ID)
	tests := []struct {
		user          storage.User
		dom, obj, act string
		want          bool
	}{
		{e.operator, storage.AnyDomain, admin.ObjTenants, admin.ActWrite, true},
		{e.operator, b, admin.ObjForms, admin.ActWrite, true},
		{e.operator, a, "anything", "whatever", true},
		{e.adminA, a, admin.ObjUsers, admin.ActWrite, true},
		{e.adminA, a, admin.ObjForms, admin.ActWrite, true},
		{e.adminA, a, admin.ObjTenants, admin.ActRead, false},
		{e.adminA, b, admin.ObjForms, admin.ActRead, false},
		{e.adminA, storage.AnyDomain, admin.ObjForms, admin.ActRead, false},
		{e.viewerA, a, admin.ObjForms, admin.ActRead, true},
		{e.viewerA, a, admin.ObjSubmissions, admin.ActRead, true},
		{e.viewerA, a, admin.ObjForms, admin.ActWrite, false},
		{e.viewerA, a, admin.ObjUsers, admin.ActRead, false},
		{e.viewerA, b, admin.ObjForms, admin.ActRead, false},
	}
	for _, tt := range tests {
		got, err := e.enforcer.Allow(ctx, storage.UserSubject(tt.user.ID), tt.dom, tt.obj, tt.act)
		if err != nil || got != tt.want {
			t.Errorf("%s (%s) %s %s %s: %v, %v; want %v", tt.user.Email, tt.user.Role, tt.dom, tt.obj, tt.act, got, err, tt.want)
		}
	}
}

// TestEnforcerReloadsAcrossInstances runs two enforcers over one database,
// as two instances would: a role change made through one store shows in
// the other after its check interval, without a restart.
func TestEnforcerReloadsAcrossInstances(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		e := newEnv(t, s, admin.Limits{})
		clk := &clock{t: e.clock.Now()}
		other, err := admin.NewEnforcer(ctx, s, clk.Now, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		sub, dom := storage.UserSubject(e.viewerA.ID), storage.TenantDomain(e.tenantA.ID)
		if ok, _ := other.Allow(ctx, sub, dom, admin.ObjUsers, admin.ActWrite); ok {
			t.Fatal("a viewer may write users")
		}
		if _, err := s.UpdateUser(ctx, storage.Actor{Email: "test"}, storage.AllTenants(), e.viewerA.ID,
			storage.UserUpdate{Role: storage.RoleAdmin, TenantID: e.tenantA.ID}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := other.Allow(ctx, sub, dom, admin.ObjUsers, admin.ActWrite); ok {
			t.Error("reloaded before the check interval (the check should be cheap and rare)")
		}
		clk.Add(6 * time.Second)
		if ok, _ := other.Allow(ctx, sub, dom, admin.ObjUsers, admin.ActWrite); !ok {
			t.Error("the other instance did not pick up the new role")
		}
	})
}
