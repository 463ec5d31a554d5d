package portaswitch

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces a secret value in logged data.
const Redacted = "[REDACTED]"

// secretKeyParts: a key containing any of these (case-insensitive) holds a
// secret. "number" alone is not secret (it is the DID number), but inside a
// card object (see isCardObject) it is.
var secretKeyParts = []string{"password", "token", "secret", "session_id", "auth_info", "cvv", "cvc", "card_number"}

// IsSecretKey reports whether a parameter named key carries a secret
// (passwords, tokens, session ids, CVVs, card numbers) and must never be
// logged.
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	if k == "pan" { // exact only: "companyname" contains "pan"
		return true
	}
	for _, p := range secretKeyParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// Redact returns a deep copy of v (a tree of map[string]any, []any and
// scalars as decoded by encoding/json) with every secret removed: values of
// secret keys become Redacted, a card object's "number" keeps only its last
// four digits, and any string holding a 13–19 digit run (a card number
// anywhere) is masked. v itself is not modified.
func Redact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		card := isCardObject(t)
		out := make(map[string]any, len(t))
		for k, val := range t {
			switch {
			case IsSecretKey(k):
				out[k] = Redacted
			case card && strings.EqualFold(k, "number"):
				out[k] = maskCard(toString(val))
			default:
				out[k] = Redact(val)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = Redact(val)
		}
		return out
	case string:
		return RedactString(t)
	case json.Number:
		return json.Number(RedactString(string(t)))
	default:
		return v
	}
}

// RedactJSON returns body (a JSON request or response, or a form-encoded
// request with auth_info/params fields) as loggable text with every secret
// removed. Text that parses as neither is reduced by RedactString.
func RedactJSON(body []byte) string {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil {
		b, err := json.Marshal(Redact(v))
		if err == nil {
			return string(b)
		}
	}
	trimmed := strings.TrimSpace(string(body))
	if vals, err := url.ParseQuery(trimmed); err == nil && len(vals) > 0 && !strings.HasPrefix(trimmed, "{") && !strings.HasPrefix(trimmed, "[") {
		m := map[string]any{}
		for k, vs := range vals {
			if len(vs) == 0 {
				continue
			}
			var inner any
			d := json.NewDecoder(strings.NewReader(vs[0]))
			d.UseNumber()
			if IsSecretKey(k) {
				m[k] = Redacted
			} else if d.Decode(&inner) == nil {
				m[k] = Redact(inner)
			} else {
				m[k] = RedactString(vs[0])
			}
		}
		if b, err := json.Marshal(m); err == nil {
			return string(b)
		}
	}
	return RedactString(string(body))
}

var (
	// a run of 13-19 digits, optionally grouped by spaces or dashes.
	panRe = regexp.MustCompile(`\d(?:[ -]?\d){12,18}`)
	// "key": "value" and key=value pairs whose key is secret.
	kvRe     = regexp.MustCompile(`(?i)("?[a-z0-9_]*(?:password|token|secret|session_id|cvv|cvc|card_number)[a-z0-9_]*"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,&}"]+)`)
	bearerRe = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+`)
)

// RedactString masks secrets in free text such as an error message or a
// fault string: card-number-like digit runs keep their last four digits,
// Bearer tokens and "secret_key": "value" / key=value pairs become Redacted.
// A 13–19 digit international phone number is masked too: a log line that
// loses a phone number is better than one that keeps a card number.
func RedactString(s string) string {
	s = panRe.ReplaceAllStringFunc(s, maskCard)
	s = bearerRe.ReplaceAllString(s, "${1}"+Redacted)
	s = kvRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := kvRe.FindStringSubmatch(m)
		val := Redacted
		if strings.HasPrefix(sub[2], `"`) {
			val = `"` + Redacted + `"`
		}
		return sub[1] + val
	})
	return s
}

// MaskCard returns a card number reduced to its last four digits, e.g.
// "************4242", or Redacted when it has fewer than 8 digits.
func MaskCard(number string) string { return maskCard(number) }

func maskCard(number string) string {
	var digits []byte
	for i := 0; i < len(number); i++ {
		if number[i] >= '0' && number[i] <= '9' {
			digits = append(digits, number[i])
		}
	}
	if len(digits) < 8 {
		return Redacted
	}
	return strings.Repeat("*", len(digits)-4) + string(digits[len(digits)-4:])
}

func isCardObject(m map[string]any) bool {
	for _, k := range []string{"payment_method", "exp_date", "cvv", "card_type"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func toString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return string(t)
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}
