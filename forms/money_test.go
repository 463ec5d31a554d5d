package forms

import (
	"math"
	"testing"
)

func TestMoneyFormatting(t *testing.T) {
	tests := []struct {
		m       Money
		decimal string
		str     string
	}{
		{Money{1495, "USD"}, "14.95", "$14.95"},
		{Money{5, "USD"}, "0.05", "$0.05"},
		{Money{0, "USD"}, "0.00", "$0.00"},
		{Money{-1495, "USD"}, "-14.95", "-$14.95"},
		{Money{-5, "EUR"}, "-0.05", "-€0.05"},
		{Money{1500, "JPY"}, "1500", "¥1500"},
		{Money{-1500, "JPY"}, "-1500", "-¥1500"},
		{Money{1250, "KWD"}, "1.250", "KWD 1.250"},
		{Money{5, "KWD"}, "0.005", "KWD 0.005"},
		{Money{12345, "CLF"}, "1.2345", "CLF 1.2345"},
		{Money{100, "SEK"}, "1.00", "SEK 1.00"},
		{Money{math.MinInt64, "USD"}, "-92233720368547758.08", "-$92233720368547758.08"},
		{Money{math.MaxInt64, "JPY"}, "9223372036854775807", "¥9223372036854775807"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.decimal {
			t.Errorf("%v.Decimal() = %q, want %q", tt.m.Amount, got, tt.decimal)
		}
		if got := tt.m.String(); got != tt.str {
			t.Errorf("%v.String() = %q, want %q", tt.m.Amount, got, tt.str)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		text, cur string
		want      int64
		wantErr   bool
	}{
		{"14.95", "USD", 1495, false},
		{" 15 ", "USD", 1500, false},
		{"0.5", "USD", 50, false},
		{".5", "USD", 50, false},
		{"15.", "USD", 1500, false},
		{"-14.95", "USD", -1495, false},
		{"1500", "JPY", 1500, false},
		{"1.250", "KWD", 1250, false},
		{"1.25", "KWD", 1250, false},
		{"14.955", "USD", 0, true},
		{"1.5", "JPY", 0, true},
		{"1.2345", "KWD", 0, true},
		{"", "USD", 0, true},
		{".", "USD", 0, true},
		{"-", "USD", 0, true},
		{"--5", "USD", 0, true},
		{"1,000.00", "USD", 0, true},
		{"1e3", "USD", 0, true},
		{"+5", "USD", 0, true},
		{"$5", "USD", 0, true},
		{"1.2.3", "KWD", 0, true},
		{"9999999999999999", "USD", 0, true},
		{"5", "usd", 0, true},
		{"5", "", 0, true},
	}
	for _, tt := range tests {
		m, err := ParseMoney(tt.text, tt.cur)
		if tt.wantErr {
			if ErrorCode(err) != EInvalid {
				t.Errorf("ParseMoney(%q, %s) = %v, %v; want an EInvalid error", tt.text, tt.cur, m, err)
			}
			continue
		}
		if err != nil || m != (Money{tt.want, tt.cur}) {
			t.Errorf("ParseMoney(%q, %s) = %v, %v; want %d", tt.text, tt.cur, m, err, tt.want)
		}
	}
}

func TestMoneyRoundTrip(t *testing.T) {
	for _, cur := range []string{"USD", "JPY", "KWD", "CLF"} {
		for _, a := range []int64{0, 1, 9, 10, 99, 100, 101, 1495, -1, -1495, 123456789012345, -999999999999999} {
			m := Money{a, cur}
			back, err := ParseMoney(m.Decimal(), cur)
			if err != nil || back != m {
				t.Errorf("%v → %q → %v, %v", m, m.Decimal(), back, err)
			}
		}
	}
}

func TestCurrencies(t *testing.T) {
	if CurrencyExponent("JPY") != 0 || CurrencyExponent("kwd") != 3 || CurrencyExponent("USD") != 2 {
		t.Error("CurrencyExponent")
	}
	for c, ok := range map[string]bool{"USD": true, "usd": false, "US": false, "USDX": false, "U$D": false, "": false} {
		if ValidCurrency(c) != ok {
			t.Errorf("ValidCurrency(%q) != %v", c, ok)
		}
	}
}

func FuzzMoneyRoundTrip(f *testing.F) {
	f.Add(int64(1495), "USD")
	f.Add(int64(-1), "JPY")
	f.Add(int64(1250), "KWD")
	f.Add(int64(0), "CLF")
	f.Fuzz(func(t *testing.T, a int64, cur string) {
		if !ValidCurrency(cur) || a > 1e14 || a < -1e14 {
			return
		}
		m := Money{a, cur}
		back, err := ParseMoney(m.Decimal(), cur)
		if err != nil || back != m {
			t.Fatalf("%v → %q → %v, %v", m, m.Decimal(), back, err)
		}
	})
}
