package portaswitch

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary answers to the client's decoding: it
// must never panic, and must classify every answer as a result, a Fault or a
// TransportError.
func FuzzDecodeResponse(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{200, `{"subscription_list":[{"i_subscription":1,"iso_4217":"USD","activation_fee":9.95,"fee":"14.95"}]}`},
		{200, `{"number_list":[{"i_did_number":1,"number":"12065550100","activation_fee":0,"periodic_fee":"1e1"}]}`},
		{200, `{"transaction_list":[{"amount":"0.1","iso_4217":"BHD","transaction_id":5}]}`},
		{200, `{"subscription_list":[{"activation_fee":"abc"}]}`},
		{200, `{"subscription_list":[{"activation_fee":1e400}]}`},
		{200, `[]`},
		{200, ``},
		{200, `{`},
		{500, `{"faultcode":"Server.Session.auth_failed","faultstring":"x"}`},
		{500, `{"faultcode":""}`},
		{502, `bad gateway`},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		targets := []func() any{
			func() any {
				return &struct {
					L []Subscription `json:"subscription_list"`
				}{}
			},
			func() any {
				return &struct {
					L []DIDNumber `json:"number_list"`
				}{}
			},
			func() any {
				return &struct {
					L []Transaction `json:"transaction_list"`
				}{}
			},
			func() any {
				return &struct {
					C *CustomerInfo `json:"customer_info"`
				}{}
			},
			func() any { return &LoginResult{} },
		}
		for _, mk := range targets {
			out := mk()
			err := decodeResponse("S", "m", status, body, out)
			if err == nil {
				if status != 200 {
					t.Fatalf("status %d decoded as success", status)
				}
				// A decoded result re-encodes and decodes to the same thing.
				b, merr := json.Marshal(out)
				if merr != nil {
					t.Fatalf("re-encode: %v", merr)
				}
				again := mk()
				if uerr := json.Unmarshal(b, again); uerr != nil {
					t.Fatalf("round trip of %s: %v", b, uerr)
				}
				b2, _ := json.Marshal(again)
				if string(b) != string(b2) {
					t.Fatalf("round trip changed %s to %s", b, b2)
				}
				continue
			}
			var fe *Fault
			var te *TransportError
			if !errors.As(err, &fe) && !errors.As(err, &te) {
				t.Fatalf("unclassified error %T %v", err, err)
			}
			if fe != nil && status != 500 {
				t.Fatalf("fault from status %d", status)
			}
		}
	})
}

// FuzzParseAmount checks that any amount that parses formats back to a value
// that parses to the same minor units.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"5.00", "0.1", "-3.5", "1e2", "1500", "1.234", "92233720368547758.07", "0.30000000000000004", "1e-2"} {
		f.Add(s, "USD")
		f.Add(s, "JPY")
		f.Add(s, "BHD")
	}
	f.Fuzz(func(t *testing.T, text, iso string) {
		v, err := ParseAmount(text, iso)
		if err != nil {
			if !errors.Is(err, ErrBadAmount) && !errors.Is(err, ErrInexactAmount) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		back, err := ParseAmount(FormatAmount(v, iso), iso)
		if err != nil || back != v {
			t.Fatalf("%q → %d → %q → %d %v", text, v, FormatAmount(v, iso), back, err)
		}
		if r, err := ParseAmountRounded(text, iso); err != nil || r != v {
			t.Fatalf("rounded differs on exact input: %d %v", r, err)
		}
	})
}

// FuzzNumberListDecode checks that GetNumberList's decoding (numberListResult,
// one pass) reads every answer as decoding into []DIDNumber, with
// DIDNumber.UnmarshalJSON for each number, does: the same numbers, or an
// error of the same kind.
func FuzzNumberListDecode(f *testing.F) {
	for _, s := range []string{
		`{"number_list":[{"i_did_number":1,"number":"12065550100","i_dv_batch":1,"activation_fee":"0.00","periodic_fee":0.00,"iso_4217":"USD","country_iso":"US","frozen":"N"}]}`,
		`{"number_list":[{"i_did_number":2,"number":"12065550101","activation_fee":"1e1","periodic_fee":"2.5","iso_4217":"BHD","i_customer":3,"i_account":4}]}`,
		`{"number_list":[{"iso_4217":"JPY","activation_fee":100,"periodic_fee":0},{"number":"1"}]}`,
		`{"number_list":[null,{"number":"2","NUMBER":"3"}]}`,
		`{"number_list":null}`,
		`{"number_list":[]}`,
		`{}`,
		`{"number_list":[{"activation_fee":"abc"}]}`,
		`{"number_list":[{"periodic_fee":0.001,"iso_4217":"USD"}]}`,
		`{"number_list":[{"number":"1","activation_fee":"x"},{"i_did_number":"7"}]}`,
		`{"number_list":[{"i_did_number":"7"}]}`,
		`{"number_list":[{"activation_fee":true}]}`,
		`{"number_list":{}}`,
		`{"number_list":[1]}`,
		`{"number_list":[{"i_did_number":1e400}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var old struct {
			L []DIDNumber `json:"number_list"`
		}
		oldErr := decodeResponse("DID", "get_number_list", 200, body, &old)
		var res numberListResult
		err := decodeResponse("DID", "get_number_list", 200, body, &res)
		if (err == nil) != (oldErr == nil) {
			t.Fatalf("%s: error %v, with DIDNumber.UnmarshalJSON %v", body, err, oldErr)
		}
		if err != nil {
			var te *TransportError
			if !errors.As(err, &te) || te.StatusCode != 200 {
				t.Fatalf("%s: error %T %v", body, err, err)
			}
			return
		}
		if len(res.list) != len(old.L) || (res.list == nil) != (old.L == nil) {
			t.Fatalf("%s: %d numbers (nil %t), with DIDNumber.UnmarshalJSON %d (nil %t)", body, len(res.list), res.list == nil, len(old.L), old.L == nil)
		}
		for i := range res.list {
			if res.list[i] != old.L[i] {
				t.Fatalf("%s: number %d is %+v, with DIDNumber.UnmarshalJSON %+v", body, i, res.list[i], old.L[i])
			}
		}
	})
}
