package storage

import (
	"encoding/json"
	"strconv"
	"time"
)

// A provisioning job's step list is written with every step it takes (see
// JobStore.RecordIntent), and json.Marshal's reflection over it was a
// quarter of Sign up's own CPU (docs/performance.md). appendSteps writes
// the same bytes as json.Marshal([]stepDoc) without reflection; the tests
// compare the two.

// appendSteps appends the JSON array of docs, as json.Marshal writes it.
func appendSteps(b []byte, docs []stepDoc) []byte {
	b = append(b, '[')
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendJSONString(b, d.Name)
		b = append(b, `,"intent":`...)
		b = appendJSONTime(b, d.Intent)
		b = append(b, `,"done":`...)
		b = appendJSONTime(b, d.Done)
		if d.Outcome != "" {
			b = append(b, `,"outcome":`...)
			b = appendJSONString(b, d.Outcome)
		}
		if d.RemoteID != 0 {
			b = append(b, `,"remote_id":`...)
			b = strconv.AppendInt(b, d.RemoteID, 10)
		}
		if d.Error != "" {
			b = append(b, `,"error":`...)
			b = appendJSONString(b, d.Error)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted). Times outside the years 0-9999, which MarshalJSON
// refuses, do not occur here (they are clock readings).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONString appends s quoted as json.Marshal quotes it. Printable
// ASCII other than the characters json.Marshal escapes (" \ < > &) is
// copied; any other string goes through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
