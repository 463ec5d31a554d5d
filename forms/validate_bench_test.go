package forms_test

import (
	"testing"

	"websignup/forms"
)

// BenchmarkValidateAnswers validates the demo form's address page as a
// prospect posts it: every field filled and valid.
func BenchmarkValidateAnswers(b *testing.B) {
	fields := forms.DemoConfig().Fields
	input := map[string]string{"firstname": "Ada", "lastname": "Lovelace", "companyname": "",
		"email": "ada@example.com", "phone1": "+1 206 555 0199", "baddr1": "1 Analytical Way",
		"city": "Seattle", "state": "WA", "zip": "98101", "country": "US"}
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := forms.ValidateAnswers(fields, input); errs.Len() > 0 {
			b.Fatal(errs)
		}
	}
}

// BenchmarkValidateAnswersInvalid validates a page where every field is
// wrong: the 422 path.
func BenchmarkValidateAnswersInvalid(b *testing.B) {
	fields := forms.DemoConfig().Fields
	input := map[string]string{"email": "not-an-email", "phone1": "12", "zip": "!", "country": "XX"}
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := forms.ValidateAnswers(fields, input); errs.Len() == 0 {
			b.Fatal("no errors")
		}
	}
}

// BenchmarkDemoConfigValidate validates a whole version, as a publish does.
func BenchmarkDemoConfigValidate(b *testing.B) {
	cfg := forms.DemoConfig()
	b.ReportAllocs()
	for b.Loop() {
		if err := cfg.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
