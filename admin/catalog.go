package admin

import (
	"context"

	"websignup/forms"
)

// Catalog is what the form builder reads from PortaSwitch to fill its
// pickers: the products with their fees, the DID batches (number pools)
// and the IP phone types. NewPortaSwitchCatalog implements it over the
// PortaSwitch client; tests use a fake. Every method returns the remote
// error, wrapped, when PortaSwitch fails; the editor then says so and keeps
// what the form already has.
type Catalog interface {
	// Products lists the products with the fees of their subscriptions,
	// hidden ones included (marked).
	Products(ctx context.Context) ([]CatalogProduct, error)
	// Pools lists the DID batches.
	Pools(ctx context.Context) ([]CatalogPool, error)
	// FreeNumbers counts the idle numbers of a pool (with its prefix),
	// counting at most max; a result of max means "max or more".
	FreeNumbers(ctx context.Context, pool forms.Pool, max int) (int, error)
	// SampleNumbers lists up to limit idle numbers of a pool, for the
	// preview's phone step.
	SampleNumbers(ctx context.Context, pool forms.Pool, limit int) ([]string, error)
	// DeviceTypes lists the IP phone types.
	DeviceTypes(ctx context.Context) ([]CatalogDevice, error)
}

// CatalogProduct is a PortaSwitch product with the fees of its
// subscription, in minor units of Currency.
type CatalogProduct struct {
	IProduct      int64
	Name          string // the end-user name when PortaSwitch has one
	Description   string
	Currency      string
	ActivationFee int64
	RecurringFee  int64
	Period        string // one of forms.Periods
	Hidden        bool
	// NoFees says the product has no subscription: its fees are unknown
	// and it cannot be offered.
	NoFees bool
}

// CatalogPool is a PortaSwitch DID batch.
type CatalogPool struct {
	IDVBatch int64
	Name     string
}

// CatalogDevice is a PortaSwitch IP phone type.
type CatalogDevice struct {
	IUAType      int64
	Name         string
	Manufacturer string
	Model        string
}

// noCatalog is the Catalog of an admin area wired without PortaSwitch: it
// knows nothing, so the pickers show only what the form has.
type noCatalog struct{}

var errNoCatalog = forms.Errorf(forms.EInternal, "PortaSwitch is not configured")

func (noCatalog) Products(context.Context) ([]CatalogProduct, error) { return nil, errNoCatalog }
func (noCatalog) Pools(context.Context) ([]CatalogPool, error)       { return nil, errNoCatalog }
func (noCatalog) FreeNumbers(context.Context, forms.Pool, int) (int, error) {
	return 0, errNoCatalog
}
func (noCatalog) SampleNumbers(context.Context, forms.Pool, int) ([]string, error) {
	return nil, errNoCatalog
}
func (noCatalog) DeviceTypes(context.Context) ([]CatalogDevice, error) { return nil, errNoCatalog }
