package storage_test

import (
	"context"
	"testing"
	"time"

	"websignup/forms"
	"websignup/storage/storagetest"
)

// BenchmarkWizardSession is the session read every wizard request makes, on
// SQLite. Run with -benchmem so reflection or allocation regressions show.
func BenchmarkWizardSession(b *testing.B) {
	s := storagetest.Open(b, storagetest.SQLiteDSN(b))
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	f, v, err := s.PublishedForm(ctx, forms.DemoSlug)
	if err != nil {
		b.Fatal(err)
	}
	w := s.Wizard()
	tmpl := forms.Session{ID: "bench-session", FormID: f.ID, VersionID: v.ID,
		CreatedAt: wzNow, UpdatedAt: wzNow, ExpiresAt: wzNow.Add(24 * time.Hour)}
	if err := w.CreateSession(ctx, tmpl); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Session(ctx, "bench-session"); err != nil {
			b.Fatal(err)
		}
	}
}
