package portaswitch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

var secrets = []string{"4242424242424242", "4242 4242 4242 4242", "S3cretPass", "tok-abc-123", "sess-xyz", "refr-999", "737"}

func TestRedactJSON(t *testing.T) {
	cases := []string{
		`{"params":{"login":"admin","password":"S3cretPass"}}`,
		`{"params":{"customer_info":{"name":"x","password":"S3cretPass","login":"web1"}}}`,
		`{"params":{"account_info":{"id":"12065550100","h323_password":"S3cretPass"}}}`,
		`{"params":{"i_customer":5,"payment_method_info":{"payment_method":"VISA","number":"4242424242424242","cvv":"737","exp_date":"2030-12-31"}}}`,
		`{"params":{"payment_method_info":{"payment_method":"VISA","number":"4242 4242 4242 4242","cvv":737}}}`,
		`{"params":{"access_token":"tok-abc-123"}}`,
		`{"access_token":"tok-abc-123","refresh_token":"refr-999","session_id":"sess-xyz"}`,
		`{"params":{"old_password":"S3cretPass","new_password":"S3cretPass"}}`,
		`{"params":{"note":"card 4242424242424242 given by phone"}}`,
		`{"params":{"refresh_token":"refr-999"}}`,
		`[{"password":"S3cretPass"}]`,
	}
	for _, in := range cases {
		out := RedactJSON([]byte(in))
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("RedactJSON(%s) = %s leaks %q", in, out, s)
			}
		}
		if !json.Valid([]byte(out)) {
			t.Errorf("RedactJSON(%s) = %s is not JSON", in, out)
		}
	}
	// Non-secrets stay readable.
	out := RedactJSON([]byte(`{"params":{"number":"12065550100","i_did_number":7,"companyname":"ACME","payment_method_info":{"number":"4242424242424242","payment_method":"VISA"}}}`))
	for _, keep := range []string{"12065550100", `"i_did_number":7`, "ACME", "************4242"} {
		if !strings.Contains(out, keep) {
			t.Errorf("lost %s: %s", keep, out)
		}
	}
}

func TestRedactFormAndText(t *testing.T) {
	form := url.Values{"auth_info": {`{"session_id":"sess-xyz"}`}, "params": {`{"login":"a","password":"S3cretPass"}`}}.Encode()
	out := RedactJSON([]byte(form))
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("form: %s leaks %q", out, s)
		}
	}
	texts := []string{
		`Authorization: Bearer tok-abc-123`,
		`password=S3cretPass&login=x`,
		`error near "password": "S3cretPass"`,
		`card 4242-4242-4242-4242 declined`,
		`not json {"access_token":"tok-abc-123"`,
		`session_id=sess-xyz`,
	}
	for _, in := range texts {
		got := RedactString(in)
		for _, s := range secrets[:6] {
			if strings.Contains(got, s) {
				t.Errorf("RedactString(%q) = %q leaks %q", in, got, s)
			}
		}
	}
	if got := RedactString("call 12065550100 now"); got != "call 12065550100 now" {
		t.Errorf("an 11-digit phone number was masked: %s", got)
	}
	if !IsSecretKey("H323_Password") || !IsSecretKey("pan") || IsSecretKey("companyname") || IsSecretKey("number") {
		t.Error("IsSecretKey")
	}
	p := PaymentMethodInfo{PaymentMethod: "VISA", Number: "4242424242424242", CVV: "737", ExpDate: "2030-12-31"}
	for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%v %+v %#v %s", p, p, p, p)} {
		if strings.Contains(s, "4242424242424242") || strings.Contains(s, "737") {
			t.Errorf("PaymentMethodInfo prints %s", s)
		}
	}
	orig := map[string]any{"password": "x"}
	_ = Redact(orig)
	if orig["password"] != "x" {
		t.Error("Redact modified its input")
	}
}

// TestClientLogsNoSecrets logs a login and a card update at debug level.
func TestClientLogsNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	// The time and the call's duration, in nanoseconds, are no secrets but
	// may hold the CVV's digits ("duration":373766): they are left out of
	// what is searched.
	dropTimes := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == "duration" {
			return slog.Attr{}
		}
		return a
	}
	lg := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTimes}))
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", Login: "admin", Password: "S3cretPass", Logger: lg, ReadRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Login(t.Context())
	c.setTokens("tok-abc-123", "refr-999")
	_, _ = c.UpdatePaymentMethod(t.Context(), 1, PaymentMethodInfo{PaymentMethod: "VISA", Number: "4242424242424242", CVV: "737"})
	if buf.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for _, s := range secrets {
		if strings.Contains(buf.String(), s) {
			t.Errorf("log leaks %q: %s", s, buf.String())
		}
	}
}
