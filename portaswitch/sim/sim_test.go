package sim

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func newSim(t testing.TB, opts Options) *Sim {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do sends one request through the handler and decodes the JSON answer.
func do(t testing.TB, s http.Handler, method, path, ctype, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %q", method, path, rec.Body.String())
		}
	}
	return rec.Code, out
}

func login(t testing.TB, s http.Handler) (access, sessionID string) {
	t.Helper()
	code, out := do(t, s, "POST", "/rest/Session/login", "application/json", `{"params":{"login":"admin","password":"admin"}}`)
	if code != 200 {
		t.Fatalf("login: %d %v", code, out)
	}
	return out["access_token"].(string), out["session_id"].(string)
}

func TestParameterStyles(t *testing.T) {
	s := newSim(t, Options{})
	// Login itself in the form style.
	form := url.Values{"params": {`{"login":"admin","password":"admin"}`}}.Encode()
	code, out := do(t, s, "POST", "/rest/Session/login", "application/x-www-form-urlencoded", form)
	if code != 200 || out["session_id"] == nil {
		t.Fatalf("form login: %d %v", code, out)
	}
	sid := out["session_id"].(string)
	access := out["access_token"].(string)

	form = url.Values{"auth_info": {`{"session_id":"` + sid + `"}`}, "params": {`{"i_dv_batch":"2","limit":"5"}`}}.Encode()
	code, out = do(t, s, "POST", "/rest/DID/get_number_list", "application/x-www-form-urlencoded", form)
	if code != 200 || len(out["number_list"].([]any)) != 5 {
		t.Fatalf("form call: %d %v", code, out)
	}

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("auth_info", `{"session_id":"`+sid+`"}`)
	_ = mw.WriteField("params", `{}`)
	_ = mw.Close()
	code, out = do(t, s, "POST", "/rest/UA/get_ua_type_list", mw.FormDataContentType(), mp.String())
	if code != 200 || len(out["ua_type_list"].([]any)) != 3 {
		t.Fatalf("multipart call: %d %v", code, out)
	}

	// JSON with Bearer, JSON with auth_info in the body, stateless login+password.
	code, _ = do(t, s, "POST", "/rest/DID/get_vendor_batch_list", "application/json", `{"params":{}}`, "Authorization", "Bearer "+access)
	if code != 200 {
		t.Fatalf("bearer: %d", code)
	}
	code, _ = do(t, s, "POST", "/rest/DID/get_vendor_batch_list", "application/json", `{"auth_info":{"session_id":"`+sid+`"},"params":{}}`)
	if code != 200 {
		t.Fatalf("json auth_info: %d", code)
	}
	form = url.Values{"auth_info": {`{"login":"admin","password":"admin"}`}}.Encode()
	code, _ = do(t, s, "POST", "/admin/rest/Product/get_product_list", "application/x-www-form-urlencoded", form)
	if code != 200 {
		t.Fatalf("stateless auth: %d", code)
	}
	// curl -d sends JSON labelled as a form; it is read as JSON.
	code, _ = do(t, s, "POST", "/rest/Product/get_product_list", "application/x-www-form-urlencoded", `{"params":{}}`, "Authorization", "Bearer "+access)
	if code != 200 {
		t.Fatalf("json labelled as form: %d", code)
	}
}

func TestBadInput(t *testing.T) {
	s := newSim(t, Options{})
	access, _ := login(t, s)
	auth := []string{"Authorization", "Bearer " + access}
	cases := []struct {
		name, method, path, ctype, body string
		hdr                             []string
		status                          int
		code                            string
	}{
		{"malformed json", "POST", "/rest/Product/get_product_list", "application/json", `{"params":`, auth, 500, codeMalformed},
		{"params not object", "POST", "/rest/Product/get_product_list", "application/json", `{"params":[1]}`, auth, 500, codeMalformed},
		{"body not object", "POST", "/rest/Product/get_product_list", "application/json", `"hi"`, auth, 500, codeMalformed},
		{"form params not json", "POST", "/rest/Product/get_product_list", "application/x-www-form-urlencoded", `params=%7Bnope`, auth, 500, codeMalformed},
		{"unknown method", "POST", "/rest/Product/explode", "application/json", `{}`, auth, 500, codeUnknownMethod},
		{"unknown service", "POST", "/rest/Nope/get_list", "application/json", `{}`, auth, 500, codeUnknownMethod},
		{"not POST", "GET", "/rest/Product/get_product_list", "", ``, auth, 405, codeMalformed},
		{"missing key", "POST", "/rest/Customer/get_customer_info", "application/json", `{"params":{}}`, auth, 500, codeMissing},
		{"missing object", "POST", "/rest/Customer/add_customer", "application/json", `{"params":{}}`, auth, 500, codeMissing},
		{"wrong type int", "POST", "/rest/Customer/get_customer_info", "application/json", `{"params":{"i_customer":"abc"}}`, auth, 500, codeInvalid},
		{"wrong type object", "POST", "/rest/Customer/add_customer", "application/json", `{"params":{"customer_info":"x"}}`, auth, 500, codeInvalid},
		{"wrong type string", "POST", "/rest/Customer/add_customer", "application/json", `{"params":{"customer_info":{"name":{"a":1},"iso_4217":"USD"}}}`, auth, 500, codeInvalid},
		{"fractional int", "POST", "/rest/Account/get_account_info", "application/json", `{"params":{"i_account":1.5}}`, auth, 500, codeInvalid},
		{"bad money", "POST", "/rest/Customer/make_transaction", "application/json", `{"params":{"i_customer":1,"action":"Manual payment","amount":"1.001"}}`, auth, 500, codeInvalid},
		{"negative limit", "POST", "/rest/Product/get_product_list", "application/json", `{"params":{"limit":-1}}`, auth, 500, codeInvalid},
		{"unknown customer", "POST", "/rest/Customer/get_customer_info", "application/json", `{"params":{"i_customer":404}}`, auth, 500, "Server.Customer.not_found"},
		{"unknown number", "POST", "/rest/DID/assign_did_to_customer", "application/json", `{"params":{"i_customer":1,"i_did_number":99999}}`, auth, 500, "Server.DID.not_found"},
		{"unknown device", "POST", "/rest/Account/release_ua", "application/json", `{"params":{"i_account":1,"i_ua":1}}`, auth, 500, "Server.Account.not_found"},
		{"no auth", "POST", "/rest/Product/get_product_list", "application/json", `{}`, nil, 500, "Server.Session.check_auth.auth_failed"},
		{"bad token", "POST", "/rest/Product/get_product_list", "application/json", `{}`, []string{"Authorization", "Bearer junk"}, 500, "Client.Session.check_auth.failed_to_process_access_token"},
		{"refresh token as bearer", "POST", "/rest/Product/get_product_list", "application/json", `{}`, []string{"Authorization", "Bearer r:x"}, 500, "Client.Session.check_auth.failed_to_process_access_token"},
		{"login without password", "POST", "/rest/Session/login", "application/json", `{"params":{"login":"admin"}}`, nil, 500, codeMissing},
		{"wrong realm method", "POST", "/account/rest/Customer/add_customer", "application/json", `{}`, nil, 500, codeForbidden},
		{"huge body", "POST", "/rest/Product/get_product_list", "application/json", `{"params":{"x":"` + strings.Repeat("a", maxBody) + `"}}`, auth, 500, codeMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out := do(t, s, tc.method, tc.path, tc.ctype, tc.body, tc.hdr...)
			if code != tc.status || out["faultcode"] != tc.code || out["faultstring"] == "" {
				t.Fatalf("got %d %v; want %d %s", code, out, tc.status, tc.code)
			}
		})
	}
	if code, _ := do(t, s, "GET", "/elsewhere", "", ""); code != 404 {
		t.Fatalf("unknown path: %d", code)
	}
}

func TestStateFileAndReset(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	s := newSim(t, Options{StateFile: path})
	access, _ := login(t, s)
	auth := []string{"Authorization", "Bearer " + access}
	code, out := do(t, s, "POST", "/rest/Customer/add_customer", "application/json", `{"params":{"customer_info":{"name":"Persisted","iso_4217":"USD","i_parent":1}}}`, auth...)
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	ic := out["i_customer"]
	body := `{"params":{"i_customer":` + jsonText(ic) + `,"payment_method_info":{"payment_method":"VISA","number":"4242424242424242","cvv":"123","exp_date":"2031-01-31"}}}`
	if code, out = do(t, s, "POST", "/rest/Customer/update_payment_method", "application/json", body, auth...); code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	body = `{"params":{"account_info":{"i_customer":` + jsonText(ic) + `,"i_product":1,"id":"12065550123","login":"persist1","password":"Secret123"}}}`
	if code, out = do(t, s, "POST", "/rest/Account/add_account", "application/json", body, auth...); code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"4242424242424242", `"cvv"`, "Secret123"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("state file holds %s", secret)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}

	// A restarted simulator has the customer; old tokens are gone; the web
	// login still works.
	s2 := newSim(t, Options{StateFile: path})
	if code, _ := do(t, s2, "POST", "/rest/Product/get_product_list", "application/json", `{}`, auth...); code != 500 {
		t.Fatal("token survived a restart")
	}
	found := false
	for _, c := range s2.State().Customers {
		found = found || (c.Name == "Persisted" && c.PaymentMethod != nil && c.PaymentMethod.Number == "************4242")
	}
	if !found {
		t.Fatal("customer not loaded")
	}
	code, out = do(t, s2, "POST", "/account/rest/Session/login", "application/json", `{"params":{"login":"persist1","password":"Secret123"}}`)
	if code != 200 || out["password_change_required"] != "Y" {
		t.Fatalf("web login after restart: %d %v", code, out)
	}

	// /sim endpoints.
	code, out = do(t, s2, "GET", "/sim/state", "", "")
	for _, k := range []string{"customers", "accounts", "numbers", "devices", "transactions"} {
		if _, ok := out[k]; !ok || code != 200 {
			t.Fatalf("state lacks %s", k)
		}
	}
	if code, _ = do(t, s2, "POST", "/sim/reset", "", ""); code != 200 {
		t.Fatal("reset")
	}
	if st := s2.State(); len(st.Customers) != 1 || len(st.Accounts) != 0 {
		t.Fatalf("reset left %d customers", len(st.Customers))
	}
	s3 := newSim(t, Options{StateFile: path})
	if len(s3.State().Customers) != 1 {
		t.Fatal("reset not saved")
	}
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: path}); err == nil {
		t.Fatal("corrupt state file accepted")
	}
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestParseFaults(t *testing.T) {
	for _, in := range []string{
		``,
		`{"method":"Account/add_account","drop":true}`,
		`[{"method":"*","delay":"10ms"},{"method":"DID/get_number_list","delay":25,"count":3}]`,
		`{"Customer/make_transaction":{"faultcode":"Server.Payment.declined","count":1}}`,
	} {
		if _, err := ParseFaults(in); err != nil {
			t.Errorf("ParseFaults(%s): %v", in, err)
		}
	}
	for _, in := range []string{`{`, `[{"method":"x"}]`, `{"method":"A/b","delay":"soon"}`, `[{"method":"A/b","count":-1}]`, `{"method":"A/b","bogus":1}`} {
		if _, err := ParseFaults(in); err == nil {
			t.Errorf("ParseFaults(%s) accepted", in)
		}
	}
	rules, _ := ParseFaults(`[{"method":"DID/get_number_list","delay":25,"count":3}]`)
	if rules[0].Delay.D.Milliseconds() != 25 || rules[0].Count != 3 {
		t.Fatalf("%+v", rules[0])
	}
	s := newSim(t, Options{Faults: rules})
	if got := s.Faults(); len(got) != 1 {
		t.Fatalf("faults %+v", got)
	}
	code, out := do(t, s, "GET", "/sim/faults", "", "")
	if code != 200 || len(out["faults"].([]any)) != 1 {
		t.Fatalf("GET /sim/faults %v", out)
	}
}

func TestSeed(t *testing.T) {
	a, b := seedState("2026-01-01 00:00:00"), seedState("2026-01-01 00:00:00")
	if jsonText(a.Numbers) != jsonText(b.Numbers) || jsonText(a.Devices) != jsonText(b.Devices) {
		t.Fatal("seed is not deterministic")
	}
	perPool := map[int64]int{}
	seen := map[string]bool{}
	consecutive := 0
	for i, n := range a.Numbers {
		perPool[n.IDVBatch]++
		if len(n.Number) != 11 || n.Number[0] != '1' || seen[n.Number] {
			t.Fatalf("number %+v", n)
		}
		seen[n.Number] = true
		if i > 0 && n.IDVBatch == a.Numbers[i-1].IDVBatch {
			prev, _ := strconv.ParseInt(a.Numbers[i-1].Number, 10, 64)
			cur, _ := strconv.ParseInt(n.Number, 10, 64)
			if cur == prev+1 {
				consecutive++
			}
		}
	}
	if consecutive > len(a.Numbers)/10 {
		t.Fatalf("numbers are mostly sequential (%d consecutive pairs)", consecutive)
	}
	if perPool[1] < 200 || perPool[2] < 200 {
		t.Fatalf("pools %v", perPool)
	}
	perType := map[int64]int{}
	for _, d := range a.Devices {
		perType[d.IUAType]++
		if len(d.MAC) != 12 || d.Used != "N" {
			t.Fatalf("device %+v", d)
		}
	}
	if len(perType) != 3 || perType[1] < 3 {
		t.Fatalf("devices %v", perType)
	}
	if len(a.Products) != 3 || a.Subscriptions[0].ActivationFee != "9.95" || a.Subscriptions[1].Fee != "24.95" {
		t.Fatalf("catalogue %+v", a.Subscriptions)
	}
}

// FuzzParseBody checks that request parsing never panics and either yields
// params or a malformed-request fault.
func FuzzParseBody(f *testing.F) {
	f.Add("application/json", []byte(`{"params":{"i_customer":1}}`))
	f.Add("application/json", []byte(`{"params":null,"auth_info":"{\"session_id\":\"x\"}"}`))
	f.Add("application/json", []byte(`{"params":[`))
	f.Add("application/x-www-form-urlencoded", []byte(`params=%7B%22a%22%3A1%7D&auth_info=%7B%7D`))
	f.Add("application/x-www-form-urlencoded", []byte(`params=%zz`))
	f.Add("multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"params\"\r\n\r\n{}\r\n--X--\r\n"))
	f.Add("", []byte(``))
	f.Add("text/plain", []byte(`{"params":{}}`))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		p, _, err := parseBody(ctype, body)
		if err != nil {
			if asFault(err).Code != codeMalformed {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if p == nil {
			t.Fatal("nil params without error")
		}
		// Typed reads never panic either.
		for k := range p {
			_, _ = p.optInt(k)
			_, _ = p.optStr(k)
			_, _ = p.optFlag(k)
			_, _ = p.obj(k)
			_, _ = p.reqMoney(k, "USD")
		}
	})
}

// FuzzServeHTTP sends arbitrary bodies to every method with a valid token:
// the answer is always JSON, 200 or a 500 fault, never a panic or an empty 200.
func FuzzServeHTTP(f *testing.F) {
	s := newSim(f, Options{})
	access, _ := login(f, s)
	methods := Methods()
	f.Add(uint8(0), []byte(`{"params":{}}`))
	f.Add(uint8(3), []byte(`{"params":{"i_customer":1,"i_did_number":5}}`))
	f.Add(uint8(7), []byte(`{"params":{"customer_info":{"name":"F","iso_4217":"USD"}}}`))
	f.Add(uint8(11), []byte(`{"params":{"account_info":{"i_customer":1,"i_product":1,"id":"1"}}}`))
	f.Add(uint8(13), []byte(`{"params":{"i_customer":1,"action":"Manual payment","amount":"1e3"}}`))
	f.Add(uint8(17), []byte(`{"params":{"limit":"2","offset":1,"usage":"I","number":"%7%"}}`))
	f.Fuzz(func(t *testing.T, m uint8, body []byte) {
		name := methods[int(m)%len(methods)]
		if name == "Session/logout" || name == "Session/login" {
			return // keep the fuzzing session alive
		}
		req := httptest.NewRequest("POST", "/rest/"+name, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+access)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: not JSON: %q", name, rec.Body.String())
		}
		switch rec.Code {
		case 200:
			if _, isFault := out["faultcode"]; isFault {
				t.Fatalf("fault with 200")
			}
		case 500:
			if out["faultcode"] == "" || out["faultcode"] == "Server.Sim.internal_error" {
				t.Fatalf("%s: bad fault %v", name, out)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}
