package storage_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

const fakeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"

var cli = storage.Actor{Email: "cli"}

func TestUsersScopedAndAudited(t *testing.T) {
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
		op, err := s.CreateUser(ctx, cli, storage.NewUser{Email: " Op@Example.com ", PasswordHash: fakeHash, Role: storage.RoleOperator})
		if err != nil {
			t.Fatal(err)
		}
		if op.Email != "op@example.com" || op.TenantID != 0 {
			t.Errorf("operator = %+v", op)
		}
		ua, err := s.CreateUser(ctx, cli, storage.NewUser{Email: "ana@alpha.example", PasswordHash: fakeHash, Role: storage.RoleAdmin, TenantID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if ua.TenantName != "Alpha" {
			t.Errorf("tenant name %q", ua.TenantName)
		}
		_, err = s.CreateUser(ctx, cli, storage.NewUser{Email: "ANA@alpha.example", PasswordHash: fakeHash, Role: storage.RoleViewer, TenantID: b.ID})
		wantCode(t, err, forms.EConflict)
		_, err = s.CreateUser(ctx, cli, storage.NewUser{Email: "x@y.example", PasswordHash: fakeHash, Role: storage.RoleAdmin})
		wantCode(t, err, forms.EInvalid)
		_, err = s.CreateUser(ctx, cli, storage.NewUser{Email: "x@y.example", PasswordHash: fakeHash, Role: "root"})
		wantCode(t, err, forms.EInvalid)
		_, err = s.CreateUser(ctx, cli, storage.NewUser{Email: "not an address", PasswordHash: fakeHash, Role: storage.RoleOperator})
		wantCode(t, err, forms.EInvalid)

		// Beta's scope does not see Alpha's user.
		_, err = s.User(ctx, storage.TenantOnly(b.ID), ua.ID)
		wantCode(t, err, forms.ENotFound)
		_, err = s.User(ctx, storage.Scope{}, ua.ID)
		wantCode(t, err, forms.ENotFound)
		if _, err := s.User(ctx, storage.TenantOnly(a.ID), ua.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateUser(ctx, cli, storage.TenantOnly(b.ID), ua.ID, storage.UserUpdate{Role: storage.RoleViewer, TenantID: b.ID})
		wantCode(t, err, forms.ENotFound)
		if list, _ := s.Users(ctx, storage.TenantOnly(a.ID)); len(list) != 1 || list[0].ID != ua.ID {
			t.Errorf("Alpha's users: %+v", list)
		}
		if list, _ := s.Users(ctx, storage.AllTenants()); len(list) != 2 || list[0].ID != op.ID {
			t.Errorf("all users (operators first): %+v", list)
		}

		v1, _ := s.PolicyVersion(ctx)
		up, err := s.UpdateUser(ctx, storage.Actor{UserID: op.ID, Email: op.Email}, storage.TenantOnly(a.ID), ua.ID,
			storage.UserUpdate{Role: storage.RoleViewer, TenantID: a.ID, Disabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if up.Role != storage.RoleViewer || !up.Disabled {
			t.Errorf("updated = %+v", up)
		}
		if v2, _ := s.PolicyVersion(ctx); v2 <= v1 {
			t.Errorf("policy version %d → %d, want it bumped", v1, v2)
		}

		entries, total, err := s.AuditLog(ctx, storage.TenantOnly(a.ID), storage.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || entries[0].Action != "user.update" || entries[0].ActorEmail != "op@example.com" {
			t.Fatalf("Alpha's audit: %d %+v", total, entries)
		}
		var before, after map[string]any
		_ = json.Unmarshal(entries[0].Before, &before)
		_ = json.Unmarshal(entries[0].After, &after)
		if before["role"] != "admin" || after["role"] != "viewer" || after["disabled"] != true {
			t.Errorf("before %v after %v", before, after)
		}
		for _, e := range entries {
			if string(e.After) != "" && json.Valid(e.After) && containsHash(e.After) {
				t.Error("a password hash reached the audit log")
			}
		}
		if _, total, _ := s.AuditLog(ctx, storage.TenantOnly(b.ID), storage.AuditFilter{}); total != 0 {
			t.Errorf("Beta sees %d of Alpha's entries", total)
		}
		if got, total, _ := s.AuditLog(ctx, storage.AllTenants(), storage.AuditFilter{Actor: "OP@", Action: "user.update"}); total != 1 || len(got) != 1 {
			t.Errorf("filtered: %d", total)
		}
		if _, total, _ := s.AuditLog(ctx, storage.AllTenants(), storage.AuditFilter{Actor: "%"}); total != 0 {
			t.Errorf("a %% in the actor filter matched %d entries", total)
		}
	})
}

func containsHash(b []byte) bool {
	return json.Valid(b) && string(b) != "" && contains(string(b), "argon2")
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestSessions(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, cli, storage.NewUser{Email: "op@example.com", PasswordHash: fakeHash, Role: storage.RoleOperator})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		old := storage.Session{IDHash: "old", UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateSession(ctx, old, ""); err != nil {
			t.Fatal(err)
		}
		nu := old
		nu.IDHash = "new"
		if err := s.CreateSession(ctx, nu, "old"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, "old"); forms.ErrorCode(err) != forms.ENotFound {
			t.Errorf("the replaced session survived: %v", err)
		}
		got, gu, err := s.SessionUser(ctx, "new")
		if err != nil || gu.ID != u.ID || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("session %+v user %+v err %v", got, gu, err)
		}
		if err := s.TouchSession(ctx, "new", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.SessionUser(ctx, "new")
		if !got.LastSeenAt.Equal(now.Add(time.Minute)) {
			t.Errorf("last seen %v", got.LastSeenAt)
		}
		if n, err := s.DeleteExpiredSessions(ctx, now.Add(2*time.Hour), now); err != nil || n != 1 {
			t.Errorf("expired deleted %d, %v", n, err)
		}
	})
}

func TestLoginAttemptsFixedWindow(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		for i := 1; i <= 3; i++ {
			n, err := s.CountLoginAttempt(ctx, "email:a@b.c", now.Add(time.Duration(i)*time.Second), 15*time.Minute)
			if err != nil || n != i {
				t.Fatalf("attempt %d counted %d, %v", i, n, err)
			}
		}
		if n, _ := s.CountLoginAttempt(ctx, "email:a@b.c", now.Add(15*time.Minute+time.Second), 15*time.Minute); n != 1 {
			t.Errorf("a new window starts at 1, got %d", n)
		}
		// Concurrent attempts from several goroutines are all counted.
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := s.CountLoginAttempt(ctx, "ip:192.0.2.1", now, time.Hour); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n, _ := s.CountLoginAttempt(ctx, "ip:192.0.2.1", now, time.Hour); n != 9 {
			t.Errorf("after 8 concurrent attempts the next is %d, want 9", n)
		}
		if err := s.ResetLoginAttempts(ctx, "ip:192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.CountLoginAttempt(ctx, "ip:192.0.2.1", now, time.Hour); n != 1 {
			t.Errorf("after reset: %d", n)
		}
	})
}

func TestTenantsAdmin(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		tn, err := s.AddTenant(ctx, cli, forms.Tenant{Name: " Reseller ", IParent: 42, Hostname: "Signup.Example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if tn.Name != "Reseller" || tn.Hostname != "signup.example.com" {
			t.Errorf("tenant %+v", tn)
		}
		_, err = s.AddTenant(ctx, cli, forms.Tenant{Name: "Reseller"})
		wantCode(t, err, forms.EConflict)
		for _, bad := range []forms.Tenant{{Name: ""}, {Name: "x", IParent: -1}, {Name: "x", Hostname: "no spaces.example"}, {Name: "x", Hostname: "localhost"}} {
			_, err = s.AddTenant(ctx, cli, bad)
			wantCode(t, err, forms.EInvalid)
		}
		ed, err := s.EditTenant(ctx, cli, tn.ID, forms.Tenant{Name: "Renamed", IParent: 7})
		if err != nil || ed.Name != "Renamed" || ed.IParent != 7 || ed.Hostname != "" {
			t.Fatalf("edited %+v %v", ed, err)
		}
		_, err = s.EditTenant(ctx, cli, 9999, forms.Tenant{Name: "Nope"})
		wantCode(t, err, forms.ENotFound)
		if list, _ := s.Tenants(ctx); len(list) != 1 || list[0].Name != "Renamed" {
			t.Errorf("tenants %+v", list)
		}
		if _, total, _ := s.AuditLog(ctx, storage.AllTenants(), storage.AuditFilter{ObjectType: "tenant"}); total != 2 {
			t.Errorf("tenant audit entries: %d", total)
		}
	})
}

func TestSyncPolicies(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		rules := [][]string{{"viewer", "*", "forms", "read"}, {"admin", "*", "forms", "write"}}
		v0, _ := s.PolicyVersion(ctx)
		if changed, err := s.SyncPolicies(ctx, rules); err != nil || !changed {
			t.Fatalf("first sync: %v %v", changed, err)
		}
		if changed, err := s.SyncPolicies(ctx, rules); err != nil || changed {
			t.Fatalf("second sync changed: %v %v", changed, err)
		}
		v1, _ := s.PolicyVersion(ctx)
		if v1 != v0+1 {
			t.Errorf("version %d → %d", v0, v1)
		}
		if changed, _ := s.SyncPolicies(ctx, rules[:1]); !changed {
			t.Error("removing a rule changed nothing")
		}
		if _, err := s.CasbinAdapter(); err != nil {
			t.Fatal(err)
		}
	})
}
