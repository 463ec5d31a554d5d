package storage

import (
	"encoding/json"
	"reflect"
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

// FuzzAppendProgress: appendProgress writes what json.Marshal writes, and
// decodeProgress reads it back to what json.Unmarshal reads.
func FuzzAppendProgress(f *testing.F) {
	f.Add(int64(1), "email", "ann@example.com", "city", "Zürich", "12065550100", "byod", true, false)
	f.Add(int64(-7), "name", `O"Brien <&>`, "", "", "", "", false, false)
	f.Add(int64(0), "", "", "", "", "", "", false, true)
	f.Add(int64(1<<62), "a\nb", "\x00\xff", "\u2028", "tab\t", "+1", "3", true, false)
	f.Fuzz(func(t *testing.T, product int64, k1, v1, k2, v2, number, device string, sealed, nilAnswers bool) {
		d := progressDoc{Product: product, Answers: map[string]string{k1: v1, k2: v2}, Number: number, Device: device, CardSealed: sealed}
		if nilAnswers {
			d.Answers = nil
		}
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		got := appendProgress(nil, d)
		if string(got) != string(want) {
			t.Fatalf("appendProgress:\n got %s\nwant %s", got, want)
		}
		compareDecode(t, string(got))
	})
}

// FuzzDecodeProgress: decodeProgress accepts what json.Unmarshal accepts
// and yields the same document, whatever the input.
func FuzzDecodeProgress(f *testing.F) {
	for _, s := range []string{
		`{"product":1,"answers":{"city":"Seattle","email":"a@b"},"number":"12065550100","device":"byod","card_sealed":true}`,
		`{"product":1,"answers":null,"number":"","device":"","card_sealed":false}`,
		`{"product":1,"answers":{},"number":"","device":"","card_sealed":false}`,
		`{"product":1,"answers":{"a":"1","a":"2"},"number":"","device":"","card_sealed":false}`,
		`{"product":-0,"answers":null,"number":"","device":"","card_sealed":false}`,
		`{"product":01,"answers":null,"number":"","device":"","card_sealed":false}`,
		`{"product":99999999999999999999,"answers":null,"number":"","device":"","card_sealed":false}`,
		`{"product":1.5,"answers":null,"number":"","device":"","card_sealed":false}`,
		`{"product":1,"answers":{"name":"O\"Brien \u003c"},"number":"","device":"","card_sealed":false}`,
		"{\"product\":1,\"answers\":{\"name\":\"\xff\"},\"number\":\"\",\"device\":\"\",\"card_sealed\":false}",
		`{ "product": 1, "answers": null, "number": "", "device": "", "card_sealed": false }`,
		`{"answers":null,"product":2}`,
		`{"product":1,"answers":null,"number":"","device":"","card_sealed":false}x`,
		`{"product":1,"answers":null,"number":"","device":"","card_sealed":false,"extra":1}`,
		`{"product":1,"answers":null,"number":"","device":"","card_sealed":fals}`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(compareDecode)
}

// compareDecode fails t unless decodeProgress and json.Unmarshal agree on s.
func compareDecode(t *testing.T, s string) {
	var want progressDoc
	wantErr := json.Unmarshal([]byte(s), &want)
	got, err := decodeProgress(s)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("decodeProgress(%q): error %v, json.Unmarshal: %v", s, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeProgress(%q) = %#v, json.Unmarshal: %#v", s, got, want)
	}
}
