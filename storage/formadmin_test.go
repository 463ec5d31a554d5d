package storage_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func TestFormAdminScopeDraftRollbackImport(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		a, err := s.CreateTenant(ctx, forms.Tenant{Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateTenant(ctx, forms.Tenant{Name: "B"})
		if err != nil {
			t.Fatal(err)
		}
		cfg := forms.DemoConfig()
		f, v1, err := s.CreateFormWithDraft(ctx, forms.Form{TenantID: a.ID, Slug: "alpha", Name: "Alpha"}, cfg, "ann@a")
		if err != nil {
			t.Fatal(err)
		}
		if v1.Status != forms.StatusDraft || v1.Number != 1 {
			t.Fatalf("first version = %+v", v1)
		}

		// Scope: own tenant and all tenants see it; another tenant does not.
		if _, err := s.FormInScope(ctx, storage.TenantOnly(a.ID), f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FormInScope(ctx, storage.AllTenants(), f.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.FormInScope(ctx, storage.TenantOnly(b.ID), f.ID)
		wantCode(t, err, forms.ENotFound)
		_, err = s.FormInScope(ctx, storage.Scope{}, f.ID)
		wantCode(t, err, forms.ENotFound)

		// A broken configuration creates nothing.
		bad := cfg
		bad.Products = nil
		_, _, err = s.CreateFormWithDraft(ctx, forms.Form{TenantID: a.ID, Slug: "broken", Name: "Broken"}, bad, "ann@a")
		var ve forms.ValidationErrors
		if !errors.As(err, &ve) || ve.Get("products") == "" {
			t.Fatalf("broken create: %v", err)
		}
		_, err = s.FormBySlug(ctx, "broken")
		wantCode(t, err, forms.ENotFound)

		// Import and publish at once, then import with errors changes nothing.
		cfg2 := cfg
		cfg2.Branding.CompanyTitle = "Second"
		v, err := s.ImportConfig(ctx, f.ID, cfg2, "ann@a", true)
		if err != nil || v.Status != forms.StatusPublished || v.Number != 1 {
			t.Fatalf("import+publish = %+v, %v", v, err)
		}
		_, err = s.ImportConfig(ctx, f.ID, bad, "ann@a", true)
		if !errors.As(err, &ve) {
			t.Fatalf("bad import: %v", err)
		}
		draft, pub, err := s.DraftAndPublished(ctx, f.ID)
		if err != nil || draft != nil || pub == nil || pub.Config.Branding.CompanyTitle != "Second" {
			t.Fatalf("after bad import: draft %v pub %+v err %v", draft, pub, err)
		}

		// A new draft, published; then roll back to version 1.
		cfg3 := cfg
		cfg3.Branding.CompanyTitle = "Third"
		if _, err := s.SaveDraft(ctx, f.ID, cfg3, "ann@a"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, f.ID, "ann@a"); err != nil {
			t.Fatal(err)
		}
		rb, err := s.Rollback(ctx, f.ID, v1.ID, "bob@a")
		if err != nil {
			t.Fatal(err)
		}
		if rb.Number != 3 || rb.Status != forms.StatusPublished || rb.Config.Branding.CompanyTitle != "Second" {
			t.Fatalf("rollback = %+v", rb)
		}
		_, live, err := s.PublishedForm(ctx, "alpha")
		if err != nil || live.ID != rb.ID {
			t.Fatalf("live after rollback = %+v, %v", live, err)
		}
		vs, _ := s.Versions(ctx, f.ID)
		if len(vs) != 3 {
			t.Fatalf("versions = %d, want 3", len(vs))
		}

		// Another form's version is not this form's.
		g, _, err := s.CreateFormWithDraft(ctx, forms.Form{TenantID: b.ID, Slug: "beta", Name: "Beta"}, cfg, "x")
		if err != nil {
			t.Fatal(err)
		}
		gd, _, _ := s.DraftAndPublished(ctx, g.ID)
		_, err = s.FormVersion(ctx, f.ID, gd.ID)
		wantCode(t, err, forms.ENotFound)
		_, err = s.Rollback(ctx, f.ID, gd.ID, "x")
		wantCode(t, err, forms.ENotFound)
	})
}

func TestMediaRoundTrip(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		a, err := s.CreateTenant(ctx, forms.Tenant{Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		data := []byte("\x89PNG\r\n\x1a\nfake")
		m, err := s.SaveMedia(ctx, a.ID, "image/png", data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Media(ctx, m.ID)
		if err != nil || !bytes.Equal(got.Data, data) || got.ContentType != "image/png" || got.TenantID != a.ID || got.SHA256 == "" {
			t.Fatalf("media = %+v, %v", got, err)
		}
		_, err = s.SaveMedia(ctx, a.ID, "image/png", make([]byte, storage.MaxMediaSize+1))
		wantCode(t, err, forms.EInvalid)
		_, err = s.Media(ctx, m.ID+100)
		wantCode(t, err, forms.ENotFound)
	})
}
