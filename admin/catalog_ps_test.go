package admin_test

import (
	"testing"

	"websignup/admin"
	"websignup/forms"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
)

// TestPortaSwitchCatalogAgainstSimulator reads the catalog from the real
// simulator over HTTP: products with their subscriptions' fees, batches
// with free numbers, phone types. The demo form's snapshot agrees with it.
func TestPortaSwitchCatalogAgainstSimulator(t *testing.T) {
	srv, err := sim.Start(t.Context(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	cat := admin.NewPortaSwitchCatalog(client)
	ctx := t.Context()
	demo := forms.DemoConfig()

	products, err := cat.Products(ctx)
	if err != nil || len(products) == 0 {
		t.Fatalf("products: %v, %v", products, err)
	}
	for _, want := range demo.Products {
		found := false
		for _, p := range products {
			if p.IProduct == want.IProduct {
				found = true
				if p.NoFees || p.ActivationFee != want.ActivationFee || p.RecurringFee != want.RecurringFee || p.Currency != want.Currency || p.Period != want.Period {
					t.Errorf("product %d = %+v, the demo has %+v", p.IProduct, p, want)
				}
			}
		}
		if !found {
			t.Errorf("product %d missing", want.IProduct)
		}
	}
	pools, err := cat.Pools(ctx)
	if err != nil || len(pools) < len(demo.Pools) {
		t.Fatalf("pools: %v, %v", pools, err)
	}
	n, err := cat.FreeNumbers(ctx, demo.Pools[0], 5)
	if err != nil || n != 5 {
		t.Fatalf("free numbers (bounded at 5) = %d, %v", n, err)
	}
	if n, _ := cat.FreeNumbers(ctx, forms.Pool{IDVBatch: demo.Pools[0].IDVBatch, Prefix: "999"}, 5); n != 0 {
		t.Fatalf("a prefix no number has counts %d", n)
	}
	sample, err := cat.SampleNumbers(ctx, demo.Pools[0], 3)
	if err != nil || len(sample) != 3 {
		t.Fatalf("sample = %v, %v", sample, err)
	}
	types, err := cat.DeviceTypes(ctx)
	if err != nil || len(types) < len(demo.Devices) || types[0].Name == "" {
		t.Fatalf("device types = %v, %v", types, err)
	}
}
