package admin

import (
	"context"
	"fmt"

	"websignup/forms"
	"websignup/internal/psnumbers"
	"websignup/portaswitch"
)

// psCatalog reads the catalog from PortaSwitch.
type psCatalog struct {
	client  *portaswitch.Client
	numbers *psnumbers.Numbers
}

var _ Catalog = (*psCatalog)(nil)

// NewPortaSwitchCatalog returns the Catalog of a PortaSwitch client.
func NewPortaSwitchCatalog(client *portaswitch.Client) Catalog {
	return &psCatalog{client: client, numbers: psnumbers.New(client)}
}

// maxCatalogProducts bounds the product list one picker shows.
const maxCatalogProducts = 500

// periodOf maps PortaBilling's i_billing_period to a forms period. The
// simulator and the common PortaBilling set-ups bill monthly (4); the
// others are PortaBilling's daily, weekly and yearly periods as far as the
// API reference shows them. An unknown period reads as a month, which the
// admin sees in the picker before saving.
func periodOf(iBillingPeriod int64) string {
	switch iBillingPeriod {
	case 1:
		return "day"
	case 2:
		return "week"
	case 6:
		return "year"
	}
	return "month"
}

func (p *psCatalog) Products(ctx context.Context) ([]CatalogProduct, error) {
	products, err := p.client.GetProductList(ctx, portaswitch.GetProductListRequest{Limit: maxCatalogProducts})
	if err != nil {
		return nil, fmt.Errorf("product list: %w", err)
	}
	subs, err := p.client.GetSubscriptionList(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscription list: %w", err)
	}
	byID := make(map[int64]portaswitch.Subscription, len(subs))
	for _, s := range subs {
		byID[s.ISubscription] = s
	}
	out := make([]CatalogProduct, 0, len(products))
	for _, pr := range products {
		cp := CatalogProduct{
			IProduct:    pr.IProduct,
			Name:        pr.EndUserName,
			Description: pr.EndUserDescription,
			Currency:    pr.ISO4217,
			Hidden:      pr.Hidden == "Y",
			Period:      "month",
		}
		if cp.Name == "" {
			cp.Name = pr.Name
		}
		if s, ok := byID[pr.ISubscription]; ok && pr.ISubscription != 0 {
			cp.ActivationFee, cp.RecurringFee, cp.Period = s.ActivationFee, s.Fee, periodOf(s.IBillingPeriod)
			if s.ISO4217 != "" {
				cp.Currency = s.ISO4217
			}
		} else {
			cp.NoFees = true
		}
		out = append(out, cp)
	}
	return out, nil
}

func (p *psCatalog) Pools(ctx context.Context) ([]CatalogPool, error) {
	batches, err := p.client.GetVendorBatchList(ctx)
	if err != nil {
		return nil, fmt.Errorf("vendor batch list: %w", err)
	}
	out := make([]CatalogPool, len(batches))
	for i, b := range batches {
		out[i] = CatalogPool{IDVBatch: b.IDVBatch, Name: b.Name}
	}
	return out, nil
}

func (p *psCatalog) FreeNumbers(ctx context.Context, pool forms.Pool, max int) (int, error) {
	list, err := p.numbers.FreeNumbers(ctx, pool, "", max)
	if err != nil {
		return 0, err
	}
	return len(list), nil
}

func (p *psCatalog) SampleNumbers(ctx context.Context, pool forms.Pool, limit int) ([]string, error) {
	list, err := p.numbers.FreeNumbers(ctx, pool, "", limit)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.Number
	}
	return out, nil
}

func (p *psCatalog) DeviceTypes(ctx context.Context) ([]CatalogDevice, error) {
	types, err := p.client.GetUATypeList(ctx)
	if err != nil {
		return nil, fmt.Errorf("device type list: %w", err)
	}
	out := make([]CatalogDevice, len(types))
	for i, t := range types {
		out[i] = CatalogDevice{IUAType: t.IUAType, Name: t.Name, Manufacturer: t.Manufacturer, Model: t.Model}
	}
	return out, nil
}
