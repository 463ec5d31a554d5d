package storage

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The JSON documents written or read on every request go through code of
// their own instead of encoding/json's reflection (docs/performance.md):
//
//   - a provisioning job's step list, written with every step it takes
//     (JobStore.RecordIntent): json.Marshal was a quarter of Sign up's own
//     CPU;
//   - a wizard session's progress, read on every wizard request and
//     written on every accepted step: json.Unmarshal was two fifths of the
//     session read.
//
// The writers write the same bytes as json.Marshal. The progress reader
// reads exactly what json.Marshal writes and hands anything else (spaces,
// escapes, another order) to json.Unmarshal, so it accepts and yields what
// json.Unmarshal does. The fuzz tests compare them.

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

// appendProgress appends d as json.Marshal writes it (map keys sorted).
func appendProgress(b []byte, d progressDoc) []byte {
	b = append(b, `{"product":`...)
	b = strconv.AppendInt(b, d.Product, 10)
	b = append(b, `,"answers":`...)
	if d.Answers == nil {
		b = append(b, "null"...)
	} else {
		keys := make([]string, 0, len(d.Answers))
		for k := range d.Answers {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, d.Answers[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"number":`...)
	b = appendJSONString(b, d.Number)
	b = append(b, `,"device":`...)
	b = appendJSONString(b, d.Device)
	b = append(b, `,"card_sealed":`...)
	b = strconv.AppendBool(b, d.CardSealed)
	return append(b, '}')
}

// decodeProgress reads a progress document: as written by appendProgress
// (or json.Marshal) itself, anything else through json.Unmarshal.
func decodeProgress(s string) (progressDoc, error) {
	if d, ok := readProgress(s); ok {
		return d, nil
	}
	var d progressDoc
	err := json.Unmarshal([]byte(s), &d)
	return d, err
}

// readProgress reads s if it is exactly what appendProgress writes, with
// no escapes in its strings, and reports whether it was.
func readProgress(s string) (d progressDoc, ok bool) {
	r := jsonReader{s: s}
	if !r.lit(`{"product":`) {
		return d, false
	}
	if d.Product, ok = r.int(); !ok || !r.lit(`,"answers":`) {
		return d, false
	}
	if !r.lit("null") {
		if !r.lit("{") {
			return d, false
		}
		d.Answers = map[string]string{}
		for first := true; !r.lit("}"); first = false {
			if !first && !r.lit(",") {
				return d, false
			}
			k, ok1 := r.str()
			ok2 := r.lit(":")
			v, ok3 := r.str()
			if !ok1 || !ok2 || !ok3 {
				return d, false
			}
			d.Answers[k] = v
		}
	}
	if !r.lit(`,"number":`) {
		return d, false
	}
	if d.Number, ok = r.str(); !ok || !r.lit(`,"device":`) {
		return d, false
	}
	if d.Device, ok = r.str(); !ok || !r.lit(`,"card_sealed":`) {
		return d, false
	}
	switch {
	case r.lit("true"):
		d.CardSealed = true
	case r.lit("false"):
	default:
		return d, false
	}
	return d, r.lit("}") && r.i == len(s)
}

// jsonReader reads the pieces of readProgress's documents from s at i.
type jsonReader struct {
	s string
	i int
}

// lit consumes lit if s continues with it.
func (r *jsonReader) lit(lit string) bool {
	if len(r.s)-r.i < len(lit) || r.s[r.i:r.i+len(lit)] != lit {
		return false
	}
	r.i += len(lit)
	return true
}

// int consumes an integer as strconv.AppendInt writes it.
func (r *jsonReader) int() (int64, bool) {
	j := r.i
	if j < len(r.s) && r.s[j] == '-' {
		j++
	}
	for j < len(r.s) && r.s[j] >= '0' && r.s[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(r.s[r.i:j], 10, 64)
	if err != nil || (j-r.i > 1 && r.s[r.i] == '0') || (j-r.i > 2 && r.s[r.i:r.i+2] == "-0") {
		return 0, false // json.Unmarshal judges leading zeros and overflow
	}
	r.i = j
	return n, true
}

// str consumes a quoted string without escapes or control characters,
// of valid UTF-8.
func (r *jsonReader) str() (string, bool) {
	if !r.lit(`"`) {
		return "", false
	}
	for j := r.i; j < len(r.s); j++ {
		switch c := r.s[j]; {
		case c == '"':
			v := r.s[r.i:j]
			if !utf8.ValidString(v) {
				return "", false
			}
			r.i = j + 1
			return v, true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}
