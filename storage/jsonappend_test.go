package storage

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzAppendSteps: appendSteps writes what json.Marshal writes, for any
// step names, outcomes, errors and ids, and the result decodes back.
func FuzzAppendSteps(f *testing.F) {
	f.Add("customer", "ok", "", int64(42), int64(1700000000123456789))
	f.Add("charge", "", `fault "Server.Declined": card <declined> & "kept"`, int64(0), int64(0))
	f.Add("number", "unknown", "line\nbreak\ttab\x00nul\x7fdel", int64(-1), int64(1))
	f.Add("account", "ok", "ünïcödé \u2028 \xff invalid", int64(1<<62), int64(-62135596800000000))
	f.Fuzz(func(t *testing.T, name, outcome, errText string, remoteID, nanos int64) {
		at := time.Unix(0, nanos).UTC()
		docs := []stepDoc{
			{Name: name, Intent: at, Done: at.Add(1500 * time.Microsecond), Outcome: outcome, RemoteID: remoteID, Error: errText},
			{Name: name + "2", Intent: at}, // zero Done, nothing optional
		}
		want, err := json.Marshal(docs)
		if err != nil {
			t.Skip("json.Marshal refuses it too:", err)
		}
		if got := appendSteps(nil, docs); string(got) != string(want) {
			t.Fatalf("appendSteps:\n got %s\nwant %s", got, want)
		}
		if got := appendSteps(nil, nil); string(got) != "[]" {
			t.Errorf("appendSteps(nil) = %s, want []", got)
		}
	})
}
