package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := forms.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func TestMigrateIsRepeatable(t *testing.T) {
	storagetest.ForEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := storagetest.OpenUnmigrated(t, dsn)
		if v, err := s.SchemaVersion(ctx); err != nil || v != 0 {
			t.Fatalf("fresh SchemaVersion = %d, %v; want 0", v, err)
		}
		n, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != storage.MigrationCountForTest() {
			t.Errorf("applied %d migrations, want %d", n, storage.MigrationCountForTest())
		}
		n, err = s.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate applied %d, %v; want 0, nil", n, err)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != storage.LatestSchemaVersion() {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, storage.LatestSchemaVersion())
		}
	})
}

func TestMigratePartiallyMigratedDatabaseAdvances(t *testing.T) {
	storagetest.ForEachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := storagetest.OpenUnmigrated(t, dsn)
		latest := storage.LatestSchemaVersion()
		if _, err := s.MigrateUpTo(ctx, latest); err != nil {
			t.Fatal(err)
		}
		next := storage.TestMigration{Version: latest + 1, Name: "extra", SQL: []string{
			`CREATE TABLE extra (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`,
			`INSERT INTO extra (id, note) VALUES (1, 'one')`,
		}}
		n, err := s.MigrateUpTo(ctx, latest, next)
		if err != nil || n != 1 {
			t.Fatalf("advancing applied %d, %v; want 1, nil", n, err)
		}
		if n, err := s.MigrateUpTo(ctx, latest, next); err != nil || n != 0 {
			t.Fatalf("re-running applied %d, %v; want 0, nil", n, err)
		}
		if v, _ := s.SchemaVersion(ctx); v != latest+1 {
			t.Fatalf("SchemaVersion = %d, want %d", v, latest+1)
		}
		// A migration that fails half way leaves nothing behind.
		broken := storage.TestMigration{Version: latest + 2, Name: "broken", SQL: []string{
			`CREATE TABLE half (id INTEGER)`,
			`THIS IS NOT SQL`,
		}}
		if _, err := s.MigrateUpTo(ctx, latest, next, broken); err == nil {
			t.Fatal("broken migration succeeded")
		}
		if v, _ := s.SchemaVersion(ctx); v != latest+1 {
			t.Fatalf("after failure SchemaVersion = %d, want %d", v, latest+1)
		}
		fixed := storage.TestMigration{Version: latest + 2, Name: "fixed", SQL: []string{`CREATE TABLE half (id INTEGER)`}}
		if n, err := s.MigrateUpTo(ctx, latest, next, fixed); err != nil || n != 1 {
			t.Fatalf("fixed migration applied %d, %v; want 1, nil (did the broken one leave its table?)", n, err)
		}
	})
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("creates the folder and uses WAL", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nested", "dir", "w.db")
		s := storagetest.Open(t, "file:"+path)
		if s.Dialect() != storage.SQLite {
			t.Fatalf("dialect = %q", s.Dialect())
		}
		if _, err := s.CreateTenant(ctx, forms.Tenant{Name: "T"}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + "-wal"); err != nil {
			t.Errorf("no WAL file next to the database: %v", err)
		}
	})
	t.Run("rejects unknown schemes", func(t *testing.T) {
		_, err := storage.Open(ctx, "mysql://u@h/db", nil)
		wantCode(t, err, forms.EInvalid)
	})
}

func TestTenantsAndForms(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		a, err := s.CreateTenant(ctx, forms.Tenant{Name: "Acme", IParent: 7, Hostname: "signup.acme.example"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.IParent != 7 || a.Hostname != "signup.acme.example" {
			t.Fatalf("CreateTenant = %+v", a)
		}
		_, err = s.CreateTenant(ctx, forms.Tenant{Name: "Acme"})
		wantCode(t, err, forms.EConflict)
		_, err = s.CreateTenant(ctx, forms.Tenant{Name: "  "})
		wantCode(t, err, forms.EInvalid)
		got, err := s.TenantByName(ctx, "Acme")
		if err != nil || got != a {
			t.Fatalf("TenantByName = %+v, %v; want %+v", got, err, a)
		}
		_, err = s.TenantByName(ctx, "Nobody")
		wantCode(t, err, forms.ENotFound)
		_, err = s.Tenant(ctx, 9999)
		wantCode(t, err, forms.ENotFound)

		b, err := s.CreateTenant(ctx, forms.Tenant{Name: "Bravo"})
		if err != nil {
			t.Fatal(err)
		}
		if empty, err := s.IsEmpty(ctx); err != nil || !empty {
			t.Fatalf("IsEmpty = %v, %v; want true", empty, err)
		}
		fa, err := s.CreateForm(ctx, forms.Form{TenantID: a.ID, Slug: "home", Name: "Home"})
		if err != nil {
			t.Fatal(err)
		}
		if fa.ID == 0 || fa.CreatedAt.IsZero() {
			t.Fatalf("CreateForm = %+v", fa)
		}
		if _, err := s.CreateForm(ctx, forms.Form{TenantID: b.ID, Slug: "biz", Name: "Business"}); err != nil {
			t.Fatal(err)
		}
		_, err = s.CreateForm(ctx, forms.Form{TenantID: b.ID, Slug: "home", Name: "Again"})
		wantCode(t, err, forms.EConflict)
		for _, slug := range []string{"", "Home", "a/b", "-x", "x-", "with space"} {
			_, err = s.CreateForm(ctx, forms.Form{TenantID: a.ID, Slug: slug, Name: "X"})
			wantCode(t, err, forms.EInvalid)
		}
		_, err = s.CreateForm(ctx, forms.Form{TenantID: 9999, Slug: "orphan", Name: "X"})
		wantCode(t, err, forms.EInvalid)

		got2, err := s.FormBySlug(ctx, "home")
		if err != nil || got2 != fa {
			t.Fatalf("FormBySlug = %+v, %v; want %+v", got2, err, fa)
		}
		_, err = s.FormBySlug(ctx, "nope")
		wantCode(t, err, forms.ENotFound)
		list, err := s.Forms(ctx, a.ID)
		if err != nil || len(list) != 1 || list[0] != fa {
			t.Fatalf("Forms(a) = %+v, %v; want only %+v", list, err, fa)
		}
		if empty, _ := s.IsEmpty(ctx); empty {
			t.Fatal("IsEmpty after creating forms")
		}
	})
}

func TestVersionLifecycle(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		tn, err := s.CreateTenant(ctx, forms.Tenant{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.CreateForm(ctx, forms.Form{TenantID: tn.ID, Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.PublishedForm(ctx, "acme")
		wantCode(t, err, forms.ENotFound)
		_, err = s.Publish(ctx, f.ID, "ann")
		wantCode(t, err, forms.ENotFound)
		_, err = s.SaveDraft(ctx, 9999, forms.DemoConfig(), "ann")
		wantCode(t, err, forms.ENotFound)
		_, err = s.SaveDraft(ctx, f.ID, forms.Config{}, "ann")
		wantCode(t, err, forms.EInvalid)
		if vs, _ := s.Versions(ctx, f.ID); len(vs) != 0 {
			t.Fatalf("an invalid draft was stored: %+v", vs)
		}

		cfg := forms.DemoConfig()
		d1, err := s.SaveDraft(ctx, f.ID, cfg, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if d1.Number != 1 || d1.Status != forms.StatusDraft || d1.Author != "ann" || d1.PublishedAt != nil {
			t.Fatalf("first draft = %+v", d1)
		}
		cfg.Branding.CompanyTitle = "Acme Phone"
		d1b, err := s.SaveDraft(ctx, f.ID, cfg, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if d1b.ID != d1.ID || d1b.Number != 1 || d1b.Author != "bob" {
			t.Fatalf("replaced draft = %+v, want the same row as %+v", d1b, d1)
		}
		p1, err := s.Publish(ctx, f.ID, "carol")
		if err != nil {
			t.Fatal(err)
		}
		if p1.ID != d1.ID || p1.Status != forms.StatusPublished || p1.PublishedAt == nil {
			t.Fatalf("published = %+v", p1)
		}
		gotForm, gotV, err := s.PublishedForm(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if gotForm != f || gotV.ID != p1.ID || !reflect.DeepEqual(gotV.Config, cfg) {
			t.Fatalf("PublishedForm = %+v, %+v", gotForm, gotV)
		}
		if !gotV.PublishedAt.Equal(*p1.PublishedAt) || !gotV.CreatedAt.Equal(d1.CreatedAt) {
			t.Errorf("times changed on the way back: %v/%v vs %v/%v", gotV.PublishedAt, gotV.CreatedAt, p1.PublishedAt, d1.CreatedAt)
		}
		_, err = s.Publish(ctx, f.ID, "carol")
		wantCode(t, err, forms.ENotFound)

		cfg2 := cfg
		cfg2.Branding.CompanyTitle = "Acme Phone 2"
		d2, err := s.SaveDraft(ctx, f.ID, cfg2, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if d2.Number != 2 {
			t.Fatalf("second draft number = %d, want 2", d2.Number)
		}
		// The draft does not change what the public sees.
		if _, v, _ := s.PublishedForm(ctx, "acme"); v.ID != p1.ID {
			t.Fatalf("published changed to %d before publishing", v.ID)
		}
		if _, err := s.Publish(ctx, f.ID, "ann"); err != nil {
			t.Fatal(err)
		}
		vs, err := s.Versions(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Number != 2 || vs[0].Status != forms.StatusPublished ||
			vs[1].Number != 1 || vs[1].Status != forms.StatusArchived {
			t.Fatalf("Versions = %+v", vs)
		}
		v, err := s.Version(ctx, d2.ID)
		if err != nil || v.Config.Branding.CompanyTitle != "Acme Phone 2" {
			t.Fatalf("Version = %+v, %v", v, err)
		}
		_, err = s.Version(ctx, 9999)
		wantCode(t, err, forms.ENotFound)
	})
}

// Concurrent drafts and publishes of one form serialise: none fails with a
// busy database or a broken invariant, and one version ends up published.
func TestConcurrentPublish(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		tn, _ := s.CreateTenant(ctx, forms.Tenant{Name: "Acme"})
		f, err := s.CreateForm(ctx, forms.Form{TenantID: tn.ID, Slug: "acme", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 8 {
			wg.Go(func() {
				if _, err := s.SaveDraft(ctx, f.ID, forms.DemoConfig(), "x"); err != nil {
					errs <- err
					return
				}
				if _, err := s.Publish(ctx, f.ID, "x"); err != nil && forms.ErrorCode(err) != forms.ENotFound {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		vs, err := s.Versions(ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		published := 0
		for _, v := range vs {
			if v.Status == forms.StatusPublished {
				published++
			}
		}
		if published != 1 {
			t.Fatalf("%d published versions among %+v", published, vs)
		}
	})
}

func TestSeedDemo(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		created, err := s.SeedDemo(ctx)
		if err != nil || !created {
			t.Fatalf("SeedDemo = %v, %v; want true, nil", created, err)
		}
		created, err = s.SeedDemo(ctx)
		if err != nil || created {
			t.Fatalf("second SeedDemo = %v, %v; want false, nil", created, err)
		}
		f, v, err := s.PublishedForm(ctx, forms.DemoSlug)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v.Config, forms.DemoConfig()) {
			t.Errorf("demo config changed on the way through the database")
		}
		tn, err := s.Tenant(ctx, f.TenantID)
		if err != nil || tn.Name != storage.DemoTenantName {
			t.Fatalf("demo tenant = %+v, %v", tn, err)
		}
	})
}
