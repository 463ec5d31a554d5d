package forms

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzDecodeConfig(f *testing.F) {
	demo, _ := json.Marshal(DemoConfig())
	f.Add(demo)
	f.Add([]byte(``))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"fields":null,"products":[]}`))
	f.Add([]byte(`{"branding":{"company_title":"A","primary_color":"#000000"},` +
		`"fields":[{"key":"t","kind":"radio","label":"T","options":[{"value":"a","label":"A"}]},` +
		`{"key":"u","kind":"text","label":"U","pattern":"[0-9]+","min_length":1,"max_length":5,"show_when":{"field":"t","equals":"a"}}],` +
		`"products":[{"i_product":1,"name":"P","currency":"KWD","activation_fee":1000,"recurring_fee":2500,"period":"year"}],` +
		`"pools":[{"i_dv_batch":1,"name":"Pool","prefix":"1604"}],"allow_byod":true}`))
	f.Add([]byte(`{"branding":{"company_title":"A","primary_color":"#000000"},"fields":[{"key":"x","kind":"select","label":"X","options":[]}],` +
		`"products":[{"i_product":1,"name":"P","currency":"USD","period":"month"}],"pools":[{"i_dv_batch":1,"name":"N"}],` +
		`"devices":[{"i_ua_type":1,"name":"D","price":1}]}`))
	f.Add([]byte(`{"fields":[{"key":"a","kind":"text","label":"A","pattern":")|.*("}]}`))
	f.Add([]byte(`{"products":[{"i_product":"1"}]} {}`))
	f.Add([]byte(`{"branding":{"company_title":"\u0000"},"unknown":1}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeConfig(data)
		if err != nil {
			var ve ValidationErrors
			if !errors.As(err, &ve) || len(ve) == 0 {
				t.Fatalf("error is not a non-empty ValidationErrors: %#v", err)
			}
			if ErrorCode(err) != EInvalid {
				t.Fatalf("ErrorCode = %q", ErrorCode(err))
			}
			for _, e := range ve {
				if e.Message == "" {
					t.Fatalf("empty message in %v", ve)
				}
			}
			// A document that decodes but does not validate must name where.
			if raw, derr := decodeConfig(data); derr == nil {
				for _, e := range raw.Validate().(ValidationErrors) {
					if e.Path == "" {
						t.Fatalf("validation problem without a path: %v", e)
					}
				}
			}
			return
		}

		// A valid configuration re-encodes and re-decodes to an equal one.
		again, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		c2, err := DecodeConfig(again)
		if err != nil {
			t.Fatalf("re-decode of a valid config: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the config:\n%+v\n%+v", c, c2)
		}

		// Every offered choice has a charge that adds up, in one currency.
		choices := []string{""}
		if c.AllowBYOD {
			choices = append(choices, DeviceBYOD)
		}
		for _, d := range c.Devices {
			choices = append(choices, jsonInt(d.IUAType))
		}
		for _, p := range c.Products {
			for _, d := range choices {
				ch, err := c.ChargeFor(p.IProduct, d)
				if err != nil {
					t.Fatalf("ChargeFor(%d, %q) = %v", p.IProduct, d, err)
				}
				if ch.Total.Amount != ch.Activation.Amount+ch.FirstPeriod.Amount+ch.Device.Amount || ch.Total.Currency != c.Currency() {
					t.Fatalf("charge does not add up: %+v", ch)
				}
			}
		}

		// Its fields validate any answers without panicking.
		input := map[string]string{}
		for _, fl := range c.Fields {
			input[fl.Key] = "x"
		}
		checkAnswers(t, c.Fields, input)
		checkAnswers(t, c.Fields, nil)
	})
}

func jsonInt(i int64) string { b, _ := json.Marshal(i); return string(b) }

func FuzzValidateAnswers(f *testing.F) {
	f.Add("Ada", "ada@example.com", "+1 604 555 0134", "90210", "7", "1990-06-15", "business", "Acme", "CA", "on", "junk", "x")
	f.Add("", "", "", "", "", "", "", "", "", "", "", "")
	f.Add(" A\x00\u202e ", "a@b", "020 7946 0958", "1234567", "-0", "2001-02-30", "home", "acme", "gb", "TRUE", "vat", "1")
	f.Add(strings.Repeat("é", 1200), "a..b@x.com", "abc", "ABCDE", "99999999999999999999", "30/01/2001", "school", "", "XX", "off", "product", "1")
	f.Add("Zoë\nB", "x@y.co", "6045550134", "\xff\xfe", "+5", "0001-01-01", "home", "Acme", "us", "1", "companyname", "Acme")

	f.Fuzz(func(t *testing.T, first, email, phone, zip, ext, bday, ctype, company, country, consent, extraKey, extraVal string) {
		input := map[string]string{
			"firstname": first, "email": email, "phone1": phone, "zip": zip, "extensions": ext,
			"birthday": bday, "customer_type": ctype, "companyname": company, "vat": company,
			"plan_size": ctype, "notes": first + "\r\n" + company, "country": country, "consent": consent,
			"news": consent, extraKey: extraVal,
		}
		checkAnswers(t, answerFields(), input)
		checkAnswers(t, DemoConfig().Fields, input)
	})
}

// checkAnswers validates input against fields and checks the invariants of
// the result.
func checkAnswers(t *testing.T, fields []Field, input map[string]string) {
	t.Helper()
	answers, errs := ValidateAnswers(fields, input)
	if answers == nil {
		t.Fatal("nil answers")
	}
	byKey := map[string]Field{}
	for _, f := range fields {
		if _, dup := byKey[f.Key]; !dup {
			byKey[f.Key] = f
		}
	}
	shown := ShownFields(fields, answers)
	if len(shown) != len(answers) {
		t.Fatalf("%d answers for %d shown fields", len(answers), len(shown))
	}
	for _, f := range shown {
		if _, ok := answers[f.Key]; !ok {
			t.Fatalf("shown field %s has no answer", f.Key)
		}
	}
	for k, v := range answers {
		f, ok := byKey[k]
		if !ok {
			t.Fatalf("answer %q is not a field", k)
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxValueLength || v != strings.TrimSpace(v) {
			t.Fatalf("answer %s is not clean: %q", k, v)
		}
		if hasControl(v, f.Kind == KindTextarea) || (f.Kind == KindTextarea && strings.Contains(v, "\r")) {
			t.Fatalf("answer %s holds control characters: %q", k, v)
		}
	}
	last := -1
	for _, e := range errs {
		f, ok := byKey[e.Key]
		if !ok {
			t.Fatalf("error key %q is not a field", e.Key)
		}
		i := slices.IndexFunc(fields, func(g Field) bool { return g.Key == e.Key })
		if i <= last {
			t.Fatalf("errors out of field order or repeated: %v", errs)
		}
		last = i
		if _, ok := answers[e.Key]; !ok {
			t.Fatalf("error for hidden field %s", e.Key)
		}
		if !slices.Contains(possibleMessages(f), e.Message) {
			t.Fatalf("unexpected message for %s: %q", e.Key, e.Message)
		}
	}
	if errs.Len() > 0 {
		return
	}
	// Valid answers are in normal form: validating them again changes nothing.
	again, errs2 := ValidateAnswers(fields, answers)
	if errs2.Len() != 0 || !reflect.DeepEqual(again, answers) {
		t.Fatalf("valid answers are not stable:\n%v\n%v %v", answers, again, errs2)
	}
	for k, v := range answers {
		f := byKey[k]
		switch {
		case v == "":
		case f.Kind == KindTel && !strings.HasPrefix(v, "+"):
			t.Fatalf("phone %q not in E.164", v)
		case f.Kind == KindCountry && !slices.ContainsFunc(countries, func(o Option) bool { return o.Value == v }):
			t.Fatalf("country %q", v)
		case f.Kind == KindCheckbox && v != CheckboxChecked:
			t.Fatalf("checkbox %q", v)
		}
	}
}

// possibleMessages lists every message ValidateAnswers may give for f: the
// messages never quote what the prospect typed.
func possibleMessages(f Field) []string {
	limit := MaxValueLength
	if f.MaxLength > 0 && f.MaxLength < limit && hasLength(f.Kind) {
		limit = f.MaxLength
	}
	return []string{
		requiredMessage(f), patternMessage(f), lengthMessage(f, limit, "fewer"), lengthMessage(f, f.MinLength, "more"),
		msgEmail, msgTel, msgNumber, msgBig, msgDate, msgChoose, msgTick,
	}
}
