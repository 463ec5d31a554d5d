package token

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewSessionIDIsPlausibleAndFresh(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := NewSessionID()
		if !PlausibleSessionID(id) {
			t.Fatalf("NewSessionID() = %q is not plausible", id)
		}
		b, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil || len(b) != SessionIDBytes {
			t.Fatalf("NewSessionID() = %q decodes to %d bytes, err %v; want %d", id, len(b), err, SessionIDBytes)
		}
		if seen[id] {
			t.Fatalf("NewSessionID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestPlausibleSessionIDRejectsJunk(t *testing.T) {
	good := NewSessionID()
	for _, s := range []string{
		"",
		good[:len(good)-1],
		good + "A",
		"+" + good[1:],            // standard base64, not URL-safe
		"/" + good[1:],            // standard base64, not URL-safe
		good[:42] + "=",           // padding
		"é" + good[2:],            // non-ASCII of the right byte length
		strings.Repeat(" ", 43),   // spaces
		"\n" + good[1:],           // a line break the base64 decoder would skip
		"' OR 1=1 --" + good[11:], // an injection attempt
	} {
		if PlausibleSessionID(s) {
			t.Errorf("PlausibleSessionID(%q) = true, want false", s)
		}
	}
}
