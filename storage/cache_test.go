package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage"
	"websignup/storage/storagetest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestFormCacheAgreesAcrossInstances publishes through the store while two
// caches (two instances) serve the form: each keeps serving what it has
// until its next check, then serves the new version; a draft saved in
// between changes nothing; an unknown slug is remembered as unknown.
func TestFormCacheAgreesAcrossInstances(t *testing.T) {
	storagetest.ForEachDB(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		tenant, err := s.CreateTenant(ctx, forms.Tenant{Name: "T"})
		if err != nil {
			t.Fatal(err)
		}
		cfg := forms.DemoConfig()
		f, _, err := s.CreateFormWithDraft(ctx, forms.Form{TenantID: tenant.ID, Slug: "shop", Name: "Shop"}, cfg, "a")
		if err != nil {
			t.Fatal(err)
		}
		v1, err := s.Publish(ctx, f.ID, "a")
		if err != nil {
			t.Fatal(err)
		}
		clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
		a := storage.NewFormCache(s, time.Second, clock.Now)
		b := storage.NewFormCache(s, time.Second, clock.Now)
		title := func(c *storage.FormCache) string {
			t.Helper()
			_, v, err := c.PublishedForm(ctx, "shop")
			if err != nil {
				t.Fatal(err)
			}
			return v.Config.Branding.CompanyTitle
		}
		if got := title(a); got != cfg.Branding.CompanyTitle {
			t.Fatalf("a serves %q", got)
		}
		_ = title(b)
		for range 5 {
			_ = title(a)
		}
		if st := a.Stats(); st.Misses != 1 || st.Hits != 5 {
			t.Fatalf("a's stats = %+v, want 1 miss then 5 hits", st)
		}

		// A saved draft is not served and does not empty the caches.
		cfg2 := cfg
		cfg2.Branding.CompanyTitle = "Shop Two"
		if _, err := s.SaveDraft(ctx, f.ID, cfg2, "a"); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Second)
		_ = title(a)
		if st := a.Stats(); st.Misses != 1 {
			t.Fatalf("a draft emptied the cache: %+v", st)
		}

		// Published: served by neither until the interval passes, then by both.
		v2, err := s.Publish(ctx, f.ID, "a")
		if err != nil {
			t.Fatal(err)
		}
		if got := title(a); got != cfg.Branding.CompanyTitle {
			t.Fatalf("a checked before its interval: %q", got)
		}
		clock.Add(1100 * time.Millisecond)
		for name, c := range map[string]*storage.FormCache{"a": a, "b": b} {
			if got := title(c); got != "Shop Two" {
				t.Errorf("%s serves %q after the publish, want Shop Two", name, got)
			}
		}

		// Sessions started on v1 still get v1, from memory; v2 is cached too.
		if v, err := a.Version(ctx, v1.ID); err != nil || v.Config.Branding.CompanyTitle != cfg.Branding.CompanyTitle {
			t.Fatalf("Version(v1) = %+v, %v", v.Config.Branding, err)
		}
		before := a.Stats().Misses
		if _, err := a.Version(ctx, v2.ID); err != nil {
			t.Fatal(err)
		}
		if a.Stats().Misses != before {
			t.Error("the published version was read again by id")
		}

		// A rollback is a publish too.
		if _, err := s.Rollback(ctx, f.ID, v1.ID, "a"); err != nil {
			t.Fatal(err)
		}
		clock.Add(1100 * time.Millisecond)
		if got := title(b); got != cfg.Branding.CompanyTitle {
			t.Errorf("b serves %q after the rollback", got)
		}

		// Unknown slugs: ENotFound, remembered.
		for range 3 {
			if _, _, err := a.PublishedForm(ctx, "nope"); forms.ErrorCode(err) != forms.ENotFound {
				t.Fatalf("unknown slug: %v", err)
			}
		}
		m := a.Stats().Misses
		if _, _, err := a.PublishedForm(ctx, "nope"); forms.ErrorCode(err) != forms.ENotFound || a.Stats().Misses != m {
			t.Errorf("unknown slug asked again: %v", err)
		}

		// Invalidate empties at once.
		a.Invalidate()
		_ = title(a)
		if a.Stats().Misses != m+1 {
			t.Error("Invalidate kept the cache")
		}
	})
}

// TestFormCacheConcurrent hammers one cache from many goroutines while the
// form is republished, for the race detector.
func TestFormCacheConcurrent(t *testing.T) {
	dsn := storagetest.SQLiteDSN(t)
	s := storagetest.Open(t, dsn)
	ctx := context.Background()
	tenant, err := s.CreateTenant(ctx, forms.Tenant{Name: "T"})
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := s.CreateFormWithDraft(ctx, forms.Form{TenantID: tenant.ID, Slug: "shop", Name: "Shop"}, forms.DemoConfig(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, f.ID, "a"); err != nil {
		t.Fatal(err)
	}
	c := storage.NewFormCache(s, time.Millisecond, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if _, v, err := c.PublishedForm(ctx, "shop"); err != nil || v.ID == 0 {
					t.Errorf("PublishedForm: %v", err)
					return
				}
			}
		})
	}
	for range 5 {
		if _, err := s.ImportConfig(ctx, f.ID, forms.DemoConfig(), "a", true); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}
