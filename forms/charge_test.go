package forms

import (
	"math"
	"strings"
	"testing"
)

func TestChargeFor(t *testing.T) {
	c := DemoConfig()
	tests := []struct {
		name       string
		product    int64
		device     string
		wantCode   string
		wantTotal  int64
		wantDevice int64
		wantLines  []string
	}{
		{"plan only", 1, "", "", 995 + 1495, 0, []string{"Activation fee", "Home Basic, first month"}},
		{"plan and phone", 2, "1", "", 995 + 2495 + 4900, 4900, []string{"Activation fee", "Home Unlimited, first month", "Yealink T31P"}},
		{"plan and own phone", 3, "byod", "", 1995 + 3995, 0, []string{"Activation fee", "Business Pro, first month", "Your own phone"}},
		{"device with spaces", 1, " 3 ", "", 995 + 1495 + 7900, 7900, nil},
		{"unknown product", 99, "", ENotFound, 0, 0, nil},
		{"zero product", 0, "1", ENotFound, 0, 0, nil},
		{"unknown device", 1, "42", ENotFound, 0, 0, nil},
		{"malformed device", 1, "yealink", EInvalid, 0, 0, nil},
		{"negative device", 1, "-1", EInvalid, 0, 0, nil},
		{"device overflow", 1, "99999999999999999999", EInvalid, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := c.ChargeFor(tt.product, tt.device)
			if tt.wantCode != "" {
				if ErrorCode(err) != tt.wantCode {
					t.Fatalf("ChargeFor = %v, want code %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.Total != (Money{tt.wantTotal, "USD"}) {
				t.Errorf("Total = %v, want %d USD", ch.Total, tt.wantTotal)
			}
			if ch.Device != (Money{tt.wantDevice, "USD"}) {
				t.Errorf("Device = %v", ch.Device)
			}
			var sum int64
			for _, l := range ch.Lines {
				sum += l.Amount.Amount
				if l.Amount.Currency != "USD" {
					t.Errorf("line %q in %s", l.Label, l.Amount.Currency)
				}
			}
			if sum != ch.Total.Amount {
				t.Errorf("lines add up to %d, total is %d", sum, ch.Total.Amount)
			}
			if ch.Activation.Amount+ch.FirstPeriod.Amount+ch.Device.Amount != ch.Total.Amount {
				t.Errorf("parts do not add up: %+v", ch)
			}
			if tt.wantLines != nil {
				var labels []string
				for _, l := range ch.Lines {
					labels = append(labels, l.Label)
				}
				if strings.Join(labels, "|") != strings.Join(tt.wantLines, "|") {
					t.Errorf("lines = %v, want %v", labels, tt.wantLines)
				}
			}
		})
	}
}

func TestChargeForBYODNotAllowed(t *testing.T) {
	c := DemoConfig()
	c.AllowBYOD = false
	if _, err := c.ChargeFor(1, DeviceBYOD); ErrorCode(err) != EInvalid {
		t.Errorf("byod when not allowed: %v", err)
	}
}

func TestChargeForYearlyJPY(t *testing.T) {
	c := Config{
		Products: []Product{{IProduct: 7, Name: "Annual", Currency: "JPY", ActivationFee: 3000, RecurringFee: 30000, Period: "year"}},
		Devices:  []Device{{IUAType: 1, Name: "Phone", Price: 9800}},
	}
	ch, err := c.ChargeFor(7, "1")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Total.String() != "¥42800" || ch.Lines[1].Label != "Annual, first year" {
		t.Errorf("charge = %v %v", ch.Total, ch.Lines)
	}
}

func TestChargeForRefusesBrokenAmounts(t *testing.T) {
	c := DemoConfig()
	c.Devices[0].Price = math.MaxInt64
	if _, err := c.ChargeFor(1, "1"); ErrorCode(err) != EInvalid {
		t.Errorf("overflowing price: %v", err)
	}
	c = DemoConfig()
	c.Products[0].ActivationFee = -5
	if _, err := c.ChargeFor(1, ""); ErrorCode(err) != EInvalid {
		t.Errorf("negative fee: %v", err)
	}
}

func TestConfigLookups(t *testing.T) {
	c := DemoConfig()
	if p, ok := c.Product(2); !ok || p.Name != "Home Unlimited" {
		t.Errorf("Product(2) = %v %v", p, ok)
	}
	if _, ok := c.Product(9); ok {
		t.Error("Product(9) found")
	}
	if d, ok := c.Device(3); !ok || d.Name != "Polycom VVX 150" {
		t.Errorf("Device(3) = %v %v", d, ok)
	}
	if _, ok := c.Device(0); ok {
		t.Error("Device(0) found")
	}
	if p, ok := c.Pool(2); !ok || p.Name != "Chicago (312 and 773)" {
		t.Errorf("Pool(2) = %v %v", p, ok)
	}
	if _, ok := c.Pool(3); ok {
		t.Error("Pool(3) found")
	}
	if c.Currency() != "USD" || (Config{}).Currency() != "" {
		t.Errorf("Currency = %q", c.Currency())
	}
	if got := c.DevicePrice(c.Devices[0]).String(); got != "$49.00" {
		t.Errorf("DevicePrice = %s", got)
	}
	p := c.Products[0]
	if p.Activation().String() != "$9.95" || p.Recurring().String() != "$14.95" {
		t.Errorf("product fees = %s %s", p.Activation(), p.Recurring())
	}
}

func TestDeviceChoice(t *testing.T) {
	c := DemoConfig()
	if d, byod, err := c.DeviceChoice("2"); err != nil || byod || d.IUAType != 2 {
		t.Errorf("DeviceChoice(2) = %v %v %v", d, byod, err)
	}
	if _, byod, err := c.DeviceChoice("byod"); err != nil || !byod {
		t.Errorf("DeviceChoice(byod) = %v %v", byod, err)
	}
	for choice, code := range map[string]string{"": EInvalid, "x": EInvalid, "0": EInvalid, "9": ENotFound} {
		if _, _, err := c.DeviceChoice(choice); ErrorCode(err) != code {
			t.Errorf("DeviceChoice(%q) = %v, want %s", choice, err, code)
		}
	}
}
