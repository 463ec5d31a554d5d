package main

import (
	"testing"

	"websignup/forms"
	"websignup/portaswitch"
	"websignup/portaswitch/sim"
)

// TestDemoAgreesWithSimulator checks that every product, number pool and
// device type of forms.DemoConfig exists in the simulator's seed, with the
// same fees, so that the demo signs up for real against it. It asks through
// the real client, as serve does.
func TestDemoAgreesWithSimulator(t *testing.T) {
	ctx := t.Context()
	srv, err := sim.Start(ctx, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := portaswitch.New(portaswitch.Config{BaseURL: srv.URL, Login: "admin", Password: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := forms.DemoConfig()

	products, err := c.GetProductList(ctx, portaswitch.GetProductListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := c.GetSubscriptionList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	subByID := map[int64]portaswitch.Subscription{}
	for _, s := range subs {
		subByID[s.ISubscription] = s
	}
	prodByID := map[int64]portaswitch.Product{}
	for _, p := range products {
		prodByID[p.IProduct] = p
	}
	for _, want := range cfg.Products {
		p, ok := prodByID[want.IProduct]
		if !ok {
			t.Errorf("demo product %d (%s) is not in the simulator", want.IProduct, want.Name)
			continue
		}
		s, ok := subByID[p.ISubscription]
		if !ok {
			t.Errorf("simulator product %d has no subscription %d", p.IProduct, p.ISubscription)
			continue
		}
		if p.ISO4217 != want.Currency || s.ISO4217 != want.Currency ||
			s.ActivationFee != want.ActivationFee || s.Fee != want.RecurringFee {
			t.Errorf("demo product %d: %s %d + %d/%s; simulator: %s (subscription %s) %d + %d",
				want.IProduct, want.Currency, want.ActivationFee, want.RecurringFee, want.Period,
				p.ISO4217, s.ISO4217, s.ActivationFee, s.Fee)
		}
	}

	batches, err := c.GetVendorBatchList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range cfg.Pools {
		found := false
		for _, b := range batches {
			found = found || b.IDVBatch == want.IDVBatch
		}
		if !found {
			t.Errorf("demo pool %d (%s) is not in the simulator", want.IDVBatch, want.Name)
			continue
		}
		numbers, err := c.GetNumberList(ctx, portaswitch.GetNumberListRequest{IDVBatch: want.IDVBatch, Usage: "I", Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(numbers) == 0 {
			t.Errorf("demo pool %d has no idle numbers in the simulator", want.IDVBatch)
		}
	}

	types, err := c.GetUATypeList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range cfg.Devices {
		found := false
		for _, ty := range types {
			found = found || ty.IUAType == want.IUAType
		}
		if !found {
			t.Errorf("demo device type %d (%s) is not in the simulator", want.IUAType, want.Name)
		}
	}
}
