package forms

import (
	"strings"
	"testing"
)

// answerFields is a page with one field of every kind and a few conditions.
func answerFields() []Field {
	return []Field{
		{Key: "firstname", Kind: KindText, Label: "First name", Required: true, MaxLength: 10, MinLength: 2},
		{Key: "email", Kind: KindEmail, Label: "Email", Required: true},
		{Key: "phone1", Kind: KindTel, Label: "Contact phone", Required: true},
		{Key: "zip", Kind: KindText, Label: "Postcode", MaxLength: 10, Pattern: `[0-9]{5}`},
		{Key: "extensions", Kind: KindNumber, Label: "Number of extensions"},
		{Key: "birthday", Kind: KindDate, Label: "Date of birth"},
		{Key: "customer_type", Kind: KindRadio, Label: "Account type", Required: true,
			Options: []Option{{"home", "Home"}, {"business", "Business"}}},
		{Key: "companyname", Kind: KindText, Label: "Company name", Required: true,
			ShowWhen: &Condition{Field: "customer_type", Equals: "business"}},
		{Key: "vat", Kind: KindText, Label: "VAT number", Required: true,
			ShowWhen: &Condition{Field: "companyname", Equals: "Acme"}},
		{Key: "plan_size", Kind: KindSelect, Label: "Team size",
			Options: []Option{{"small", "1-5"}, {"large", "6+"}}},
		{Key: "notes", Kind: KindTextarea, Label: "Notes"},
		{Key: "country", Kind: KindCountry, Label: "Country", Required: true},
		{Key: "consent", Kind: KindCheckbox, Label: "I agree to be contacted", Required: true},
		{Key: "news", Kind: KindCheckbox, Label: "Send me news"},
	}
}

// validInput answers answerFields correctly.
func validInput() map[string]string {
	return map[string]string{
		"firstname":     "Ada",
		"email":         "ada@example.com",
		"phone1":        "+1 604 555 0134",
		"customer_type": "home",
		"country":       "CA",
		"consent":       "on",
	}
}

func TestValidateAnswersValid(t *testing.T) {
	in := validInput()
	in["unknown"] = "ignored"
	in["product"] = "1"
	got, errs := ValidateAnswers(answerFields(), in)
	if errs.Len() != 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := Answers{
		"firstname": "Ada", "email": "ada@example.com", "phone1": "+16045550134", "zip": "",
		"extensions": "", "birthday": "", "customer_type": "home", "plan_size": "", "notes": "",
		"country": "CA", "consent": "yes", "news": "",
	}
	if len(got) != len(want) {
		t.Errorf("got %d answers, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
		if _, ok := got[k]; !ok {
			t.Errorf("%s missing", k)
		}
	}
	for _, k := range []string{"unknown", "product", "companyname", "vat"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s must not be returned", k)
		}
	}
}

func TestValidateAnswersErrors(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		value     string
		extra     map[string]string // further changes to validInput
		wantMsg   string            // "" = no error for key
		wantValue string            // the answer kept, when checked
	}{
		{"required text", "firstname", "", nil, "Enter your first name", ""},
		{"required only spaces", "firstname", "   ", nil, "Enter your first name", ""},
		{"required only controls", "firstname", "\x00\x01", nil, "Enter your first name", ""},
		{"trimmed", "firstname", "  Ada  ", nil, "", "Ada"},
		{"control stripped", "firstname", "A\x00da\u202e", nil, "", "Ada"},
		{"newline becomes space", "firstname", "Ada\nB", nil, "", "Ada B"},
		{"invalid utf-8 dropped", "firstname", "Ad\xffa", nil, "", "Ada"},
		{"too long", "firstname", "Bartholomew", nil, "First name must be 10 characters or fewer", "Bartholomew"},
		{"too long counts characters", "firstname", "Zoëzoëzoëz", nil, "", "Zoëzoëzoëz"},
		{"too short", "firstname", "A", nil, "First name must be 2 characters or more", "A"},
		{"required email", "email", "", nil, "Enter your email", ""},
		{"email without at", "email", "ada.example.com", nil, msgEmail, "ada.example.com"},
		{"email without tld", "email", "ada@example", nil, msgEmail, ""},
		{"email with space", "email", "ada lovelace@example.com", nil, msgEmail, ""},
		{"email two ats", "email", "a@b@example.com", nil, msgEmail, ""},
		{"email double dot", "email", "a..b@example.com", nil, msgEmail, ""},
		{"email plus", "email", "ada+signup@mail.example.co.uk", nil, "", "ada+signup@mail.example.co.uk"},
		{"required tel", "phone1", "", nil, "Enter your contact phone", ""},
		{"tel letters", "phone1", "call me", nil, msgTel, "call me"},
		{"tel too short", "phone1", "123", nil, msgTel, ""},
		{"tel national in country", "phone1", "(604) 555-0134", nil, "", "+16045550134"},
		{"tel national from country answer", "phone1", "020 7946 0958", map[string]string{"country": "gb"}, "", "+442079460958"},
		{"tel international", "phone1", "+44 20 7946 0958", nil, "", "+442079460958"},
		{"pattern", "zip", "ABCDE", nil, "Enter a valid postcode", "ABCDE"},
		{"pattern matches whole value", "zip", "123456", nil, "Enter a valid postcode", ""},
		{"pattern ok", "zip", "90210", nil, "", "90210"},
		{"length before pattern", "zip", "12345678901", nil, "Postcode must be 10 characters or fewer", ""},
		{"optional empty is fine", "zip", "", nil, "", ""},
		{"number", "extensions", "three", nil, msgNumber, "three"},
		{"number decimal", "extensions", "2.5", nil, msgNumber, ""},
		{"number normalised", "extensions", "007", nil, "", "7"},
		{"number negative", "extensions", "-3", nil, "", "-3"},
		{"number huge", "extensions", "99999999999999999999", nil, msgBig, ""},
		{"date", "birthday", "2001-02-30", nil, msgDate, "2001-02-30"},
		{"date format", "birthday", "30/01/2001", nil, msgDate, ""},
		{"date too old", "birthday", "0001-01-01", nil, msgDate, ""},
		{"date ok", "birthday", "1990-06-15", nil, "", "1990-06-15"},
		{"radio required", "customer_type", "", nil, "Choose your account type", ""},
		{"radio not an option", "customer_type", "school", nil, msgChoose, "school"},
		{"select not an option", "plan_size", "huge", nil, msgChoose, ""},
		{"select option label is not a value", "plan_size", "1-5", nil, msgChoose, ""},
		{"select ok", "plan_size", "large", nil, "", "large"},
		{"country required", "country", "", nil, "Choose your country", ""},
		{"country unknown", "country", "XX", nil, msgChoose, "XX"},
		{"country name is not a code", "country", "Canada", nil, msgChoose, ""},
		{"country lower case", "country", "us", nil, "", "US"},
		{"checkbox required", "consent", "", nil, msgTick, ""},
		{"checkbox off", "consent", "off", nil, msgTick, ""},
		{"checkbox true", "consent", "TRUE", nil, "", "yes"},
		{"checkbox 1", "consent", "1", nil, "", "yes"},
		{"checkbox optional unticked", "news", "no", nil, "", ""},
		{"textarea keeps lines", "notes", "line 1\r\nline 2\ttab", nil, "", "line 1\nline 2\ttab"},
		{"hard cap without max length", "notes", strings.Repeat("x", MaxValueLength+1), nil, "Notes must be 1000 characters or fewer", strings.Repeat("x", MaxValueLength)},
		{"hard cap on huge input", "notes", strings.Repeat("é", 10*MaxValueLength), nil, "Notes must be 1000 characters or fewer", strings.Repeat("é", MaxValueLength)},
		{"conditional shown and required", "companyname", "", map[string]string{"customer_type": "business"}, "Enter your company name", ""},
		{"nested condition shown", "vat", "", map[string]string{"customer_type": "business", "companyname": "Acme"}, "Enter your VAT number", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			for k, v := range tt.extra {
				in[k] = v
			}
			in[tt.key] = tt.value
			got, errs := ValidateAnswers(answerFields(), in)
			if msg := errs.Get(tt.key); msg != tt.wantMsg {
				t.Errorf("error for %s = %q, want %q", tt.key, msg, tt.wantMsg)
			}
			want := 0
			if tt.wantMsg != "" {
				want = 1
			}
			if errs.Len() != want {
				t.Errorf("got %d errors, want %d: %v", errs.Len(), want, errs)
			}
			if tt.wantValue != "" && got[tt.key] != tt.wantValue {
				t.Errorf("answer %s = %q, want %q", tt.key, got[tt.key], tt.wantValue)
			}
			if _, ok := got[tt.key]; !ok {
				t.Errorf("answer %s missing: the page must show what was typed", tt.key)
			}
		})
	}
}

func TestPhoneRegion(t *testing.T) {
	fields := []Field{{Key: "phone1", Kind: KindTel, Label: "Phone"}}
	if _, errs := ValidateAnswers(fields, map[string]string{"phone1": "020 7946 0958"}); errs.Get("phone1") != msgTel {
		t.Errorf("a UK national number without a country must be read as US: %v", errs)
	}
	got, errs := ValidateAnswers(fields, map[string]string{"phone1": "604 555 0134"})
	if errs.Len() != 0 || got["phone1"] != "+16045550134" {
		t.Errorf("US national number: %v %v", got, errs)
	}
	fields = append(fields, Field{Key: "country", Kind: KindCountry, Label: "Country"})
	got, errs = ValidateAnswers(fields, map[string]string{"phone1": "020 7946 0958", "country": "XX"})
	if errs.Get("phone1") != msgTel || errs.Get("country") != msgChoose {
		t.Errorf("an unknown country falls back to US: %v %v", got, errs)
	}
}

func TestValidateAnswersHiddenFields(t *testing.T) {
	in := validInput()
	in["companyname"] = "Acme" // customer_type is home: hidden
	in["vat"] = "GB123"
	got, errs := ValidateAnswers(answerFields(), in)
	if errs.Len() != 0 {
		t.Fatalf("hidden required fields must not be required: %v", errs)
	}
	if _, ok := got["companyname"]; ok {
		t.Error("a hidden field must not be stored")
	}
	if _, ok := got["vat"]; ok {
		t.Error("a field depending on a hidden field must not be stored")
	}

	in["customer_type"] = "business"
	got, errs = ValidateAnswers(answerFields(), in)
	if errs.Len() != 0 || got["companyname"] != "Acme" || got["vat"] != "GB123" {
		t.Errorf("shown fields: %v %v", got, errs)
	}

	shown := ShownFields(answerFields(), got)
	var keys []string
	for _, f := range shown {
		keys = append(keys, f.Key)
	}
	if !strings.Contains(strings.Join(keys, ","), "customer_type,companyname,vat,plan_size") {
		t.Errorf("ShownFields = %v", keys)
	}
	if n := len(ShownFields(answerFields(), nil)); n != len(answerFields())-2 {
		t.Errorf("ShownFields with no answers: %d fields", n)
	}
}

func TestValidateAnswersErrorOrderAndEmptyInput(t *testing.T) {
	got, errs := ValidateAnswers(answerFields(), nil)
	var keys []string
	for _, e := range errs {
		keys = append(keys, e.Key)
	}
	if strings.Join(keys, ",") != "firstname,email,phone1,customer_type,country,consent" {
		t.Errorf("error keys = %v", keys)
	}
	if got == nil {
		t.Error("answers must be a non-nil map")
	}
	if ErrorCode(errs) != EInvalid {
		t.Errorf("ErrorCode(FieldErrors) = %q", ErrorCode(errs))
	}
}

func TestMessagesFromLabels(t *testing.T) {
	tests := []struct {
		f           Field
		required    string
		pattern     string
		lengthFewer string
	}{
		{Field{Label: "First name"}, "Enter your first name", "Enter a valid first name", "First name must be 5 characters or fewer"},
		{Field{Label: "Postcode:"}, "Enter your postcode", "Enter a valid postcode", "Postcode must be 5 characters or fewer"},
		{Field{Label: "ZIP code *"}, "Enter your ZIP code", "Enter a valid ZIP code", "ZIP code must be 5 characters or fewer"},
		{Field{Label: "Your employer"}, "Enter your employer", "Enter a valid employer", "Your employer must be 5 characters or fewer"},
		{Field{Label: "iPhone model"}, "Enter your iPhone model", "Enter a valid iPhone model", "iPhone model must be 5 characters or fewer"},
		{Field{Label: "How did you hear about us?"}, "Answer this question", "Check your answer; it is not in the expected format", "Your answer must be 5 characters or fewer"},
		{Field{Label: "Province", Kind: KindSelect}, "Choose your province", "Enter a valid province", "Province must be 5 characters or fewer"},
	}
	for _, tt := range tests {
		if got := requiredMessage(tt.f); got != tt.required {
			t.Errorf("%q required: %q, want %q", tt.f.Label, got, tt.required)
		}
		if got := patternMessage(tt.f); got != tt.pattern {
			t.Errorf("%q pattern: %q, want %q", tt.f.Label, got, tt.pattern)
		}
		if got := lengthMessage(tt.f, 5, "fewer"); got != tt.lengthFewer {
			t.Errorf("%q length: %q, want %q", tt.f.Label, got, tt.lengthFewer)
		}
	}
}

func TestFieldDisplay(t *testing.T) {
	f := answerFields()
	if got := f[6].Display("business"); got != "Business" {
		t.Errorf("radio: %q", got)
	}
	if got := f[11].Display("CA"); got != "Canada" {
		t.Errorf("country: %q", got)
	}
	if got := f[12].Display("yes"); got != "Yes" {
		t.Errorf("checkbox: %q", got)
	}
	if got := f[13].Display(""); got != "No" {
		t.Errorf("checkbox: %q", got)
	}
	if got := f[0].Display("Ada"); got != "Ada" {
		t.Errorf("text: %q", got)
	}
}

func TestDemoAnswers(t *testing.T) {
	in := map[string]string{
		"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "phone1": "604-555-0134",
		"baddr1": "1 Main St", "city": "Vancouver", "state": "BC", "zip": "V5K 0A1", "country": "CA",
	}
	got, errs := ValidateAnswers(DemoConfig().Fields, in)
	if errs.Len() != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if got["phone1"] != "+16045550134" || got["companyname"] != "" {
		t.Errorf("answers: %v", got)
	}
	in["zip"] = "V5K#0A1"
	_, errs = ValidateAnswers(DemoConfig().Fields, in)
	if errs.Get("zip") != "Enter a valid postcode" {
		t.Errorf("zip: %v", errs)
	}
}

func TestErrorsErr(t *testing.T) {
	if (FieldErrors{}).Err() != nil || (ValidationErrors{}).Err() != nil {
		t.Error("empty lists must give a nil error")
	}
	if ErrorCode((FieldErrors{{Key: "a", Message: "Enter your a"}}).Err()) != EInvalid {
		t.Error("FieldErrors.Err is EInvalid")
	}
}
