package forms_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"websignup/forms"
)

var cardNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func goodCard() forms.CardInput {
	return forms.CardInput{Name: "Ann Smith", Number: "4242 4242 4242 4242", ExpMonth: "12", ExpYear: "2028", CVV: "123"}
}

func TestValidateCardAccepts(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*forms.CardInput)
		wantBrand string
		wantLast4 string
		wantMonth int
		wantYear  int
	}{
		{"visa with spaces", func(*forms.CardInput) {}, forms.BrandVisa, "4242", 12, 2028},
		{"visa with dashes", func(in *forms.CardInput) { in.Number = "4242-4242-4242-4242" }, forms.BrandVisa, "4242", 12, 2028},
		{"visa 13 digits", func(in *forms.CardInput) { in.Number = "4222222222222" }, forms.BrandVisa, "2222", 12, 2028},
		{"mastercard 5-series", func(in *forms.CardInput) { in.Number = "5555555555554444" }, forms.BrandMasterCard, "4444", 12, 2028},
		{"mastercard 2-series", func(in *forms.CardInput) { in.Number = "2223003122003222" }, forms.BrandMasterCard, "3222", 12, 2028},
		{"amex with 4-digit code", func(in *forms.CardInput) { in.Number = "3782 822463 10005"; in.CVV = "1234" }, forms.BrandAmex, "0005", 12, 2028},
		{"discover", func(in *forms.CardInput) { in.Number = "6011111111111117" }, forms.BrandDiscover, "1117", 12, 2028},
		{"discover 65", func(in *forms.CardInput) { in.Number = "6500000000000002" }, forms.BrandDiscover, "0002", 12, 2028},
		{"two-digit year, one-digit month", func(in *forms.CardInput) { in.ExpMonth = "3"; in.ExpYear = "26" }, forms.BrandVisa, "4242", 3, 2026},
		{"padded month, spaces around", func(in *forms.CardInput) { in.ExpMonth = " 03 "; in.ExpYear = " 2026 "; in.CVV = " 123 " }, forms.BrandVisa, "4242", 3, 2026},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodCard()
			tt.edit(&in)
			c, errs := forms.ValidateCard(in, cardNow)
			if errs.Len() != 0 {
				t.Fatalf("errors: %v", errs)
			}
			if c.Brand != tt.wantBrand || c.Last4() != tt.wantLast4 || c.ExpMonth != tt.wantMonth || c.ExpYear != tt.wantYear {
				t.Errorf("got %s %s %d/%d, want %s %s %d/%d", c.Brand, c.Last4(), c.ExpMonth, c.ExpYear, tt.wantBrand, tt.wantLast4, tt.wantMonth, tt.wantYear)
			}
			if strings.ContainsAny(c.Number, " -") || strings.TrimSpace(c.CVV) != c.CVV || c.Name != "Ann Smith" {
				t.Errorf("not normalised: %q %q %q", c.Number, c.CVV, c.Name)
			}
		})
	}
}

func TestValidateCardRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*forms.CardInput)
		want map[string]string // key → message ("" = any)
	}{
		{"empty form", func(in *forms.CardInput) { *in = forms.CardInput{} }, map[string]string{
			forms.InputCardName: forms.MsgCardNameMissing, forms.InputCardNumber: forms.MsgCardNumberMissing,
			forms.InputCardExpMonth: "Enter the expiry month", forms.InputCardExpYear: "Enter the expiry year",
			forms.InputCardCVV: forms.MsgCardCVV}},
		{"blank name", func(in *forms.CardInput) { in.Name = "   " }, map[string]string{forms.InputCardName: forms.MsgCardNameMissing}},
		{"name with a control character", func(in *forms.CardInput) { in.Name = "Ann\x00" }, map[string]string{forms.InputCardName: ""}},
		{"name too long", func(in *forms.CardInput) { in.Name = strings.Repeat("a", 101) }, map[string]string{forms.InputCardName: ""}},
		{"letters in number", func(in *forms.CardInput) { in.Number = "4242 4242 4242 424x" }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"dots in number", func(in *forms.CardInput) { in.Number = "4242.4242.4242.4242" }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"fails Luhn", func(in *forms.CardInput) { in.Number = "4242424242424241" }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"too short", func(in *forms.CardInput) { in.Number = "42424242426" }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"too long", func(in *forms.CardInput) { in.Number = "42424242424242424241" }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"huge input", func(in *forms.CardInput) { in.Number = strings.Repeat("4", 10000) }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"JCB not accepted", func(in *forms.CardInput) { in.Number = "3530111333300000" }, map[string]string{forms.InputCardNumber: forms.MsgCardBrand}},
		{"Diners not accepted", func(in *forms.CardInput) { in.Number = "36227206271667" }, map[string]string{forms.InputCardNumber: forms.MsgCardBrand}},
		{"visa of 15 digits", func(in *forms.CardInput) { in.Number = "424242424242428" }, map[string]string{forms.InputCardNumber: forms.MsgCardNumberInvalid}},
		{"month 0", func(in *forms.CardInput) { in.ExpMonth = "0" }, map[string]string{forms.InputCardExpMonth: ""}},
		{"month 13", func(in *forms.CardInput) { in.ExpMonth = "13" }, map[string]string{forms.InputCardExpMonth: ""}},
		{"month word", func(in *forms.CardInput) { in.ExpMonth = "May" }, map[string]string{forms.InputCardExpMonth: ""}},
		{"3-digit year", func(in *forms.CardInput) { in.ExpYear = "202" }, map[string]string{forms.InputCardExpYear: ""}},
		{"year far ahead", func(in *forms.CardInput) { in.ExpYear = "2090" }, map[string]string{forms.InputCardExpYear: ""}},
		{"expired last year", func(in *forms.CardInput) { in.ExpYear = "2025" }, map[string]string{forms.InputCardExpYear: forms.MsgCardExpired}},
		{"expired last year, 2 digits", func(in *forms.CardInput) { in.ExpYear = "25" }, map[string]string{forms.InputCardExpYear: forms.MsgCardExpired}},
		{"expired last month", func(in *forms.CardInput) { in.ExpMonth = "2"; in.ExpYear = "2026" }, map[string]string{forms.InputCardExpMonth: forms.MsgCardExpired}},
		{"2-digit code", func(in *forms.CardInput) { in.CVV = "12" }, map[string]string{forms.InputCardCVV: forms.MsgCardCVV}},
		{"4-digit code on visa", func(in *forms.CardInput) { in.CVV = "1234" }, map[string]string{forms.InputCardCVV: forms.MsgCardCVV}},
		{"letters in code", func(in *forms.CardInput) { in.CVV = "12a" }, map[string]string{forms.InputCardCVV: forms.MsgCardCVV}},
		{"3-digit code on amex", func(in *forms.CardInput) { in.Number = "378282246310005"; in.CVV = "123" }, map[string]string{forms.InputCardCVV: forms.MsgCardCVVAmex}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := goodCard()
			tt.edit(&in)
			c, errs := forms.ValidateCard(in, cardNow)
			if c != (forms.Card{}) {
				t.Errorf("a card came back with errors: %v", c)
			}
			if errs.Len() != len(tt.want) {
				t.Errorf("errors %v, want keys %v", errs, tt.want)
			}
			for key, msg := range tt.want {
				got := errs.Get(key)
				if got == "" || (msg != "" && got != msg) {
					t.Errorf("%s: %q, want %q", key, got, msg)
				}
			}
			// No message quotes the input.
			for _, e := range errs {
				for _, v := range []string{in.Number, in.CVV} {
					if len(strings.TrimSpace(v)) >= 3 && strings.Contains(e.Message, strings.TrimSpace(v)) {
						t.Errorf("message %q quotes the input", e.Message)
					}
				}
			}
		})
	}
}

func TestValidateCardOrder(t *testing.T) {
	_, errs := forms.ValidateCard(forms.CardInput{ExpMonth: "1", ExpYear: "2026"}, cardNow)
	var keys []string
	for _, e := range errs {
		keys = append(keys, e.Key)
	}
	want := "card_name card_number card_exp_month card_cvv"
	if strings.Join(keys, " ") != want {
		t.Errorf("keys %v, want the form's order %s", keys, want)
	}
}

func TestValidateCardValidThroughEndOfMonth(t *testing.T) {
	in := goodCard()
	in.ExpMonth, in.ExpYear = "3", "2026"
	for _, tc := range []struct {
		now     time.Time
		expired bool
	}{
		{time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC), false},
		// Still 31 March in Hawaii.
		{time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		_, errs := forms.ValidateCard(in, tc.now)
		if got := errs.Get(forms.InputCardExpMonth) == forms.MsgCardExpired; got != tc.expired {
			t.Errorf("at %v: expired = %v, want %v (%v)", tc.now, got, tc.expired, errs)
		}
	}
}

func TestCardNeverShowsNumberOrCVV(t *testing.T) {
	c, errs := forms.ValidateCard(goodCard(), cardNow)
	if errs.Len() != 0 {
		t.Fatal(errs)
	}
	in := goodCard()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("card", "card", c, "input", in)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("card", "card", c, "input", in)
	j1, _ := json.Marshal(c)
	j2, _ := json.Marshal(in)
	j3, _ := json.Marshal(struct{ C forms.Card }{c})
	outs := []string{
		fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q %x %d", c, c, c, c, c, c, c),
		fmt.Sprint(in), fmt.Sprintf("%v %+v %#v %s %q %x %d", in, in, in, in, in, in, in),
		fmt.Sprintf("%v", []forms.Card{c}), fmt.Sprintf("%+v", struct{ C forms.Card }{c}),
		fmt.Sprintf("%+v", &c), c.String(), c.GoString(), logs.String(), string(j1), string(j2), string(j3),
	}
	for _, out := range outs {
		for _, secret := range []string{"4242424242424242", "4242 4242 4242 4242", "123"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows %q", out, secret)
			}
		}
	}
	if got := fmt.Sprint(c); got != "VISA ending 4242" {
		t.Errorf("String = %q", got)
	}
	if !strings.Contains(logs.String(), `"last4":"4242"`) || !strings.Contains(logs.String(), `"brand":"VISA"`) {
		t.Errorf("log lacks brand and last four: %s", logs.String())
	}
}

func TestCardEncodeDecode(t *testing.T) {
	in := goodCard()
	in.Number, in.CVV = "378282246310005", "1234"
	c, errs := forms.ValidateCard(in, cardNow)
	if errs.Len() != 0 {
		t.Fatal(errs)
	}
	got, err := forms.DecodeCard(c.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("round trip lost something: brand %s last4 %s month %d year %d name %q same number %v same cvv %v",
			got.Brand, got.Last4(), got.ExpMonth, got.ExpYear, got.Name, got.Number == c.Number, got.CVV == c.CVV)
	}
	if c.ExpDate() != "2028-12-31" {
		t.Errorf("ExpDate = %s", c.ExpDate())
	}
	feb := forms.Card{ExpMonth: 2, ExpYear: 2028}
	if feb.ExpDate() != "2028-02-29" {
		t.Errorf("leap February ExpDate = %s", feb.ExpDate())
	}
	for _, bad := range []string{"", "{}", "null", `{"n":"A","d":"4242424242424241","m":1,"y":2028,"c":"123"}`,
		`{"n":"A","d":"4242424242424242","m":13,"y":2028,"c":"123"}`, `{"n":"A","d":"4242424242424242","m":1,"y":2028,"c":"1234"}`,
		`{"n":"","d":"4242424242424242","m":1,"y":2028,"c":"123"}`} {
		_, err := forms.DecodeCard([]byte(bad))
		if forms.ErrorCode(err) != forms.EInvalid {
			t.Errorf("DecodeCard(%s): %v, want EInvalid", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "4242") {
			t.Errorf("error quotes the card: %v", err)
		}
	}
}

func FuzzValidateCard(f *testing.F) {
	f.Add("Ann", "4242424242424242", "12", "28", "123")
	f.Add("", "3782-822463-10005", "1", "2026", "1234")
	f.Add("x", "  ", "00", "0000", "")
	f.Add("\x00", "6011 1111 1111 1117", "99", "99", "9999")
	f.Fuzz(func(t *testing.T, name, number, month, year, cvv string) {
		c, errs := forms.ValidateCard(forms.CardInput{name, number, month, year, cvv}, cardNow)
		if errs.Len() > 0 {
			if c != (forms.Card{}) {
				t.Fatal("card with errors")
			}
			seen := map[string]bool{}
			for _, e := range errs {
				if seen[e.Key] || e.Message == "" {
					t.Fatalf("duplicate or empty error: %v", errs)
				}
				seen[e.Key] = true
			}
			return
		}
		if c.Brand == "" || len(c.Number) < 12 || len(c.Number) > 19 || c.ExpMonth < 1 || c.ExpMonth > 12 || c.Name == "" {
			t.Fatalf("accepted a bad card: %#v", c)
		}
		if c.Brand == forms.BrandAmex && len(c.CVV) != 4 || c.Brand != forms.BrandAmex && len(c.CVV) != 3 {
			t.Fatalf("accepted a security code of %d digits for %s", len(c.CVV), c.Brand)
		}
		if strings.Contains(fmt.Sprintf("%v %+v %#v %s", c, c, c, c), c.Number) {
			t.Fatal("formatting shows the number")
		}
		d, err := forms.DecodeCard(c.Encode())
		if err != nil || d != c {
			t.Fatalf("Encode/DecodeCard: %v", err)
		}
	})
}
