package forms

import (
	"strconv"
	"strings"
)

// DeviceBYOD is the device choice of a prospect who brings their own phone.
const DeviceBYOD = "byod"

// ChargeLine is one line of what a prospect pays today, as shown on the
// payment and summary steps.
type ChargeLine struct {
	Label  string `json:"label"`
	Amount Money  `json:"amount"`
}

// Charge is what a prospect pays at signup: the activation fee, the first
// recurring period and the device, all in the products' currency.
type Charge struct {
	Activation  Money        `json:"activation"`
	FirstPeriod Money        `json:"first_period"`
	Device      Money        `json:"device"`
	Total       Money        `json:"total"`
	Lines       []ChargeLine `json:"lines"`
}

// Product returns the offered product with the given i_product.
func (c Config) Product(iProduct int64) (Product, bool) {
	for _, p := range c.Products {
		if p.IProduct == iProduct {
			return p, true
		}
	}
	return Product{}, false
}

// Device returns the offered device type with the given i_ua_type.
func (c Config) Device(iUAType int64) (Device, bool) {
	for _, d := range c.Devices {
		if d.IUAType == iUAType {
			return d, true
		}
	}
	return Device{}, false
}

// Pool returns the offered number pool with the given i_dv_batch.
func (c Config) Pool(iDVBatch int64) (Pool, bool) {
	for _, p := range c.Pools {
		if p.IDVBatch == iDVBatch {
			return p, true
		}
	}
	return Pool{}, false
}

// Currency returns the currency every price is in: the first product's, or
// "" when there is no product (Validate ensures there is one, and that all
// products share it).
func (c Config) Currency() string {
	if len(c.Products) == 0 {
		return ""
	}
	return c.Products[0].Currency
}

// Activation returns the product's activation fee as Money.
func (p Product) Activation() Money { return Money{Amount: p.ActivationFee, Currency: p.Currency} }

// Recurring returns the product's fee per Period as Money.
func (p Product) Recurring() Money { return Money{Amount: p.RecurringFee, Currency: p.Currency} }

// DevicePrice returns a device's price as Money in the configuration's currency.
func (c Config) DevicePrice(d Device) Money { return Money{Amount: d.Price, Currency: c.Currency()} }

// DeviceChoice resolves the device input of the phone step: DeviceBYOD or an
// offered i_ua_type in decimal. It returns byod true for bring-your-own, or
// the device. The error is EInvalid for an empty or malformed choice and for
// bring-your-own when it is not allowed, and ENotFound for a device type
// that is not offered.
func (c Config) DeviceChoice(choice string) (d Device, byod bool, err error) {
	choice = strings.TrimSpace(choice)
	switch choice {
	case "":
		return Device{}, false, Errorf(EInvalid, "Choose a phone, or bring your own")
	case DeviceBYOD:
		if !c.AllowBYOD {
			return Device{}, false, Errorf(EInvalid, "Choose one of the phones on offer")
		}
		return Device{}, true, nil
	}
	i, perr := strconv.ParseInt(choice, 10, 64)
	if perr != nil || i <= 0 {
		return Device{}, false, Errorf(EInvalid, "Choose one of the phones on offer")
	}
	d, ok := c.Device(i)
	if !ok {
		return Device{}, false, Errorf(ENotFound, "That phone is no longer on offer; choose another")
	}
	return d, false, nil
}

// periodNames turns a period into the words of a charge line.
var periodNames = map[string]string{"day": "day", "week": "week", "month": "month", "year": "year"}

// ChargeFor returns what a prospect pays today for the product iProduct and
// the device choice: "" for none yet, DeviceBYOD, or an i_ua_type in
// decimal. The error is ENotFound for a product or device that is not
// offered, and EInvalid for a malformed device choice, bring-your-own when
// it is not allowed, or amounts that do not add up (an invalid configuration).
func (c Config) ChargeFor(iProduct int64, device string) (Charge, error) {
	p, ok := c.Product(iProduct)
	if !ok {
		return Charge{}, Errorf(ENotFound, "That plan is no longer on offer; choose another")
	}
	cur := p.Currency
	ch := Charge{
		Activation:  p.Activation(),
		FirstPeriod: p.Recurring(),
		Device:      Money{Currency: cur},
	}
	period := periodNames[p.Period]
	if period == "" {
		period = "period"
	}
	ch.Lines = []ChargeLine{
		{Label: "Activation fee", Amount: ch.Activation},
		{Label: p.Name + ", first " + period, Amount: ch.FirstPeriod},
	}
	if strings.TrimSpace(device) != "" {
		d, byod, err := c.DeviceChoice(device)
		if err != nil {
			return Charge{}, err
		}
		if byod {
			ch.Lines = append(ch.Lines, ChargeLine{Label: "Your own phone", Amount: ch.Device})
		} else {
			ch.Device.Amount = d.Price
			ch.Lines = append(ch.Lines, ChargeLine{Label: d.Name, Amount: ch.Device})
		}
	}
	total := int64(0)
	for _, a := range []int64{ch.Activation.Amount, ch.FirstPeriod.Amount, ch.Device.Amount} {
		if a < 0 || a > MaxAmount {
			return Charge{}, Errorf(EInvalid, "The prices of this form are not valid")
		}
		total += a
	}
	ch.Total = Money{Amount: total, Currency: cur}
	return ch, nil
}
