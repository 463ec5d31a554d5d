package sim

import (
	"fmt"
	"sort"
	"strings"
)

// Seed identifiers and names. The demo form offers exactly these, so they are
// exported for websignup's seed command.
const (
	// SeedResellerID is the i_customer of the signup reseller new customers
	// are created under (i_parent).
	SeedResellerID = 1
	// SeedResellerName is that reseller's name.
	SeedResellerName = "Demo Reseller"
	// SeedCurrency is the currency of every seeded product and number.
	SeedCurrency = "USD"
	// SeedBillingPeriodMonthly is the i_billing_period of the seeded
	// subscriptions (PortaBilling's "monthly").
	SeedBillingPeriodMonthly = 4
	// SeedNumbersPerPool is how many numbers each seeded pool holds.
	SeedNumbersPerPool = 220
)

// SeedProduct describes a seeded product and its subscription; fees are in
// minor units of SeedCurrency.
type SeedProduct struct {
	IProduct      int64
	Name          string
	Description   string
	ISubscription int64
	ActivationFee int64
	MonthlyFee    int64
}

// SeedPool describes a seeded number pool (vendor batch).
type SeedPool struct {
	IDVBatch  int64
	Name      string
	AreaCodes []string
}

// SeedUAType describes a seeded IP phone model and its free devices.
type SeedUAType struct {
	IUAType      int64
	Name         string
	Manufacturer string
	Model        string
	OUI          string // first 6 hex digits of its devices' MACs
	Devices      int
}

// Catalog is the whole seeded catalogue.
type Catalog struct {
	ResellerID   int64
	ResellerName string
	Currency     string
	Products     []SeedProduct
	Pools        []SeedPool
	UATypes      []SeedUAType
}

// Seed returns a copy of the catalogue every fresh or reset simulator starts
// with:
//
//	i_product 1 "Home Basic"      activation 9.95  monthly 14.95 USD (i_subscription 1)
//	i_product 2 "Home Unlimited"  activation 9.95  monthly 24.95 USD (i_subscription 2)
//	i_product 3 "Business Pro"    activation 19.95 monthly 39.95 USD (i_subscription 3)
//	i_dv_batch 1 "Seattle (206/425)", i_dv_batch 2 "Chicago (312/773)": 220 numbers each, 11 digits
//	i_ua_type 1 Yealink SIP-T31P, 2 Grandstream GRP2602, 3 Polycom VVX 150: 6 free devices each
//	i_customer 1 "Demo Reseller" (USD): the signup reseller
func Seed() Catalog {
	return Catalog{
		ResellerID:   SeedResellerID,
		ResellerName: SeedResellerName,
		Currency:     SeedCurrency,
		Products: []SeedProduct{
			{1, "Home Basic", "Unlimited local calls, 500 long-distance minutes, voicemail", 1, 995, 1495},
			{2, "Home Unlimited", "Unlimited calls to the US and Canada, voicemail, call forwarding", 2, 995, 2495},
			{3, "Business Pro", "Unlimited US and Canada calls, 3-way conference, auto attendant, voicemail to email", 3, 1995, 3995},
		},
		Pools: []SeedPool{
			{1, "Seattle (206/425)", []string{"206", "425"}},
			{2, "Chicago (312/773)", []string{"312", "773"}},
		},
		UATypes: []SeedUAType{
			{1, "Yealink T31P", "Yealink", "SIP-T31P", "805EC0", 6},
			{2, "Grandstream GRP2602", "Grandstream", "GRP2602", "C074AD", 6},
			{3, "Polycom VVX 150", "Polycom", "VVX 150", "0004F2", 6},
		},
	}
}

// splitmix64 is a tiny deterministic generator: the seeded numbers must be
// the same on every run and Go version.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (s *splitmix64) intn(n int) int { return int(s.next() % uint64(n)) }

// seedNumbers makes n distinct realistic 11-digit NANP numbers in the pool's
// area codes: random exchanges 200-999 (no N11, no 555) and lines, plus a few
// memorable ones ("7777", "1234", "0000" endings) so searches find something.
func seedNumbers(pool SeedPool, n int) []string {
	rng := splitmix64(uint64(pool.IDVBatch) * 7919)
	seen := map[string]bool{}
	var out []string
	add := func(ac string, line string) {
		for {
			ex := 200 + rng.intn(800)
			if ex%100 == 11 || ex == 555 || ex == 950 || ex == 958 || ex == 959 || ex == 976 {
				continue
			}
			num := fmt.Sprintf("1%s%03d%s", ac, ex, line)
			if !seen[num] {
				seen[num] = true
				out = append(out, num)
				return
			}
		}
	}
	for i, special := range []string{"7777", "1234", "0000", "2468"} {
		add(pool.AreaCodes[i%len(pool.AreaCodes)], special)
	}
	for len(out) < n {
		add(pool.AreaCodes[rng.intn(len(pool.AreaCodes))], fmt.Sprintf("%04d", rng.intn(10000)))
	}
	sort.Strings(out)
	return out
}

func seedState(now string) *db {
	cat := Seed()
	d := &db{Next: map[string]int64{}, Secrets: map[string]string{}}
	d.Customers = append(d.Customers, &Customer{
		ICustomer: cat.ResellerID, Name: cat.ResellerName, ISO4217: cat.Currency,
		Companyname: "Demo Telecom Reseller", Country: "US", BillStatus: "O", Balance: "0.00",
		CustomerType: "reseller", CreationDate: now,
	})
	for _, p := range cat.Products {
		d.Products = append(d.Products, Product{
			IProduct: p.IProduct, Name: p.Name, EndUserName: p.Name, EndUserDescription: p.Description,
			ISO4217: cat.Currency, Hidden: "N", ISubscription: p.ISubscription,
		})
		d.Subscriptions = append(d.Subscriptions, Subscription{
			ISubscription: p.ISubscription, Name: p.Name + " monthly", ISO4217: cat.Currency,
			ActivationFee: money(p.ActivationFee, cat.Currency), Fee: money(p.MonthlyFee, cat.Currency),
			IBillingPeriod: SeedBillingPeriodMonthly,
		})
	}
	var id int64
	for _, pool := range cat.Pools {
		d.Batches = append(d.Batches, Batch{IDVBatch: pool.IDVBatch, Name: pool.Name})
		for _, num := range seedNumbers(pool, SeedNumbersPerPool) {
			id++
			d.Numbers = append(d.Numbers, &Number{
				IDIDNumber: id, Number: num, IDVBatch: pool.IDVBatch,
				ActivationFee: "0.00", PeriodicFee: "0.00", ISO4217: cat.Currency,
				CountryISO: "US", Frozen: "N",
			})
		}
	}
	rng := splitmix64(42)
	var ua int64
	for _, t := range cat.UATypes {
		d.UATypes = append(d.UATypes, UAType{IUAType: t.IUAType, Name: t.Name, Manufacturer: t.Manufacturer, Model: t.Model})
		prefix := strings.ToUpper(t.Manufacturer[:2])
		for i := 0; i < t.Devices; i++ {
			ua++
			mac := fmt.Sprintf("%s%06X", t.OUI, rng.next()&0xFFFFFF)
			d.Devices = append(d.Devices, &Device{
				IUA: ua, Name: fmt.Sprintf("%s %s", t.Name, mac[6:]), MAC: mac,
				InventoryID: fmt.Sprintf("INV-%s-%04d", prefix, 1000+ua), Description: "New, boxed",
				IUAType: t.IUAType, Used: "N",
			})
		}
	}
	d.Next["customer"] = cat.ResellerID + 1
	d.Next["account"] = 1
	d.Next["payment_method"] = 1
	d.Next["transaction"] = 1
	return d
}
