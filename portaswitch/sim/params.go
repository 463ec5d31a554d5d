package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"

	"websignup/portaswitch"
)

// fault is a PortaSwitch fault the simulator answers with HTTP 500.
type fault struct {
	Code   string `json:"faultcode"`
	String string `json:"faultstring"`
}

// Error returns "faultcode: faultstring".
func (f *fault) Error() string { return f.Code + ": " + f.String }

func faultf(code, format string, args ...any) *fault {
	return &fault{Code: code, String: fmt.Sprintf(format, args...)}
}

// Fault codes the simulator invents (see the package doc).
const (
	codeMalformed     = "Client.Request.malformed"
	codeUnknownMethod = "Client.Request.unknown_method"
	codeMissing       = "Client.Request.missing_parameter"
	codeInvalid       = "Client.Request.invalid_parameter"
	codeForbidden     = "Server.Session.forbidden"
	codeInjected      = "Server.Sim.injected_fault"
)

// params is a decoded "params" object; values stay raw until a handler asks
// for a key with the type it expects.
type params map[string]json.RawMessage

// maxBody bounds a request body.
const maxBody = 1 << 20

// parseBody decodes a request body in either style: JSON {"params": {...}}
// (optionally with "auth_info"), or form fields "params" and "auth_info",
// each a JSON string (urlencoded or multipart). It never panics; bad input
// gives a *fault with codeMalformed.
func parseBody(contentType string, body []byte) (p params, auth params, err error) {
	mt, mtParams, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case mt == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mtParams["boundary"])
		form, ferr := mr.ReadForm(maxBody)
		if ferr != nil {
			return nil, nil, faultf(codeMalformed, "cannot read multipart form")
		}
		defer form.RemoveAll()
		return formFields(url.Values(form.Value))
	case len(trimmed) > 0 && trimmed[0] != '{' && mt != "application/json":
		// Form fields. A body that starts with "{" is JSON whatever the
		// Content-Type says: curl -d sends JSON as a form by default.
		vals, perr := url.ParseQuery(string(body))
		if perr != nil {
			return nil, nil, faultf(codeMalformed, "cannot read form fields")
		}
		return formFields(vals)
	}
	if len(trimmed) == 0 {
		return params{}, nil, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil || top == nil {
		return nil, nil, faultf(codeMalformed, "body is not a JSON object")
	}
	if p, err = objectOf(top["params"], "params"); err != nil {
		return nil, nil, err
	}
	if raw, ok := top["auth_info"]; ok {
		if auth, err = objectOrString(raw, "auth_info"); err != nil {
			return nil, nil, err
		}
	}
	return p, auth, nil
}

func formFields(vals url.Values) (params, params, error) {
	p := params{}
	var auth params
	if s := vals.Get("params"); s != "" {
		if err := json.Unmarshal([]byte(s), &p); err != nil || p == nil {
			return nil, nil, faultf(codeMalformed, "form field params is not a JSON object")
		}
	}
	if s := vals.Get("auth_info"); s != "" {
		if err := json.Unmarshal([]byte(s), &auth); err != nil || auth == nil {
			return nil, nil, faultf(codeMalformed, "form field auth_info is not a JSON object")
		}
	}
	return p, auth, nil
}

func objectOf(raw json.RawMessage, name string) (params, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return params{}, nil
	}
	var p params
	if err := json.Unmarshal(raw, &p); err != nil || p == nil {
		return nil, faultf(codeMalformed, "%s is not a JSON object", name)
	}
	return p, nil
}

func objectOrString(raw json.RawMessage, name string) (params, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	return objectOf(raw, name)
}

func (p params) present(k string) bool {
	v, ok := p[k]
	return ok && string(v) != "null"
}

func (p params) reqInt(k string) (int64, error) {
	if !p.present(k) {
		return 0, faultf(codeMissing, "%s is required", k)
	}
	return p.optInt(k)
}

// optInt reads an integer given as a JSON number or a numeric string; absent
// gives 0.
func (p params) optInt(k string) (int64, error) {
	if !p.present(k) {
		return 0, nil
	}
	raw := bytes.TrimSpace(p[k])
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, faultf(codeInvalid, "%s must be an integer", k)
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil {
		return 0, faultf(codeInvalid, "%s must be an integer", k)
	}
	return v, nil
}

func (p params) reqStr(k string) (string, error) {
	s, err := p.optStr(k)
	if err == nil && s == "" {
		return "", faultf(codeMissing, "%s is required", k)
	}
	return s, err
}

// optStr reads a string (a JSON number is taken as its text); absent gives "".
func (p params) optStr(k string) (string, error) {
	if !p.present(k) {
		return "", nil
	}
	raw := bytes.TrimSpace(p[k])
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", faultf(codeInvalid, "%s must be a string", k)
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", faultf(codeInvalid, "%s must be a string", k)
	}
	return string(n), nil
}

// optFlag reads "Y"/"N", 1/0 or true/false.
func (p params) optFlag(k string) (bool, error) {
	if !p.present(k) {
		return false, nil
	}
	switch strings.Trim(strings.TrimSpace(string(p[k])), `"`) {
	case "Y", "y", "1", "true":
		return true, nil
	case "N", "n", "0", "false", "":
		return false, nil
	}
	return false, faultf(codeInvalid, "%s must be Y or N", k)
}

func (p params) obj(k string) (params, error) {
	if !p.present(k) {
		return nil, faultf(codeMissing, "%s is required", k)
	}
	var o params
	if err := json.Unmarshal(p[k], &o); err != nil || o == nil {
		return nil, faultf(codeInvalid, "%s must be an object", k)
	}
	return o, nil
}

// reqMoney reads a decimal amount (number or numeric string) in iso's minor
// units, exactly.
func (p params) reqMoney(k, iso string) (int64, error) {
	s, err := p.reqStr(k)
	if err != nil {
		return 0, err
	}
	v, err := portaswitch.ParseAmount(strings.TrimSpace(s), iso)
	if err != nil {
		if errors.Is(err, portaswitch.ErrInexactAmount) {
			return 0, faultf(codeInvalid, "%s has more decimals than %s allows", k, iso)
		}
		return 0, faultf(codeInvalid, "%s must be a decimal amount", k)
	}
	return v, nil
}

// readLimited reads at most maxBody bytes and reports whether there was more.
func readLimited(r io.Reader) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, false, err
	}
	if len(b) > maxBody {
		return nil, true, nil
	}
	return b, false, nil
}
