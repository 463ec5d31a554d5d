package portaswitch

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		text, iso string
		want      int64
		err       error
	}{
		{"5.00", "USD", 500, nil},
		{"14.95", "USD", 1495, nil},
		{"0.1", "USD", 10, nil},
		{"0.2", "USD", 20, nil},
		{"0.3", "USD", 30, nil},
		{"0.30000000000000004", "USD", 0, ErrInexactAmount}, // float64(0.1+0.2) printed: refused, not rounded
		{"9.950000", "USD", 995, nil},
		{"-3.5", "EUR", -350, nil},
		{"0", "USD", 0, nil},
		{"-0.00", "USD", 0, nil},
		{"1e2", "USD", 10000, nil},
		{"1.5E-1", "USD", 15, nil},
		{"2.5e-3", "USD", 0, ErrInexactAmount},
		{"1500", "JPY", 1500, nil},
		{"1500.0", "JPY", 1500, nil},
		{"1500.5", "JPY", 0, ErrInexactAmount},
		{"1.234", "BHD", 1234, nil},
		{"0.005", "KWD", 5, nil},
		{"1.2345", "BHD", 0, ErrInexactAmount},
		{"1.2345", "CLF", 12345, nil},
		{"12.34", "usd", 1234, nil},
		{"12.34", "", 1234, nil}, // unknown currency: 2 decimals
		{"92233720368547758.07", "USD", math.MaxInt64, nil},
		{"-92233720368547758.08", "USD", 0, ErrBadAmount}, // beyond int64 after negation guard
		{"92233720368547758.08", "USD", 0, ErrBadAmount},
		{"1e30", "USD", 0, ErrBadAmount},
		{"", "USD", 0, ErrBadAmount},
		{"abc", "USD", 0, ErrBadAmount},
		{"1.", "USD", 0, ErrBadAmount},
		{".5", "USD", 0, ErrBadAmount},
		{"+1", "USD", 0, ErrBadAmount},
		{"1,00", "USD", 0, ErrBadAmount},
		{"1e999", "USD", 0, ErrBadAmount},
		{"NaN", "USD", 0, ErrBadAmount},
	}
	for _, tc := range cases {
		got, err := ParseAmount(tc.text, tc.iso)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("ParseAmount(%q, %s) = %d, %v; want %v", tc.text, tc.iso, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", tc.text, tc.iso, got, err, tc.want)
		}
	}
}

func TestMinorUnitsSumExactly(t *testing.T) {
	// The classic float trap: 0.1 + 0.2 must be exactly 0.30.
	a, _ := ParseAmount("0.1", "USD")
	b, _ := ParseAmount("0.2", "USD")
	if got := FormatAmount(a+b, "USD"); got != "0.30" {
		t.Fatalf("0.1+0.2 = %s", got)
	}
	// Activation fee + first month, as the signup charges it.
	act, _ := ParseAmount("9.95", "USD")
	fee, _ := ParseAmount("24.95", "USD")
	if act+fee != 3490 {
		t.Fatalf("9.95+24.95 = %d", act+fee)
	}
}

func TestParseAmountRounded(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int64
	}{{"12.344", 1234}, {"12.345", 1235}, {"-12.345", -1235}, {"0.004", 0}, {"0.0051", 1}, {"7", 700}} {
		got, err := ParseAmountRounded(tc.text, "USD")
		if err != nil || got != tc.want {
			t.Errorf("ParseAmountRounded(%q) = %d, %v; want %d", tc.text, got, err, tc.want)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	cases := []struct {
		minor int64
		iso   string
		want  string
	}{
		{1495, "USD", "14.95"}, {5, "USD", "0.05"}, {0, "USD", "0.00"}, {-5, "USD", "-0.05"},
		{-1234, "EUR", "-12.34"}, {1500, "JPY", "1500"}, {1234, "BHD", "1.234"}, {7, "KWD", "0.007"},
		{math.MaxInt64, "USD", "92233720368547758.07"}, {math.MinInt64, "USD", "-92233720368547758.08"},
	}
	for _, tc := range cases {
		if got := FormatAmount(tc.minor, tc.iso); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %s; want %s", tc.minor, tc.iso, got, tc.want)
		}
		if tc.minor == math.MinInt64 {
			continue
		}
		back, err := ParseAmount(tc.want, tc.iso)
		if err != nil || back != tc.minor {
			t.Errorf("round trip %d %s: %d %v", tc.minor, tc.iso, back, err)
		}
	}
	if CurrencyExponent("JPY") != 0 || CurrencyExponent("USD") != 2 || CurrencyExponent("BHD") != 3 || CurrencyExponent("xyz") != 2 {
		t.Fatal("exponents")
	}
}

func TestMoneyJSON(t *testing.T) {
	var s Subscription
	if err := json.Unmarshal([]byte(`{"i_subscription":1,"iso_4217":"USD","activation_fee":9.95,"fee":"24.95"}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.ActivationFee != 995 || s.Fee != 2495 {
		t.Fatalf("%+v", s)
	}
	b, _ := json.Marshal(s)
	var back map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	_ = d.Decode(&back)
	if back["activation_fee"] != json.Number("9.95") || back["fee"] != json.Number("24.95") {
		t.Fatalf("marshal %s", b)
	}
	var j DIDNumber
	if err := json.Unmarshal([]byte(`{"i_did_number":3,"iso_4217":"JPY","activation_fee":100,"periodic_fee":0}`), &j); err != nil || j.ActivationFee != 100 {
		t.Fatalf("%+v %v", j, err)
	}
	if err := json.Unmarshal([]byte(`{"iso_4217":"USD","activation_fee":9.955}`), &s); !errors.Is(err, ErrInexactAmount) {
		t.Fatalf("inexact fee accepted: %v", err)
	}
	mt, _ := json.Marshal(MakeTransactionRequest{ICustomer: 1, Action: ActionECommercePayment, Amount: 3490, ISO4217: "USD"})
	if !strings.Contains(string(mt), `"amount":34.90`) {
		t.Fatalf("make_transaction params %s", mt)
	}
	var tx Transaction
	if err := json.Unmarshal([]byte(`{"i_payment_transaction":1,"amount":"1.234","iso_4217":"BHD","transaction_id":77}`), &tx); err != nil || tx.Amount != 1234 || tx.TransactionID != "77" {
		t.Fatalf("%+v %v", tx, err)
	}
}
