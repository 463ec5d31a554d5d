package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"websignup/forms"
	"websignup/storage"
)

// TestFormExportImportRoundTrip exports the demo, changes it, imports it
// as a draft and with --publish, and checks that a broken file prints its
// problems, exits non-zero and changes nothing.
func TestFormExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"WEBSIGNUP_DATA_DIR": dir})
	var out, logs bytes.Buffer
	if err := Run(t.Context(), []string{"seed-demo"}, env, &out, &logs); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := Run(t.Context(), []string{"form", "export", "demo"}, env, &out, &logs); err != nil {
		t.Fatal(err)
	}
	cfg, err := forms.DecodeConfig(out.Bytes())
	if err != nil {
		t.Fatalf("export is not a valid configuration: %v", err)
	}
	if !strings.HasSuffix(out.String(), "}\n") {
		t.Fatal("export does not end with a newline")
	}

	cfg.Branding.CompanyTitle = "From git"
	b, _ := json.MarshalIndent(cfg, "", "  ")
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, b, 0o600); err != nil {
		t.Fatal(err)
	}
	published := func() (forms.Version, *forms.Version) {
		t.Helper()
		s, err := storage.Open(context.Background(), filepath.Join(dir, "websignup.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		f, err := s.FormBySlug(context.Background(), "demo")
		if err != nil {
			t.Fatal(err)
		}
		d, p, err := s.DraftAndPublished(context.Background(), f.ID)
		if err != nil || p == nil {
			t.Fatal(p, err)
		}
		return *p, d
	}

	// A broken file: every problem on stderr, non-zero, nothing changed.
	bad := strings.Replace(string(b), `"products": [`, `"products": [], "x": [`, 1)
	badPath := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(badPath, []byte(bad), 0o600)
	var errOut bytes.Buffer
	err = Run(t.Context(), []string{"form", "import", "demo", badPath, "--publish"}, env, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "nothing was changed") {
		t.Fatalf("bad import: err %v, stderr %s", err, errOut.String())
	}
	cfg2 := cfg
	cfg2.Products = nil
	cfg2.Pools = nil
	b2, _ := json.Marshal(cfg2)
	_ = os.WriteFile(badPath, b2, 0o600)
	errOut.Reset()
	err = Run(t.Context(), []string{"form", "import", "demo", badPath}, env, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "products: ") || !strings.Contains(errOut.String(), "pools: ") {
		t.Fatalf("bad import: err %v, stderr %s", err, errOut.String())
	}
	if p, d := published(); p.Config.Branding.CompanyTitle != "Northwind Telecom" || d != nil {
		t.Fatal("a refused import changed the form")
	}

	// As a draft, then published.
	out.Reset()
	if err := Run(t.Context(), []string{"form", "import", "demo", good}, env, &out, &logs); err != nil {
		t.Fatal(err)
	}
	if p, d := published(); p.Config.Branding.CompanyTitle != "Northwind Telecom" || d == nil || d.Config.Branding.CompanyTitle != "From git" {
		t.Fatal("import without --publish did not make a draft only")
	}
	if err := Run(t.Context(), []string{"form", "import", "--publish", "demo", good}, env, &out, &logs); err != nil {
		t.Fatal(err)
	}
	if p, d := published(); p.Config.Branding.CompanyTitle != "From git" || d != nil {
		t.Fatal("import --publish did not publish")
	}
	out.Reset()
	if err := Run(t.Context(), []string{"form", "export", "demo"}, env, &out, &logs); err != nil {
		t.Fatal(err)
	}
	if back, err := forms.DecodeConfig(out.Bytes()); err != nil || back.Branding.CompanyTitle != "From git" {
		t.Fatalf("round trip: %v", err)
	}
	if err := Run(t.Context(), []string{"form", "export", "nosuch"}, env, &out, &logs); err == nil {
		t.Fatal("export of an unknown form succeeded")
	}
}
