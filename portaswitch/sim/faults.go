package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// FaultRule injects a failure into calls of one method. Matching calls first
// wait Delay (if set); then:
//
//   - Drop: the call is applied, then the connection is closed without an
//     answer (the client sees a transport error although the change happened);
//   - otherwise, if FaultCode is set or neither Drop nor Delay is: the call is
//     not applied and answers HTTP 500 with FaultCode (default
//     "Server.Sim.injected_fault") and FaultString;
//   - otherwise (Delay only) the call runs normally after the wait.
//
// Count > 0 limits the rule to the next Count matching calls ("fail the next
// N calls"); 0 means every call until the rules are cleared. JSON example:
//
//	[{"method":"Customer/make_transaction","faultcode":"Server.Payment.declined","count":1},
//	 {"method":"Account/add_account","drop":true,"count":1},
//	 {"method":"DID/get_number_list","delay":"2s"}]
type FaultRule struct {
	// Method is "Service/method" (e.g. "Account/add_account") or "*" for all.
	Method      string   `json:"method"`
	FaultCode   string   `json:"faultcode,omitempty"`
	FaultString string   `json:"faultstring,omitempty"`
	Delay       Duration `json:"delay,omitzero"`
	Count       int      `json:"count,omitempty"`
	Drop        bool     `json:"drop,omitempty"`
}

func (r *FaultRule) isFault() bool {
	return !r.Drop && (r.FaultCode != "" || r.Delay.D == 0)
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("250ms", "2s") or a number of milliseconds.
type Duration struct{ D time.Duration }

// MarshalJSON writes the duration as a string such as "250ms".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.D.String()) }

// UnmarshalJSON reads "250ms" or 250 (milliseconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("delay %q: %w", s, err)
		}
		d.D = v
		return nil
	}
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return errors.New("delay must be a duration string or milliseconds")
	}
	d.D = time.Duration(ms * float64(time.Millisecond))
	return nil
}

// ParseFaults reads fault rules from JSON: one rule object, a list of rules,
// or an object mapping "Service/method" to a rule. Empty text gives none.
func ParseFaults(text string) ([]FaultRule, error) {
	b := bytes.TrimSpace([]byte(text))
	if len(b) == 0 {
		return nil, nil
	}
	var list []FaultRule
	if b[0] == '[' {
		if err := strictUnmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("faults: %w", err)
		}
	} else {
		var one FaultRule
		if err := strictUnmarshal(b, &one); err == nil && one.Method != "" {
			list = []FaultRule{one}
		} else {
			var byMethod map[string]FaultRule
			if err := strictUnmarshal(b, &byMethod); err != nil {
				return nil, fmt.Errorf("faults: want a rule, a list of rules or a method→rule object: %w", err)
			}
			for m, r := range byMethod {
				r.Method = m
				list = append(list, r)
			}
		}
	}
	for _, r := range list {
		if err := r.validate(); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (r FaultRule) validate() error {
	if r.Method != "*" && !strings.Contains(r.Method, "/") {
		return fmt.Errorf("faults: method %q must be Service/method or *", r.Method)
	}
	if r.Count < 0 || r.Delay.D < 0 || r.Delay.D > time.Hour {
		return fmt.Errorf("faults: %s: count and delay must be sensible", r.Method)
	}
	return nil
}

// SetFaults replaces the injected fault rules.
func (s *Sim) SetFaults(rules []FaultRule) error {
	for _, r := range rules {
		if err := r.validate(); err != nil {
			return err
		}
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults = nil
	for _, r := range rules {
		r := r
		s.faults = append(s.faults, &r)
	}
	return nil
}

// AddFaults adds fault rules after the existing ones (the first matching rule
// applies).
func (s *Sim) AddFaults(rules ...FaultRule) error {
	for _, r := range rules {
		if err := r.validate(); err != nil {
			return err
		}
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	for _, r := range rules {
		r := r
		s.faults = append(s.faults, &r)
	}
	return nil
}

// ClearFaults removes every injected fault rule.
func (s *Sim) ClearFaults() {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults = nil
}

// Faults returns the active rules, with their remaining counts.
func (s *Sim) Faults() []FaultRule {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	out := make([]FaultRule, 0, len(s.faults))
	for _, r := range s.faults {
		out = append(out, *r)
	}
	return out
}

// matchFault returns a copy of the first rule for method and uses up one of
// its count.
func (s *Sim) matchFault(method string) *FaultRule {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	for i, r := range s.faults {
		if r.Method != "*" && r.Method != method {
			continue
		}
		hit := *r
		if r.Count > 0 {
			r.Count--
			if r.Count == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &hit
	}
	return nil
}
